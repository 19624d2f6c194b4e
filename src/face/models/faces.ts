// Running the three kinds of face model on an engine Image: detection (YOLOv2 decoding + NMS in
// TypeScript after the graph), 68 landmarks and the embedding. The box and landmark mappings
// back to image pixels follow face-api's (tinyYolov2/TinyYolov2Base.ts extractBoxes,
// faceLandmarkNet/FaceLandmark68NetBase.ts postProcess) so that converted models reproduce its
// results to well under a pixel.
import type { Image } from '../../document/image.js';
import type { Embedding, FaceBox, Landmarks68 } from '../types.js';
import type { EmbeddingDescriptor, LandmarksDescriptor, SsdDetectorDescriptor, Yolo2DetectorDescriptor } from './descriptor.js';
import { FaceModelError } from './errors.js';
import { prepareInput, type Letterbox, type Region } from './preprocess.js';
import type { FaceModel } from './session.js';

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

function expectKind<K extends 'detector' | 'landmarks' | 'embedding'>(m: FaceModel, kind: K): Extract<FaceModel['descriptor'], { kind: K }> {
  if (m.descriptor.kind !== kind) throw new FaceModelError('MODEL_MISMATCH', m.descriptor.name, `is a ${m.descriptor.kind} model, not ${kind}`);
  return m.descriptor as Extract<FaceModel['descriptor'], { kind: K }>;
}

function firstOutput(m: FaceModel, out: Map<string, Float32Array>): Float32Array {
  const name = m.descriptor.outputs[0]?.name ?? '';
  const v = out.get(name);
  if (!v) throw new FaceModelError('MODEL_MISMATCH', m.descriptor.name, `output ${name} missing`);
  return v;
}

export interface DetectOptions {
  /** Overrides the descriptor's threshold (0..1). */
  readonly scoreThreshold?: number;
  readonly iouThreshold?: number;
}

/** Detects faces in `img` (or in `region` of it); boxes in image pixels, best first. */
export async function detectFaces(m: FaceModel, img: Image, opts: DetectOptions = {}, region?: Region): Promise<FaceBox[]> {
  const d = expectKind(m, 'detector');
  const { tensor, letterbox } = prepareInput(img, d.input, region);
  const out = await m.run(tensor);
  const scoreThreshold = opts.scoreThreshold ?? d.scoreThreshold;
  const iouThreshold = opts.iouThreshold ?? d.iouThreshold;
  if (d.decoder === 'ssd') {
    const boxes = out.get(d.outputs[0]?.name ?? '');
    const scores = out.get(d.outputs[1]?.name ?? '');
    if (!boxes || !scores) throw new FaceModelError('MODEL_MISMATCH', d.name, 'SSD outputs missing');
    return decodeSsd(boxes, scores, d, letterbox, scoreThreshold, iouThreshold);
  }
  const boxes = decodeYolo2(firstOutput(m, out), d, letterbox, scoreThreshold);
  return nonMaxSuppression(boxes, iouThreshold);
}

/** face-api maps boxes through the letterboxed image's rounded size (computeReshapedDimensions). */
function reshapedFactors(lb: Letterbox): [number, number] {
  const { region, scale } = lb;
  return [region.width / Math.round(region.width * scale), region.height / Math.round(region.height * scale)];
}

/**
 * SSD: candidates above the threshold, best first, each kept unless it overlaps a kept one by
 * more than `iouThreshold` (ssdMobilenetv1/nonMaxSuppression.ts); boxes clipped to the square
 * and mapped to image pixels.
 */
export function decodeSsd(boxes: Float32Array, scores: Float32Array, d: Pick<SsdDetectorDescriptor, 'maxResults' | 'name'>, lb: Letterbox, scoreThreshold: number, iouThreshold: number): FaceBox[] {
  const n = scores.length;
  if (boxes.length !== n * 4) throw new FaceModelError('MODEL_MISMATCH', d.name, 'SSD boxes and scores differ in count');
  const order: number[] = [];
  for (let i = 0; i < n; i++) if ((scores[i] ?? 0) > scoreThreshold) order.push(i);
  order.sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0));
  const rel = (i: number): FaceBox => {
    // (ymin, xmin, ymax, xmax), normalised so that min ≤ max.
    const [y0 = 0, x0 = 0, y1 = 0, x1 = 0] = boxes.subarray(i * 4, i * 4 + 4);
    const x = Math.min(x0, x1);
    const y = Math.min(y0, y1);
    return { x, y, width: Math.max(x0, x1) - x, height: Math.max(y0, y1) - y, score: scores[i] ?? 0 };
  };
  const kept: number[] = [];
  const limit = Math.min(d.maxResults, n);
  for (const i of order) {
    if (kept.length >= limit) break;
    const bi = rel(i);
    if (kept.every((k) => overlapOrEmpty(bi, rel(k)) <= iouThreshold)) kept.push(i);
  }
  const [fx, fy] = reshapedFactors(lb);
  return kept.map((i) => {
    const [y0 = 0, x0 = 0, y1 = 0, x1 = 0] = boxes.subarray(i * 4, i * 4 + 4);
    const top = Math.max(0, y0) * lb.inputHeight;
    const bottom = Math.min(1, y1) * lb.inputHeight;
    const left = Math.max(0, x0) * lb.inputWidth;
    const right = Math.min(1, x1) * lb.inputWidth;
    return {
      x: lb.region.x + (left - lb.padLeft * lb.scale) * fx,
      y: lb.region.y + (top - lb.padTop * lb.scale) * fy,
      width: (right - left) * fx,
      height: (bottom - top) * fy,
      score: scores[i] ?? 0,
    };
  });
}

/** IoU, 0 when either box is empty (so an empty box never suppresses another). */
function overlapOrEmpty(a: FaceBox, b: FaceBox): number {
  return a.width <= 0 || a.height <= 0 || b.width <= 0 || b.height <= 0 ? 0 : iou(a, b);
}

/**
 * YOLOv2 decoding: per cell and anchor, centre = (cell + σ(t)) / cells, size = anchor·e^t / cells,
 * score = σ(objectness), kept when above the threshold. Grid layout [1, anchors·5, rows, cols].
 */
export function decodeYolo2(grid: Float32Array, d: Pick<Yolo2DetectorDescriptor, 'anchors' | 'outputs' | 'name'>, lb: Letterbox, scoreThreshold: number): FaceBox[] {
  const shape = d.outputs[0]?.shape ?? [];
  const rows = shape[2] ?? 0;
  const cols = shape[3] ?? 0;
  const na = d.anchors.length;
  if (grid.length !== na * 5 * rows * cols) throw new FaceModelError('MODEL_MISMATCH', d.name, 'detector output size does not match its descriptor');
  const plane = rows * cols;
  const { region, scale } = lb;
  const [fx, fy] = reshapedFactors(lb);
  const out: FaceBox[] = [];
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      for (let a = 0; a < na; a++) {
        const at = (k: number): number => grid[(a * 5 + k) * plane + row * cols + col] ?? 0;
        const score = sigmoid(at(4));
        if (!(score > scoreThreshold)) continue;
        const [aw = 1, ah = 1] = d.anchors[a] ?? [];
        const cx = ((col + sigmoid(at(0))) / cols) * lb.inputWidth;
        const cy = ((row + sigmoid(at(1))) / rows) * lb.inputHeight;
        const w = ((Math.exp(at(2)) * aw) / cols) * lb.inputWidth;
        const h = ((Math.exp(at(3)) * ah) / rows) * lb.inputHeight;
        out.push({
          x: region.x + (cx - w / 2 - lb.padLeft * scale) * fx,
          y: region.y + (cy - h / 2 - lb.padTop * scale) * fy,
          width: w * fx,
          height: h * fy,
          score,
        });
      }
    }
  }
  return out;
}

export function iou(a: FaceBox, b: FaceBox): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = w * h;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy NMS: keep the best box, drop those overlapping it by more than `threshold`, repeat. */
export function nonMaxSuppression(boxes: readonly FaceBox[], threshold: number): FaceBox[] {
  // Stable ascending sort, taken from the end: equal scores keep face-api's order.
  let order = boxes.map((_, i) => i).sort((p, q) => (boxes[p]?.score ?? 0) - (boxes[q]?.score ?? 0));
  const keep: FaceBox[] = [];
  while (order.length > 0) {
    const best = boxes[order.pop() ?? 0];
    if (!best) break;
    keep.push(best);
    order = order.filter((i) => {
      const b = boxes[i];
      return b !== undefined && iou(best, b) <= threshold;
    });
  }
  return keep;
}

/** 68 landmarks of the face in `region` of `img`, in image pixels. */
export async function detectLandmarks(m: FaceModel, img: Image, region: Region): Promise<Landmarks68> {
  const d: LandmarksDescriptor = expectKind(m, 'landmarks');
  const { tensor, letterbox } = prepareInput(img, d.input, region);
  const raw = firstOutput(m, await m.run(tensor));
  return landmarksToImage(raw, letterbox);
}

/** Relative (0..1 of the input square) → image pixels; face-api centres the padding exactly (diff / 2). */
export function landmarksToImage(raw: Float32Array, lb: Letterbox): Landmarks68 {
  const { region, side } = lb;
  const centred = lb.mode === 'pad-center';
  const padX = centred ? (side - region.width) / 2 : 0;
  const padY = centred ? (side - region.height) / 2 : 0;
  const out = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    out[2 * i] = region.x + (raw[2 * i] ?? 0) * side - padX;
    out[2 * i + 1] = region.y + (raw[2 * i + 1] ?? 0) * side - padY;
  }
  return out;
}

/** The embedding of the face in `region` of `img` (an aligned crop, or a detection box). */
export async function computeEmbedding(m: FaceModel, img: Image, region?: Region): Promise<Embedding> {
  const d: EmbeddingDescriptor = expectKind(m, 'embedding');
  const { tensor } = prepareInput(img, d.input, region);
  return Float32Array.from(firstOutput(m, await m.run(tensor)));
}
