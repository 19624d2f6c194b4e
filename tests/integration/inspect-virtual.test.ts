// Generated passports (kioskctl mrtd make-passport's engine) read by the inspection in
// process through the virtual chip: every access protocol and chip authentication method the
// generator offers, and the failures a forged or damaged document must produce.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { MrtdNative } from '../../src/native/mrtd.js';
import { makePassport, type MakePassportOptions } from '../../src/mrtd/generator/make-passport.js';
import { loadPassportFolder } from '../../src/mrtd/chip/folder.js';
import { VirtualChip } from '../../src/mrtd/chip/virtual-chip.js';
import { createChipProtocols } from '../../src/mrtd/chip/protocols.js';
import { systemRandom } from '../../src/mrtd/card.js';
import { inspectDocument } from '../../src/mrtd/inspection/inspect.js';
import { defaultProtocols } from '../../src/mrtd/inspection/default-protocols.js';
import { loadTrustStore } from '../../src/mrtd/pki/trust-store.js';
import { LineLogger } from '../../src/log.js';
import type { Transceiver } from '../../src/mrtd/apdu.js';

const native = new MrtdNative();
const dir = mkdtempSync(join(tmpdir(), 'inspect-virtual-'));
t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });
const pki = join(dir, 'pki');
const MRZ = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10';
const base: MakePassportOptions = {
  outDir: '', mrz: MRZ, pkiDir: pki, bac: true, dg2Format: 'ISO19794-5', hash: 'sha256', signer: 'ecdsa',
  explicitParameters: false, quirks: { extendedLength: true }, extraStates: { UTO: 'UT' },
};
const logLines: string[] = [];
const logger = new LineLogger({ level: 'debug', write: (l) => logLines.push(l) });

async function make(name: string, o: Partial<MakePassportOptions>) {
  const outDir = join(dir, name);
  await makePassport({ ...base, ...o, outDir }, { now: () => new Date() });
  return outDir;
}

async function read(folder: string, access: { mrz: string } | { can: string }, policy = {}) {
  const passport = await loadPassportFolder(folder);
  const chip = new VirtualChip(passport, { native, random: systemRandom, protocols: createChipProtocols(passport, { native, random: systemRandom }) });
  const card: Transceiver = { transceive: (c) => chip.process(c) };
  const trust = await loadTrustStore(join(pki, 'trust'));
  return inspectDocument({ card, extendedLength: passport.config.quirks.extendedLength, access, trust, policy }, { native, random: systemRandom, logger, now: () => new Date(), protocols: defaultProtocols() });
}

const cases: [string, Partial<MakePassportOptions>, string, string][] = [
  ['bac-aa-rsa', { aa: 'rsa' }, 'BAC', 'AA'],
  ['bac-ca-ecdh-aa-ecdsa', { ca: 'ecdh', aa: 'ecdsa', explicitParameters: true }, 'BAC', 'CA'],
  ['pace-gm-ca-dh', { pace: { keyAgreement: 'ECDH', mapping: 'GM', cipher: 'AES-128', parameterId: 13 }, ca: 'dh' }, 'PACE', 'CA'],
  ['pace-im-dh-3des', { pace: { keyAgreement: 'DH', mapping: 'IM', cipher: '3DES', parameterId: 0 }, aa: 'rsa', signer: 'rsa', quirks: { extendedLength: false } }, 'PACE', 'AA'],
  ['pace-cam', { pace: { keyAgreement: 'ECDH', mapping: 'CAM', cipher: 'AES-256', parameterId: 12 }, signer: 'rsa-pss' }, 'PACE', 'PACE-CAM'],
  ['short-only-ca-dh-3des-chained', { ca: 'dh', caCipher: '3DES', aa: 'rsa', quirks: { extendedLength: false } }, 'BAC', 'CA'],
  ['answers-in-pieces-61xx', { pace: { keyAgreement: 'ECDH', mapping: 'GM', cipher: 'AES-128', parameterId: 13 }, aa: 'ecdsa', quirks: { extendedLength: true, getResponseChunk: 200 } }, 'PACE', 'AA'],
  ['pace-only-39794', { pace: { keyAgreement: 'ECDH', mapping: 'GM', cipher: 'AES-192', parameterId: 16 }, bac: false, dg2Format: 'ISO39794-5', ca: 'ecdh' }, 'PACE', 'CA'],
];

for (const [name, o, protocol, method] of cases) {
  t.test(`${name}: genuine`, async (t) => {
    const folder = await make(name, o);
    const { report } = await read(folder, { mrz: MRZ });
    t.same(report.errors, [], 'no errors');
    t.equal(report.access.protocol, protocol);
    t.equal(report.passive.verdict, 'pass', `passive ${report.passive.failures.join(',')}`);
    t.equal(report.chip.verdict, 'pass', `chip ${JSON.stringify(report.chip.checks)}`);
    t.equal(report.chip.method, method);
    t.equal(report.verdict, 'genuine');
    t.ok(report.files.DG2 && report.files.DG2.bytes > 1000, 'DG2 read');
    t.equal(report.faces?.length, 1, 'one face in DG2');
    t.equal(report.faces?.[0]?.format, 'JPEG');
    if (protocol === 'PACE') t.equal(report.cardSecurity?.verdict, 'pass', 'EF.CardSecurity authenticated');
    else t.equal(report.cardSecurity, undefined, 'no EF.CardSecurity without PACE');
  });
}

t.test('a forged EF.CardSecurity makes the document not genuine', async (t) => {
  const folder = await make('cardsecurity-forged', { pace: { keyAgreement: 'ECDH', mapping: 'GM', cipher: 'AES-128', parameterId: 13 }, ca: 'ecdh' });
  const cs = readFileSync(join(folder, 'EF.CardSecurity'));
  cs[cs.length - 5]! ^= 0x01; // inside the signature
  writeFileSync(join(folder, 'EF.CardSecurity'), cs);
  const { report } = await read(folder, { mrz: MRZ });
  t.equal(report.cardSecurity?.verdict, 'fail');
  t.ok(report.cardSecurity?.failures.includes('SOD_SIGNATURE_INVALID'));
  t.equal(report.verdict, 'not-genuine');
});

t.test('PACE with the CAN', async (t) => {
  const folder = await make('pace-can', { pace: { keyAgreement: 'ECDH', mapping: 'GM', cipher: 'AES-128', parameterId: 13 }, can: '123456', bac: false });
  const { report } = await read(folder, { can: '123456' });
  t.equal(report.access.password, 'CAN');
  t.equal(report.verdict, 'unverified', 'no chip authentication offered');
  t.equal(report.chip.verdict, 'not-supported');
  const wrong = await read(folder, { can: '654321' });
  t.equal(wrong.report.access.protocol, 'none');
  t.equal(wrong.report.access.attempts[0]?.result, 'fail');
  t.equal(wrong.report.verdict, 'unverified');
});

t.test('a failed PACE does not fall back to BAC unless the policy says so, and says what happened', async (t) => {
  const folder = await make('pace-bac', { pace: { keyAgreement: 'ECDH', mapping: 'GM', cipher: 'AES-128', parameterId: 13 } });
  // Break PACE on the chip: offer a PACEInfo whose parameter id the chip does not accept.
  const chipJson = JSON.parse(readFileSync(join(folder, 'chip.json'), 'utf8')) as { mrz: string };
  chipJson.mrz = MRZ.replace('L898902C36', 'L898902C36'); // unchanged: PACE fails through a wrong password below
  const strict = await read(folder, { mrz: 'L898902C3674081221204158' });
  t.equal(strict.report.access.attempts.length, 1, 'one attempt');
  t.equal(strict.report.access.attempts[0]?.protocol, 'PACE');
  const lenient = await read(folder, { mrz: 'L898902C3674081221204158' }, { allowBacAfterPaceFailure: true });
  t.same(lenient.report.access.attempts.map((a) => `${a.protocol}:${a.result}`), ['PACE:fail', 'BAC:fail'], 'both attempts reported');
});

t.test('forgeries: altered DG1, a chip whose AA key does not match DG15, a wrong trust anchor', async (t) => {
  const folder = await make('forge', { aa: 'rsa', ca: 'ecdh' });
  const dg1 = readFileSync(join(folder, 'DG1'));
  dg1[10] = dg1[10] === 0x41 ? 0x42 : 0x41;
  writeFileSync(join(folder, 'DG1'), dg1);
  const altered = await read(folder, { mrz: MRZ });
  t.equal(altered.report.verdict, 'not-genuine');
  t.ok(altered.report.passive.failures.includes('DG_HASH_MISMATCH'));

  const other = await make('other-keys', { aa: 'rsa', ca: 'ecdh' });
  const clone = await make('clone', { aa: 'rsa', ca: 'ecdh' });
  // The clone gets another chip's private keys: its DG14/DG15 (signed) no longer match the chip.
  const otherChip = JSON.parse(readFileSync(join(other, 'chip.json'), 'utf8')) as Record<string, unknown>;
  const cloneChip = JSON.parse(readFileSync(join(clone, 'chip.json'), 'utf8')) as Record<string, unknown>;
  cloneChip.activeAuthentication = otherChip.activeAuthentication;
  cloneChip.chipAuthentication = otherChip.chipAuthentication;
  writeFileSync(join(clone, 'chip.json'), JSON.stringify(cloneChip));
  const cloned = await read(clone, { mrz: MRZ });
  t.equal(cloned.report.passive.verdict, 'pass', 'the data is genuine');
  t.equal(cloned.report.chip.verdict, 'fail', 'but the chip is not');
  t.ok(cloned.report.chip.failures.includes('CA_FAILED'));
  t.equal(cloned.report.verdict, 'not-genuine');
});

t.test('no personal data in the log', async (t) => {
  const all = logLines.join('\n');
  for (const secret of ['ERIKSSON', 'ANNA', 'L898902C', '740812', '120415']) t.notOk(all.includes(secret), `log lacks ${secret}`);
});
