// Choosing the 1:1 thresholds from measured scores. Labelled face sets give genuine pairs
// (two images of one person) and impostor pairs (images of two people); the threshold for a
// false-match rate comes from the impostor scores (./compare.ts thresholdAtFmr), and the
// false non-match rate at it from the genuine scores. The result is data with its provenance
// (which model, which set, how many pairs), committed as ./calibration-data.ts by
// scripts/calibrate-face.ts and re-measured by a test.
import { InvalidArgumentError } from '../errors.js';
import { cosine, fnmrAt, thresholdAtFmr, type Threshold } from './compare.js';
import type { Embedding } from './types.js';

export interface LabelledEmbedding {
  /** Who it is; embeddings with the same identity form genuine pairs. */
  readonly identity: string;
  readonly embedding: Embedding;
}

export interface Scores {
  readonly genuine: number[];
  readonly impostor: number[];
}

export function pairScores(items: readonly LabelledEmbedding[]): Scores {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const s = cosine(items[i]!.embedding, items[j]!.embedding);
      (items[i]!.identity === items[j]!.identity ? genuine : impostor).push(s);
    }
  }
  return { genuine, impostor };
}

export interface OperatingPoint extends Threshold {
  /** Genuine pairs below the threshold, over all genuine pairs. */
  readonly fnmr: number;
}

export interface Calibration {
  readonly version: 1;
  /** The embedding model's descriptor name and its .onnx sha256: thresholds belong to one model. */
  readonly model: { readonly name: string; readonly sha256: string };
  /** What the scores were measured on. */
  readonly dataset: string;
  readonly genuinePairs: number;
  readonly impostorPairs: number;
  readonly points: readonly OperatingPoint[];
}

export const CALIBRATED_FMRS = [1e-3, 1e-4] as const;

export function calibrate(scores: Scores, model: Calibration['model'], dataset: string): Calibration {
  if (scores.genuine.length === 0) throw new InvalidArgumentError('scores', 'at least one genuine pair', 0);
  const points = CALIBRATED_FMRS.map((fmr) => {
    const t = thresholdAtFmr(scores.impostor, fmr);
    return { ...t, fnmr: fnmrAt(scores.genuine, t.threshold) };
  });
  return { version: 1, model, dataset, genuinePairs: scores.genuine.length, impostorPairs: scores.impostor.length, points };
}

/** The operating point for an FMR, from a calibration; a typed error when it has none. */
export function operatingPoint(c: Calibration, fmr: number): OperatingPoint {
  const p = c.points.find((x) => x.fmr === fmr);
  if (!p) throw new InvalidArgumentError('fmr', `one of ${c.points.map((x) => x.fmr).join(', ')}`, fmr);
  return p;
}
