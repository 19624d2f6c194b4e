import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { formatName, formatTd1, formatTd2, formatTd3, parseMrz, type MrzFields, type Sex } from '../../src/mrtd/mrz.js';
import { InvalidArgumentError } from '../../src/errors.js';

const vec = JSON.parse(readFileSync(new URL('../fixtures/mrtd/mrz-check-digits.json', import.meta.url), 'utf8')) as { specimens: Record<string, { lines: string[] }> };
const spec = (name: string): string => vec.specimens[name]!.lines.join('\n');

const anna: MrzFields = {
  documentCode: 'P', issuer: 'UTO', documentNumber: 'L898902C3', dateOfBirth: '740812', sex: 'F', dateOfExpiry: '120415',
  nationality: 'UTO', primaryIdentifier: 'ERIKSSON', secondaryIdentifier: 'ANNA MARIA', optionalData: 'ZE184226B',
};

t.test('formatTd3 reproduces the ICAO 9303-4 specimen', async (t) => {
  t.equal(formatTd3(anna), spec('TD3_current'));
  t.equal(formatTd3({ ...anna, documentNumber: 'L898902C', dateOfBirth: '690806', dateOfExpiry: '940623' }), spec('TD3_old_6th_edition_used_by_BAC_example'));
});

t.test('formatTd1 / formatTd2 reproduce the ICAO 9303-5/-6 specimens, long numbers included', async (t) => {
  const id: MrzFields = { ...anna, documentCode: 'I', documentNumber: 'D23145890', optionalData: '' };
  t.equal(formatTd1(id), spec('TD1'));
  t.equal(formatTd2(id), spec('TD2'));
  const peter: MrzFields = {
    documentCode: 'I', issuer: 'UTO', documentNumber: 'D23145890734', dateOfBirth: '340712', sex: 'M', dateOfExpiry: '950712',
    nationality: 'UTO', primaryIdentifier: 'STEVENSON', secondaryIdentifier: 'PETER JOHN',
  };
  t.equal(formatTd1(peter), spec('TD1_long_document_number'));
  t.equal(formatTd2(peter), spec('TD2_long_document_number'));
});

t.test('visas: a V document code gives the MRV-A / MRV-B layouts', async (t) => {
  const v: MrzFields = { ...anna, documentCode: 'V', documentNumber: 'L8988901C', nationality: 'XXX', dateOfBirth: '400907', dateOfExpiry: '961210', optionalData: '6ZE184226B' };
  const a = formatTd3(v);
  t.equal(a, 'V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<');
  t.equal(parseMrz(a).kind, 'MRV-A');
  const b = formatTd2({ ...v, optionalData: '' });
  t.equal(parseMrz(b).kind, 'MRV-B');
  t.ok(parseMrz(b).valid);
});

t.test("an empty personal number gets '<' as its check digit", async (t) => {
  const m = formatTd3({ ...anna, optionalData: '' });
  t.equal(m.split('\n')[1]![42], '<');
  t.ok(parseMrz(m).valid);
});

t.test('names: hyphens and spaces become fillers; long names are truncated to fit', async (t) => {
  t.equal(formatName('VAN DER BERG', 'JAN-PIETER', 39), 'VAN<DER<BERG<<JAN<PIETER'.padEnd(39, '<'));
  const long = formatName('WOLFESCHLEGELSTEINHAUSENBERGERDORFF', 'HUBERT BLAINE', 30);
  t.equal(long.length, 30);
  t.equal(long, 'WOLFESCHLEGELSTEINHAUSENBERGER');
  const sec = formatName('ERIKSSON', 'ANNA MARIA CHRISTINA ELISABETH', 30);
  t.equal(sec.length, 30);
  t.equal(sec, 'ERIKSSON<<ANNA<MARIA<CHRISTI<E');
  t.equal(formatName('ERIKSSON', '', 30), 'ERIKSSON'.padEnd(30, '<'));
  t.throws(() => formatName('', 'ANNA', 30), InvalidArgumentError);
  t.throws(() => formatName('ÉRIK', 'ANNA', 30), InvalidArgumentError);
});

t.test('bad fields are InvalidArgumentErrors', async (t) => {
  t.throws(() => formatTd3({ ...anna, documentNumber: 'L898902C3X' }), InvalidArgumentError, 'TD3 has no long numbers');
  t.throws(() => formatTd3({ ...anna, dateOfBirth: '7408' }), InvalidArgumentError);
  t.throws(() => formatTd3({ ...anna, issuer: 'UTOPIA' }), InvalidArgumentError);
  t.throws(() => formatTd3({ ...anna, sex: 'Q' as Sex }), InvalidArgumentError);
  t.throws(() => formatTd3({ ...anna, documentCode: '1' }), InvalidArgumentError);
  t.throws(() => formatTd1({ ...anna, documentNumber: 'D231458907340000000000', optionalData: 'AB' }), InvalidArgumentError);
});

t.test('property: format → parse gives back every field, all check digits valid', async (t) => {
  const s = (alphabet: string, min: number, max: number) =>
    fc.array(fc.constantFrom(...alphabet.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));
  const date = s('0123456789', 6, 6);
  const fields = fc.record({
    documentCode: fc.constantFrom('P', 'PP', 'I', 'ID', 'AC', 'V'),
    issuer: s('ABCDEUTOZ', 1, 3),
    documentNumber: s('ABCXYZ0123456789', 1, 9),
    dateOfBirth: date,
    sex: fc.constantFrom<Sex>('M', 'F', 'X', '<'),
    dateOfExpiry: date,
    nationality: s('ABCDEUTOZ', 3, 3),
    primaryIdentifier: s('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1, 12),
    secondaryIdentifier: s('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 0, 10),
    optionalData: s('ABC0123', 0, 7),
  });
  const long = fc.tuple(fields, s('0123456789', 1, 4)).map(([f, extra]) => ({ ...f, documentCode: 'I', documentNumber: f.documentNumber.padEnd(9, 'A') + extra, optionalData: f.optionalData.slice(0, 1) }));
  t.doesNotThrow(() => { fc.assert(
    fc.property(fc.oneof(fields, long), fc.constantFrom(formatTd1, formatTd2, formatTd3), (f, fmt) => {
      if (fmt === formatTd3 && f.documentNumber.length > 9) return true;
      const m = parseMrz(fmt(f));
      return (
        m.valid &&
        m.documentNumber === f.documentNumber &&
        m.dateOfBirth === f.dateOfBirth &&
        m.dateOfExpiry === f.dateOfExpiry &&
        m.sex === f.sex &&
        m.issuer === f.issuer &&
        m.nationality === f.nationality &&
        m.primaryIdentifier === f.primaryIdentifier &&
        m.secondaryIdentifier === f.secondaryIdentifier &&
        m.optionalData === f.optionalData
      );
    }),
    { numRuns: 1000 },
  ); });
});
