// The chip inspection's report as evidence: every access attempt, passive authentication one
// item per failure code, chip authentication per method or one "none" item, the MRZ cross-check,
// and an incomplete reading; nothing personal crosses over.
import t from 'tap';
import type { InspectionReport } from '../../src/mrtd/inspection/report.js';
import { assessIdentity } from '../../src/visit/confidence/assess.js';
import { RULES_V1 } from '../../src/visit/confidence/rules.js';
import { validateEvidence, type ChipAccessEvidence } from '../../src/visit/evidence.js';
import { evidenceFromInspection } from '../../src/visit/evidence-inspection.js';
import { clock, dedup, doc, face, liveness } from './confidence-builders.js';

function report(over: Partial<InspectionReport> = {}): InspectionReport {
  return {
    access: { protocol: 'PACE', variant: 'ECDH-GM-AES-128', password: 'MRZ', attempts: [{ protocol: 'PACE', variant: 'ECDH-GM-AES-128', result: 'pass' }] },
    files: { DG1: { bytes: 93, sha256: '00' } },
    notRead: {},
    mrz: { documentNumber: 'L898902C3', primaryIdentifier: 'ERIKSSON' },
    passive: { verdict: 'pass', failures: [], checks: [] },
    cardSecurity: { verdict: 'pass', failures: [], checks: [] },
    chip: { verdict: 'pass', method: 'CA', failures: [], checks: [{ method: 'CA', result: 'pass' }] },
    consistency: [{ id: 'mrz.access-vs-dg1', result: 'pass' }],
    verdict: 'genuine',
    errors: [],
    stats: { apdus: 40, bytesIn: 20000, bytesOut: 900, ms: 800, reads: 12, blockSize: 224 },
    ...over,
  };
}
const rest = [doc('policy'), doc('validity'), doc('mrz-vs-chip'), face('pass'), liveness('pass'), dedup()];

t.test('a genuine PACE + CA reading', async (t) => {
  const ev = evidenceFromInspection(report(), { at: '2025-03-01T10:00:00.000Z', engine: 'mrtd-inspection/1' });
  t.doesNotThrow(() => { validateEvidence(ev); });
  t.same(ev.map((e) => [e.id, e.kind, e.result]), [
    ['chip.access.1', 'chip-access', 'pass'],
    ['chip.sod', 'passive-auth', 'pass'],
    ['chip.cardsecurity', 'passive-auth', 'pass'],
    ['chip.auth.1', 'chip-auth', 'pass'],
    ['chip.consistency.mrz', 'chip-consistency', 'pass'],
  ]);
  t.ok(ev.every((e) => e.at === '2025-03-01T10:00:00.000Z' && e.engine === 'mrtd-inspection/1'));
  const text = JSON.stringify(ev);
  t.notOk(text.includes('L898902C3') || text.includes('ERIKSSON'), 'no MRZ data');
  t.equal(assessIdentity([...ev, ...rest], RULES_V1, clock).level, 'verified');
});

t.test('BAC after a failed PACE: both attempts, and the downgrade flagged', async (t) => {
  const r = report({ access: { protocol: 'BAC', password: 'MRZ', attempts: [{ protocol: 'PACE', result: 'fail', error: 'MRTD PACE', sw: '6300' }, { protocol: 'BAC', result: 'pass' }] } });
  delete r.cardSecurity; // read only after PACE
  const ev = evidenceFromInspection(r);
  t.same(ev.filter((e): e is ChipAccessEvidence => e.kind === 'chip-access').map((e) => [e.protocol, e.result, e.code]), [['PACE', 'fail', 'ACCESS_FAILED'], ['BAC', 'pass', undefined]]);
  const a = assessIdentity([...ev, ...rest], RULES_V1, clock);
  t.equal(a.level, 'confirmed');
  t.ok(a.riskIndicators.some((i) => i.code === 'ACCESS_DOWNGRADE'));
});

t.test('passive failures: one item per code; MRZ_MISMATCH arrives as the cross-check', async (t) => {
  const ev = evidenceFromInspection(report({
    passive: { verdict: 'fail', failures: ['DS_CERT_EXPIRED', 'DG_HASH_MISMATCH', 'MRZ_MISMATCH'], checks: [] },
    consistency: [{ id: 'mrz.access-vs-dg1', result: 'fail', code: 'MRZ_MISMATCH' }],
    verdict: 'not-genuine',
  }));
  const pa = ev.filter((e) => e.kind === 'passive-auth' && e.object === 'EF.SOD');
  t.same(pa.map((e) => [e.id, e.result, e.code]), [['chip.sod.1', 'fail', 'DS_CERT_EXPIRED'], ['chip.sod.2', 'fail', 'DG_HASH_MISMATCH']]);
  t.ok(ev.some((e) => e.kind === 'chip-consistency' && e.result === 'fail' && e.code === 'MRZ_MISMATCH'));
  const a = assessIdentity([...ev, ...rest], RULES_V1, clock);
  t.equal(a.level, 'false');
  t.same(a.riskIndicators.filter((i) => i.severity === 'high').map((i) => i.code).sort(), ['DOCUMENT_FORGED', 'MRZ_TAMPERING']);
});

t.test('a passive failure without a known code still fails, as PASSIVE_FAILED', async (t) => {
  const ev = evidenceFromInspection(report({ passive: { verdict: 'fail', failures: [], checks: [] } }));
  t.ok(ev.some((e) => e.kind === 'passive-auth' && e.code === 'PASSIVE_FAILED'));
  t.equal(assessIdentity([...ev, ...rest], RULES_V1, clock).level, 'claimed');
});

t.test('chip authentication: failed, not supported, not performed', async (t) => {
  const clone = evidenceFromInspection(report({ chip: { verdict: 'fail', method: 'AA', failures: ['AA_FAILED'], checks: [{ method: 'AA', result: 'fail', code: 'AA_FAILED' }] }, verdict: 'not-genuine' }));
  t.equal(assessIdentity([...clone, ...rest], RULES_V1, clock).level, 'false');
  const camNoCode = evidenceFromInspection(report({ chip: { verdict: 'fail', failures: ['PACE-CAM_FAILED'], checks: [{ method: 'PACE-CAM', result: 'fail' }] } }));
  t.ok(camNoCode.some((e) => e.kind === 'chip-auth' && e.code === 'CAM_FAILED'), 'a failure without a code gets its method\'s');
  const none = evidenceFromInspection(report({ chip: { verdict: 'not-supported', failures: [], checks: [] }, verdict: 'unverified' }));
  t.ok(none.some((e) => e.kind === 'chip-auth' && e.result === 'not-performed' && e.code === 'CHIP_AUTH_NOT_SUPPORTED'));
  t.equal(assessIdentity([...none, ...rest], RULES_V1, clock).level, 'confirmed');
  const notRun = evidenceFromInspection(report({ chip: { verdict: 'not-performed', failures: [], checks: [] }, verdict: 'unverified' }));
  t.ok(notRun.some((e) => e.kind === 'chip-auth' && e.code === 'CHIP_AUTH_NOT_PERFORMED'));
  t.equal(assessIdentity([...notRun, ...rest], RULES_V1, clock).level, 'supported');
});

t.test('a reading the inspection calls incomplete caps at supported', async (t) => {
  const ev = evidenceFromInspection(report({ verdict: 'unverified', errors: ['DG15: STATUS: listed in EF.SOD, but the chip says it has no such file'] }));
  t.ok(ev.some((e) => e.kind === 'chip-consistency' && e.check === 'reading.complete' && e.code === 'READING_INCOMPLETE'));
  const a = assessIdentity([...ev, ...rest], RULES_V1, clock);
  t.equal(a.level, 'supported');
  t.ok(a.riskIndicators.some((i) => i.code === 'CHIP_READ_INCOMPLETE'));
});

t.test('no chip: one not-performed access item and nothing else', async (t) => {
  const ev = evidenceFromInspection(report({ access: { protocol: 'none', attempts: [] } }), { idPrefix: 'doc1.chip' });
  t.same(ev, [{ id: 'doc1.chip.access.1', kind: 'chip-access', source: 'chip-inspection', result: 'not-performed', protocol: 'none', code: 'NO_CHIP' }]);
  t.equal(assessIdentity([...ev, ...rest], RULES_V1, clock).level, 'claimed');
});

t.test('access that failed outright: attempts only, and the level stays claimed', async (t) => {
  const ev = evidenceFromInspection(report({ access: { protocol: 'none', attempts: [{ protocol: 'BAC', result: 'fail' }] } }));
  t.same(ev.map((e) => e.kind), ['chip-access']);
  t.equal(assessIdentity([...ev, ...rest], RULES_V1, clock).level, 'claimed');
});
