// fast-check generators of evidence items that keep their own contract (validateEvidence): a
// pass scores at or above its threshold, a failure has a code, a 1:N failure has its hit. Items
// come out with a placeholder id; `reid` numbers a list so that ids are unique.
import fc from 'fast-check';
import type { CheckResult, DocumentCheckCode, DocumentCheckId, Evidence, PassiveEvidenceCode } from '../../src/visit/evidence.js';
import { genuineVisit } from './confidence-builders.js';

const PASSIVE_CODES: PassiveEvidenceCode[] = [
  'SOD_MALFORMED', 'SOD_SIGNATURE_INVALID', 'DS_CERT_UNTRUSTED', 'DS_CERT_EXPIRED', 'DS_CERT_REVOKED', 'COUNTRY_MISMATCH', 'DG_HASH_MISMATCH', 'DG_MISSING_FROM_SOD', 'PASSIVE_FAILED', 'NOT_READ',
];
const DOC_CHECKS: DocumentCheckId[] = ['mrz-vs-chip', 'validity', 'policy', 'mrz-geometry', 'uv', 'ir', 'portrait-vs-chip'];
const DOC_CODES: DocumentCheckCode[] = [
  'MRZ_MISMATCH', 'DOCUMENT_EXPIRED', 'DOCUMENT_NOT_YET_VALID', 'DOCUMENT_TYPE_NOT_ALLOWED', 'ISSUER_NOT_ALLOWED', 'MRZ_GEOMETRY_INCONSISTENT',
  'MRZ_FONT_INCONSISTENT', 'UV_ANOMALY', 'IR_ANOMALY', 'PORTRAIT_MISMATCH', 'NOT_AVAILABLE', 'UNCERTAIN',
];
const FMRS = [0.00001, 0.0001, 0.001, 0.01, 0.1];


/** score/threshold on the side the result needs. */
const scored = (result: CheckResult) =>
  fc.tuple(fc.integer({ min: 10, max: 90 }), fc.integer({ min: 0, max: 9 })).map(([t, d]) => ({
    threshold: t / 100,
    score: result === 'fail' ? (t - d - 1) / 100 : (t + d) / 100,
  }));

export function evidenceArb(allowed: readonly CheckResult[] = ['pass', 'fail', 'not-performed']): fc.Arbitrary<Evidence> {
  const results = fc.constantFrom(...allowed);
  const decisions = allowed.filter((r): r is 'pass' | 'fail' => r !== 'not-performed');
  const access = fc.tuple(results, fc.constantFrom('PACE' as const, 'BAC' as const)).map(([r, protocol]): Evidence => (r === 'not-performed'
    ? { id: 'x', kind: 'chip-access', source: 'chip-inspection', protocol: 'none', result: r, code: 'NO_CHIP' }
    : { id: 'x', kind: 'chip-access', source: 'chip-inspection', protocol, result: r, ...(r === 'fail' ? { code: 'ACCESS_FAILED' as const } : {}) }));
  const passive = fc.tuple(results, fc.constantFrom('EF.SOD' as const, 'EF.CardSecurity' as const), fc.constantFrom(...PASSIVE_CODES)).map(([r, object, code]): Evidence => ({
    id: 'x', kind: 'passive-auth', source: 'chip-inspection', object, result: r, ...(r === 'pass' ? {} : { code }),
  }));
  const chipAuth = fc.tuple(results, fc.constantFrom('CA' as const, 'AA' as const, 'PACE-CAM' as const), fc.boolean()).map(([r, method, unsupported]): Evidence => (r === 'not-performed'
    ? { id: 'x', kind: 'chip-auth', source: 'chip-inspection', result: r, code: unsupported ? 'CHIP_AUTH_NOT_SUPPORTED' : 'CHIP_AUTH_NOT_PERFORMED' }
    : { id: 'x', kind: 'chip-auth', source: 'chip-inspection', method, result: r, ...(r === 'fail' ? { code: method === 'CA' ? 'CA_FAILED' as const : method === 'AA' ? 'AA_FAILED' as const : 'CAM_FAILED' as const } : {}) }));
  const consistency = fc.tuple(results, fc.constantFrom('mrz.access-vs-dg1' as const, 'reading.complete' as const)).map(([r, check]): Evidence => ({
    id: 'x', kind: 'chip-consistency', source: 'chip-inspection', check, result: r,
    ...(r === 'pass' ? {} : { code: check === 'reading.complete' ? 'READING_INCOMPLETE' as const : 'MRZ_MISMATCH' as const }),
  }));
  const document = fc.tuple(results, fc.constantFrom(...DOC_CHECKS), fc.constantFrom(...DOC_CODES)).map(([r, check, code]): Evidence => ({
    id: 'x', kind: 'document-check', source: 'document-check', check, result: r, ...(r === 'pass' ? {} : { code }),
  }));
  const comparison = (r: CheckResult) => fc.tuple(scored(r), fc.constantFrom(...FMRS)).map(([s, fmr]) => ({ ...s, fmr }));
  const faceArb = results.chain((r) => fc.tuple(fc.constant(r), fc.constantFrom('chip-dg2' as const, 'register' as const), comparison(r))).map(([r, reference, values]): Evidence => ({
    id: 'x', kind: 'face-1to1', source: 'face-engine', reference, result: r,
    ...(r === 'not-performed' ? { code: 'NOT_CAPTURED' as const } : { values }), ...(r === 'fail' ? { code: 'NO_MATCH' as const } : {}),
  }));
  const fingerArb = results.chain((r) => fc.tuple(fc.constant(r), fc.constantFrom('chip-dg3' as const, 'register' as const), comparison(r), fc.integer({ min: 1, max: 10 }))).map(([r, reference, values, finger]): Evidence => ({
    id: 'x', kind: 'fingerprint-1to1', source: 'fingerprint-engine', reference, finger, result: r,
    ...(r === 'not-performed' ? { code: 'NOT_CAPTURED' as const } : { values }), ...(r === 'fail' ? { code: 'NO_MATCH' as const } : {}),
  }));
  const livenessArb = results.chain((r) => fc.tuple(fc.constant(r), fc.constantFrom('face' as const, 'fingerprint' as const), scored(r))).map(([r, modality, values]): Evidence => ({
    id: 'x', kind: 'liveness', source: 'liveness-engine', modality, result: r,
    ...(r === 'not-performed' ? { code: 'ENGINE_UNAVAILABLE' as const } : { values }), ...(r === 'fail' ? { code: 'PRESENTATION_ATTACK' as const } : {}),
  }));
  const candidate = (threshold: number, hit: boolean) => fc.tuple(fc.integer({ min: 0, max: 99 }), fc.boolean(), fc.integer({ min: 1, max: 9999 })).map(([p, same, n]) => ({
    ref: `reg-${n}`,
    score: hit ? threshold + p / 1000 : same ? threshold + p / 1000 : threshold - (p + 1) / 1000,
    sameIdentity: hit ? false : same,
  }));
  const dedupArb = results.chain((r) => fc.tuple(fc.constant(r), fc.constantFrom('face' as const, 'fingerprint' as const), fc.integer({ min: 30, max: 90 }))).chain(([r, modality, t]) => {
    const threshold = t / 100;
    const others = r === 'not-performed' ? fc.constant([]) : fc.array(candidate(threshold, false), { maxLength: 3 });
    const hits = r === 'fail' ? fc.array(candidate(threshold, true), { minLength: 1, maxLength: 2 }) : fc.constant([]);
    return fc.tuple(others, hits).map(([o, h]): Evidence => ({
      id: 'x', kind: 'duplicate-search', source: 'duplicate-search', modality, result: r, candidates: [...o, ...h],
      ...(r === 'not-performed' ? { code: 'SEARCH_UNAVAILABLE' as const } : { values: { threshold } }), ...(r === 'fail' ? { code: 'DUPLICATE_HIT' as const } : {}),
    }));
  });
  // A clerk's decision is pass or fail; there is none among not-performed items.
  const overrideArb = decisions.length === 0 ? undefined : fc.tuple(fc.constantFrom(...decisions), fc.constantFrom('face-1to1' as const, 'fingerprint-1to1' as const, 'liveness' as const, 'duplicate-search' as const))
    .map(([r, target]): Evidence => ({ id: 'x', kind: 'operator-override', source: 'operator', target, result: r, operatorId: 'clerk-7', code: 'REVIEWED' }));
  const all: fc.Arbitrary<Evidence>[] = [access, passive, chipAuth, consistency, document, faceArb, fingerArb, livenessArb, dedupArb];
  return fc.oneof(...(overrideArb ? [...all, overrideArb] : all));
}

/** Unique ids in order: e1, e2, … */
export const reid = (items: readonly Evidence[]): Evidence[] => items.map((e, i) => ({ ...e, id: `e${i + 1}` }));

const genuine = genuineVisit();
/** Most of a genuine visit (each item kept with probability 0.85), so that high levels are common. */
const nearGenuine = fc.tuple(...genuine.map(() => fc.integer({ min: 0, max: 99 }))).map((keep) => genuine.filter((_, i) => (keep[i] ?? 0) < 85));

/** A visit: part of a genuine visit (so that every level occurs) plus random items. */
export const visitArb: fc.Arbitrary<Evidence[]> = fc
  .tuple(fc.oneof(nearGenuine, fc.subarray(genuine)), fc.array(evidenceArb(), { maxLength: 8 }))
  .map(([a, b]) => reid([...a, ...b]));

export const failingArb = evidenceArb(['fail']);
export const notPerformedArb = evidenceArb(['not-performed']);
