import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { checkDigit, parseMrz, parseMrzConcatenated, type Mrz } from '../../src/mrtd/mrz.js';
import { ParseError, isParseError } from '../../src/errors.js';

// ICAO Doc 9303 Part 3 Appendix A check-digit examples and the Part 4/5/6 specimens, as
// collected in /work/shared/mrtd/icao-worked-examples.json (id mrz.check_digits).
interface Vector {
  cases: { input?: string; input_lines?: string[]; check_digit: string; note: string }[];
  specimens: Record<string, { lines: string[]; doc_number?: string; doc_cd?: string; dob?: string; dob_cd?: string; doe?: string; doe_cd?: string; sex?: string; optional?: string; optional_cd?: string; composite_cd?: string }>;
}
const vec = JSON.parse(readFileSync(new URL('../fixtures/mrtd/mrz-check-digits.json', import.meta.url), 'utf8')) as Vector;

const byField = (m: Mrz, f: string) => m.checks.find((c) => c.field === f);

t.test('check digits: ICAO 9303-3 Appendix A single-field examples', async (t) => {
  const single = vec.cases.filter((c) => c.input !== undefined);
  t.ok(single.length >= 2);
  for (const c of single) t.equal(checkDigit(c.input!), c.check_digit, c.note);
  t.throws(() => checkDigit('ab'), /Expected/);
});

t.test('check digits: Appendix A composite examples (TD3, TD1, TD2)', async (t) => {
  const composite = vec.cases.filter((c) => c.input_lines !== undefined);
  t.equal(composite.length, 3);
  // Example 3: TD3 line 2 without its final composite digit.
  const td3 = composite[0]!.input_lines![0]!;
  t.equal(td3.length, 43);
  t.equal(checkDigit(td3.slice(0, 10) + td3.slice(13, 20) + td3.slice(21, 43)), composite[0]!.check_digit, composite[0]!.note);
  // Example 4: TD1 upper and middle line.
  const [u, m] = composite[1]!.input_lines! as [string, string];
  t.equal(checkDigit(u.slice(5, 30) + m.slice(0, 7) + m.slice(8, 15) + m.slice(18, 29)), composite[1]!.check_digit, composite[1]!.note);
  // Example 5: TD2 line 2.
  const td2 = composite[2]!.input_lines![0]!;
  t.equal(checkDigit(td2.slice(0, 10) + td2.slice(13, 20) + td2.slice(21, 35)), composite[2]!.check_digit, composite[2]!.note);
});

t.test('every specimen parses, all check digits right and equal to the published ones', async (t) => {
  const names = Object.keys(vec.specimens);
  t.equal(names.length, 6);
  for (const name of names) {
    const s = vec.specimens[name]!;
    const m = parseMrz(s.lines.join('\n'));
    t.ok(m.valid, `${name} valid`);
    t.ok(m.checks.every((c) => c.ok && c.expected === c.found), name);
    if (s.doc_number) t.equal(m.documentNumber, s.doc_number.replace(/<+$/, ''), `${name} number`);
    if (s.doc_cd) t.equal(byField(m, 'documentNumber')?.expected, s.doc_cd, `${name} doc cd`);
    if (s.dob) t.equal(m.dateOfBirth, s.dob);
    if (s.dob_cd) t.equal(byField(m, 'dateOfBirth')?.expected, s.dob_cd, `${name} dob cd`);
    if (s.doe) t.equal(m.dateOfExpiry, s.doe);
    if (s.doe_cd) t.equal(byField(m, 'dateOfExpiry')?.expected, s.doe_cd, `${name} doe cd`);
    if (s.sex) t.equal(m.sex, s.sex);
    if (s.optional) t.equal(m.optionalData, s.optional.replace(/<+$/, ''));
    if (s.optional_cd) t.equal(byField(m, 'optionalData')?.expected, s.optional_cd, `${name} optional cd`);
    if (s.composite_cd) t.equal(byField(m, 'composite')?.expected, s.composite_cd, `${name} composite`);
  }
});

t.test('TD3 specimen (ICAO 9303-4): every field', async (t) => {
  const m = parseMrz(vec.specimens.TD3_current!.lines.join('\n'));
  t.match(m, {
    format: 'TD3', kind: 'TD3', documentCode: 'P', issuer: 'UTO', documentNumber: 'L898902C3',
    dateOfBirth: '740812', sex: 'F', dateOfExpiry: '120415', nationality: 'UTO',
    primaryIdentifier: 'ERIKSSON', secondaryIdentifier: 'ANNA MARIA', nameTruncated: false, optionalData: 'ZE184226B',
  });
  t.same(m.checks.map((c) => c.field), ['documentNumber', 'dateOfBirth', 'dateOfExpiry', 'optionalData', 'composite']);
  t.equal(m.optionalData2, undefined);
  t.equal(m.text, vec.specimens.TD3_current!.lines.join('\n'));
});

t.test('TD1 specimen (ICAO 9303-5): three lines, two optional fields, composite', async (t) => {
  const m = parseMrz(vec.specimens.TD1!.lines.join('\n'));
  t.match(m, { format: 'TD1', documentCode: 'I', issuer: 'UTO', documentNumber: 'D23145890', nationality: 'UTO', sex: 'F', primaryIdentifier: 'ERIKSSON', secondaryIdentifier: 'ANNA MARIA', optionalData: '', optionalData2: '' });
  t.same(m.checks.map((c) => c.field), ['documentNumber', 'dateOfBirth', 'dateOfExpiry', 'composite']);
});

t.test('long document numbers continue in the optional data (TD1 and TD2)', async (t) => {
  const td1 = parseMrz(vec.specimens.TD1_long_document_number!.lines.join('\n'));
  t.equal(td1.documentNumber, 'D23145890734');
  t.equal(byField(td1, 'documentNumber')?.found, '9');
  t.equal(td1.optionalData, '');
  t.ok(td1.valid);
  t.equal(td1.primaryIdentifier, 'STEVENSON');
  t.equal(td1.secondaryIdentifier, 'PETER JOHN');
  const td2 = parseMrz(vec.specimens.TD2_long_document_number!.lines.join('\n'));
  t.equal(td2.format, 'TD2');
  t.equal(td2.documentNumber, 'D23145890734');
  t.ok(td2.valid);
  // Data after the long number's terminator is the optional data proper.
  const lines = [...vec.specimens.TD1_long_document_number!.lines] as [string, string, string];
  lines[0] = lines[0].slice(0, 20) + 'AB' + lines[0].slice(22);
  const withData = parseMrz(lines.join('\n'));
  t.equal(withData.optionalData, 'AB');
  t.equal(withData.documentNumber, 'D23145890734');
  t.notOk(byField(withData, 'composite')?.ok, 'composite covers the optional data');
});

t.test('a wrong check digit is reported, not thrown', async (t) => {
  const lines = [...vec.specimens.TD3_current!.lines] as [string, string];
  lines[1] = lines[1].slice(0, 9) + '7' + lines[1].slice(10);
  const m = parseMrz(lines.join('\n'));
  t.notOk(m.valid);
  t.match(byField(m, 'documentNumber'), { expected: '6', found: '7', ok: false });
  t.notOk(byField(m, 'composite')?.ok);
  t.ok(byField(m, 'dateOfBirth')?.ok);
});

t.test("all-filler personal number may carry '<' or '0' as its check digit", async (t) => {
  const base = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<';
  const body = 'L898902C36UTO7408122F1204159<<<<<<<<<<<<<<';
  for (const cd of ['<', '0']) {
    const l2 = body + cd;
    const composite = checkDigit(l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 43));
    const m = parseMrz(`${base}\n${l2}${composite}`);
    t.ok(m.valid, `cd ${cd}`);
    t.equal(m.optionalData, '');
  }
  const bad = body.slice(0, 28) + 'A' + body.slice(29) + '<';
  const m = parseMrz(`${base}\n${bad}0`);
  t.notOk(byField(m, 'optionalData')?.ok, "'<' is only allowed when the field is all fillers");
});

t.test('visas: MRV-A (2×44) and MRV-B (2×36) have no composite', async (t) => {
  // ICAO 9303-7 specimen layouts (MRV-A Appendix A, MRV-B Appendix B).
  const a = parseMrz('V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<');
  t.match(a, { format: 'TD3', kind: 'MRV-A', documentCode: 'V', documentNumber: 'L8988901C', nationality: 'XXX', optionalData: '6ZE184226B' });
  t.same(a.checks.map((c) => c.field), ['documentNumber', 'dateOfBirth', 'dateOfExpiry']);
  t.ok(a.valid);
  const b = parseMrz('V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<');
  t.match(b, { format: 'TD2', kind: 'MRV-B', documentNumber: 'L8988901C', optionalData: '' });
  t.ok(b.valid);
});

t.test('names: several components, no secondary identifier, truncation flag', async (t) => {
  const l2 = vec.specimens.TD3_current!.lines[1]!;
  const m = parseMrz(`P<UTOVAN<DER<BERG<<JAN<PIETER<<<<<<<<<<<<<<<\n${l2}`);
  t.equal(m.primaryIdentifier, 'VAN DER BERG');
  t.equal(m.secondaryIdentifier, 'JAN PIETER');
  t.notOk(m.nameTruncated);
  const mono = parseMrz(`P<UTOERIKSSON<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n${l2}`);
  t.equal(mono.primaryIdentifier, 'ERIKSSON');
  t.equal(mono.secondaryIdentifier, '');
  const full = parseMrz(`P<UTOAAAAAAAAAAAAAAAAAAAA<<BBBBBBBBBBBBBBBBB\n${l2}`);
  t.ok(full.nameTruncated);
  t.equal(full.secondaryIdentifier, 'BBBBBBBBBBBBBBBBB');
});

t.test('DG1 form: concatenated lines', async (t) => {
  for (const s of Object.values(vec.specimens)) {
    t.same(parseMrzConcatenated(s.lines.join('')), parseMrz(s.lines.join('\n')));
  }
  t.throws(() => parseMrzConcatenated('P<UTO'), ParseError);
});

t.test('tolerates CRLF and surrounding whitespace', async (t) => {
  const s = vec.specimens.TD2!;
  t.ok(parseMrz(`  ${s.lines[0]!}\r\n${s.lines[1]!}\n`).valid);
});

t.test('invalid characters, line counts and lengths: ParseError without MRZ content', async (t) => {
  const [l1, l2] = vec.specimens.TD3_current!.lines as [string, string];
  const cases = [
    l1, // one line
    `${l1}\n${l2}\n${l2}`,
    `${l1}\n${l2.slice(0, 43)}`,
    `${l1.toLowerCase()}\n${l2}`,
    `${l1}\n${l2.slice(0, 20)}é${l2.slice(21)}`,
    `${l1}\n${l2.slice(0, 20)}1${l2.slice(21)}`, // sex '1'
    '',
    'x'.repeat(500),
  ];
  for (const c of cases) {
    const err = t.throws(() => parseMrz(c), ParseError) as unknown as ParseError;
    t.notMatch(err.message, /ERIKSSON|L898902C|740812|ANNA/, 'no personal data in the message');
  }
});

t.test('property: any string yields an Mrz or a ParseError', async (t) => {
  const mrzChar = fc.constantFrom(...'ABCXYZ0123456789<<<<'.split(''));
  const line = (n: number) => fc.array(mrzChar, { minLength: n, maxLength: n }).map((a) => a.join(''));
  const anyMrz = fc.oneof(
    fc.tuple(line(30), line(30), line(30)).map((l) => l.join('\n')),
    fc.tuple(line(36), line(36)).map((l) => l.join('\n')),
    fc.tuple(line(44), line(44)).map((l) => l.join('\n')),
    fc.string({ maxLength: 120 }),
  );
  t.doesNotThrow(() => { fc.assert(
    fc.property(anyMrz, (s) => {
      try {
        const m = parseMrz(s);
        return m.valid === m.checks.every((c) => c.ok);
      } catch (e) {
        return isParseError(e);
      }
    }),
    { numRuns: 2000 },
  ); });
});
