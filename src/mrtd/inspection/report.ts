// The inspection report: what `kioskctl mrtd read --json` prints and what the visit records
// (CONFORMANCE.md §3). Every check says whether it was performed; nothing reads "pass" for a
// check that did not run.
import type { PassiveResult } from '../pki/passive.js';

export type Verdict = 'genuine' | 'not-genuine' | 'unverified';
export type ChipVerdict = 'pass' | 'fail' | 'not-supported' | 'not-performed';
export type ChipMethod = 'CA' | 'AA' | 'PACE-CAM';

export interface AccessReport {
  protocol: 'PACE' | 'BAC' | 'none';
  variant?: string;
  password?: 'MRZ' | 'CAN';
  /** Every access attempt in order, including a failed PACE before a permitted BAC. */
  attempts: { protocol: 'PACE' | 'BAC'; variant?: string; result: 'pass' | 'fail'; error?: string; sw?: string }[];
}

export interface ChipCheck {
  method: ChipMethod;
  result: 'pass' | 'fail' | 'not-performed';
  detail?: string;
  code?: 'CA_FAILED' | 'AA_FAILED' | 'CAM_FAILED';
}

export interface ChipReport {
  verdict: ChipVerdict;
  /** The method the verdict rests on (the strongest performed). */
  method?: ChipMethod;
  failures: string[];
  checks: ChipCheck[];
}

export interface FileEntry {
  bytes: number;
  sha256: string;
}

export interface InspectionReport {
  access: AccessReport;
  files: Record<string, FileEntry>;
  /** Files the chip lists but this inspection did not read, and why. */
  notRead: Record<string, string>;
  /** Present when DG1 was read and parsed. */
  mrz?: Record<string, string | boolean>;
  passive: { verdict: 'pass' | 'fail' | 'not-performed'; failures: string[]; checks: PassiveResult['checks']; signer?: PassiveResult['signer'] };
  /** EF.CardSecurity's own authentication, when the chip has one (read after PACE). */
  cardSecurity?: { verdict: 'pass' | 'fail' | 'not-performed'; failures: string[]; checks: PassiveResult['checks'] };
  /** The face images of DG2 as found (no image bytes): what the face engine will receive. */
  faces?: { format: string; width?: number; height?: number; bytes: number }[];
  chip: ChipReport;
  /** Checks across sources (e.g. the MRZ given for access against DG1). */
  consistency: { id: string; result: 'pass' | 'fail' | 'not-performed'; code?: string }[];
  verdict: Verdict;
  errors: string[];
  stats: { apdus: number; bytesIn: number; bytesOut: number; ms: number; reads: number; blockSize: number };
}

/** ICAO 9303-11 §1 terms as the conformance interface defines the verdict. */
/** `consistencyFailed` covers cross-checks and signed objects other than EF.SOD (EF.CardSecurity). */
export function overallVerdict(passive: InspectionReport['passive']['verdict'], chip: ChipVerdict, consistencyFailed: boolean): Verdict {
  if (passive === 'fail' || chip === 'fail' || consistencyFailed) return 'not-genuine';
  if (passive === 'pass' && chip === 'pass') return 'genuine';
  return 'unverified';
}
