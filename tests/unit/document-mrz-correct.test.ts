// Check-digit correction of recognised MRZ text: the field-type rule, the single-swap rule,
// refusal when two swaps fit, 'invalid' when none does, and properties over random documents.
import t from 'tap';
import fc from 'fast-check';
import { formatTd1, formatTd2, formatTd3, parseMrz, type MrzFields, type Sex } from '../../src/mrtd/mrz.js';
import { CONFUSIONS, confusionPartner, correctMrz } from '../../src/document/mrz-reader/correct.js';
import { checkCoverage, formatOfShape, isAllowed, positionTypes } from '../../src/document/mrz-reader/fields.js';

// ICAO 9303-4 Appendix A specimen (TD3) and 9303-5/-6 specimens (TD1/TD2), as in mrz-format.test.ts.
const TD3 = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10';
const TD1 = 'I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<';

const swap = (text: string, line: number, col: number, ch: string): string[] =>
  text.split('\n').map((l, i) => (i === line ? l.slice(0, col) + ch + l.slice(col + 1) : l));

t.test('specimens are valid as they are, with nothing corrected', async (t) => {
  for (const m of [TD3, TD1]) {
    const r = correctMrz(m.split('\n'));
    t.equal(r.status, 'valid');
    t.same(r.corrections, []);
    t.equal(r.lines.join('\n'), m);
    t.ok(r.mrz?.valid);
  }
});

t.test('field types: a letter in a date becomes its digit partner, a digit in a name its letter', async (t) => {
  // Date of birth 740812 with its 0 read as O (line 2, column 15 of TD3 is the 3rd date digit).
  let lines = swap(TD3, 1, 15, 'O');
  // and the name's first S read as 5
  lines = swap(lines.join('\n'), 0, 10, '5');
  const r = correctMrz(lines);
  t.equal(r.status, 'corrected');
  t.equal(r.lines.join('\n'), TD3);
  t.same(
    r.corrections.map((c) => [c.line, c.column, c.from, c.to, c.rule]),
    [
      [0, 10, '5', 'S', 'field-type'],
      [1, 15, 'O', '0', 'field-type'],
    ],
  );
});

t.test('the document code starts as ICAO says per format', async (t) => {
  // TD3 passports start with 'P' (9303-4 §4.2.2); a '1' there is an I misread, and an I is no
  // passport code: invalid. On a TD1 card the same '1' is corrected to 'I' (9303-5 §4.2.2).
  t.equal(correctMrz(swap(TD3, 0, 0, 'I')).status, 'invalid');
  const td1 = correctMrz(swap(TD1, 0, 0, '1'));
  t.equal(td1.status, 'corrected');
  t.equal(td1.lines.join('\n'), TD1);
});

t.test('field types: a character with no allowed partner makes the MRZ invalid', async (t) => {
  // '7' in the name has no letter partner. No check digit covers names, so the check digits
  // alone would pass this text; the field types refuse it.
  const bad = swap(TD3, 0, 6, '7');
  t.ok(parseMrz(bad.join('\n')).valid, 'the check digits alone would accept it');
  const r = correctMrz(bad);
  t.equal(r.status, 'invalid');
  t.same(r.lines, bad);
  t.equal(r.mrz, undefined);
  // Likewise 'Q' in a date of birth (line 2, column 14).
  t.equal(correctMrz(swap(TD3, 1, 14, 'Q')).status, 'invalid');
});

t.test('one swap makes every check digit hold: corrected', async (t) => {
  // Document number L898902C3: its 0 read as O (alphanumeric field, so rule 1 cannot decide).
  const bad = swap(TD3, 1, 5, 'O');
  t.notOk(parseMrz(bad.join('\n')).valid, 'the misread fails its check digits');
  const r = correctMrz(bad);
  t.equal(r.status, 'corrected');
  t.equal(r.lines.join('\n'), TD3);
  t.same(r.corrections, [{ line: 1, column: 5, from: 'O', to: '0', rule: 'check-digit' }]);
  t.equal(r.solutions, 1);
});

t.test('two swaps each make every check digit hold: refused as ambiguous, text untouched', async (t) => {
  // Found by search over random TD2 documents: the document number GVY1QX27F with its 1 read as I.
  // Swapping back (I→1 at column 3) fixes it, and so does 2→Z at column 6: no way to choose.
  const bad = ['I<ZAFBENALI<<BO<BJOERN<PETER<<<<<<<<', 'GVYIQX27F7ZAF6407221F2709190PXD45<<2'];
  t.ok(parseMrz([bad[0], 'GVY1QX27F7ZAF6407221F2709190PXD45<<2'].join('\n')).valid, 'first fix is valid');
  t.ok(parseMrz([bad[0], 'GVYIQXZ7F7ZAF6407221F2709190PXD45<<2'].join('\n')).valid, 'second fix is valid');
  const r = correctMrz(bad);
  t.equal(r.status, 'ambiguous');
  t.equal(r.solutions, 2);
  t.same(r.lines, bad);
  t.equal(r.mrz, undefined);
  // A recogniser that only finds '1' plausible at column 3 narrows it to one swap.
  const narrowed = correctMrz(bad, { plausible: (l, c, ch) => l === 1 && c === 3 && ch === '1' });
  t.equal(narrowed.status, 'corrected');
  t.equal(narrowed.lines[1], 'GVY1QX27F7ZAF6407221F2709190PXD45<<2');
});

t.test('no swap helps: invalid', async (t) => {
  // A check digit printed wrong (digit for digit): no confusion partner can fix it.
  const bad = swap(TD3, 1, 19, '3');
  const r = correctMrz(bad);
  t.equal(r.status, 'invalid');
  t.equal(r.solutions, 0);
  t.same(r.lines, bad);
  t.equal(r.mrz, undefined);
});

t.test('wrong shapes and characters are malformed, never corrected', async (t) => {
  t.equal(correctMrz([]).status, 'malformed');
  t.equal(correctMrz(['ABC']).status, 'malformed');
  t.equal(correctMrz([TD3.split('\n')[0]!, 'short']).status, 'malformed');
  t.equal(correctMrz(TD3.toLowerCase().split('\n')).status, 'malformed');
});

t.test('position types and coverage agree with the layouts', async (t) => {
  t.equal(formatOfShape(TD3.split('\n')), 'TD3');
  t.equal(formatOfShape(TD1.split('\n')), 'TD1');
  t.equal(formatOfShape(['A'.repeat(36), 'B'.repeat(36)]), 'TD2');
  t.equal(formatOfShape(['A'.repeat(36), 'B'.repeat(44)]), undefined);
  for (const f of ['TD1', 'TD2', 'TD3'] as const) {
    for (const visa of [false, true]) {
      const types = positionTypes(f, visa);
      const cov = checkCoverage(f, visa);
      const width = f === 'TD1' ? 30 : f === 'TD2' ? 36 : 44;
      t.ok(types.every((row) => row.length === width), `${f} widths`);
      t.ok(cov.every((row) => row.length === width), `${f} coverage widths`);
    }
  }
  // Every character of each specimen is allowed where it stands.
  for (const m of [TD3, TD1]) {
    const lines = m.split('\n');
    const types = positionTypes(formatOfShape(lines)!);
    lines.forEach((l, i) => Array.from(l).forEach((ch, c) => t.ok(isAllowed(types[i]![c]!, ch), `${ch} at ${i}:${c}`)));
  }
});

// ---- properties over random documents ----

const letters = (min: number, max: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[A-Z]{${min},${max}}$`));
const alnum = (min: number, max: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[A-Z0-9]{${min},${max}}$`));
const yymmdd = fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([y, m, d]) => [y, m, d].map((v) => String(v).padStart(2, '0')).join(''));

const fieldsArb = (codes: readonly string[]): fc.Arbitrary<MrzFields> => fc.record({
  documentCode: fc.constantFrom(...codes),
  issuer: letters(3, 3),
  documentNumber: alnum(9, 9),
  dateOfBirth: yymmdd,
  sex: fc.constantFrom<Sex>('M', 'F', 'X', '<'),
  dateOfExpiry: yymmdd,
  nationality: letters(3, 3),
  primaryIdentifier: letters(1, 12),
  secondaryIdentifier: letters(0, 10),
  optionalData: alnum(0, 7),
});

// Document codes as ICAO allows them per format: 'P…' on TD3 (9303-4), 'A…', 'C…', 'I…' on TD1/TD2.
const docArb = fc.oneof(
  fieldsArb(['P', 'PD', 'PO']).map(formatTd3),
  fieldsArb(['I', 'ID', 'AC', 'CR']).map(formatTd2),
  fieldsArb(['I', 'ID', 'AR', 'C']).map(formatTd1),
);

t.test('property: a valid MRZ comes back unchanged and valid', async (t) => {
  fc.assert(
    fc.property(docArb, (m) => {
      const r = correctMrz(m.split('\n'));
      return r.status === 'valid' && r.lines.join('\n') === m && r.corrections.length === 0;
    }),
  );
  t.pass();
});

t.test('property: one detectable confusion is corrected back to the original or refused — never to another MRZ', async (t) => {
  fc.assert(
    fc.property(docArb, fc.nat(), (m, pick) => {
      const lines = m.split('\n');
      const format = formatOfShape(lines)!;
      const types = positionTypes(format);
      const cov = checkCoverage(format);
      // Covered alphanumeric positions whose character has a partner; K/< is left out: its
      // values differ by 20, which no ICAO check digit (mod 10) can see.
      const spots: [number, number, string][] = [];
      lines.forEach((l, i) =>
        Array.from(l).forEach((ch, c) => {
          const p = confusionPartner(ch);
          if (cov[i]![c] && types[i]![c] === 'alnum' && p !== undefined && p !== '<' && ch !== '<') spots.push([i, c, p]);
        }),
      );
      if (spots.length === 0) return true;
      const [l, c, p] = spots[pick % spots.length]!;
      const r = correctMrz(swap(m, l, c, p));
      if (r.status === 'corrected') return r.lines.join('\n') === m;
      return r.status === 'ambiguous' && r.mrz === undefined;
    }),
  );
  t.pass();
});

t.test('property: arbitrary text never throws and never yields a parsed MRZ that fails its checks', async (t) => {
  const line = fc.stringMatching(/^[A-Z0-9<a-z ]{0,46}$/);
  fc.assert(
    fc.property(fc.array(line, { maxLength: 4 }), (lines) => {
      const r = correctMrz(lines);
      if (r.mrz) return r.mrz.valid && (r.status === 'valid' || r.status === 'corrected');
      return ['ambiguous', 'invalid', 'malformed'].includes(r.status);
    }),
  );
  t.pass();
});

t.test('the confusion table pairs each character with one partner, both ways', async (t) => {
  for (const [a, b] of CONFUSIONS) {
    t.equal(confusionPartner(a), b);
    t.equal(confusionPartner(b), a);
  }
  t.equal(confusionPartner('A'), undefined);
});
