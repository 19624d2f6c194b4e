// The document's own story checked for consistency (the issue's "authenticity cross-checks"):
// the MRZ read from the printed page against DG1 from the chip, the validity dates, the
// kiosk's policy on document types and issuers, and the printed portrait against the chip's
// portrait. Each check is reported with its result — `not-performed` when its inputs are not
// there, never a pass — and a stable code. Details name fields, never their values.
import type { Mrz } from '../mrtd/mrz.js';

export type CheckResult = 'pass' | 'fail' | 'not-performed';

export interface DocumentCheck {
  /** Stable id, e.g. "mrz.optical-vs-chip". */
  readonly id: string;
  /** The kind of check in the identity evidence's terms (src/visit/evidence.ts DocumentCheckId). */
  readonly kind: 'mrz-vs-chip' | 'validity' | 'policy' | 'mrz-geometry' | 'uv' | 'ir' | 'portrait-vs-chip';
  readonly result: CheckResult;
  /** Failure code when failed, e.g. MRZ_OPTICAL_CHIP_MISMATCH, DOCUMENT_EXPIRED. */
  readonly code?: string;
  readonly detail?: string;
}

export const CODES = {
  opticalChipMismatch: 'MRZ_MISMATCH',
  expired: 'DOCUMENT_EXPIRED',
  notYetValid: 'DOCUMENT_NOT_YET_VALID',
  typeNotAllowed: 'DOCUMENT_TYPE_NOT_ALLOWED',
  issuerNotAllowed: 'ISSUER_NOT_ALLOWED',
  portraitMismatch: 'PORTRAIT_MISMATCH',
} as const;

/** The fields compared between the printed MRZ and DG1, in MRZ order. */
const COMPARED: readonly (keyof Pick<Mrz, 'documentCode' | 'issuer' | 'documentNumber' | 'dateOfBirth' | 'sex' | 'dateOfExpiry' | 'nationality' | 'primaryIdentifier' | 'secondaryIdentifier' | 'optionalData'>)[] = [
  'documentCode', 'issuer', 'documentNumber', 'dateOfBirth', 'sex', 'dateOfExpiry', 'nationality', 'primaryIdentifier', 'secondaryIdentifier', 'optionalData',
];

/**
 * The MRZ printed on the page against DG1 on the chip. Both must be the same text; a
 * difference means the page or the chip was altered (or the chip belongs to another document).
 */
export function opticalVersusChip(optical: Mrz | undefined, chip: Mrz | undefined): DocumentCheck {
  const id = 'mrz.optical-vs-chip';
  const kind = 'mrz-vs-chip' as const;
  if (!optical) return { id, kind, result: 'not-performed', detail: 'no MRZ read from the page' };
  if (!chip) return { id, kind, result: 'not-performed', detail: 'DG1 not read from the chip' };
  if (optical.text === chip.text) return { id, kind, result: 'pass' };
  const fields = COMPARED.filter((f) => optical[f] !== chip[f]);
  return { id, kind, result: 'fail', code: CODES.opticalChipMismatch, detail: `differs in ${fields.length ? fields.join(', ') : 'filler or check-digit positions'}` };
}

/** How far ahead an expiry date may lie (passports run at most 10 years; 20 leaves room). */
export const EXPIRY_HORIZON_YEARS = 20;

/**
 * The century of a YYMMDD expiry date: the latest year not beyond `now` + EXPIRY_HORIZON_YEARS
 * (an expiry 80 years ahead is an expiry 20 years ago).
 */
export function expiryDate(yymmdd: string, now: Date): Date | undefined {
  if (!/^\d{6}$/.test(yymmdd)) return undefined;
  const yy = Number(yymmdd.slice(0, 2));
  const mm = Number(yymmdd.slice(2, 4));
  const dd = Number(yymmdd.slice(4, 6));
  const limit = now.getUTCFullYear() + EXPIRY_HORIZON_YEARS;
  let year = Math.floor(limit / 100) * 100 + yy;
  if (year > limit) year -= 100;
  const d = new Date(Date.UTC(year, mm - 1, dd, 23, 59, 59));
  if (d.getUTCMonth() !== mm - 1 || d.getUTCDate() !== dd) return undefined;
  return d;
}

/**
 * The document is valid today: not expired (its date of expiry has not passed), and not yet
 * valid when the chip's DG12 gives a date of issue in the future.
 */
export function validity(mrz: Mrz | undefined, now: Date, dateOfIssue?: string): DocumentCheck[] {
  if (!mrz) return [{ id: 'document.expiry', kind: 'validity', result: 'not-performed', detail: 'no MRZ' }];
  const out: DocumentCheck[] = [];
  const expiry = expiryDate(mrz.dateOfExpiry, now);
  if (!expiry) out.push({ id: 'document.expiry', kind: 'validity', result: 'fail', code: CODES.expired, detail: 'date of expiry is not a date' });
  else if (expiry.getTime() < now.getTime()) out.push({ id: 'document.expiry', kind: 'validity', result: 'fail', code: CODES.expired, detail: `expired ${Math.floor((now.getTime() - expiry.getTime()) / 86400000)} days ago` });
  else out.push({ id: 'document.expiry', kind: 'validity', result: 'pass' });
  if (dateOfIssue === undefined) out.push({ id: 'document.issue-date', kind: 'validity', result: 'not-performed', detail: 'no date of issue (DG12)' });
  else {
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(dateOfIssue);
    const issued = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
    if (!issued || Number.isNaN(issued.getTime())) out.push({ id: 'document.issue-date', kind: 'validity', result: 'fail', code: CODES.notYetValid, detail: 'date of issue is not a date' });
    else if (issued.getTime() > now.getTime()) out.push({ id: 'document.issue-date', kind: 'validity', result: 'fail', code: CODES.notYetValid, detail: 'date of issue is in the future' });
    else out.push({ id: 'document.issue-date', kind: 'validity', result: 'pass' });
  }
  return out;
}

/** Which documents this kiosk accepts (a deployment setting). */
export interface DocumentPolicy {
  /** MRZ document codes accepted; a trailing '*' matches any second letter ("P*" = every passport). */
  readonly documentCodes: readonly string[];
  /** Issuing states accepted; empty = all (then `deniedIssuers` applies). */
  readonly allowedIssuers: readonly string[];
  readonly deniedIssuers: readonly string[];
}

/** The kiosk requires a biometric passport (the mission): every passport type, every issuer. */
export const DEFAULT_DOCUMENT_POLICY: DocumentPolicy = { documentCodes: ['P*'], allowedIssuers: [], deniedIssuers: [] };

export function policyChecks(mrz: Mrz | undefined, policy: DocumentPolicy): DocumentCheck[] {
  if (!mrz) return [{ id: 'policy.document-type', kind: 'policy', result: 'not-performed', detail: 'no MRZ' }, { id: 'policy.issuer', kind: 'policy', result: 'not-performed', detail: 'no MRZ' }];
  const code = mrz.documentCode;
  const typeOk = policy.documentCodes.some((p) => (p.endsWith('*') ? code.startsWith(p.slice(0, -1)) : code === p));
  const issuerOk = (policy.allowedIssuers.length === 0 || policy.allowedIssuers.includes(mrz.issuer)) && !policy.deniedIssuers.includes(mrz.issuer);
  return [
    typeOk ? { id: 'policy.document-type', kind: 'policy', result: 'pass' } : { id: 'policy.document-type', kind: 'policy', result: 'fail', code: CODES.typeNotAllowed, detail: `document code ${code} not accepted here` },
    issuerOk ? { id: 'policy.issuer', kind: 'policy', result: 'pass' } : { id: 'policy.issuer', kind: 'policy', result: 'fail', code: CODES.issuerNotAllowed, detail: 'issuing state not accepted here' },
  ];
}

/**
 * The printed portrait against the chip's (DG2). Needs the face engine (a later issue): until
 * it is wired in, this is reported as not performed — never as passed.
 */
/**
 * What comparing the printed portrait with the chip's gave (the face engine does it; see
 * src/face/printed-portrait.ts): a score against a threshold, or which side had no face.
 */
export type PortraitComparison =
  | { readonly result: 'compared'; readonly match: boolean; readonly score: number; readonly threshold: number; readonly fmr: number }
  | { readonly result: 'no-face'; readonly side: 'printed' | 'chip'; readonly detail: string };

/** The printed portrait against DG2's; not performed (never passed) without a face engine. */
export function portraitCheck(r: PortraitComparison | undefined): DocumentCheck {
  const id = 'portrait.printed-vs-chip';
  const kind = 'portrait-vs-chip' as const;
  if (!r) return { id, kind, result: 'not-performed', detail: 'face engine not available' };
  if (r.result === 'no-face') return { id, kind, result: 'not-performed', detail: r.side === 'printed' ? `no printed portrait found (${r.detail})` : `no DG2 portrait (${r.detail})` };
  const at = `at FMR ${String(r.fmr)}`;
  return r.match
    ? { id, kind, result: 'pass', detail: `score ${r.score.toFixed(3)} ≥ ${r.threshold.toFixed(3)} ${at}` }
    : { id, kind, result: 'fail', code: CODES.portraitMismatch, detail: `score ${r.score.toFixed(3)} < ${r.threshold.toFixed(3)} ${at}` };
}
