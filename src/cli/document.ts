// `kioskctl document mrz|check|render`: the MRZ read from a page image, the whole document
// check (page + chip + cross-checks + identity confidence), and the simulator's page maker.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../errors.js';
import { LineLogger } from '../log.js';
import { systemRandom } from '../mrtd/card.js';
import { loadPassportFolder, PassportFolderError } from '../mrtd/chip/folder.js';
import { ChipConfigError } from '../mrtd/chip/config.js';
import { defaultProtocols } from '../mrtd/inspection/default-protocols.js';
import { inspectDocument } from '../mrtd/inspection/inspect.js';
import { loadTrustStore } from '../mrtd/pki/trust-store.js';
import type { MrtdNative } from '../native/mrtd.js';
import { GUIDANCE_TEXTS_EN } from '../document/capture-guidance.js';
import { CALIBRATION } from '../face/calibration-data.js';
import { findModelsDir } from '../face/models-dir.js';
import { isFaceModelError } from '../face/models/errors.js';
import { disposeFaceModels, loadFaceModels, type FaceModels } from '../face/pipeline.js';
import { printedPortraitComparer } from '../face/printed-portrait.js';
import { checkDocument, type ChipReader, type DocumentCheckReport, type PageImages } from '../document/check.js';
import { decodeImage, encodePng, pngResolutionDpi, type Image } from '../document/image.js';
import { MrzReader, type MrzReadResult } from '../document/mrz-reader/read.js';
import { capturePage, DEFAULT_GLASS, randomCapture } from '../document/render/defects.js';
import { specimenFromMrz } from '../document/render/from-mrz.js';
import { irImage, uvImage, type Substrate } from '../document/render/illumination.js';
import { DEFAULT_DPI, renderDataPage } from '../document/render/page.js';
import { seededRng } from '../document/render/random.js';
import { randomSpecimen } from '../document/render/specimen.js';
import { openCardChannel, type CardSource } from './card-source.js';
import { EXIT_FAILED, EXIT_OK, json, UsageError, type Io } from './io.js';

/** An image file, with the resolution its PNG header records, if any. */
async function readImage(path: string, what: string): Promise<{ image: Image; dpi: number | undefined }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new UsageError(`cannot read ${what}`);
  }
  try {
    return { image: decodeImage(bytes, what), dpi: pngResolutionDpi(bytes) };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : `${what} does not decode`);
  }
}

const dpiOf = (v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 100 || n > 1200) throw new UsageError('--dpi must be 100 to 1200');
  return n;
};

/** The JSON of an MRZ read, in the shape the issue fixes plus what the reader knows beyond it. */
export function mrzJson(r: MrzReadResult): Record<string, unknown> {
  if (r.ok) {
    return { mrz: r.mrz, format: r.format, fields: r.fields, checkDigits: 'valid', confidence: r.confidence, corrections: r.corrections, characters: r.characters, engine: r.engine };
  }
  return {
    mrz: null,
    format: r.unverified?.format ?? null,
    checkDigits: r.checkDigits ?? null,
    confidence: r.unverified?.confidence ?? 0,
    error: r.code,
    guidance: r.guidance,
    detail: r.detail,
    engine: r.engine,
  };
}

export async function documentMrz(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false }, dpi: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('usage: kioskctl document mrz IMAGE [--dpi N] [--json]');
  const { image, dpi: recorded } = await readImage(positionals[0]!, 'the image');
  const dpi = dpiOf(values.dpi) ?? recorded;
  const r = new MrzReader(dpi !== undefined ? { dpi } : {}).read(image);
  if (values.json) json(io, mrzJson(r));
  else io.out(r.ok ? `${r.mrz}\n(${r.format}, check digits valid, confidence ${r.confidence.toFixed(3)})` : `no MRZ: ${r.code} (${r.detail}); guidance: ${r.guidance}`);
  // Like grep: 0 when a verified MRZ was read, 1 when the image was read but gave none.
  return r.ok ? EXIT_OK : EXIT_FAILED;
}

export async function documentCheck(args: string[], io: Io, native: MrtdNative): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      virtual: { type: 'string' },
      reader: { type: 'string' },
      trust: { type: 'string' },
      uv: { type: 'string' },
      ir: { type: 'string' },
      dpi: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError('usage: kioskctl document check IMAGE (--virtual DIR | --reader NAME | no chip) --trust DIR [--uv IMG] [--ir IMG] [--dpi N] [--json]');
  if (values.virtual !== undefined && values.reader !== undefined) throw new UsageError('give at most one of --virtual and --reader');
  if ((values.virtual !== undefined || values.reader !== undefined) && !values.trust) throw new UsageError('--trust DIR is required to read the chip');
  const white = await readImage(positionals[0]!, 'the image');
  const dpi = dpiOf(values.dpi) ?? white.dpi;
  const page: PageImages = {
    white: white.image,
    ...(values.uv !== undefined ? { uv: (await readImage(values.uv, 'the UV image')).image } : {}),
    ...(values.ir !== undefined ? { ir: (await readImage(values.ir, 'the IR image')).image } : {}),
    ...(dpi !== undefined ? { resolutionDpi: dpi } : {}),
  };
  const logger = new LineLogger({ level: 'warn' });
  let chip: ChipReader | undefined;
  if (values.virtual !== undefined || values.reader !== undefined) {
    let trust;
    try {
      trust = await loadTrustStore(values.trust!, { ecdsaVerifyExplicit: (c, q, d, r, s) => native.ecdsaVerify(c, q, d, r, s) });
    } catch {
      throw new UsageError('cannot read the trust folder');
    }
    let source: CardSource;
    try {
      source = values.virtual !== undefined ? { kind: 'virtual', passport: await loadPassportFolder(values.virtual) } : { kind: 'pcsc', readerName: values.reader! };
    } catch (e) {
      if (e instanceof PassportFolderError || e instanceof ChipConfigError) throw new UsageError(e.message);
      throw e;
    }
    chip = async (mrz) => {
      const channel = await openCardChannel(source, { native, logger });
      try {
        return await inspectDocument(
          { card: channel.card, extendedLength: channel.extendedLength, access: { mrz }, trust },
          { native, random: systemRandom, logger, now: () => new Date(), protocols: defaultProtocols() },
        );
      } finally {
        await channel.close();
      }
    };
  }
  // The printed portrait against DG2 needs the face engine; without its models the check says
  // "not performed".
  let models: FaceModels | undefined;
  try {
    models = await loadFaceModels(findModelsDir());
  } catch (e) {
    if (!isFaceModelError(e)) throw e;
  }
  let report: DocumentCheckReport;
  try {
    report = await checkDocument(page, chip, { now: () => new Date(), ...(models ? { portrait: printedPortraitComparer(models, CALIBRATION) } : {}) });
  } finally {
    if (models) await disposeFaceModels(models);
  }
  if (values.json) json(io, { ...report, mrz: mrzJson(report.mrz) });
  else {
    io.out(documentSummary(report));
  }
  return EXIT_OK;
}

/** The document check in a few lines for a person: no MRZ text, names or dates in it. */
export function documentSummary(report: DocumentCheckReport): string {
  return [
    `identity confidence: ${report.identity.level}`,
    `page: ${report.capture.presence}`,
    ...(report.guidance.length ? [`guidance: ${report.guidance.map((g) => GUIDANCE_TEXTS_EN[g]).join(' ')}`] : []),
    `MRZ: ${report.mrz.ok ? `read, ${report.mrz.format}, confidence ${report.mrz.confidence.toFixed(3)}` : `${report.mrz.code} (${report.mrz.guidance})`}`,
    `chip: ${report.chip.performed ? `${report.chip.report.verdict} (${report.chip.report.access.protocol})` : `not read — ${report.chip.reason}`}`,
    ...report.checks.map((c) => `  ${c.id}: ${c.result}${c.code ? ` [${c.code}]` : ''}${c.detail ? ` — ${c.detail}` : ''}`),
    ...report.identity.riskIndicators.map((r) => `risk: ${r.code} (${r.severity})`),
    ...report.identity.reasons.filter((r) => r.decisive).map((r) => `reason: ${r.ruleId} ${r.reason}`),
  ].join('\n');
}

export async function documentRender(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      mrz: { type: 'string' },
      format: { type: 'string' },
      seed: { type: 'string' },
      dpi: { type: 'string' },
      defects: { type: 'string' },
      substrate: { type: 'string' },
      uv: { type: 'string' },
      ir: { type: 'string' },
      portrait: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('usage: kioskctl document render OUT.png [--mrz TEXT | --format td1|td2|td3] [--portrait PHOTO] [--seed N] [--dpi N] [--defects none|random] [--uv OUT.png] [--ir OUT.png] [--substrate genuine|photocopy|ir-transparent-mrz]');
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError('--seed must be an integer');
  const format = (values.format ?? 'td3').toUpperCase();
  if (format !== 'TD1' && format !== 'TD2' && format !== 'TD3') throw new UsageError('--format must be td1, td2 or td3');
  const defects = values.defects ?? 'none';
  if (defects !== 'none' && defects !== 'random') throw new UsageError('--defects must be none or random');
  const substrate = (values.substrate ?? 'genuine') as Substrate;
  if (!['genuine', 'photocopy', 'ir-transparent-mrz'].includes(substrate)) throw new UsageError('--substrate must be genuine, photocopy or ir-transparent-mrz');
  const dpi = dpiOf(values.dpi) ?? DEFAULT_DPI;
  const rng = seededRng(seed);
  let spec;
  try {
    spec = values.mrz !== undefined ? specimenFromMrz(values.mrz, new Date()) : randomSpecimen(rng, format);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : 'bad --mrz');
  }
  let portrait: Buffer | undefined;
  if (values.portrait !== undefined) {
    try {
      portrait = await readFile(values.portrait);
    } catch {
      throw new UsageError('cannot read --portrait');
    }
  }
  let page;
  try {
    page = renderDataPage(portrait ? { ...spec, portrait } : spec, rng, { dpi });
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw new UsageError(e.message);
    throw e;
  }
  const glass = { ...DEFAULT_GLASS, dpi };
  const capture = defects === 'random' ? randomCapture(page, rng, glass) : capturePage(page, { dxMm: 0, dyMm: 0, rotationDeg: 0, corners: [{ x: 0, y: 0 }, { x: 0, y: 0 }, { x: 0, y: 0 }, { x: 0, y: 0 }] }, {}, rng, glass);
  await writeFile(positionals[0]!, encodePng(capture.image, { dpi }));
  if (values.uv !== undefined) await writeFile(values.uv, encodePng(uvImage(capture, substrate), { dpi }));
  if (values.ir !== undefined) await writeFile(values.ir, encodePng(irImage(capture, substrate), { dpi }));
  json(io, { image: positionals[0], dpi, format: spec.format, ...(values.mrz === undefined ? { mrz: spec.mrz } : {}) });
  return EXIT_OK;
}
