// Whole visits, one per row: the level each should reach on the scale of levels.ts, and the
// risk indicators that must travel with it.
import t from 'tap';
import { InvalidArgumentError } from '../../src/errors.js';
import { assessIdentity, validateRuleTable } from '../../src/visit/confidence/assess.js';
import { canonicalJson } from '../../src/visit/confidence/canonical.js';
import type { IdentityLevel } from '../../src/visit/confidence/levels.js';
import { RULES_V1, type RiskCode } from '../../src/visit/confidence/rules.js';
import { validateEvidence, type Evidence } from '../../src/visit/evidence.js';
import {
  access, AT, chipAuth, chipAuthNone, clock, consistency, dedup, doc, docCheck, face, faceNotCaptured, finger, genuineVisit, liveness, noChip, ofKind, override, passive, swap,
} from './confidence-builders.js';

const base = genuineVisit();
const noBiometrics = swap(base, (e) => ['face-1to1', 'liveness', 'duplicate-search'].includes(e.kind));
const passiveOf = (object: 'EF.SOD' | 'EF.CardSecurity') => (e: Evidence) => e.kind === 'passive-auth' && e.object === object;

const SCENARIOS: { name: string; evidence: Evidence[]; level: IdentityLevel; indicators: RiskCode[]; decisive?: string[] }[] = [
  { name: 'genuine passport, face match, live, no duplicates', evidence: base, level: 'verified', indicators: [] },
  { name: 'the same without any biometrics', evidence: noBiometrics, level: 'supported', indicators: [], decisive: ['IC-REQ-BINDING'] },
  { name: 'the same with the face not captured', evidence: swap(noBiometrics, () => false, faceNotCaptured()), level: 'supported', indicators: [], decisive: ['IC-REQ-BINDING'] },
  { name: 'face match but no liveness and no 1:N search yet', evidence: swap(base, ofKind('liveness')).filter((e) => e.kind !== 'duplicate-search'), level: 'confirmed', indicators: [], decisive: ['IC-REQ-LIVENESS', 'IC-REQ-DEDUP'] },
  { name: 'fingerprints against DG3 instead of the face', evidence: swap(base, ofKind('face-1to1'), finger('pass', 'chip-dg3'), liveness('pass', 'fingerprint')).filter((e) => e.id !== 'liveness.face.pass'), level: 'verified', indicators: [] },
  { name: 'a cloned chip (Chip Authentication fails)', evidence: swap(base, ofKind('chip-auth'), chipAuth('fail', 'CA')), level: 'false', indicators: ['CHIP_CLONE_SUSPECTED'] },
  { name: 'a clone of a PACE-CAM chip', evidence: swap(base, ofKind('chip-auth'), chipAuth('fail', 'PACE-CAM')), level: 'false', indicators: ['CHIP_CLONE_SUSPECTED'] },
  { name: 'DG1 altered after signing', evidence: swap(base, passiveOf('EF.SOD'), passive('fail', 'DG_HASH_MISMATCH')), level: 'false', indicators: ['DOCUMENT_FORGED'] },
  { name: 'EF.CardSecurity signature forged', evidence: swap(base, passiveOf('EF.CardSecurity'), passive('fail', 'SOD_SIGNATURE_INVALID', 'EF.CardSecurity')), level: 'false', indicators: ['DOCUMENT_FORGED'] },
  { name: 'page MRZ altered (optical ≠ DG1)', evidence: swap(base, docCheck('mrz-vs-chip'), doc('mrz-vs-chip', 'fail', 'MRZ_MISMATCH')), level: 'false', indicators: ['MRZ_TAMPERING'] },
  { name: 'chip opened with an MRZ that is not its DG1', evidence: swap(base, ofKind('chip-consistency'), consistency('mrz.access-vs-dg1', 'fail', 'MRZ_MISMATCH')), level: 'false', indicators: ['MRZ_TAMPERING'] },
  { name: 'a photocopy: no chip at all', evidence: [noChip(), doc('policy'), doc('validity'), doc('mrz-geometry')], level: 'claimed', indicators: [], decisive: ['IC-REQ-CHIP-READ', 'IC-REQ-PASSIVE'] },
  { name: 'no evidence at all', evidence: [], level: 'claimed', indicators: [] },
  { name: 'document signer not in the trust store', evidence: swap(base, passiveOf('EF.SOD'), passive('fail', 'DS_CERT_UNTRUSTED')), level: 'claimed', indicators: ['DOCUMENT_NOT_AUTHENTICATED'] },
  { name: 'face mismatch', evidence: swap(base, ofKind('face-1to1'), face('fail')), level: 'claimed', indicators: ['FACE_MISMATCH'] },
  { name: 'face mismatch, then a clerk compares in person', evidence: swap(base, ofKind('face-1to1'), face('fail'), override('face-1to1', 'pass')), level: 'verified', indicators: ['OPERATOR_OVERRIDE'] },
  { name: 'presentation attack detected', evidence: swap(base, ofKind('liveness'), liveness('fail')), level: 'claimed', indicators: ['LIVENESS_FAILED'] },
  { name: 'known in the register under another name', evidence: swap(base, ofKind('duplicate-search'), dedup([{ ref: 'reg-5150', score: 0.91, sameIdentity: false }])), level: 'claimed', indicators: ['DUPLICATE_IDENTITY'] },
  {
    name: 'duplicate confirmed by a clerk',
    evidence: swap(base, ofKind('duplicate-search'), dedup([{ ref: 'reg-5150', score: 0.91, sameIdentity: false }]), override('duplicate-search', 'fail', 'SAME_PERSON_OTHER_IDENTITY')),
    level: 'false', indicators: ['DUPLICATE_IDENTITY', 'OPERATOR_OVERRIDE'],
  },
  { name: 'expired passport', evidence: swap(base, docCheck('validity'), doc('validity', 'fail', 'DOCUMENT_EXPIRED')), level: 'confirmed', indicators: ['DOCUMENT_EXPIRED'] },
  { name: 'BAC after a failed PACE', evidence: swap(base, ofKind('chip-access'), access('PACE', 'fail'), access('BAC')).filter((e) => !(e.kind === 'passive-auth' && e.object === 'EF.CardSecurity')), level: 'confirmed', indicators: ['ACCESS_DOWNGRADE'] },
  { name: 'older passport without chip authentication', evidence: swap(base, ofKind('chip-auth'), chipAuthNone('CHIP_AUTH_NOT_SUPPORTED')), level: 'confirmed', indicators: ['CHIP_AUTH_UNAVAILABLE'] },
  { name: 'reading ended before chip authentication', evidence: swap(base, ofKind('chip-auth'), chipAuthNone('CHIP_AUTH_NOT_PERFORMED')), level: 'supported', indicators: [] },
  { name: 'printed portrait replaced', evidence: swap(base, docCheck('portrait-vs-chip'), doc('portrait-vs-chip', 'fail', 'PORTRAIT_MISMATCH')), level: 'claimed', indicators: ['PORTRAIT_SUBSTITUTION_SUSPECTED'] },
  { name: 'issuer not accepted by policy', evidence: swap(base, docCheck('policy'), doc('policy', 'fail', 'ISSUER_NOT_ALLOWED')), level: 'claimed', indicators: ['DOCUMENT_NOT_ACCEPTED'] },
  {
    name: 'a clone and a face mismatch: the worst wins, both travel',
    evidence: swap(base, (e) => e.kind === 'chip-auth' || e.kind === 'face-1to1', chipAuth('fail'), face('fail')),
    level: 'false', indicators: ['CHIP_CLONE_SUSPECTED', 'FACE_MISMATCH'],
  },
];

for (const s of SCENARIOS) {
  t.test(s.name, async (t) => {
    const a = assessIdentity(s.evidence, RULES_V1, clock);
    t.equal(a.level, s.level);
    t.same(a.riskIndicators.map((i) => i.code).sort(), [...s.indicators].sort());
    if (s.decisive) for (const id of s.decisive) t.ok(a.reasons.find((r) => r.ruleId === id)?.decisive, `${id} is decisive`);
    // Whatever the level, some reason explains it (only `verified` needs none).
    if (a.level !== 'verified') t.ok(a.reasons.some((r) => r.decisive && r.level === a.level), 'a decisive reason at the level');
    for (const r of a.reasons) t.equal(r.decisive, r.effect === 'cap' && r.level === a.level);
  });
}

t.test('the assessment carries its versions and the clock\'s time, and is deterministic', async (t) => {
  const a = assessIdentity(base, RULES_V1, clock);
  t.equal(a.schemaVersion, 1);
  t.equal(a.ruleTableVersion, 'identity-confidence/1');
  t.equal(a.assessedAt, AT);
  t.equal(canonicalJson(assessIdentity(base, RULES_V1, clock)), canonicalJson(a));
});

t.test('risk indicators: one per code, highest severity first, evidence merged', async (t) => {
  const ev = swap(base, (e) => e.kind === 'chip-auth' || e.kind === 'face-1to1' || e.kind === 'document-check' && e.check === 'validity',
    chipAuth('fail'), face('fail'), doc('validity', 'fail', 'DOCUMENT_EXPIRED'), override('liveness', 'fail'), override('face-1to1', 'pass'));
  const a = assessIdentity(ev, RULES_V1, clock);
  const codes = a.riskIndicators.map((i) => i.code);
  t.equal(new Set(codes).size, codes.length, 'no code twice');
  const sev = a.riskIndicators.map((i) => ['low', 'medium', 'high'].indexOf(i.severity));
  t.same(sev, [...sev].sort((x, y) => y - x), 'sorted by severity');
  const op = a.riskIndicators.find((i) => i.code === 'OPERATOR_OVERRIDE');
  t.equal(op?.severity, 'high', 'the rejecting clerk raises it above the favourable one');
  t.same(op?.rules, ['IC-OPERATOR-REJECT', 'IC-OPERATOR-OVERRIDE']);
  t.same(op?.evidence, ['override.liveness.fail', 'override.face-1to1.pass']);
});

t.test('evidence that breaks its own contract is refused, not assessed', async (t) => {
  const bad = (e: Evidence[], what: string) => { t.throws(() => assessIdentity(e, RULES_V1, clock), InvalidArgumentError, what); };
  bad([face(), face()], 'duplicate ids');
  bad([{ ...face(), source: 'operator' } as unknown as Evidence], 'a face score from the wrong source');
  bad([{ ...face('pass'), values: { score: 0.1, threshold: 0.42, fmr: 0.001 } }], 'a pass below its threshold');
  bad([{ ...face('fail'), values: { score: 0.9, threshold: 0.42, fmr: 0.001 } }], 'a fail above its threshold');
  bad([{ ...face('pass'), values: { score: 0.9, threshold: 0.42, fmr: 0 } }], 'an FMR of zero');
  bad([{ id: 'f', kind: 'face-1to1', source: 'face-engine', reference: 'chip-dg2', result: 'pass' }], 'a performed comparison without values');
  bad([{ ...doc('policy', 'fail', 'ISSUER_NOT_ALLOWED'), code: undefined } as unknown as Evidence], 'a failure without a code');
  bad([{ ...override('liveness', 'pass'), result: 'not-performed' } as unknown as Evidence], 'an override that decides nothing');
  bad([{ ...dedup([{ ref: 'reg-1', score: 0.9, sameIdentity: false }]), result: 'pass', code: undefined } as unknown as Evidence], 'a search that hides its hit');
  bad([{ ...dedup(), candidates: [{ ref: 'reg 1 with spaces', score: 0.1, sameIdentity: false }] }], 'a candidate reference that is not opaque');
  bad([{ ...noChip(), protocol: 'BAC' }], 'a not-performed access that names a protocol');
  bad([{ ...access('PACE'), at: '2025-03-01 10:00' }], 'a time not in ISO 8601 UTC');
  bad([{ ...chipAuth(), method: undefined } as unknown as Evidence], 'a performed chip authentication without its method');
  bad([{ ...finger(), finger: 11 }], 'a finger position outside ISO/IEC 19794-4');
  t.doesNotThrow(() => { validateEvidence(base); });
});

t.test('a malformed rule table is refused', async (t) => {
  const rule = RULES_V1.rules[0]!;
  t.throws(() => { validateRuleTable({ ...RULES_V1, rules: [rule, rule] }); }, InvalidArgumentError, 'duplicate id');
  t.throws(() => { validateRuleTable({ ...RULES_V1, version: 0 }); }, InvalidArgumentError, 'version 0');
  t.throws(() => { validateRuleTable({ ...RULES_V1, rules: [{ ...rule, reason: 'lower case' }] }); }, InvalidArgumentError, 'reason code');
  t.throws(() => { validateRuleTable({ ...RULES_V1, rules: [{ ...rule, indicators: [{ code: 'NOT_A_CODE' as never, severity: 'high' }] }] }); }, InvalidArgumentError, 'indicator');
  t.doesNotThrow(() => { validateRuleTable(RULES_V1); });
});

t.test('a rule table is data: a stricter table (v2) changes the level and names itself', async (t) => {
  // E.g. a deployment that will not confirm documents without chip authentication.
  const v2 = {
    ...RULES_V1, version: 2,
    rules: RULES_V1.rules.map((r) => (r.id === 'IC-CHIP-AUTH-UNSUPPORTED' ? { ...r, version: 2, effect: { kind: 'cap' as const, level: 'supported' as const } } : r)),
  };
  const ev = swap(base, ofKind('chip-auth'), chipAuthNone('CHIP_AUTH_NOT_SUPPORTED'));
  t.equal(assessIdentity(ev, RULES_V1, clock).level, 'confirmed');
  const a = assessIdentity(ev, v2, clock);
  t.equal(a.level, 'supported');
  t.equal(a.ruleTableVersion, 'identity-confidence/2');
  t.equal(a.reasons.find((r) => r.ruleId === 'IC-CHIP-AUTH-UNSUPPORTED')?.ruleVersion, 2);
});
