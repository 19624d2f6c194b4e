// Evidence builders for the identity-confidence tests: one item per call, with defaults that
// describe a genuine PACE passport read at a kiosk. Numbers are made up but consistent (a pass
// scores at or above its threshold), as validateEvidence requires.
import type {
  ChipAccessEvidence,
  ChipAuthEvidence,
  ChipConsistencyEvidence,
  DocumentCheckEvidence,
  DuplicateCandidate,
  DuplicateSearchEvidence,
  Evidence,
  FaceComparisonEvidence,
  FingerprintComparisonEvidence,
  LivenessEvidence,
  OperatorOverrideEvidence,
  OverrideTarget,
  PassiveAuthEvidence,
} from '../../src/visit/evidence.js';

export const AT = '2025-03-01T10:00:00.000Z';
export const clock = (): Date => new Date(AT);

export const access = (protocol: 'PACE' | 'BAC', result: 'pass' | 'fail' = 'pass', id = `access.${protocol}.${result}`): ChipAccessEvidence => ({
  id, kind: 'chip-access', source: 'chip-inspection', protocol, result, ...(result === 'fail' ? { code: 'ACCESS_FAILED' as const } : { password: 'MRZ' as const }),
});
export const noChip = (): ChipAccessEvidence => ({ id: 'access.none', kind: 'chip-access', source: 'chip-inspection', protocol: 'none', result: 'not-performed', code: 'NO_CHIP' });

export const passive = (result: PassiveAuthEvidence['result'] = 'pass', code?: PassiveAuthEvidence['code'], object: PassiveAuthEvidence['object'] = 'EF.SOD', id = `pa.${object}.${code ?? result}`): PassiveAuthEvidence => ({
  id, kind: 'passive-auth', source: 'chip-inspection', object, result, ...(code ? { code } : {}),
});

export const chipAuth = (result: 'pass' | 'fail' = 'pass', method: 'CA' | 'AA' | 'PACE-CAM' = 'CA', id = `auth.${method}.${result}`): ChipAuthEvidence => ({
  id, kind: 'chip-auth', source: 'chip-inspection', method, result, ...(result === 'fail' ? { code: method === 'CA' ? 'CA_FAILED' as const : method === 'AA' ? 'AA_FAILED' as const : 'CAM_FAILED' as const } : {}),
});
export const chipAuthNone = (code: 'CHIP_AUTH_NOT_SUPPORTED' | 'CHIP_AUTH_NOT_PERFORMED'): ChipAuthEvidence => ({
  id: `auth.none.${code}`, kind: 'chip-auth', source: 'chip-inspection', result: 'not-performed', code,
});

export const consistency = (check: ChipConsistencyEvidence['check'], result: ChipConsistencyEvidence['result'], code?: ChipConsistencyEvidence['code']): ChipConsistencyEvidence => ({
  id: `consistency.${check}.${result}`, kind: 'chip-consistency', source: 'chip-inspection', check, result, ...(code ? { code } : {}),
});

export const doc = (check: DocumentCheckEvidence['check'], result: DocumentCheckEvidence['result'] = 'pass', code?: DocumentCheckEvidence['code']): DocumentCheckEvidence => ({
  id: `doc.${check}.${code ?? result}`, kind: 'document-check', source: 'document-check', check, result, ...(code ? { code } : {}),
});

export const face = (result: 'pass' | 'fail' = 'pass', o: { fmr?: number; reference?: FaceComparisonEvidence['reference']; id?: string } = {}): FaceComparisonEvidence => ({
  id: o.id ?? `face.${o.reference ?? 'chip-dg2'}.${result}`, kind: 'face-1to1', source: 'face-engine', reference: o.reference ?? 'chip-dg2', result,
  values: { score: result === 'pass' ? 0.71 : 0.12, threshold: 0.42, fmr: o.fmr ?? 0.001 }, ...(result === 'fail' ? { code: 'NO_MATCH' as const } : {}), attempts: 1,
});
export const faceNotCaptured = (): FaceComparisonEvidence => ({ id: 'face.none', kind: 'face-1to1', source: 'face-engine', reference: 'chip-dg2', result: 'not-performed', code: 'NOT_CAPTURED' });

export const finger = (result: 'pass' | 'fail' = 'pass', reference: FingerprintComparisonEvidence['reference'] = 'chip-dg3'): FingerprintComparisonEvidence => ({
  id: `finger.${reference}.${result}`, kind: 'fingerprint-1to1', source: 'fingerprint-engine', reference, finger: 2, result,
  values: { score: result === 'pass' ? 88 : 9, threshold: 40, fmr: 0.0001 }, ...(result === 'fail' ? { code: 'NO_MATCH' as const } : {}),
});

export const liveness = (result: LivenessEvidence['result'] = 'pass', modality: LivenessEvidence['modality'] = 'face'): LivenessEvidence => ({
  id: `liveness.${modality}.${result}`, kind: 'liveness', source: 'liveness-engine', modality, result,
  ...(result === 'not-performed' ? { code: 'NOT_CAPTURED' as const } : { values: { score: result === 'pass' ? 0.93 : 0.08, threshold: 0.5 } }),
  ...(result === 'fail' ? { code: 'PRESENTATION_ATTACK' as const } : {}),
});

export const dedup = (candidates: readonly DuplicateCandidate[] = [], threshold = 0.6, modality: DuplicateSearchEvidence['modality'] = 'face'): DuplicateSearchEvidence => {
  const hit = candidates.some((c) => !c.sameIdentity && c.score >= threshold);
  return {
    id: `dedup.${modality}.${hit ? 'hit' : 'clear'}`, kind: 'duplicate-search', source: 'duplicate-search', modality, result: hit ? 'fail' : 'pass',
    ...(hit ? { code: 'DUPLICATE_HIT' as const } : {}), values: { threshold, fpir: 0.001 }, candidates,
  };
};

export const override = (target: OverrideTarget, result: 'pass' | 'fail', code = result === 'pass' ? 'IN_PERSON_COMPARISON' : 'FRAUD_CONFIRMED'): OperatorOverrideEvidence => ({
  id: `override.${target}.${result}`, kind: 'operator-override', source: 'operator', target, result, operatorId: 'clerk-0042', code,
});

/** A genuine PACE passport with CA, every document check passed, face, liveness and a clear 1:N search: verified, no rule holds. */
export function genuineVisit(): Evidence[] {
  return [
    access('PACE'),
    passive('pass'),
    passive('pass', undefined, 'EF.CardSecurity'),
    chipAuth('pass', 'CA'),
    consistency('mrz.access-vs-dg1', 'pass'),
    doc('policy'),
    doc('validity'),
    doc('mrz-vs-chip'),
    doc('mrz-geometry'),
    doc('portrait-vs-chip', 'not-performed', 'NOT_AVAILABLE'),
    doc('uv', 'not-performed', 'NOT_AVAILABLE'),
    doc('ir', 'not-performed', 'NOT_AVAILABLE'),
    face('pass'),
    liveness('pass'),
    dedup([{ ref: 'reg-0001', score: 0.93, sameIdentity: true }, { ref: 'reg-7777', score: 0.31, sameIdentity: false }]),
  ];
}

/** `base` with the items of the given ids taken out. */
export const without = (base: readonly Evidence[], ...ids: string[]): Evidence[] => base.filter((e) => !ids.includes(e.id));
/** `base` with items removed by predicate and others added. */
export const swap = (base: readonly Evidence[], drop: (e: Evidence) => boolean, ...add: Evidence[]): Evidence[] => [...base.filter((e) => !drop(e)), ...add];
export const ofKind = (kind: Evidence['kind'], extra: (e: Evidence) => boolean = () => true) => (e: Evidence): boolean => e.kind === kind && extra(e);
export const docCheck = (check: DocumentCheckEvidence['check']) => (e: Evidence): boolean => e.kind === 'document-check' && e.check === check;
