// The shared example passports (tests/fixtures/mrtd/examples, a copy of /work/shared/mrtd/examples)
// read by the real inspection through the virtual chip, turned into evidence and assessed: the
// genuine one reaches `verified` once the document check and biometrics (given here as their
// evidence) agree; the one whose DG1 was altered after signing is `false` with DOCUMENT_FORGED.
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { MrtdNative } from '../../src/native/mrtd.js';
import { loadPassportFolder } from '../../src/mrtd/chip/folder.js';
import { VirtualChip } from '../../src/mrtd/chip/virtual-chip.js';
import { createChipProtocols } from '../../src/mrtd/chip/protocols.js';
import { systemRandom } from '../../src/mrtd/card.js';
import { inspectDocument } from '../../src/mrtd/inspection/inspect.js';
import { defaultProtocols } from '../../src/mrtd/inspection/default-protocols.js';
import { loadTrustStore } from '../../src/mrtd/pki/trust-store.js';
import { silentLogger } from '../../src/log.js';
import type { Transceiver } from '../../src/mrtd/apdu.js';
import { evidenceFromInspection } from '../../src/visit/evidence-inspection.js';
import { buildIdentityRecord, canonicalRecord, validateIdentityRecord } from '../../src/visit/confidence/record.js';
import { RULES_V1 } from '../../src/visit/confidence/rules.js';
import { clock, dedup, doc, face, liveness } from '../unit/confidence-builders.js';

const native = new MrtdNative();
const examples = new URL('../fixtures/mrtd/examples/', import.meta.url);
const passports = JSON.parse(readFileSync(new URL('passports.json', examples), 'utf8')) as Record<string, { mrz: string }>;

async function inspect(name: string) {
  const passport = await loadPassportFolder(fileURLToPath(new URL(`passports/${name}`, examples)));
  const chip = new VirtualChip(passport, { native, random: systemRandom, protocols: createChipProtocols(passport, { native, random: systemRandom }) });
  const card: Transceiver = { transceive: (c) => chip.process(c) };
  const trust = await loadTrustStore(fileURLToPath(new URL('trust', examples)));
  const { report } = await inspectDocument(
    { card, extendedLength: passport.config.quirks.extendedLength, access: { mrz: passports[name]!.mrz }, trust, policy: {} },
    { native, random: systemRandom, logger: silentLogger, now: () => new Date(), protocols: defaultProtocols() },
  );
  return report;
}

// What the document check and the biometric engines would add for a consistent visit.
const rest = [doc('policy'), doc('validity'), doc('mrz-vs-chip'), face('pass'), liveness('pass'), dedup()];
const ctx = { recordId: 'rec-1', visitId: 'visit-1', kioskId: 'kiosk-1' };

t.test('genuine example passport → verified', async (t) => {
  const report = await inspect('genuine');
  t.equal(report.verdict, 'genuine');
  const record = buildIdentityRecord(ctx, [...evidenceFromInspection(report, { engine: 'mrtd-inspection/1' }), ...rest], RULES_V1, clock);
  t.equal(record.assessment.level, 'verified', JSON.stringify(record.assessment.reasons));
  t.same(record.assessment.riskIndicators, []);
  t.ok(validateIdentityRecord(JSON.parse(canonicalRecord(record).toString('utf8'))).ok);
  t.notOk(canonicalRecord(record).toString('utf8').includes('STRAND'), 'no holder data in the record');
  // Without the biometric evidence the same document is only supported.
  const docOnly = buildIdentityRecord(ctx, [...evidenceFromInspection(report), doc('policy'), doc('validity'), doc('mrz-vs-chip')], RULES_V1, clock);
  t.equal(docOnly.assessment.level, 'supported');
});

t.test('DG1 altered after signing → false, DOCUMENT_FORGED', async (t) => {
  const report = await inspect('dg1-altered');
  t.equal(report.verdict, 'not-genuine');
  const record = buildIdentityRecord(ctx, [...evidenceFromInspection(report), ...rest], RULES_V1, clock);
  t.equal(record.assessment.level, 'false');
  t.ok(record.assessment.riskIndicators.some((i) => i.code === 'DOCUMENT_FORGED' && i.severity === 'high'));
  t.ok(record.assessment.reasons.some((r) => r.ruleId === 'IC-PA-FORGED' && r.decisive));
});
