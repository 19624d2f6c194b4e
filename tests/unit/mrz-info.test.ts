import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { accessMrzInformation, mrzInformation, mrzInformationOf, parseMrz, parseMrzInformation } from '../../src/mrtd/mrz.js';
import { InvalidArgumentError, ParseError, isParseError } from '../../src/errors.js';

interface Specimen { lines: string[]; mrz_information_for_bac?: string; doc_number?: string; doc_cd?: string }
const vec = JSON.parse(readFileSync(new URL('../fixtures/mrtd/mrz-check-digits.json', import.meta.url), 'utf8')) as { specimens: Record<string, Specimen> };

t.test('MRZ information of the ICAO specimens (9303-11 Appendix D uses the 6th-edition TD3)', async (t) => {
  const withInfo = Object.entries(vec.specimens).filter(([, s]) => s.mrz_information_for_bac !== undefined);
  t.equal(withInfo.length, 3);
  for (const [name, s] of withInfo) {
    const m = parseMrz(s.lines.join('\n'));
    t.equal(mrzInformationOf(m), s.mrz_information_for_bac, name);
    t.equal(accessMrzInformation(s.lines.join('\n')).text, s.mrz_information_for_bac, `${name} via access parser`);
  }
  // ICAO 9303-11 Appendix D.2: the 8-character number keeps its '<' in the hashed string.
  t.equal(mrzInformation('L898902C', '690806', '940623'), 'L898902C<369080619406236');
  t.equal(mrzInformation('L898902C<', '690806', '940623'), 'L898902C<369080619406236');
  // ICAO 9303-11 Appendix G.1 (PACE worked example): T22000129 / 640812 / 101031.
  t.equal(mrzInformation('T22000129', '640812', '101031'), 'T22000129364081251010318');
});

t.test('long document number: the full number and its own check digit', async (t) => {
  const s = vec.specimens.TD1_long_document_number!;
  const m = parseMrz(s.lines.join('\n'));
  t.equal(mrzInformationOf(m), 'D23145890734' + '9' + '340712' + '7' + '950712' + '2');
  const back = parseMrzInformation(mrzInformationOf(m));
  t.equal(back.documentNumber, 'D23145890734');
  t.ok(back.valid);
});

t.test('parseMrzInformation: the forms --mrz accepts', async (t) => {
  const a = parseMrzInformation('L898902C<369080619406236');
  t.match(a, { documentNumber: 'L898902C', dateOfBirth: '690806', dateOfExpiry: '940623', valid: true, text: 'L898902C<369080619406236' });
  const b = parseMrzInformation(' T22000129364081251010318\n');
  t.match(b, { documentNumber: 'T22000129', dateOfBirth: '640812', dateOfExpiry: '101031', valid: true });
  t.same(b.checks.map((c) => c.field), ['documentNumber', 'dateOfBirth', 'dateOfExpiry']);
  const bad = parseMrzInformation('T22000129464081251010318');
  t.notOk(bad.valid);
  t.match(bad.checks[0], { expected: '3', found: '4', ok: false });
  const badDate = parseMrzInformation('T22000129364081241010318');
  t.notOk(badDate.checks[1]!.ok);
  const badDoe = parseMrzInformation('T22000129364081251010319');
  t.notOk(badDoe.checks[2]!.ok);
});

t.test('parseMrzInformation: malformed input is a ParseError without the value', async (t) => {
  for (const s of ['', 'T2200012936408125101031', 'T22000129364081251010318'.toLowerCase(), 'T22000129364081A51010318', 'X'.repeat(60), '<<<<<<<<<364081251010318']) {
    const e = t.throws(() => parseMrzInformation(s), ParseError) as unknown as ParseError;
    t.notMatch(e.message, /T22000129|640812/);
  }
});

t.test('accessMrzInformation: full MRZ or information string', async (t) => {
  const s = vec.specimens.TD3_current!;
  const full = accessMrzInformation(s.lines.join('\n'));
  t.equal(full.text, 'L898902C36' + '7408122' + '1204159');
  t.equal(full.checks.length, 5, 'all check digits of the full MRZ');
  t.equal(accessMrzInformation('L898902C<369080619406236').documentNumber, 'L898902C');
});

t.test('mrzInformation rejects bad arguments', async (t) => {
  t.throws(() => mrzInformation('', '690806', '940623'), InvalidArgumentError);
  t.throws(() => mrzInformation('abc', '690806', '940623'), InvalidArgumentError);
  t.throws(() => mrzInformation('L898902C', '69086', '940623'), InvalidArgumentError);
  t.throws(() => mrzInformation('L898902C', '690806', '9406A3'), InvalidArgumentError);
});

t.test('property: mrzInformation → parseMrzInformation round trip; random strings never crash', async (t) => {
  const chars = fc.constantFrom(...'ABCDEFXYZ0123456789'.split(''));
  const digits = fc.array(fc.constantFrom(...'0123456789'.split('')), { minLength: 6, maxLength: 6 }).map((a) => a.join(''));
  t.doesNotThrow(() => { fc.assert(
    fc.property(fc.array(chars, { minLength: 1, maxLength: 22 }).map((a) => a.join('')), digits, digits, (doc, dob, doe) => {
      const info = mrzInformation(doc, dob, doe);
      const p = parseMrzInformation(info);
      return p.valid && p.documentNumber === doc && p.dateOfBirth === dob && p.dateOfExpiry === doe && p.text === info;
    }),
  ); });
  t.doesNotThrow(() => { fc.assert(
    fc.property(fc.string({ maxLength: 50 }), (s) => {
      try {
        parseMrzInformation(s);
        return true;
      } catch (e) {
        return isParseError(e);
      }
    }),
  ); });
});
