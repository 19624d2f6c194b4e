// `npm run demo`: the kiosk's document job on its simulators, over the real PC/SC stack. It
// makes a virtual passport (PACE, chip authentication, active authentication, a signed test
// PKI) and renders its data page as the document reader would capture it (placed crooked,
// uneven light, blur, noise, JPEG; UV and IR images too). The applicant lays the page on the
// simulated document reader; the kiosk reads the MRZ optically, opens the chip served through
// pcscd with the vsmartcard vpcd driver with that MRZ (never with one it was told), verifies
// it, cross-checks page and chip, and prints the identity confidence level with its reasons.
// Files land in .cache/demo.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
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
import { SimulatedCamera } from '../devices/camera/simulated.js';
import { decodeImage, type Image } from '../document/image.js';
import { CALIBRATION } from '../face/calibration-data.js';
import { readFaceSetIndex } from '../face/face-set.js';
import { findModelsDir } from '../face/models-dir.js';
import { isFaceModelError } from '../face/models/errors.js';
import { compareWithChip } from '../face/one-to-one.js';
import { analyseImage, disposeFaceModels, loadFaceModels, type FaceModels } from '../face/pipeline.js';
import { printedPortraitComparer } from '../face/printed-portrait.js';
import type { InspectionResult } from '../mrtd/inspection/inspect.js';
import type { MrtdNative } from '../native/mrtd.js';
import { assessIdentity } from '../visit/confidence/assess.js';
import { RULES_V1 } from '../visit/confidence/rules.js';
import { processIo, type Io } from './io.js';

/**
 * A specimen of the fictitious state Utopia (ICAO 9303 Part 4 Appendix A's document number and
 * dates, with a date of expiry in 2036 so that the document is valid when the demo runs).
 */
const DEMO_MRZ = formatTd3({
  documentCode: 'P', issuer: 'UTO', documentNumber: 'L898902C3', dateOfBirth: '740812', sex: 'M', dateOfExpiry: '361231',
  nationality: 'UTO', primaryIdentifier: 'SPECIMEN', secondaryIdentifier: 'HOLDER', optionalData: 'ZE184226B',
});
/** The simulated document reader's resolution at the glass. */
const DPI = 300;

/** The data page as the document reader sees it: white light with random defects, UV and IR. */
function dataPage(now: Date, portrait: Buffer | undefined): SimulatedPage {
  const rng = seededRng(2026);
  const spec = { ...specimenFromMrz(DEMO_MRZ, now), ...(portrait ? { portrait } : {}) };
  const capture = randomCapture(renderDataPage(spec, rng, { dpi: DPI }), rng, { ...DEFAULT_GLASS, dpi: DPI });
  return { white: capture.image, uv: uvImage(capture, 'genuine'), ir: irImage(capture, 'genuine') };
}

export async function demo(io: Io = processIo, root = resolve('.cache/demo')): Promise<number> {
  const started = Date.now();
  const logger = new LineLogger({ level: 'warn' });
  const native = defaultMrtdNative();
  const folder = join(root, 'passport');
  await rm(folder, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const face = await prepareFace(io);
  try {
    return await run(io, root, folder, started, logger, native, face);
  } finally {
    if (face) await disposeFaceModels(face.models);
  }
}

/** The holder: a person of dlib's labelled set (Debian's libdlib19.1), and the face models. */
interface DemoFace {
  readonly models: FaceModels;
  /** The photo on the chip and the page. */
  readonly photo: Buffer;
  /** Other pictures of the same person: what the face camera sees. */
  readonly frames: readonly Image[];
}

async function prepareFace(io: Io): Promise<DemoFace | undefined> {
  let models: FaceModels;
  try {
    models = await loadFaceModels(findModelsDir());
  } catch (e) {
    if (!isFaceModelError(e)) throw e;
    io.err(`face step not performed: ${e.message}`);
    return undefined;
  }
  const dataDir = resolve('.cache/face-data');
  try {
    execFileSync(resolve('scripts/face-test-data.sh'), { env: { ...process.env, FACE_DATA_DIR: dataDir }, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch {
    io.err('face step not performed: the face pictures (Debian libdlib19.1) could not be fetched');
    await disposeFaceModels(models);
    return undefined;
  }
  const index = await readFaceSetIndex(dataDir);
  for (const files of Object.values(index.johns)) {
    const withFace: { bytes: Buffer; image: Image }[] = [];
    for (const f of files) {
      const bytes = await readFile(join(dataDir, f));
      const image = decodeImage(bytes, 'face picture');
      if ((await analyseImage(models, image, { embed: 'none' })).faces.length > 0) withFace.push({ bytes, image });
      if (withFace.length === 4) return { models, photo: withFace[0]!.bytes, frames: withFace.slice(1).map((x) => x.image) };
    }
  }
  io.err('face step not performed: no person with four usable pictures');
  await disposeFaceModels(models);
  return undefined;
}

async function run(io: Io, root: string, folder: string, started: number, logger: LineLogger, native: MrtdNative, face: DemoFace | undefined): Promise<number> {
  const steps = face ? 6 : 5;
  io.err(`1/${String(steps)} making a virtual passport (PACE ECDH-GM AES-128, CA ECDH, AA ECDSA, 20 KB portrait${face ? ' of a real face' : ''}) and rendering its data page`);
  const made = await makePassport(
    {
      outDir: folder, mrz: DEMO_MRZ, pkiDir: join(root, 'pki'), bac: true, dg2Format: 'ISO19794-5', dg2Bytes: 20000,
      ...(face ? { photo: face.photo } : {}),
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
  io.err(`2/${String(steps)} starting pcscd with the vpcd virtual reader, the simulated document reader and face camera`);
  await pcscd.start(stop.signal);
  const q = passport.config.quirks;
  const card = new VpcdCard({ chip: virtualChipOf(passport, native), host: platformPaths(process.env).vpcdHost, port: pcscd.vpcdPort, link: { latencyMs: q.apduLatencyMs, bitRateKbps: q.bitRateKbps }, logger });
  const reader = new PcscCardReader({ binding: loadPcscliteBinding(), readerName: new RegExp(`^${pcscd.readerName(0)}`), socketPath: pcscd.socketPath, logger });
  const camera = new SimulatedDocumentCamera({ resolutionDpi: DPI, logger });
  const faceCamera = new SimulatedCamera({ recording: { images: face ? [...face.frames] : [] }, fps: 15, loop: true, logger });
  try {
    await card.start(stop.signal);
    await reader.start(stop.signal);
    await camera.start(stop.signal);
    if (face) await faceCamera.start(stop.signal);
    io.err(`3/${String(steps)} the applicant lays the data page on "${camera.name}" and the passport on "${pcscd.readerName(0)}" (424 kbit/s, 10 ms per APDU)`);
    camera.place(dataPage(new Date(), face?.photo));
    await camera.waitForDocument({ timeoutMs: 5000 });
    const capture = await camera.capture({ illumination: ['white', 'uv', 'ir'], timeoutMs: 10000 });
    await card.insert({ timeoutMs: 10000 });
    await reader.waitForCard({ timeoutMs: 10000 });
    const trust = await loadTrustStore(made.trust);
    let mrzStarted = 0;
    let mrzMs = 0;
    let chipMs = 0;
    let inspected: InspectionResult | undefined;
    const chip: ChipReader = async (mrz) => {
      mrzMs = Date.now() - mrzStarted;
      io.err(`5/${String(steps)} opening the chip with the MRZ read from the page; reading and verifying it`);
      const t0 = Date.now();
      const channel = await reader.connect();
      try {
        inspected = await inspectDocument(
          { card: channel, extendedLength: channel.extendedLength.supported, access: { mrz }, trust },
          { native, random: systemRandom, logger, now: () => new Date(), protocols: defaultProtocols() },
        );
        return inspected;
      } finally {
        await channel.disconnect();
        chipMs = Date.now() - t0;
      }
    };
    io.err(`4/${String(steps)} reading the MRZ from the page (OCR-B), checking the capture`);
    mrzStarted = Date.now();
    const result = await checkDocument(
      { white: capture.white, ...(capture.uv ? { uv: capture.uv } : {}), ...(capture.ir ? { ir: capture.ir } : {}), ...(capture.resolutionDpi !== undefined ? { resolutionDpi: capture.resolutionDpi } : {}) },
      chip,
      { now: () => new Date(), ...(face ? { portrait: printedPortraitComparer(face.models, CALIBRATION) } : {}) },
    );
    if (result.chip.performed) io.out(humanReport(result.chip.report));
    io.out(documentSummary(result));
    io.out(`MRZ read in ${String(mrzMs)} ms; chip read and verified in ${String(chipMs)} ms`);
    let level = result.identity;
    let faceLine = 'face 1:1: not performed';
    if (face) {
      io.err(`6/${String(steps)} the applicant looks at the face camera; three frames against the chip's portrait`);
      const t0 = Date.now();
      const frames: Image[] = [];
      for (let i = 0; i < 3; i++) frames.push((await faceCamera.grab({ timeoutMs: 5000 })).image);
      const oneToOne = await compareWithChip(face.models, frames, inspected?.files.get('DG2'), { calibration: CALIBRATION, now: () => new Date() });
      level = assessIdentity([...result.evidence, oneToOne.evidence], RULES_V1, () => new Date());
      const v = oneToOne.evidence.values;
      faceLine = `face 1:1: ${oneToOne.evidence.result}${v ? ` (score ${v.score.toFixed(4)}, threshold ${v.threshold.toFixed(4)} at FMR ${String(v.fmr)})` : ''} in ${String(Date.now() - t0)} ms`;
    }
    io.out(`${faceLine}\nidentity confidence after the face: ${level.level}`);
    await writeFile(join(root, 'report.json'), JSON.stringify({ document: result, identity: level }, null, 2) + '\n');
    io.out(`report: ${join(root, 'report.json')}\npassport folder: ${folder}\ntrust store: ${made.trust}\ndemo took ${String(Date.now() - started)} ms`);
    const expected = face ? 'confirmed' : 'supported';
    return result.chip.performed && result.chip.report.verdict === 'genuine' && level.level === expected ? 0 : 1;
  } finally {
    stop.abort();
    await faceCamera.stop();
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
