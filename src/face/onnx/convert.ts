// Build-time conversion of face-api's weights into ONNX models plus descriptors
// (scripts/convert-face-models.ts calls this). Idempotent: a model is rewritten only when its
// source weights or this converter changed (a stamp of both is kept in the descriptor).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, ParseError } from '../../errors.js';
import { DESCRIPTOR_FORMAT, parseDescriptor, type ModelDescriptor } from '../models/descriptor.js';
import {
  buildLandmarkNet, buildRecognitionNet, buildTinyFaceDetector, LANDMARK_INPUT, RECOGNITION_INPUT, TINY_ANCHORS, TINY_DETECTOR_INPUT, TINY_MEAN_RGB,
} from './faceapi-nets.js';
import { buildSsdMobilenetV1, SSD_INPUT } from './faceapi-ssd.js';
import type { GraphBuilder } from './graph.js';
import { readTfjsWeights, WeightSet, type WeightTensor } from './tfjs-weights.js';

/** Bump when the graphs this module writes change, so existing outputs are rebuilt. */
export const CONVERTER_VERSION = 1;

const SOURCE = '@vladmandic/face-api (MIT, https://github.com/vladmandic/face-api), weights from its npm package model/ directory';
const LICENCE = 'MIT';
/** faceRecognitionNet / faceFeatureExtractor meanRgb. */
const FACE_MEAN_RGB: readonly [number, number, number] = [122.782, 117.001, 104.298];
const INV255: readonly [number, number, number] = [1 / 255, 1 / 255, 1 / 255];

/** Prior boxes of the 512×512 SSD: 32²·3 + (16² + 8² + 4² + 2² + 1²)·6. */
const SSD_PRIORS = 5118;

interface Job {
  readonly source: string;
  readonly out: FaceApiModel;
  readonly build: (ws: WeightSet) => GraphBuilder;
  readonly describe: (file: string, sha256: string) => ModelDescriptor;
}

const JOBS: readonly Job[] = [
  {
    source: 'face_recognition_model',
    out: 'face_recognition',
    build: buildRecognitionNet,
    describe: (file, sha256) => ({
      format: DESCRIPTOR_FORMAT, kind: 'embedding', name: 'faceapi-recognition', file, sha256,
      input: { name: 'input', shape: [1, 3, RECOGNITION_INPUT, RECOGNITION_INPUT], layout: 'NCHW', channels: 'RGB', mean: FACE_MEAN_RGB, scale: INV255, letterbox: 'pad-center' },
      outputs: [{ name: 'embedding', shape: [1, 128], meaning: 'face descriptor (dlib ResNet metric space, not normalised)' }],
      dim: 128, metric: 'euclidean', source: SOURCE, licence: LICENCE,
    }),
  },
  {
    source: 'face_landmark_68_model',
    out: 'face_landmark_68',
    build: buildLandmarkNet,
    describe: (file, sha256) => ({
      format: DESCRIPTOR_FORMAT, kind: 'landmarks', name: 'faceapi-landmark68', file, sha256,
      input: { name: 'input', shape: [1, 3, LANDMARK_INPUT, LANDMARK_INPUT], layout: 'NCHW', channels: 'RGB', mean: FACE_MEAN_RGB, scale: INV255, letterbox: 'pad-center' },
      outputs: [{ name: 'landmarks', shape: [1, 136], meaning: '68 points (iBUG 300-W order), x,y interleaved, relative to the letterboxed input square' }],
      points: 68, coordinates: 'relative', source: SOURCE, licence: LICENCE,
    }),
  },
  {
    source: 'tiny_face_detector_model',
    out: 'tiny_face_detector',
    build: (ws) => buildTinyFaceDetector(ws, TINY_DETECTOR_INPUT),
    describe: (file, sha256) => ({
      format: DESCRIPTOR_FORMAT, kind: 'detector', name: 'faceapi-tiny-face-detector', file, sha256,
      input: { name: 'input', shape: [1, 3, TINY_DETECTOR_INPUT, TINY_DETECTOR_INPUT], layout: 'NCHW', channels: 'RGB', mean: TINY_MEAN_RGB, scale: INV255, letterbox: 'pad-end' },
      outputs: [{ name: 'grid', shape: [1, TINY_ANCHORS.length * 5, TINY_DETECTOR_INPUT / 32, TINY_DETECTOR_INPUT / 32], meaning: 'YOLOv2 cells: channel = anchor·5 + (tx, ty, tw, th, objectness), logits' }],
      decoder: 'yolo2', anchors: TINY_ANCHORS, scoreThreshold: 0.5, iouThreshold: 0.4, source: SOURCE, licence: LICENCE,
    }),
  },
  {
    source: 'ssd_mobilenetv1_model',
    out: 'ssd_mobilenetv1',
    build: buildSsdMobilenetV1,
    describe: (file, sha256) => ({
      format: DESCRIPTOR_FORMAT, kind: 'detector', name: 'faceapi-ssd-mobilenetv1', file, sha256,
      input: { name: 'input', shape: [1, 3, SSD_INPUT, SSD_INPUT], layout: 'NCHW', channels: 'RGB', mean: [127.5, 127.5, 127.5], scale: [1 / 127.5, 1 / 127.5, 1 / 127.5], letterbox: 'pad-end' },
      outputs: [
        { name: 'boxes', shape: [1, SSD_PRIORS, 4], meaning: 'decoded boxes (ymin, xmin, ymax, xmax), relative to the letterboxed input square' },
        { name: 'scores', shape: [1, SSD_PRIORS], meaning: 'face probability per box' },
      ],
      // ssdMobilenetv1 defaults: minConfidence 0.5, maxResults 100, IoU 0.5.
      decoder: 'ssd', maxResults: 100, scoreThreshold: 0.5, iouThreshold: 0.5, source: SOURCE, licence: LICENCE,
    }),
  },
];

export type FaceApiModel = 'face_recognition' | 'face_landmark_68' | 'tiny_face_detector' | 'ssd_mobilenetv1';

/**
 * Converts one model's decoded weights to ONNX bytes and its descriptor. Weights that do not fit
 * the architecture (missing, wrong shape, inconsistent channel counts, left over) are a
 * ParseError naming the source model.
 */
export function convertModel(model: FaceApiModel, weights: ReadonlyMap<string, WeightTensor>): { onnx: Buffer; descriptor: ModelDescriptor } {
  const job = JOBS.find((j) => j.out === model);
  if (!job) throw new InvalidArgumentError('model', 'a face-api model name', model);
  const ws = new WeightSet(weights, job.source);
  let onnx: Buffer;
  const descriptor = job.describe(`${job.out}.onnx`, '0'.repeat(64));
  try {
    const g = job.build(ws);
    // The descriptor is written from constants; the graph's shapes come from the weights.
    const shapes = g.outputShapes();
    for (const o of descriptor.outputs) {
      if (shapes.get(o.name)?.join() !== o.shape.join()) throw new ParseError(job.source, `graph output ${o.name} does not have the shape [${o.shape.join(',')}]`);
    }
    onnx = g.build({
      producerName: 'identity-kiosk convert-face-models', producerVersion: String(CONVERTER_VERSION), metadata: { source: SOURCE, licence: LICENCE },
    });
  } catch (e) {
    // The builder's own shape checks fire when the weights' channel counts disagree with each other.
    if (e instanceof InvalidArgumentError) throw new ParseError(job.source, `weights do not fit the architecture (${e.message})`);
    throw e;
  }
  const unused = ws.unused();
  if (unused.length > 0) throw new ParseError(job.source, `${unused.length} weights were not used by the converter`);
  return { onnx, descriptor: { ...descriptor, sha256: createHash('sha256').update(onnx).digest('hex') } };
}

export interface ConvertResult {
  readonly model: string;
  readonly onnx: string;
  readonly descriptor: string;
  readonly skipped: boolean;
}

/**
 * Converts face-api's recognition, 68-landmark, tiny-detector and SSD MobileNet v1 weights found
 * in `sourceDir` (node_modules/@vladmandic/face-api/model) into `<outDir>/<model>.onnx` +
 * `<model>.json` (face_recognition, face_landmark_68, tiny_face_detector, ssd_mobilenetv1).
 */
export function convertFaceApiModels(sourceDir: string, outDir: string, opts: { force?: boolean } = {}): ConvertResult[] {
  mkdirSync(outDir, { recursive: true });
  return JOBS.map((job) => {
    const onnxPath = join(outDir, `${job.out}.onnx`);
    const descPath = join(outDir, `${job.out}.json`);
    const stamp = sourceStamp(sourceDir, job.source);
    if (opts.force !== true && upToDate(descPath, onnxPath, stamp)) return { model: job.out, onnx: onnxPath, descriptor: descPath, skipped: true };
    const { onnx, descriptor } = convertModel(job.out, readTfjsWeights(sourceDir, job.source));
    const desc = { ...descriptor, build: { converterVersion: CONVERTER_VERSION, sourceStamp: stamp } };
    writeAtomic(onnxPath, onnx);
    writeAtomic(descPath, Buffer.from(`${JSON.stringify(desc, null, 2)}\n`));
    return { model: job.out, onnx: onnxPath, descriptor: descPath, skipped: false };
  });
}

function sourceStamp(dir: string, model: string): string {
  const h = createHash('sha256').update(`converter ${CONVERTER_VERSION}\n`);
  const manifest = join(dir, `${model}-weights_manifest.json`);
  if (!existsSync(manifest)) throw new ParseError(`${model}-weights_manifest.json`, 'missing');
  const m = readFileSync(manifest);
  h.update(m);
  // The shard names come from the manifest; readTfjsWeights validates them before use, and a
  // stamp over unreadable shards simply never matches.
  for (const p of m.toString('utf8').match(/"[A-Za-z0-9._-]+\.bin"/g) ?? []) {
    const f = join(dir, p.slice(1, -1));
    if (existsSync(f)) h.update(readFileSync(f));
  }
  return h.digest('hex');
}

function upToDate(descPath: string, onnxPath: string, stamp: string): boolean {
  if (!existsSync(descPath) || !existsSync(onnxPath)) return false;
  try {
    const json = JSON.parse(readFileSync(descPath, 'utf8')) as unknown;
    const d = parseDescriptor(json, descPath);
    const b = (json as { build?: { sourceStamp?: unknown } }).build;
    return b?.sourceStamp === stamp && d.sha256 === createHash('sha256').update(readFileSync(onnxPath)).digest('hex');
  } catch {
    return false;
  }
}

function writeAtomic(path: string, data: Buffer): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
