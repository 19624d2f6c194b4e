// The JSON Schema (2020-12) of the identity record: the contract with the back-office link.
// docs/identity-record.schema.json is this object written out (a test keeps them equal).
// `additionalProperties: false` everywhere: an image, a template or an MRZ that some engine
// attached by mistake makes the record invalid instead of travelling.
//
// The schema checks structure; what JSON Schema cannot say (unique evidence ids, a score on the
// right side of its threshold, reasons that refer to evidence present) record.ts checks after it.
import { CHECK_RESULTS, CODE_PATTERN, ID_PATTERN, MAX_CANDIDATES, MAX_EVIDENCE_ITEMS, TIMESTAMP_PATTERN } from '../evidence.js';
import type { JsonSchema } from './json-schema.js';
import { LEVELS } from './levels.js';
import { RISK_CODES, SEVERITIES } from './rules.js';

export const IDENTITY_RECORD_SCHEMA_ID = 'urn:identity-kiosk:schema:identity-record:1';

const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` });
const str = (p: RegExp): JsonSchema => ({ type: 'string', pattern: p.source });
const id = str(ID_PATTERN);
const code = str(CODE_PATTERN);
const ids = (max: number): JsonSchema => ({ type: 'array', items: id, maxItems: max });

/** An object with exactly these properties; `required` lists the mandatory ones. */
function obj(properties: Record<string, JsonSchema>, required: readonly string[], description?: string): JsonSchema {
  return { type: 'object', ...(description ? { description } : {}), properties, required, additionalProperties: false };
}

/** One evidence kind: the common fields plus its own. */
function evidenceKind(kind: string, source: string, own: Record<string, JsonSchema>, required: readonly string[] = [], result?: JsonSchema): JsonSchema {
  return obj(
    {
      id,
      kind: { const: kind },
      source: { const: source },
      result: result ?? { enum: CHECK_RESULTS },
      engine: { type: 'string', minLength: 1, maxLength: 64 },
      at: ref('timestamp'),
      code,
      ...own,
    },
    ['id', 'kind', 'source', 'result', ...required],
  );
}

const ATTEMPTS: JsonSchema = { type: 'integer', minimum: 1, maximum: 100 };

export const IDENTITY_RECORD_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: IDENTITY_RECORD_SCHEMA_ID,
  title: 'Identity record',
  description: 'A kiosk visit\'s identity-confidence assessment with the evidence it rests on (no images, templates or MRZ data).',
  type: 'object',
  properties: {
    schema: { const: 'identity-record' },
    schemaVersion: { const: 1 },
    recordId: id,
    visitId: id,
    kioskId: id,
    createdAt: ref('timestamp'),
    assessment: ref('assessment'),
    evidence: { type: 'array', items: ref('evidence'), maxItems: MAX_EVIDENCE_ITEMS },
  },
  required: ['schema', 'schemaVersion', 'recordId', 'visitId', 'kioskId', 'createdAt', 'assessment', 'evidence'],
  additionalProperties: false,
  $defs: {
    timestamp: str(TIMESTAMP_PATTERN),
    level: { enum: LEVELS },
    comparison: obj({ score: { type: 'number' }, threshold: { type: 'number' }, fmr: { type: 'number', exclusiveMinimum: 0, maximum: 1 } }, ['score', 'threshold', 'fmr']),
    assessment: obj(
      {
        schemaVersion: { const: 1 },
        ruleTableVersion: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,47}/[1-9][0-9]{0,8}$' },
        level: ref('level'),
        reasons: { type: 'array', items: ref('reason'), maxItems: 256 },
        riskIndicators: { type: 'array', items: ref('riskIndicator'), maxItems: RISK_CODES.length },
        assessedAt: ref('timestamp'),
      },
      ['schemaVersion', 'ruleTableVersion', 'level', 'reasons', 'riskIndicators', 'assessedAt'],
    ),
    reason: obj(
      {
        ruleId: { type: 'string', pattern: '^IC-[A-Z0-9-]{1,48}$' },
        ruleVersion: { type: 'integer', minimum: 1 },
        reason: code,
        effect: { enum: ['cap', 'flag'] },
        level: ref('level'),
        decisive: { type: 'boolean' },
        evidence: ids(MAX_EVIDENCE_ITEMS),
      },
      ['ruleId', 'ruleVersion', 'reason', 'effect', 'decisive', 'evidence'],
    ),
    riskIndicator: obj(
      {
        code: { enum: RISK_CODES },
        severity: { enum: SEVERITIES },
        evidence: ids(MAX_EVIDENCE_ITEMS),
        rules: { type: 'array', items: { type: 'string', pattern: '^IC-[A-Z0-9-]{1,48}$' }, minItems: 1, maxItems: 256 },
      },
      ['code', 'severity', 'evidence', 'rules'],
    ),
    evidence: {
      oneOf: [
        evidenceKind('chip-access', 'chip-inspection', { protocol: { enum: ['PACE', 'BAC', 'none'] }, password: { enum: ['MRZ', 'CAN'] } }, ['protocol']),
        evidenceKind('passive-auth', 'chip-inspection', { object: { enum: ['EF.SOD', 'EF.CardSecurity'] } }, ['object']),
        evidenceKind('chip-auth', 'chip-inspection', { method: { enum: ['CA', 'AA', 'PACE-CAM'] } }),
        evidenceKind('chip-consistency', 'chip-inspection', { check: { enum: ['mrz.access-vs-dg1', 'reading.complete'] } }, ['check']),
        evidenceKind('document-check', 'document-check', {
          check: { enum: ['mrz-vs-chip', 'validity', 'policy', 'mrz-geometry', 'uv', 'ir', 'portrait-vs-chip'] },
          values: ref('comparison'),
        }, ['check']),
        evidenceKind('face-1to1', 'face-engine', { reference: { enum: ['chip-dg2', 'register'] }, values: ref('comparison'), attempts: ATTEMPTS }, ['reference']),
        evidenceKind('fingerprint-1to1', 'fingerprint-engine', {
          reference: { enum: ['chip-dg3', 'register'] },
          finger: { type: 'integer', minimum: 0, maximum: 10 },
          values: ref('comparison'),
          attempts: ATTEMPTS,
        }, ['reference']),
        evidenceKind('liveness', 'liveness-engine', {
          modality: { enum: ['face', 'fingerprint'] },
          values: obj({ score: { type: 'number' }, threshold: { type: 'number' } }, ['score', 'threshold']),
        }, ['modality']),
        evidenceKind('duplicate-search', 'duplicate-search', {
          modality: { enum: ['face', 'fingerprint'] },
          values: obj({ threshold: { type: 'number' }, fpir: { type: 'number', exclusiveMinimum: 0, maximum: 1 } }, ['threshold']),
          candidates: { type: 'array', maxItems: MAX_CANDIDATES, items: obj({ ref: id, score: { type: 'number' }, sameIdentity: { type: 'boolean' } }, ['ref', 'score', 'sameIdentity']) },
        }, ['modality', 'candidates']),
        evidenceKind('operator-override', 'operator', {
          target: { enum: ['face-1to1', 'fingerprint-1to1', 'liveness', 'duplicate-search'] },
          operatorId: id,
        }, ['target', 'operatorId', 'code'], { enum: ['pass', 'fail'] }),
      ],
    },
  },
};
