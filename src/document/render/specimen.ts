// Random but realistic holders and documents for rendered pages: names of varied lengths
// (long ones get truncated by the MRZ encoder as ICAO 9303-3 §4.6 says), issuing states from
// ISO 3166-1 alpha-3 plus the ICAO specimen state 'UTO' and Germany's 'D' (9303-3 §5),
// document numbers that mix letters and digits (and so contain the characters OCR confuses),
// dates in YYMMDD, optional data sometimes empty, and long TD1/TD2 document numbers now and then.
// The MRZ text always comes from src/mrtd/mrz.ts's encoders, never from here.
import { formatTd1, formatTd2, formatTd3, type MrzFields, type MrzFormat, type Sex } from '../../mrtd/mrz.js';
import type { Rng } from './random.js';

export interface DocumentSpec {
  readonly format: MrzFormat;
  readonly fields: MrzFields;
  /** The MRZ lines as printed (normally formatTdN(fields); a bad-input page may alter it). */
  readonly mrz: string;
  /** What the visual inspection zone prints beside what the MRZ carries. */
  readonly viz: VizText;
  /** Seed of the drawn portrait. */
  readonly portraitSeed: number;
  /** A photo to print instead of the drawn portrait (JPEG or PNG bytes), e.g. the holder's. */
  readonly portrait?: Buffer;
}

export interface VizText {
  readonly stateName: string;
  readonly dateOfBirth: string;
  readonly dateOfExpiry: string;
  readonly dateOfIssue: string;
  readonly placeOfBirth: string;
  readonly authority: string;
}

const SURNAMES = [
  'ERIKSSON', 'LI', 'NGUYEN', 'OKAFOR', 'MUELLER', 'GARCIA MARQUEZ', 'VAN DER BERG', 'SMITH', 'O', 'KOWALSKA',
  'PAPADOPOULOU', 'BENALI', 'DOS SANTOS PEREIRA', 'ABDULLAH', 'IVANOVA', 'TANAKA', 'WOJCIECHOWSKI BRZEZINSKI',
  'KIM', 'HOFFMANN', 'MACDONALD', 'ZZYZX', 'QUINTERO', 'JOHANSSON', 'SCHWARZENEGGER', 'OYELOWO', 'BOUCHARD',
];
const GIVEN = [
  'ANNA', 'MARIA', 'PETER', 'JOHN', 'XIAO MEI', 'CHUKWUEMEKA', 'JOSE LUIS', 'ZOE', 'BJOERN', 'AMELIE',
  'SIOBHAN', 'OLUWASEUN', 'KATARZYNA', 'DMITRI', 'YUKI', 'MOHAMMED', 'BEATRIZ', 'SOREN', 'IBRAHIM', 'QUENTIN',
  'ELISABETH CHARLOTTE', 'HANS', 'VIKTOR', 'BO', 'ZSUZSANNA', 'KWAME',
];
const STATES: readonly (readonly [string, string])[] = [
  ['UTO', 'UTOPIA'], ['D', 'BUNDESREPUBLIK DEUTSCHLAND'], ['FIN', 'SUOMI FINLAND'], ['NLD', 'KONINKRIJK DER NEDERLANDEN'],
  ['FRA', 'REPUBLIQUE FRANCAISE'], ['CAN', 'CANADA'], ['NZL', 'NEW ZEALAND'], ['BRA', 'REPUBLICA FEDERATIVA DO BRASIL'],
  ['JPN', 'JAPAN'], ['ZAF', 'SOUTH AFRICA'], ['ISL', 'ISLAND'], ['GBR', 'UNITED KINGDOM'], ['ESP', 'REINO DE ESPANA'],
  ['POL', 'RZECZPOSPOLITA POLSKA'], ['SWE', 'SVERIGE'], ['KOR', 'REPUBLIC OF KOREA'],
];
const CITIES = ['ZENITH', 'LUND', 'OULU', 'PORTO ALEGRE', 'KYOTO', 'DURBAN', 'GDANSK', 'QUEBEC', 'AUCKLAND', 'BILBAO'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Letters and digits weighted towards the ones OCR confuses (0 O 1 I 5 S 8 B 2 Z K). */
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789' + '0O1I5S8B2ZK';

const two = (n: number): string => String(n).padStart(2, '0');

function date(rng: Rng, fromYear: number, toYear: number): { yymmdd: string; viz: string } {
  const y = rng.int(fromYear, toYear);
  const m = rng.int(1, 12);
  const d = rng.int(1, 28);
  return { yymmdd: two(y % 100) + two(m) + two(d), viz: `${two(d)} ${MONTHS[m - 1]!} ${y}` };
}

const alnum = (rng: Rng, n: number): string => Array.from({ length: n }, () => ALNUM[rng.int(0, ALNUM.length - 1)]!).join('');

const DOCUMENT_CODES: Readonly<Record<MrzFormat, readonly string[]>> = {
  TD3: ['P', 'P', 'P', 'PD', 'PO'],
  TD2: ['I', 'ID', 'AC', 'IR'],
  TD1: ['I', 'ID', 'IR', 'AR', 'C'],
};

export function encodeMrz(format: MrzFormat, f: MrzFields): string {
  return format === 'TD3' ? formatTd3(f) : format === 'TD2' ? formatTd2(f) : formatTd1(f);
}

/** A random holder and document of the given format. */
export function randomSpecimen(rng: Rng, format: MrzFormat): DocumentSpec {
  const [issuer, stateName] = rng.pick(STATES);
  const nationality = rng.chance(0.85) ? issuer : rng.pick(STATES)[0];
  const sex: Sex = rng.pick(['M', 'F', 'F', 'M', 'X', '<'] as const);
  const born = date(rng, 1935, 2019);
  const expires = date(rng, 2025, 2036);
  const issued = date(rng, 2015, 2024);
  const secondary = rng.chance(0.08) ? '' : Array.from({ length: rng.int(1, 3) }, () => rng.pick(GIVEN)).join(' ');
  const long = format !== 'TD3' && rng.chance(0.1);
  const documentNumber = long ? alnum(rng, rng.int(10, 12)) : rng.chance(0.15) ? alnum(rng, rng.int(6, 8)) : alnum(rng, 9);
  const optWidth = format === 'TD3' ? 14 : format === 'TD2' ? 7 : 15;
  const room = long ? optWidth - (documentNumber.length - 9) - 2 : optWidth;
  const optionalData = rng.chance(0.5) || room <= 0 ? '' : alnum(rng, rng.int(1, Math.max(1, Math.min(room, 12))));
  const fields: MrzFields = {
    documentCode: rng.pick(DOCUMENT_CODES[format]),
    issuer,
    documentNumber,
    dateOfBirth: born.yymmdd,
    sex,
    dateOfExpiry: expires.yymmdd,
    nationality,
    primaryIdentifier: Array.from({ length: rng.chance(0.2) ? 2 : 1 }, () => rng.pick(SURNAMES)).join(' '),
    secondaryIdentifier: secondary,
    optionalData,
    ...(format === 'TD1' && rng.chance(0.4) ? { optionalData2: alnum(rng, rng.int(1, 11)) } : {}),
  };
  return {
    format,
    fields,
    mrz: encodeMrz(format, fields),
    viz: {
      stateName,
      dateOfBirth: born.viz,
      dateOfExpiry: expires.viz,
      dateOfIssue: issued.viz,
      placeOfBirth: rng.pick(CITIES),
      authority: rng.pick(['MINISTRY OF THE INTERIOR', 'PASSPORT OFFICE', 'CITY OF ' + rng.pick(CITIES), 'EMBASSY']),
    },
    portraitSeed: rng.int(1, 1_000_000),
  };
}
