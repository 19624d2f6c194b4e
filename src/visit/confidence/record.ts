// The identity record: what the kiosk hands the outbox for the back-office link (ARCHITECTURE.md
// "identity confidence ─► visit record"). Versioned, self-describing and ready to sign: the
// assessment, the evidence summary it rests on (no images, templates or MRZ data; the person's
// identity data travels in the visit's encrypted payload, linked by `visitId`), and timestamps.
// `canonicalRecord` gives the exact bytes a signature will cover.
import { InvalidArgumentError, isKioskError } from '../../errors.js';
import { summariseEvidence, validateEvidence, type Evidence } from '../evidence.js';
import { assessIdentity, type IdentityAssessment } from './assess.js';
import { canonicalJson } from './canonical.js';
import { validateJsonSchema } from './json-schema.js';
import { LEVELS, type IdentityLevel } from './levels.js';
import { IDENTITY_RECORD_SCHEMA } from './record-schema.js';
import { RULES_V1, ruleTableVersion, type RuleTable } from './rules.js';

export const IDENTITY_RECORD_SCHEMA_VERSION = 1;

export interface IdentityRecord {
  readonly schema: 'identity-record';
  readonly schemaVersion: typeof IDENTITY_RECORD_SCHEMA_VERSION;
  readonly recordId: string;
  readonly visitId: string;
  readonly kioskId: string;
  readonly createdAt: string;
  readonly assessment: IdentityAssessment;
  readonly evidence: readonly Evidence[];
}

export interface RecordContext {
  /** Unique id of this record (the caller draws it from the injected random source). */
  readonly recordId: string;
  readonly visitId: string;
  readonly kioskId: string;
}

/** Assesses the evidence and wraps it as a record; one clock reading stamps both. */
export function buildIdentityRecord(ctx: RecordContext, evidence: readonly Evidence[], rules: RuleTable, now: () => Date): IdentityRecord {
  const at = now();
  const assessment = assessIdentity(evidence, rules, () => at);
  const record: IdentityRecord = {
    schema: 'identity-record',
    schemaVersion: IDENTITY_RECORD_SCHEMA_VERSION,
    recordId: ctx.recordId,
    visitId: ctx.visitId,
    kioskId: ctx.kioskId,
    createdAt: at.toISOString(),
    assessment,
    evidence: summariseEvidence(evidence),
  };
  const check = validateIdentityRecord(record, [rules]);
  if (!check.ok) throw new InvalidArgumentError('identity record', 'a record that passes its own schema', check.errors.length);
  return record;
}

/** The bytes to sign (RFC 8785 canonical JSON, UTF-8). */
export function canonicalRecord(record: IdentityRecord): Buffer {
  return Buffer.from(canonicalJson(record), 'utf8');
}

export type RecordValidation = { readonly ok: true; readonly record: IdentityRecord } | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Validates a record from anywhere (the outbox, the wire): the schema first, then what the
 * schema cannot express — evidence invariants, references from reasons and indicators to
 * evidence that exists, a level no higher than its caps allow — and, when the rule table it
 * names is among `tables`, that assessing its evidence again gives the same level, reasons and
 * indicators. Errors name paths and rules, never values.
 */
export function validateIdentityRecord(value: unknown, tables: readonly RuleTable[] = [RULES_V1]): RecordValidation {
  const schemaErrors = validateJsonSchema(IDENTITY_RECORD_SCHEMA, value);
  if (schemaErrors.length > 0) return { ok: false, errors: schemaErrors.map((e) => `${e.path || '/'}: ${e.message}`) };
  const record = value as IdentityRecord;
  const errors: string[] = [];
  try {
    validateEvidence(record.evidence);
  } catch (e) {
    if (!isKioskError(e)) throw e;
    errors.push(`/evidence: ${e.message}`);
  }
  const known = new Set(record.evidence.map((e) => e.id));
  const a = record.assessment;
  a.reasons.forEach((r, i) => {
    for (const ref of r.evidence) if (!known.has(ref)) errors.push(`/assessment/reasons/${i}/evidence: refers to an item not in the record`);
    if ((r.effect === 'cap') !== (r.level !== undefined)) errors.push(`/assessment/reasons/${i}: a cap has a level and a flag has none`);
  });
  a.riskIndicators.forEach((r, i) => {
    for (const ref of r.evidence) if (!known.has(ref)) errors.push(`/assessment/riskIndicators/${i}/evidence: refers to an item not in the record`);
  });
  const expected = a.reasons.reduce<IdentityLevel>((lvl, r) => (r.level !== undefined && LEVELS.indexOf(r.level) < LEVELS.indexOf(lvl) ? r.level : lvl), 'verified');
  if (a.level !== expected) errors.push(`/assessment/level: not the lowest cap of its reasons`);

  const table = tables.find((t) => ruleTableVersion(t) === a.ruleTableVersion);
  if (table && errors.length === 0) {
    // The time is not re-derived (the record's own string is kept); everything else must agree.
    const again = { ...assessIdentity(record.evidence, table, () => new Date(0)), assessedAt: a.assessedAt };
    if (canonicalJson(again) !== canonicalJson(a)) errors.push(`/assessment: differs from assessing the evidence again under ${a.ruleTableVersion}`);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, record };
}
