// `kioskctl face compare|quality|search|enrol|card-photo`: the face engine on image files, for
// technicians and tests. Images are hostile: decoded with the chip-photo checks (format by
// signature, size from the header before decoding, truncation refused).
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CALIBRATION } from '../face/calibration-data.js';
import { operatingPoint } from '../face/calibration.js';
import { makeCardPhoto } from '../face/card-photo.js';
import { cosine, decide, normalise } from '../face/compare.js';
import { FaceGallery } from '../face/gallery.js';
import { findModelsDir } from '../face/models-dir.js';
import { decodePhoto, isFaceImageError } from '../face/photo-decode.js';
import { analyseImage, disposeFaceModels, loadFaceModels, type AnalysedFace, type FaceModels } from '../face/pipeline.js';
import { assessPortrait, CAPTURE_LIMITS, PORTRAIT_LIMITS } from '../face/quality/index.js';
import type { Image } from '../document/image.js';
import { EXIT_FAILED, EXIT_OK, json, UsageError, type Io } from './io.js';

async function readPhoto(path: string): Promise<Image> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new UsageError(`cannot read ${path}`);
  }
  try {
    return (await decodePhoto(bytes, { what: 'image' })).image;
  } catch (e) {
    if (isFaceImageError(e)) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
}

async function withModels<T>(fn: (m: FaceModels) => Promise<T>): Promise<T> {
  const models = await loadFaceModels(findModelsDir());
  try {
    return await fn(models);
  } finally {
    await disposeFaceModels(models);
  }
}

const fmrOf = (v: string | undefined): number => {
  const fmr = v === undefined ? 1e-4 : Number(v);
  if (!CALIBRATION.points.some((p) => p.fmr === fmr)) throw new UsageError(`--fmr must be one of ${CALIBRATION.points.map((p) => p.fmr).join(', ')}`);
  return fmr;
};

/** The one face of an image meant to hold one person; undefined with the reason otherwise. */
function single(faces: readonly AnalysedFace[]): { face: AnalysedFace } | { error: 'noFace' | 'severalFaces' } {
  if (faces.length === 0) return { error: 'noFace' };
  if (faces.length > 1) {
    // A second face much smaller than the first is a bystander or a printed face in the background.
    const [a, b] = faces;
    if (b && b.box.width > 0.5 * a!.box.width) return { error: 'severalFaces' };
  }
  return { face: faces[0]! };
}

export async function faceCompare(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false }, fmr: { type: 'string' } } });
  if (positionals.length !== 2) throw new UsageError('usage: kioskctl face compare A.jpg B.jpg [--fmr 0.001|0.0001] [--json]');
  const fmr = fmrOf(values.fmr);
  const [a, b] = [await readPhoto(positionals[0]!), await readPhoto(positionals[1]!)];
  const out = await withModels(async (m) => [await analyseImage(m, a), await analyseImage(m, b)]);
  const sides = out.map((x) => single(x.faces));
  const failed = sides.findIndex((s) => 'error' in s);
  if (failed >= 0) {
    const s = sides[failed] as { error: string };
    const result = { error: s.error, image: failed === 0 ? 'A' : 'B' };
    if (values.json) json(io, result);
    else io.out(`no comparison: image ${result.image}: ${result.error}`);
    return EXIT_FAILED;
  }
  const [ea, eb] = sides.map((s) => ('face' in s ? s.face.embedding : undefined));
  const point = operatingPoint(CALIBRATION, fmr);
  const d = decide([cosine(ea!, eb!)], point, 'max');
  const result = { score: d.score, match: d.match, threshold: d.threshold, fmr, basis: d.basis, impostorPairs: point.impostorPairs, fnmr: point.fnmr };
  if (values.json) json(io, result);
  else io.out(`${d.match ? 'match' : 'no match'}: score ${d.score.toFixed(4)}, threshold ${d.threshold.toFixed(4)} at FMR ${String(fmr)} (${d.basis}, ${String(point.impostorPairs)} impostor pairs)`);
  return d.match ? EXIT_OK : EXIT_FAILED;
}

export async function faceQuality(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false }, live: { type: 'boolean', default: false } } });
  if (positionals.length !== 1) throw new UsageError('usage: kioskctl face quality IMG [--live] [--json]');
  const image = await readPhoto(positionals[0]!);
  const a = await withModels((m) => analyseImage(m, image, { embed: 'none' }));
  const q = assessPortrait(image, a.faces, { limits: values.live ? CAPTURE_LIMITS : PORTRAIT_LIMITS });
  if (values.json) json(io, { compliant: q.compliant, checks: q.checks, ...(q.faceFound ? { failed: q.failed, pose: q.pose } : {}) });
  else {
    io.out([`compliant: ${String(q.compliant)}`, ...Object.entries(q.checks).map(([k, c]) => `  ${k}: ${c.ok ? 'ok' : 'FAIL'} ${c.value.toFixed(3)} (limit ${Array.isArray(c.limit) ? c.limit.join('–') : String(c.limit)})`)].join('\n'));
  }
  return q.compliant ? EXIT_OK : EXIT_FAILED;
}

function idOf(v: string | undefined): bigint {
  if (v === undefined || !/^\d{1,19}$/.test(v)) throw new UsageError('--id must be a decimal number below 2^63');
  return BigInt(v);
}

export async function faceEnrol(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { gallery: { type: 'string' }, id: { type: 'string' } } });
  if (positionals.length !== 1 || !values.gallery) throw new UsageError('usage: kioskctl face enrol --gallery FILE --id N IMG');
  const id = idOf(values.id);
  const image = await readPhoto(positionals[0]!);
  const a = await withModels((m) => analyseImage(m, image));
  const s = single(a.faces);
  if ('error' in s) {
    json(io, { error: s.error });
    return EXIT_FAILED;
  }
  const e = normalise(s.face.embedding!);
  const g = existsSync(values.gallery) ? await FaceGallery.open(values.gallery, { map: false }) : FaceGallery.create({ dim: e.length, dtype: 'f32', metric: 'ip' });
  try {
    if (g.has(id)) g.remove(id);
    g.add(id, e);
    await g.save(values.gallery);
    json(io, { gallery: values.gallery, id: String(id), size: g.size });
  } finally {
    g.close();
  }
  return EXIT_OK;
}

export async function faceSearch(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { gallery: { type: 'string' }, probe: { type: 'string' }, k: { type: 'string' }, fmr: { type: 'string' }, json: { type: 'boolean', default: false } } });
  if (!values.gallery || !values.probe) throw new UsageError('usage: kioskctl face search --gallery FILE --probe IMG [--k 5] [--fmr 0.001|0.0001] [--json]');
  const k = values.k === undefined ? 5 : Number(values.k);
  if (!Number.isInteger(k) || k < 1 || k > 1000) throw new UsageError('--k must be 1 to 1000');
  const fmr = fmrOf(values.fmr);
  const image = await readPhoto(values.probe);
  const a = await withModels((m) => analyseImage(m, image));
  const s = single(a.faces);
  if ('error' in s) {
    json(io, { error: s.error });
    return EXIT_FAILED;
  }
  let g: FaceGallery;
  try {
    g = await FaceGallery.open(values.gallery);
  } catch (e) {
    throw new UsageError(`${values.gallery}: ${e instanceof Error ? e.message : 'cannot open'}`);
  }
  try {
    const point = operatingPoint(CALIBRATION, fmr);
    const hits = await g.search(normalise(s.face.embedding!), Math.min(k, g.size));
    const matches = hits.map((h) => ({ id: String(h.id), score: h.score, match: h.score >= point.threshold }));
    if (values.json) json(io, { matches, threshold: point.threshold, fmr, gallerySize: g.size });
    else io.out(matches.map((m) => `${m.id}\t${m.score.toFixed(4)}${m.match ? '\tmatch' : ''}`).join('\n') || '(empty gallery)');
  } finally {
    g.close();
  }
  return EXIT_OK;
}

export async function faceCardPhoto(args: string[], io: Io): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length < 2) throw new UsageError('usage: kioskctl face card-photo OUT.jpg FRAME...');
  const frames: { image: Image; faces: AnalysedFace[] }[] = [];
  const images = await Promise.all(positionals.slice(1).map((p) => readPhoto(p)));
  await withModels(async (m) => {
    for (const image of images) frames.push({ image, faces: [...(await analyseImage(m, image, { embed: 'none' })).faces] });
  });
  const r = makeCardPhoto(frames);
  if (!r.ok) {
    json(io, { ok: false, reason: r.reason });
    return EXIT_FAILED;
  }
  await writeFile(positionals[0]!, r.jpeg);
  json(io, { ok: true, out: positionals[0], width: r.width, height: r.height, frameIndex: r.frameIndex, checks: r.checks });
  return EXIT_OK;
}
