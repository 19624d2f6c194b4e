// `npm run demo`: the kiosk's document job on its simulators, over the real PC/SC stack. It
// makes a virtual passport (PACE, chip authentication, active authentication, a signed test
// PKI) and renders its data page as the document reader would capture it (placed crooked,
// uneven light, blur, noise, JPEG; UV and IR images too). The applicant lays the page on the
// simulated document reader; the kiosk reads the MRZ optically, opens the chip served through
// pcscd with the vsmartcard vpcd driver with that MRZ (never with one it was told), verifies
// it, cross-checks page and chip, and prints the identity confidence level with its reasons.
// Files land in .cache/demo.
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
import { documentSummary } from './document.js';
import { SimulatedDocumentCamera, type SimulatedPage } from '../devices/document-camera/simulated.js';
import { checkDocument, type ChipReader } from '../document/check.js';
import { DEFAULT_GLASS, randomCapture } from '../document/render/defects.js';
import { specimenFromMrz } from '../document/render/from-mrz.js';
import { irImage, uvImage } from '../document/render/illumination.js';
import { renderDataPage } from '../document/render/page.js';
import { seededRng } from '../document/render/random.js';
import { formatTd3 } from '../mrtd/mrz.js';
import { processIo, type Io } from './io.js';

/**
 * The specimen holder of ICAO 9303 Part 4 Appendix A (the fictitious state Utopia), with a
 * date of expiry moved to 2036 so that the document is valid when the demo runs.
 */
const DEMO_MRZ = formatTd3({
  documentCode: 'P', issuer: 'UTO', documentNumber: 'L898902C3', dateOfBirth: '740812', sex: 'F', dateOfExpiry: '361231',
  nationality: 'UTO', primaryIdentifier: 'ERIKSSON', secondaryIdentifier: 'ANNA MARIA', optionalData: 'ZE184226B',
});
/** The simulated document reader's resolution at the glass. */
const DPI = 300;

/** The data page as the document reader sees it: white light with random defects, UV and IR. */
function dataPage(now: Date): SimulatedPage {
  const rng = seededRng(2026);
  const capture = randomCapture(renderDataPage(specimenFromMrz(DEMO_MRZ, now), rng, { dpi: DPI }), rng, { ...DEFAULT_GLASS, dpi: DPI });
  return { white: capture.image, uv: uvImage(capture, 'genuine'), ir: irImage(capture, 'genuine') };
}

export async function demo(io: Io = processIo, root = resolve('.cache/demo')): Promise<number> {
  const started = Date.now();
  const logger = new LineLogger({ level: 'warn' });
  const native = defaultMrtdNative();
  const folder = join(root, 'passport');
  await rm(folder, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  io.err('1/5 making a virtual passport (PACE ECDH-GM AES-128, CA ECDH, AA ECDSA, 20 KB portrait) and rendering its data page');
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
  io.err('2/5 starting pcscd with the vpcd virtual reader, and the simulated document reader');
  await pcscd.start(stop.signal);
  const q = passport.config.quirks;
  const card = new VpcdCard({ chip: virtualChipOf(passport, native), host: platformPaths(process.env).vpcdHost, port: pcscd.vpcdPort, link: { latencyMs: q.apduLatencyMs, bitRateKbps: q.bitRateKbps }, logger });
  const reader = new PcscCardReader({ binding: loadPcscliteBinding(), readerName: new RegExp(`^${pcscd.readerName(0)}`), socketPath: pcscd.socketPath, logger });
  const camera = new SimulatedDocumentCamera({ resolutionDpi: DPI, logger });
  try {
    await card.start(stop.signal);
    await reader.start(stop.signal);
    await camera.start(stop.signal);
    io.err(`3/5 the applicant lays the data page on "${camera.name}" and the passport on "${pcscd.readerName(0)}" (424 kbit/s, 10 ms per APDU)`);
    camera.place(dataPage(new Date()));
    await camera.waitForDocument({ timeoutMs: 5000 });
    const capture = await camera.capture({ illumination: ['white', 'uv', 'ir'], timeoutMs: 10000 });
    await card.insert({ timeoutMs: 10000 });
    await reader.waitForCard({ timeoutMs: 10000 });
    const trust = await loadTrustStore(made.trust);
    let mrzStarted = 0;
    let mrzMs = 0;
    let chipMs = 0;
    const chip: ChipReader = async (mrz) => {
      mrzMs = Date.now() - mrzStarted;
      io.err('5/5 opening the chip with the MRZ read from the page; reading and verifying it');
      const t0 = Date.now();
      const channel = await reader.connect();
      try {
        return await inspectDocument(
          { card: channel, extendedLength: channel.extendedLength.supported, access: { mrz }, trust },
          { native, random: systemRandom, logger, now: () => new Date(), protocols: defaultProtocols() },
        );
      } finally {
        await channel.disconnect();
        chipMs = Date.now() - t0;
      }
    };
    io.err('4/5 reading the MRZ from the page (OCR-B), checking the capture');
    mrzStarted = Date.now();
    const result = await checkDocument(
      { white: capture.white, ...(capture.uv ? { uv: capture.uv } : {}), ...(capture.ir ? { ir: capture.ir } : {}), ...(capture.resolutionDpi !== undefined ? { resolutionDpi: capture.resolutionDpi } : {}) },
      chip,
      { now: () => new Date() },
    );
    await writeFile(join(root, 'report.json'), JSON.stringify(result, null, 2) + '\n');
    if (result.chip.performed) io.out(humanReport(result.chip.report));
    io.out(documentSummary(result));
    io.out(`MRZ read in ${mrzMs} ms; chip read and verified in ${chipMs} ms`);
    io.out(`report: ${join(root, 'report.json')}\npassport folder: ${folder}\ntrust store: ${made.trust}\ndemo took ${Date.now() - started} ms`);
    return result.chip.performed && result.chip.report.verdict === 'genuine' && result.identity.level === 'supported' ? 0 : 1;
  } finally {
    stop.abort();
    await camera.stop();
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
