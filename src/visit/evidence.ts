// The evidence of a visit: what each engine established about the document and the person,
// as typed values the identity-confidence rules read (ARCHITECTURE.md "evidence ─► identity
// confidence"). One item is the outcome of one check. Every item says whether the check ran:
// `not-performed` is a result of its own and never reads as a pass (issue 3 §4, §5).
//
// No personal data: an item carries the check, its result, a code, and numbers (scores,
// thresholds, error rates). No MRZ, names, dates of birth, images or templates. The only
// identifiers are the ones the back-office record must carry to be acted on: the clerk's id on
// an override (accountability) and opaque register references of duplicate-search candidates.
import { InvalidArgumentError } from '../errors.js';
import type { PassiveCode } from '../mrtd/pki/passive.js';
import type { ChipMethod } from '../mrtd/inspection/report.js';

export type CheckResult = 'pass' | 'fail' | 'not-performed';
export const CHECK_RESULTS: readonly CheckResult[] = ['pass', 'fail', 'not-performed'];

/** The engine that produced an item; `operator` is a clerk at the kiosk or the console. */
export type EvidenceSource =
  | 'chip-inspection'
  | 'document-check'
  | 'face-engine'
  | 'fingerprint-engine'
  | 'liveness-engine'
  | 'duplicate-search'
  | 'operator';

interface EvidenceBase {
  /** Unique within a visit; reasons and risk indicators refer to items by it. */
  readonly id: string;
  readonly result: CheckResult;
  /** Engine name and version that produced the item, e.g. "mrtd-inspection/1". */
  readonly engine?: string;
  /** When the check completed (ISO 8601, UTC). */
  readonly at?: string;
}

/** A comparison score against the threshold it was judged by, at a stated false match rate. */
export interface ComparisonValues {
  readonly score: number;
  readonly threshold: number;
  /** The false match rate the threshold was set for (ISO/IEC 19795-1 FMR), 0 < fmr ≤ 1. */
  readonly fmr: number;
}

/** One access-control attempt (ICAO 9303-11 §4): a failed PACE before a permitted BAC is two items. */
export interface ChipAccessEvidence extends EvidenceBase {
  readonly kind: 'chip-access';
  readonly source: 'chip-inspection';
  /** `none`: no chip could be accessed at all (no chip, photocopy, reader fault); result not-performed. */
  readonly protocol: 'PACE' | 'BAC' | 'none';
  readonly password?: 'MRZ' | 'CAN';
  readonly code?: 'ACCESS_FAILED' | 'NO_CHIP' | 'READER_FAULT';
}

export type PassiveEvidenceCode = PassiveCode | 'PASSIVE_FAILED' | 'NOT_READ';

/** Passive authentication of a signed object (ICAO 9303-11 §5.1); a failure is one item per code. */
export interface PassiveAuthEvidence extends EvidenceBase {
  readonly kind: 'passive-auth';
  readonly source: 'chip-inspection';
  readonly object: 'EF.SOD' | 'EF.CardSecurity';
  readonly code?: PassiveEvidenceCode;
}

export type ChipAuthCode = 'CA_FAILED' | 'AA_FAILED' | 'CAM_FAILED' | 'CHIP_AUTH_NOT_SUPPORTED' | 'CHIP_AUTH_NOT_PERFORMED';

/**
 * Chip authentication (ICAO 9303-11 §6.1 AA, §6.2 CA, §4.4.3.5 PACE-CAM). `method` is absent
 * only on the not-performed item that says the document offers none (CHIP_AUTH_NOT_SUPPORTED)
 * or that none ran (CHIP_AUTH_NOT_PERFORMED).
 */
export interface ChipAuthEvidence extends EvidenceBase {
  readonly kind: 'chip-auth';
  readonly source: 'chip-inspection';
  readonly method?: ChipMethod;
  readonly code?: ChipAuthCode;
}

/** Checks across what the chip gave: `mrz.access-vs-dg1` (the MRZ that opened it vs DG1), `reading.complete`. */
export interface ChipConsistencyEvidence extends EvidenceBase {
  readonly kind: 'chip-consistency';
  readonly source: 'chip-inspection';
  readonly check: 'mrz.access-vs-dg1' | 'reading.complete';
  readonly code?: 'MRZ_MISMATCH' | 'READING_INCOMPLETE';
}

/**
 * The document check's findings on the data page (issue 3 §4). Contract with that engine:
 * `fail` means a confident finding (e.g. `mrz-vs-chip` fails only on a check-digit-valid read
 * whose characters are all above the recogniser's confidence threshold); an uncertain
 * measurement is `not-performed` with a code saying why, never a guess either way.
 */
export type DocumentCheckId =
  | 'mrz-vs-chip'
  | 'validity'
  | 'policy'
  | 'mrz-geometry'
  | 'uv'
  | 'ir'
  | 'portrait-vs-chip';

export type DocumentCheckCode =
  | 'MRZ_MISMATCH'
  | 'DOCUMENT_EXPIRED'
  | 'DOCUMENT_NOT_YET_VALID'
  | 'DOCUMENT_TYPE_NOT_ALLOWED'
  | 'ISSUER_NOT_ALLOWED'
  | 'MRZ_GEOMETRY_INCONSISTENT'
  | 'MRZ_FONT_INCONSISTENT'
  | 'UV_ANOMALY'
  | 'IR_ANOMALY'
  | 'PORTRAIT_MISMATCH'
  | 'NOT_AVAILABLE'
  | 'UNCERTAIN';

export interface DocumentCheckEvidence extends EvidenceBase {
  readonly kind: 'document-check';
  readonly source: 'document-check';
  readonly check: DocumentCheckId;
  readonly code?: DocumentCheckCode;
  /** Only `portrait-vs-chip`: the printed portrait compared with DG2's face. */
  readonly values?: ComparisonValues;
}

export type BiometricCode = 'NO_MATCH' | 'QUALITY_TOO_LOW' | 'NOT_CAPTURED' | 'REFERENCE_UNAVAILABLE' | 'ENGINE_UNAVAILABLE';

/** Face 1:1: the live capture against the chip's DG2 face, or against the register's record. */
export interface FaceComparisonEvidence extends EvidenceBase {
  readonly kind: 'face-1to1';
  readonly source: 'face-engine';
  readonly reference: 'chip-dg2' | 'register';
  readonly code?: BiometricCode;
  /** Present whenever the comparison ran (pass or fail). */
  readonly values?: ComparisonValues;
  /** How many captures the visit machine took before this final result. */
  readonly attempts?: number;
}

/** Fingerprint 1:1: a live capture against the chip's DG3 (EAC) or the register's record. */
export interface FingerprintComparisonEvidence extends EvidenceBase {
  readonly kind: 'fingerprint-1to1';
  readonly source: 'fingerprint-engine';
  readonly reference: 'chip-dg3' | 'register';
  /** ISO/IEC 19794-4 finger position (1 = right thumb … 10 = left little finger). */
  readonly finger?: number;
  readonly code?: BiometricCode;
  readonly values?: ComparisonValues;
  readonly attempts?: number;
}

/** Presentation attack detection (ISO/IEC 30107-1): a live person, not an artefact. */
export interface LivenessEvidence extends EvidenceBase {
  readonly kind: 'liveness';
  readonly source: 'liveness-engine';
  readonly modality: 'face' | 'fingerprint';
  readonly code?: 'PRESENTATION_ATTACK' | 'NOT_CAPTURED' | 'ENGINE_UNAVAILABLE';
  /** Bona fide score against its threshold (higher = more likely live). */
  readonly values?: { readonly score: number; readonly threshold: number };
}

/** A 1:N candidate: an opaque register reference, never the person's data. */
export interface DuplicateCandidate {
  readonly ref: string;
  readonly score: number;
  /** The register says the candidate is the identity being claimed (the applicant's own record). */
  readonly sameIdentity: boolean;
}

/**
 * 1:N duplicate search in the register. `fail` exactly when a candidate at or above the
 * threshold belongs to another identity (code DUPLICATE_HIT); hits on the applicant's own
 * record are the register link, not a contradiction.
 */
export interface DuplicateSearchEvidence extends EvidenceBase {
  readonly kind: 'duplicate-search';
  readonly source: 'duplicate-search';
  readonly modality: 'face' | 'fingerprint';
  readonly code?: 'DUPLICATE_HIT' | 'SEARCH_UNAVAILABLE';
  /** Present whenever the search ran. `fpir`: false positive identification rate at the threshold. */
  readonly values?: { readonly threshold: number; readonly fpir?: number };
  readonly candidates: readonly DuplicateCandidate[];
}

export type OverrideTarget = 'face-1to1' | 'fingerprint-1to1' | 'liveness' | 'duplicate-search';

/**
 * A clerk's decision on a check a machine cannot settle alone (a biometric score, a 1:N hit).
 * `pass`: the clerk established what the check was for (e.g. compared the person with the DG2
 * face in person); `fail`: the clerk rejects the identity (e.g. the duplicate is the same
 * person under another name). Cryptographic failures have no override target on purpose.
 */
export interface OperatorOverrideEvidence extends EvidenceBase {
  readonly kind: 'operator-override';
  readonly source: 'operator';
  readonly result: 'pass' | 'fail';
  readonly target: OverrideTarget;
  /** The clerk's staff id (accountability; the back office must know who decided). */
  readonly operatorId: string;
  /** The reason, a code from the back office's catalogue, e.g. IN_PERSON_COMPARISON. */
  readonly code: string;
}

export type Evidence =
  | ChipAccessEvidence
  | PassiveAuthEvidence
  | ChipAuthEvidence
  | ChipConsistencyEvidence
  | DocumentCheckEvidence
  | FaceComparisonEvidence
  | FingerprintComparisonEvidence
  | LivenessEvidence
  | DuplicateSearchEvidence
  | OperatorOverrideEvidence;

export type EvidenceKind = Evidence['kind'];
export type EvidenceOf<K extends EvidenceKind> = Extract<Evidence, { kind: K }>;

/** The source each kind must come from (a face score from the operator is not a face score). */
export const KIND_SOURCE: { readonly [K in EvidenceKind]: EvidenceOf<K>['source'] } = {
  'chip-access': 'chip-inspection',
  'passive-auth': 'chip-inspection',
  'chip-auth': 'chip-inspection',
  'chip-consistency': 'chip-inspection',
  'document-check': 'document-check',
  'face-1to1': 'face-engine',
  'fingerprint-1to1': 'fingerprint-engine',
  liveness: 'liveness-engine',
  'duplicate-search': 'duplicate-search',
  'operator-override': 'operator',
};
export const EVIDENCE_KINDS = Object.keys(KIND_SOURCE) as readonly EvidenceKind[];

/**
 * The attributes of each kind that say which check an item is (rules select on them). The
 * rest of an item (values, candidates, operator id) is data about the outcome.
 */
export const KIND_ATTRIBUTES = {
  'chip-access': ['protocol', 'password'],
  'passive-auth': ['object'],
  'chip-auth': ['method'],
  'chip-consistency': ['check'],
  'document-check': ['check'],
  'face-1to1': ['reference'],
  'fingerprint-1to1': ['reference'],
  liveness: ['modality'],
  'duplicate-search': ['modality'],
  'operator-override': ['target'],
} as const satisfies { readonly [K in EvidenceKind]: readonly (keyof EvidenceOf<K>)[] };

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
export const CODE_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;
/** RFC 3339 date-time in UTC as `Date.prototype.toISOString` writes it (fraction optional). */
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
export const MAX_EVIDENCE_ITEMS = 256;
export const MAX_CANDIDATES = 100;

/**
 * Checks what the types cannot: unique ids, the source that goes with each kind, codes and
 * times in their formats, a code on every failure, and results that agree with their own
 * numbers (a `pass` whose score is under its threshold is an engine bug, not evidence).
 * Throws InvalidArgumentError naming the item and field; never echoes values other than ids.
 */
export function validateEvidence(evidence: readonly Evidence[]): void {
  if (evidence.length > MAX_EVIDENCE_ITEMS) throw new InvalidArgumentError('evidence', `at most ${MAX_EVIDENCE_ITEMS} items`, evidence);
  const seen = new Set<string>();
  evidence.forEach((e, i) => {
    const where = `evidence[${i}]`;
    if (typeof e.id !== 'string' || !ID_PATTERN.test(e.id)) throw new InvalidArgumentError(`${where}.id`, 'an id of 1-64 letters, digits or ._:-', e.id);
    if (seen.has(e.id)) throw new InvalidArgumentError(`${where}.id`, 'an id unique within the visit', e.id);
    seen.add(e.id);
    const name = `evidence ${e.id}`;
    if (!(EVIDENCE_KINDS as readonly string[]).includes(e.kind)) throw new InvalidArgumentError(`${name}.kind`, 'a known evidence kind', e.kind);
    if (e.source !== KIND_SOURCE[e.kind]) throw new InvalidArgumentError(`${name}.source`, `"${KIND_SOURCE[e.kind]}" for ${e.kind}`, e.source);
    if (!CHECK_RESULTS.includes(e.result)) throw new InvalidArgumentError(`${name}.result`, 'pass, fail or not-performed', e.result);
    if (e.code !== undefined && !CODE_PATTERN.test(e.code)) throw new InvalidArgumentError(`${name}.code`, 'an upper-case code', e.code);
    if (e.result === 'fail' && e.code === undefined) throw new InvalidArgumentError(`${name}.code`, 'a code on a failed check', e.code);
    if (e.at !== undefined && !TIMESTAMP_PATTERN.test(e.at)) throw new InvalidArgumentError(`${name}.at`, 'an ISO 8601 UTC timestamp', e.at);
    if (e.engine !== undefined && (e.engine.length === 0 || e.engine.length > 64)) throw new InvalidArgumentError(`${name}.engine`, 'an engine name of 1-64 characters', e.engine);
    validateKind(e, name);
  });
}

function validateKind(e: Evidence, name: string): void {
  switch (e.kind) {
    case 'chip-access':
      if ((e.protocol === 'none') !== (e.result === 'not-performed')) throw new InvalidArgumentError(`${name}.protocol`, 'protocol "none" exactly when no access was performed', e.protocol);
      return;
    case 'chip-auth':
      if (e.method === undefined && e.result !== 'not-performed') throw new InvalidArgumentError(`${name}.method`, 'a method on a performed chip authentication', e.method);
      return;
    case 'document-check':
      if (e.values !== undefined) comparison(e.values, e.result, `${name}.values`);
      return;
    case 'face-1to1':
    case 'fingerprint-1to1':
      if (e.kind === 'fingerprint-1to1' && e.finger !== undefined && !(Number.isInteger(e.finger) && e.finger >= 0 && e.finger <= 10)) {
        throw new InvalidArgumentError(`${name}.finger`, 'an ISO/IEC 19794-4 finger position 0-10', e.finger);
      }
      if (e.attempts !== undefined && !(Number.isInteger(e.attempts) && e.attempts >= 1 && e.attempts <= 100)) throw new InvalidArgumentError(`${name}.attempts`, 'an integer 1-100', e.attempts);
      if (e.result !== 'not-performed' && e.values === undefined) throw new InvalidArgumentError(`${name}.values`, 'score, threshold and fmr on a performed comparison', e.values);
      if (e.values !== undefined) comparison(e.values, e.result, `${name}.values`);
      return;
    case 'liveness':
      if (e.values !== undefined) scoreAgainst(e.values.score, e.values.threshold, e.result, `${name}.values`);
      return;
    case 'duplicate-search':
      duplicateSearch(e, name);
      return;
    case 'operator-override':
      if (!(['pass', 'fail'] as readonly string[]).includes(e.result)) throw new InvalidArgumentError(`${name}.result`, 'pass or fail (a decision)', e.result);
      if (!ID_PATTERN.test(e.operatorId)) throw new InvalidArgumentError(`${name}.operatorId`, 'a staff id of 1-64 letters, digits or ._:-', e.operatorId);
      return;
    case 'passive-auth':
    case 'chip-consistency':
      return;
  }
}

function comparison(v: ComparisonValues, result: CheckResult, name: string): void {
  if (!(Number.isFinite(v.fmr) && v.fmr > 0 && v.fmr <= 1)) throw new InvalidArgumentError(`${name}.fmr`, 'a false match rate in (0, 1]', v.fmr);
  scoreAgainst(v.score, v.threshold, result, name);
}

function scoreAgainst(score: number, threshold: number, result: CheckResult, name: string): void {
  if (!Number.isFinite(score)) throw new InvalidArgumentError(`${name}.score`, 'a finite number', score);
  if (!Number.isFinite(threshold)) throw new InvalidArgumentError(`${name}.threshold`, 'a finite number', threshold);
  if (result === 'not-performed') return;
  if ((score >= threshold) !== (result === 'pass')) throw new InvalidArgumentError(`${name}.score`, `a score ${result === 'pass' ? 'at or above' : 'below'} the threshold for a ${result}`, 'a score on the other side');
}

function duplicateSearch(e: DuplicateSearchEvidence, name: string): void {
  if (e.candidates.length > MAX_CANDIDATES) throw new InvalidArgumentError(`${name}.candidates`, `at most ${MAX_CANDIDATES} candidates`, e.candidates);
  for (const [i, c] of e.candidates.entries()) {
    if (!ID_PATTERN.test(c.ref)) throw new InvalidArgumentError(`${name}.candidates[${i}].ref`, 'an opaque register reference', c.ref);
    if (!Number.isFinite(c.score)) throw new InvalidArgumentError(`${name}.candidates[${i}].score`, 'a finite number', c.score);
  }
  if (e.result === 'not-performed') {
    if (e.candidates.length > 0) throw new InvalidArgumentError(`${name}.candidates`, 'no candidates from a search that did not run', e.candidates);
    return;
  }
  const v = e.values;
  if (v === undefined || !Number.isFinite(v.threshold)) throw new InvalidArgumentError(`${name}.values.threshold`, 'the threshold of a search that ran', v);
  if (v.fpir !== undefined && !(Number.isFinite(v.fpir) && v.fpir > 0 && v.fpir <= 1)) throw new InvalidArgumentError(`${name}.values.fpir`, 'a rate in (0, 1]', v.fpir);
  const hit = e.candidates.some((c) => !c.sameIdentity && c.score >= v.threshold);
  if (hit !== (e.result === 'fail')) throw new InvalidArgumentError(`${name}.result`, hit ? 'fail when another identity scores at or above the threshold' : 'pass when no other identity reaches the threshold', e.result);
}

/**
 * A copy of each item with exactly the fields its type declares, in a fixed order: whatever
 * else an engine may have attached at run time (an image buffer, a template) is left behind.
 * This is the evidence summary the back-office record carries.
 */
export function summariseEvidence(evidence: readonly Evidence[]): Evidence[] {
  return evidence.map(summariseItem);
}

function summariseItem(e: Evidence): Evidence {
  const base = { id: e.id, ...(e.engine !== undefined ? { engine: e.engine } : {}), ...(e.at !== undefined ? { at: e.at } : {}) };
  const cmp = (v: ComparisonValues | undefined) => (v ? { values: { score: v.score, threshold: v.threshold, fmr: v.fmr } } : {});
  switch (e.kind) {
    case 'chip-access':
      return { ...base, kind: e.kind, source: e.source, result: e.result, protocol: e.protocol, ...(e.password ? { password: e.password } : {}), ...(e.code ? { code: e.code } : {}) };
    case 'passive-auth':
      return { ...base, kind: e.kind, source: e.source, result: e.result, object: e.object, ...(e.code ? { code: e.code } : {}) };
    case 'chip-auth':
      return { ...base, kind: e.kind, source: e.source, result: e.result, ...(e.method ? { method: e.method } : {}), ...(e.code ? { code: e.code } : {}) };
    case 'chip-consistency':
      return { ...base, kind: e.kind, source: e.source, result: e.result, check: e.check, ...(e.code ? { code: e.code } : {}) };
    case 'document-check':
      return { ...base, kind: e.kind, source: e.source, result: e.result, check: e.check, ...(e.code ? { code: e.code } : {}), ...cmp(e.values) };
    case 'face-1to1':
      return { ...base, kind: e.kind, source: e.source, result: e.result, reference: e.reference, ...(e.code ? { code: e.code } : {}), ...cmp(e.values), ...(e.attempts !== undefined ? { attempts: e.attempts } : {}) };
    case 'fingerprint-1to1':
      return {
        ...base, kind: e.kind, source: e.source, result: e.result, reference: e.reference, ...(e.finger !== undefined ? { finger: e.finger } : {}),
        ...(e.code ? { code: e.code } : {}), ...cmp(e.values), ...(e.attempts !== undefined ? { attempts: e.attempts } : {}),
      };
    case 'liveness':
      return { ...base, kind: e.kind, source: e.source, result: e.result, modality: e.modality, ...(e.code ? { code: e.code } : {}), ...(e.values ? { values: { score: e.values.score, threshold: e.values.threshold } } : {}) };
    case 'duplicate-search':
      return {
        ...base, kind: e.kind, source: e.source, result: e.result, modality: e.modality, ...(e.code ? { code: e.code } : {}),
        ...(e.values ? { values: { threshold: e.values.threshold, ...(e.values.fpir !== undefined ? { fpir: e.values.fpir } : {}) } } : {}),
        candidates: e.candidates.map((c) => ({ ref: c.ref, score: c.score, sameIdentity: c.sameIdentity })),
      };
    case 'operator-override':
      return { ...base, kind: e.kind, source: e.source, result: e.result, target: e.target, operatorId: e.operatorId, code: e.code };
  }
}
