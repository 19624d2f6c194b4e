import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseEfCom, encodeEfCom, comDataGroups, ldsVersionText, unicodeVersionText } from '../../src/mrtd/lds/com.js';
import { parseDg1, encodeDg1 } from '../../src/mrtd/lds/dg1.js';
import { formatTd1, parseMrz } from '../../src/mrtd/mrz.js';
import { fromHex } from '../../src/util/bytes.js';
import { ParseError } from '../../src/errors.js';

const fixture = (p: string): Buffer => readFileSync(new URL(`../fixtures/mrtd/examples/${p}`, import.meta.url));
const SPECIMEN_TD3 = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10';

t.test('EF.COM in the layout of ICAO 9303-10 §4.6.1: LDS 1.7, Unicode 4.0.0, tag list', async (t) => {
  // 60 16 | 5F01 04 "0107" | 5F36 06 "040000" | 5C 04 61 75 63 6E (DG1, DG2, DG3, DG14)
  const bytes = fromHex('60165F0104303130375F36063034303030305C046175636E');
  const com = parseEfCom(bytes);
  t.same(com, { ldsVersion: '0107', unicodeVersion: '040000', tags: [0x61, 0x75, 0x63, 0x6e] });
  t.equal(ldsVersionText(com), '1.7');
  t.equal(unicodeVersionText(com), '4.0.0');
  t.same(comDataGroups(com), ['DG1', 'DG2', 'DG3', 'DG14']);
  t.ok(encodeEfCom(com).equals(bytes));
});

t.test('genuine EF.COM', async (t) => {
  const bytes = fixture('passports/genuine/EF.COM');
  const com = parseEfCom(bytes);
  t.same(comDataGroups(com), ['DG1', 'DG2', 'DG14', 'DG15']);
  t.ok(encodeEfCom(com).equals(bytes));
  t.same(comDataGroups({ ...com, tags: [0x61, 0x5f1f] }), ['DG1', '5F1F'], 'unknown tags shown as hex');
});

t.test('EF.COM errors', async (t) => {
  for (const [name, hex] of [
    ['wrong tag', '61165F0104303130375F36063034303030305C046175636E'],
    ['missing tag list', '60105F0104303130375F3606303430303030'],
    ['version not digits', '60165F01043031303A5F36063034303030305C046175636E'],
    ['unicode 5 digits', '60155F0104303130375F360530343030305C046175636E'],
    ['truncated tag in list', '60135F0104303130375F36063034303030305C015F'],
    ['duplicate 5F01', '601D5F0104303130375F0104303130375F36063034303030305C0161'],
    ['length beyond data', '60205F010430313037'],
  ] as const) {
    t.throws(() => parseEfCom(fromHex(hex)), ParseError, name);
  }
});

t.test('DG1 as in ICAO 9303-10 §4.7.1: 61 5B 5F1F 58 + the TD3 specimen', async (t) => {
  const bytes = encodeDg1(SPECIMEN_TD3);
  t.same([...bytes.subarray(0, 5)], [0x61, 0x5b, 0x5f, 0x1f, 0x58]);
  const dg1 = parseDg1(bytes);
  t.same(dg1.mrz, parseMrz(SPECIMEN_TD3));
  t.ok(encodeDg1(dg1.mrz).equals(bytes));
  const td1 = formatTd1({ documentCode: 'I', issuer: 'UTO', documentNumber: 'D23145890', dateOfBirth: '740812', sex: 'F', dateOfExpiry: '120415', nationality: 'UTO', primaryIdentifier: 'ERIKSSON', secondaryIdentifier: 'ANNA MARIA' });
  const d1 = encodeDg1(td1);
  t.same([...d1.subarray(0, 5)], [0x61, 0x5d, 0x5f, 0x1f, 0x5a], 'TD1: 90 characters');
  t.equal(parseDg1(d1).mrz.format, 'TD1');
});

t.test('genuine DG1 and the altered one', async (t) => {
  const g = parseDg1(fixture('passports/genuine/DG1'));
  t.match(g.mrz, { issuer: 'FIN', documentNumber: 'UT4815161', primaryIdentifier: 'STRAND', secondaryIdentifier: 'MIRA ELISE', valid: true });
  t.ok(encodeDg1(g.mrz).equals(fixture('passports/genuine/DG1')));
  const a = parseDg1(fixture('passports/dg1-altered/DG1'));
  t.equal(a.mrz.secondaryIdentifier, 'NORA ELISE');
  t.ok(a.mrz.valid, 'the forger recomputed the check digits');
});

t.test('DG1 errors', async (t) => {
  t.throws(() => parseDg1(fromHex('6103 5F1F00')), ParseError, 'empty MRZ');
  t.throws(() => parseDg1(Buffer.concat([fromHex('615B5F1F58'), Buffer.alloc(88, 0xe9)])), /non-ASCII/);
  t.throws(() => parseDg1(Buffer.concat([fromHex('615B5F1F58'), Buffer.alloc(88, 0x61)])), /DG1/, 'lower case');
  t.throws(() => parseDg1(fromHex('6100')), /missing tag 5F1F/);
  t.throws(() => encodeDg1('P<UTO'), /MRZ/);
});
