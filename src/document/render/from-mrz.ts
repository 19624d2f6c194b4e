// A data page for a given MRZ (the simulator's page for a virtual passport, `kioskctl document
// render --mrz`): the MRZ as given, the visual zone derived from it.
import { InvalidArgumentError } from '../../errors.js';
import { parseMrz, type Mrz } from '../../mrtd/mrz.js';
import { expiryDate } from '../cross-checks.js';
import type { DocumentSpec } from './specimen.js';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** 'DD MON YYYY' for a YYMMDD date; birth dates take the latest century not in the future. */
function vizDate(yymmdd: string, kind: 'birth' | 'expiry', now: Date): string {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(yymmdd);
  if (!m) return yymmdd.replace(/</g, 'X');
  let year: number;
  if (kind === 'expiry') year = expiryDate(yymmdd, now)?.getUTCFullYear() ?? 2000 + Number(m[1]);
  else {
    year = 2000 + Number(m[1]);
    if (year > now.getUTCFullYear()) year -= 100;
  }
  return `${m[3]!} ${MONTHS[Number(m[2]) - 1] ?? m[2]!} ${year}`;
}

export function specimenFromMrz(text: string, now: Date): DocumentSpec {
  const mrz: Mrz = parseMrz(text);
  if (!mrz.valid) throw new InvalidArgumentError('mrz', 'an MRZ whose check digits hold', 'invalid check digits');
  const seed = Buffer.from(mrz.documentNumber, 'latin1').reduce((a, c) => (a * 31 + c) % 1_000_000, 7);
  return {
    format: mrz.format,
    fields: {
      documentCode: mrz.documentCode,
      issuer: mrz.issuer,
      documentNumber: mrz.documentNumber,
      dateOfBirth: mrz.dateOfBirth,
      sex: mrz.sex,
      dateOfExpiry: mrz.dateOfExpiry,
      nationality: mrz.nationality,
      primaryIdentifier: mrz.primaryIdentifier,
      secondaryIdentifier: mrz.secondaryIdentifier,
      optionalData: mrz.optionalData,
      ...(mrz.optionalData2 !== undefined ? { optionalData2: mrz.optionalData2 } : {}),
    },
    mrz: mrz.lines.join('\n'),
    viz: {
      stateName: mrz.issuer === 'UTO' ? 'UTOPIA' : mrz.issuer,
      dateOfBirth: vizDate(mrz.dateOfBirth, 'birth', now),
      dateOfExpiry: vizDate(mrz.dateOfExpiry, 'expiry', now),
      dateOfIssue: '',
      placeOfBirth: '',
      authority: 'PASSPORT OFFICE',
    },
    portraitSeed: seed,
  };
}
