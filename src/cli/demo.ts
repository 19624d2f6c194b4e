// `npm run demo`: the kiosk's chip job on its simulators, over the real PC/SC stack. It makes
// a virtual passport (PACE, chip authentication, active authentication, a signed test PKI),
// serves it through pcscd with the vsmartcard vpcd driver exactly as a hardware reader would
// see a passport, reads and verifies it, and prints the report. Files land in .cache/demo.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadPcscliteBinding } from '../devices/card-reader/pcsc-binding.js';
import { PcscCardReader } from '../devices/card-reader/pcsc.js';
import { LineLogger } from '../log.js';
import { systemRandom } from '../mrtd/card.js';
import { loadPassportFolder } from '../mrtd/chip/folder.js';
import { VpcdCard } from '../mrtd/chip/vpcd.js';
import { makePassport } from '../mrtd/generator/make-passport.js';
import { defaultProtocols } from '../mrtd/inspection/default-protocols.js';
import { inspectDocument } from '../mrtd/inspection/inspect.js';
import { loadTrustStore } from '../mrtd/pki/trust-store.js';
import { defaultMrtdNative } from '../native/mrtd.js';
import { Pcscd } from '../platform/pcscd.js';
import { platformPaths } from '../platform/paths.js';
import { virtualChipOf } from './card-source.js';
import { humanReport } from './mrtd.js';
import { processIo, type Io } from './io.js';

/** A specimen MRZ (ICAO 9303 Part 4 Appendix A style data of the fictitious state Utopia). */
const DEMO_MRZ = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10';

export async function demo(io: Io = processIo, root = resolve('.cache/demo')): Promise<number> {
  const started = Date.now();
  const logger = new LineLogger({ level: 'warn' });
  const native = defaultMrtdNative();
  const folder = join(root, 'passport');
  await rm(folder, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  io.err('1/4 making a virtual passport (PACE ECDH-GM AES-128, CA ECDH, AA ECDSA, 20 KB portrait)');
  const made = await makePassport(
    {
      outDir: folder, mrz: DEMO_MRZ, pkiDir: join(root, 'pki'), bac: true, dg2Format: 'ISO19794-5', dg2Bytes: 20000,
      pace: { keyAgreement: 'ECDH', mapping: 'GM', cipher: 'AES-128', parameterId: 13 }, ca: 'ecdh', aa: 'ecdsa',
      hash: 'sha256', signer: 'ecdsa', explicitParameters: true,
      quirks: { extendedLength: true, maxResponseBytes: 65533, apduLatencyMs: 10, bitRateKbps: 424 },
      extraStates: { UTO: 'UT' },
    },
    { now: () => new Date() },
  );
  const passport = await loadPassportFolder(folder);
  const stop = new AbortController();
  const pcscd = new Pcscd({ paths: platformPaths(process.env), mode: 'system', logger });
  io.err('2/4 starting pcscd with the vpcd virtual reader');
  await pcscd.start(stop.signal);
  const q = passport.config.quirks;
  const card = new VpcdCard({ chip: virtualChipOf(passport, native), host: platformPaths(process.env).vpcdHost, port: pcscd.vpcdPort, link: { latencyMs: q.apduLatencyMs, bitRateKbps: q.bitRateKbps }, logger });
  const reader = new PcscCardReader({ binding: loadPcscliteBinding(), readerName: new RegExp(`^${pcscd.readerName(0)}`), socketPath: pcscd.socketPath, logger });
  try {
    await card.start(stop.signal);
    await reader.start(stop.signal);
    io.err(`3/4 presenting the passport to "${pcscd.readerName(0)}" (424 kbit/s, 10 ms per APDU)`);
    await card.insert({ timeoutMs: 10000 });
    await reader.waitForCard({ timeoutMs: 10000 });
    const channel = await reader.connect();
    io.err('4/4 reading and verifying the chip');
    const { report } = await inspectDocument(
      { card: channel, extendedLength: channel.extendedLength.supported, access: { mrz: DEMO_MRZ }, trust: await loadTrustStore(made.trust) },
      { native, random: systemRandom, logger, now: () => new Date(), protocols: defaultProtocols() },
    );
    await channel.disconnect();
    await writeFile(join(root, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    io.out(humanReport(report));
    io.out(`report: ${join(root, 'report.json')}\npassport folder: ${folder}\ntrust store: ${made.trust}\ndemo took ${Date.now() - started} ms`);
    return report.verdict === 'genuine' ? 0 : 1;
  } finally {
    stop.abort();
    await reader.stop();
    await card.stop();
    await pcscd.stop();
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]).endsWith('demo.js');
if (isMain) {
  demo().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`demo failed: ${e instanceof Error ? e.message : 'error'}\n`);
      process.exitCode = 1;
    },
  );
}
