// The small JSON file that travels with every face model (`<model>.json` next to `<model>.onnx`).
// It says how to feed the model and read its outputs, so any ONNX detector, landmark or
// embedding model with such a descriptor drops in without code changes. Descriptors are read
// from disk and so are validated like any other file.
import { ParseError } from '../../errors.js';

export const DESCRIPTOR_FORMAT = 'kiosk-face-model/1';

export type ModelKind = 'detector' | 'landmarks' | 'embedding';

export interface InputSpec {
  readonly name: string;
  /** Static NCHW or NHWC shape with batch 1. */
  readonly shape: readonly number[];
  readonly layout: 'NCHW' | 'NHWC';
  readonly channels: 'RGB' | 'BGR';
  /** Per channel, in `channels` order: value = (pixel − mean) · scale. */
  readonly mean: readonly [number, number, number];
  readonly scale: readonly [number, number, number];
  /**
   * How a non-square image is made square before the bilinear resize: zero padding at the
   * bottom/right ('pad-end') or split evenly with the odd pixel before ('pad-center').
   */
  readonly letterbox: 'pad-end' | 'pad-center';
}

export interface OutputSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly meaning: string;
}

interface Common {
  readonly format: typeof DESCRIPTOR_FORMAT;
  readonly name: string;
  /** The .onnx file, relative to the descriptor's directory (a plain file name). */
  readonly file: string;
  readonly sha256?: string;
  readonly input: InputSpec;
  readonly outputs: readonly OutputSpec[];
  readonly source: string;
  readonly licence: string;
}

interface DetectorCommon extends Common {
  readonly kind: 'detector';
  readonly scoreThreshold: number;
  readonly iouThreshold: number;
}

/** YOLOv2 head: output [1, anchors·5, rows, cols], per anchor (tx, ty, tw, th, objectness) logits. */
export interface Yolo2DetectorDescriptor extends DetectorCommon {
  readonly decoder: 'yolo2';
  /** Anchor [width, height] in grid cells. */
  readonly anchors: readonly (readonly [number, number])[];
}

/** SSD with decoding in the graph: outputs boxes [1,N,4] (ymin, xmin, ymax, xmax, relative) and scores [1,N]. */
export interface SsdDetectorDescriptor extends DetectorCommon {
  readonly decoder: 'ssd';
  readonly maxResults: number;
}

export type DetectorDescriptor = Yolo2DetectorDescriptor | SsdDetectorDescriptor;

export interface LandmarksDescriptor extends Common {
  readonly kind: 'landmarks';
  readonly points: 68;
  /** 'relative': (x, y) in 0..1 of the letterboxed square input. */
  readonly coordinates: 'relative';
}

export interface EmbeddingDescriptor extends Common {
  readonly kind: 'embedding';
  readonly dim: number;
  /** The comparison the model was trained for; face-api's dlib net uses euclidean distance 0.6. */
  readonly metric: 'euclidean' | 'cosine';
}

export type ModelDescriptor = DetectorDescriptor | LandmarksDescriptor | EmbeddingDescriptor;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Validates a parsed descriptor JSON value. `what` names the file in errors. */
export function parseDescriptor(json: unknown, what = 'model descriptor'): ModelDescriptor {
  const f = (cond: boolean, detail: string): void => {
    if (!cond) throw new ParseError(what, detail);
  };
  f(isRecord(json), 'not an object');
  const d = json as Record<string, unknown>;
  f(d.format === DESCRIPTOR_FORMAT, `format is not ${DESCRIPTOR_FORMAT}`);
  f(typeof d.name === 'string' && d.name.length > 0 && d.name.length <= 100, 'name is not a short string');
  f(typeof d.file === 'string' && /^[A-Za-z0-9._-]{1,200}\.onnx$/.test(d.file), 'file is not a plain .onnx file name');
  f(d.sha256 === undefined || (typeof d.sha256 === 'string' && /^[0-9a-f]{64}$/.test(d.sha256)), 'sha256 is not 64 hex digits');
  f(typeof d.source === 'string' && typeof d.licence === 'string', 'source and licence must be strings');
  const input = d.input;
  f(isRecord(input), 'input is not an object');
  const i = input as Record<string, unknown>;
  f(typeof i.name === 'string' && i.name.length > 0, 'input.name is not a string');
  f(i.layout === 'NCHW' || i.layout === 'NHWC', 'input.layout is not NCHW or NHWC');
  f(i.channels === 'RGB' || i.channels === 'BGR', 'input.channels is not RGB or BGR');
  f(i.letterbox === 'pad-end' || i.letterbox === 'pad-center', 'input.letterbox is not pad-end or pad-center');
  f(Array.isArray(i.mean) && i.mean.length === 3 && i.mean.every(isNum), 'input.mean is not three numbers');
  f(Array.isArray(i.scale) && i.scale.length === 3 && i.scale.every(isNum), 'input.scale is not three numbers');
  f(Array.isArray(i.shape) && i.shape.length === 4 && i.shape.every((n) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 4096), 'input.shape is not four positive integers');
  const shape = i.shape as number[];
  const [b, c] = i.layout === 'NCHW' ? [shape[0], shape[1]] : [shape[0], shape[3]];
  f(b === 1 && c === 3, 'input.shape is not batch 1 with 3 channels');
  f(Array.isArray(d.outputs) && d.outputs.length >= 1 && d.outputs.length <= 16, 'outputs is not a short non-empty array');
  for (const o of d.outputs as unknown[]) {
    f(isRecord(o) && typeof o.name === 'string' && typeof o.meaning === 'string' && Array.isArray(o.shape) && o.shape.every((n) => Number.isInteger(n) && (n as number) >= 1), 'an output is not {name, shape, meaning}');
  }
  const outputs = d.outputs as OutputSpec[];
  const count = (s: readonly number[]): number => s.reduce((a, v) => a * v, 1);
  switch (d.kind) {
    case 'detector': {
      f(isNum(d.scoreThreshold) && d.scoreThreshold > 0 && d.scoreThreshold < 1, 'scoreThreshold is not in (0, 1)');
      f(isNum(d.iouThreshold) && d.iouThreshold > 0 && d.iouThreshold <= 1, 'iouThreshold is not in (0, 1]');
      if (d.decoder === 'ssd') {
        f(Number.isInteger(d.maxResults) && (d.maxResults as number) >= 1 && (d.maxResults as number) <= 1000, 'maxResults is not an integer in 1..1000');
        const b = outputs[0]?.shape ?? [];
        const sc = outputs[1]?.shape ?? [];
        f(b.length === 3 && b[2] === 4 && sc.length === 2 && sc[1] === b[1], 'outputs are not boxes [1,N,4] and scores [1,N]');
        break;
      }
      f(d.decoder === 'yolo2', 'decoder is not yolo2 or ssd');
      f(Array.isArray(d.anchors) && d.anchors.length >= 1 && d.anchors.length <= 64 && d.anchors.every((a) => Array.isArray(a) && a.length === 2 && a.every((v) => isNum(v) && v > 0)), 'anchors is not a list of positive [w, h]');
      const g = outputs[0]?.shape ?? [];
      f(g.length === 4 && g[1] === (d.anchors as unknown[]).length * 5, 'the first output is not [1, anchors·5, rows, cols]');
      break;
    }
    case 'landmarks':
      f(d.points === 68 && d.coordinates === 'relative', 'points must be 68 with relative coordinates');
      f(count(outputs[0]?.shape ?? []) === 136, 'the first output does not hold 136 values');
      break;
    case 'embedding':
      f(Number.isInteger(d.dim) && (d.dim as number) >= 16 && (d.dim as number) <= 4096, 'dim is not an integer in 16..4096');
      f(d.metric === 'euclidean' || d.metric === 'cosine', 'metric is not euclidean or cosine');
      f(count(outputs[0]?.shape ?? []) === d.dim, 'the first output does not hold dim values');
      break;
    default:
      f(false, 'kind is not detector, landmarks or embedding');
  }
  return d as unknown as ModelDescriptor;
}
