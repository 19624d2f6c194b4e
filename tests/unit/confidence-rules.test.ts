// Every rule of the table has a test: a visit where it holds and a near miss where it does not.
// The first test walks the rule table and fails for any rule id without a case here (and for a
// case whose rule no longer exists), so a new rule cannot ship untested.
import t from 'tap';
import { assessIdentity } from '../../src/visit/confidence/assess.js';
import { levelRank } from '../../src/visit/confidence/levels.js';
import { RULES_V1 } from '../../src/visit/confidence/rules.js';
import type { Evidence } from '../../src/visit/evidence.js';
import {
  access, chipAuth, chipAuthNone, clock, consistency, dedup, doc, docCheck, face, finger, genuineVisit, liveness, noChip, ofKind, override, passive, swap, without,
} from './confidence-builders.js';

const base = genuineVisit();
const swapDoc = (check: Parameters<typeof docCheck>[0], ...add: Evidence[]) => swap(base, docCheck(check), ...add);
const swapKind = (kind: Evidence['kind'], ...add: Evidence[]) => swap(base, ofKind(kind), ...add);
const sodOnly = (e: Evidence) => e.kind === 'passive-auth' && e.object === 'EF.SOD';

/** For each rule: evidence where it must hold, and a near miss where it must not. */
const RULE_CASES: Record<string, { holds: Evidence[]; misses: Evidence[] }> = {
  'IC-PA-FORGED': { holds: swap(base, sodOnly, passive('fail', 'DG_HASH_MISMATCH')), misses: swap(base, sodOnly, passive('fail', 'DS_CERT_UNTRUSTED')) },
  'IC-CHIP-CLONE': { holds: swapKind('chip-auth', chipAuth('fail', 'AA')), misses: swapKind('chip-auth', chipAuthNone('CHIP_AUTH_NOT_PERFORMED')) },
  'IC-CHIP-MRZ-MISMATCH': { holds: swapKind('chip-consistency', consistency('mrz.access-vs-dg1', 'fail', 'MRZ_MISMATCH')), misses: swapKind('chip-consistency', consistency('mrz.access-vs-dg1', 'not-performed')) },
  'IC-PAGE-MRZ-MISMATCH': { holds: swapDoc('mrz-vs-chip', doc('mrz-vs-chip', 'fail', 'MRZ_MISMATCH')), misses: swapDoc('mrz-vs-chip', doc('mrz-vs-chip', 'not-performed', 'UNCERTAIN')) },
  'IC-OPERATOR-REJECT': { holds: [...base, override('duplicate-search', 'fail')], misses: [...base, override('duplicate-search', 'pass')] },
  'IC-PA-SIGNER-INVALID': { holds: swap(base, sodOnly, passive('fail', 'DS_CERT_REVOKED')), misses: swap(base, sodOnly, passive('fail', 'DS_CERT_EXPIRED')) },
  'IC-PA-NOT-AUTHENTIC': { holds: swap(base, sodOnly, passive('fail', 'DS_CERT_UNTRUSTED')), misses: swap(base, sodOnly, passive('fail', 'COUNTRY_MISMATCH')) },
  'IC-FACE-MISMATCH': { holds: swapKind('face-1to1', face('fail')), misses: swapKind('face-1to1', face('fail'), override('face-1to1', 'pass')) },
  'IC-FINGER-MISMATCH': { holds: [...base, finger('fail', 'register')], misses: [...base, finger('fail', 'register'), override('fingerprint-1to1', 'pass')] },
  'IC-LIVENESS-FAILED': { holds: swapKind('liveness', liveness('fail')), misses: swapKind('liveness', liveness('fail'), override('liveness', 'pass')) },
  'IC-DUPLICATE': {
    holds: swapKind('duplicate-search', dedup([{ ref: 'reg-5150', score: 0.88, sameIdentity: false }])),
    misses: swapKind('duplicate-search', dedup([{ ref: 'reg-0001', score: 0.95, sameIdentity: true }])),
  },
  'IC-PORTRAIT-MISMATCH': { holds: swapDoc('portrait-vs-chip', doc('portrait-vs-chip', 'fail', 'PORTRAIT_MISMATCH')), misses: base },
  'IC-PAGE-ANOMALY': { holds: swapDoc('uv', doc('uv', 'fail', 'UV_ANOMALY')), misses: swapDoc('uv', doc('uv', 'pass')) },
  'IC-DOC-NOT-YET-VALID': { holds: swapDoc('validity', doc('validity', 'fail', 'DOCUMENT_NOT_YET_VALID')), misses: swapDoc('validity', doc('validity', 'fail', 'DOCUMENT_EXPIRED')) },
  'IC-DOC-NOT-ACCEPTED': { holds: swapDoc('policy', doc('policy', 'fail', 'ISSUER_NOT_ALLOWED')), misses: base },
  'IC-REQ-CHIP-READ': { holds: [noChip(), ...without(base, 'access.PACE.pass')], misses: base },
  // EF.CardSecurity authenticated does not stand in for EF.SOD.
  'IC-REQ-PASSIVE': { holds: swap(base, sodOnly), misses: swap(base, (e) => e.kind === 'passive-auth' && e.object === 'EF.CardSecurity') },
  'IC-REQ-POLICY': { holds: swapDoc('policy'), misses: base },
  'IC-REQ-CHIP-AUTH': { holds: swapKind('chip-auth', chipAuthNone('CHIP_AUTH_NOT_PERFORMED')), misses: swapKind('chip-auth', chipAuthNone('CHIP_AUTH_NOT_SUPPORTED')) },
  // A face comparison judged at a looser FMR than the policy's does not bind; DG3 fingerprints do.
  'IC-REQ-BINDING': { holds: swapKind('face-1to1', face('pass', { fmr: 0.01 })), misses: swapKind('face-1to1', finger('pass', 'chip-dg3')) },
  'IC-READING-INCOMPLETE': { holds: [...base, consistency('reading.complete', 'not-performed', 'READING_INCOMPLETE')], misses: base },
  'IC-CHIP-AUTH-UNSUPPORTED': { holds: swapKind('chip-auth', chipAuthNone('CHIP_AUTH_NOT_SUPPORTED')), misses: swapKind('chip-auth', chipAuthNone('CHIP_AUTH_NOT_PERFORMED')) },
  'IC-REQ-LIVENESS': { holds: swapKind('liveness', liveness('not-performed')), misses: swapKind('liveness', liveness('not-performed'), override('liveness', 'pass')) },
  'IC-REQ-DEDUP': {
    holds: swapKind('duplicate-search'),
    // A clerk who adjudicated the hit as another person settles the search.
    misses: swapKind('duplicate-search', dedup([{ ref: 'reg-5150', score: 0.7, sameIdentity: false }]), override('duplicate-search', 'pass', 'CANDIDATE_IS_ANOTHER_PERSON')),
  },
  'IC-REQ-PAGE-MRZ': { holds: swapDoc('mrz-vs-chip', doc('mrz-vs-chip', 'not-performed', 'UNCERTAIN')), misses: base },
  'IC-REQ-VALIDITY': { holds: swapDoc('validity'), misses: base },
  'IC-DOC-EXPIRED': { holds: swapDoc('validity', doc('validity', 'fail', 'DOCUMENT_EXPIRED')), misses: swapDoc('validity', doc('validity', 'fail', 'DOCUMENT_NOT_YET_VALID')) },
  'IC-ACCESS-DOWNGRADE': {
    holds: swapKind('chip-access', access('PACE', 'fail'), access('BAC', 'pass')),
    // PACE failing once (a mistyped CAN) and then succeeding is no downgrade.
    misses: swapKind('chip-access', access('PACE', 'fail'), access('PACE', 'pass')),
  },
  'IC-OPERATOR-OVERRIDE': { holds: swapKind('face-1to1', face('fail'), override('face-1to1', 'pass')), misses: base },
};

t.test('every rule in the table has a test case, and every case a rule', async (t) => {
  const ids = RULES_V1.rules.map((r) => r.id);
  for (const id of ids) t.ok(Object.hasOwn(RULE_CASES, id), `rule ${id} has a test case`);
  for (const id of Object.keys(RULE_CASES)) t.ok(ids.includes(id), `case ${id} names a rule in the table`);
});

t.test('the genuine visit holds no rule at all and is verified', async (t) => {
  const a = assessIdentity(base, RULES_V1, clock);
  t.same(a.reasons, []);
  t.same(a.riskIndicators, []);
  t.equal(a.level, 'verified');
});

for (const rule of RULES_V1.rules) {
  const c = RULE_CASES[rule.id];
  if (!c) continue;
  t.test(`${rule.id}: holds where it should, not on the near miss`, async (t) => {
    const a = assessIdentity(c.holds, RULES_V1, clock);
    const reason = a.reasons.find((r) => r.ruleId === rule.id);
    t.ok(reason, 'the rule holds');
    t.equal(reason?.reason, rule.reason);
    t.equal(reason?.ruleVersion, rule.version);
    if (rule.effect.kind === 'cap') {
      t.equal(reason?.level, rule.effect.level);
      t.ok(levelRank(a.level) <= levelRank(rule.effect.level), `level ${a.level} is at most ${rule.effect.level}`);
    } else {
      t.equal(reason?.effect, 'flag');
    }
    for (const ind of rule.indicators) {
      const got = a.riskIndicators.find((i) => i.code === ind.code);
      t.ok(got, `indicator ${ind.code} travels`);
      t.ok(got?.rules.includes(rule.id), 'and names the rule');
    }
    const known = new Set(c.holds.map((e) => e.id));
    for (const ref of reason?.evidence ?? []) t.ok(known.has(ref), `reason refers to evidence ${ref} that exists`);

    const m = assessIdentity(c.misses, RULES_V1, clock);
    t.notOk(m.reasons.some((r) => r.ruleId === rule.id), 'the near miss does not hold it');
  });
}

t.test('reasons point at the evidence they rest on', async (t) => {
  const a = assessIdentity(RULE_CASES['IC-FACE-MISMATCH']!.holds, RULES_V1, clock);
  t.same(a.reasons.find((r) => r.ruleId === 'IC-FACE-MISMATCH')?.evidence, ['face.chip-dg2.fail']);
  // A missing check names the items of that kind that are there (the not-performed ones).
  const b = assessIdentity(RULE_CASES['IC-REQ-PAGE-MRZ']!.holds, RULES_V1, clock);
  t.same(b.reasons.find((r) => r.ruleId === 'IC-REQ-PAGE-MRZ')?.evidence, ['doc.mrz-vs-chip.UNCERTAIN']);
  // Evidence simply absent: no refs, but the reason is there.
  const c = assessIdentity(RULE_CASES['IC-REQ-VALIDITY']!.holds, RULES_V1, clock);
  t.same(c.reasons.find((r) => r.ruleId === 'IC-REQ-VALIDITY')?.evidence, []);
});

t.test('optional page checks that could not run cap nothing', async (t) => {
  // UV/IR need hardware many readers lack, the printed-portrait comparison needs the face engine.
  const a = assessIdentity(base, RULES_V1, clock);
  t.equal(a.level, 'verified');
  t.ok(base.some((e) => e.kind === 'document-check' && e.check === 'uv' && e.result === 'not-performed'));
});
