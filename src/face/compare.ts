// 1:1 comparison: face embeddings scored by cosine similarity, several live frames fused into
// one score, and the decision taken at a threshold that was chosen from measured impostor
// scores at a stated false-match rate. A threshold always travels with the FMR it was chosen
// for and how many impostor comparisons it rests on, because an FMR of 1e-4 cannot be shown
// with fewer than some 10^4 impostor pairs: below that, the figure is marked as an upper bound
// from the data that exists, never presented as measured.
import { InvalidArgumentError } from '../errors.js';
import type { Embedding } from './types.js';

export function cosine(a: Embedding, b: Embedding): number {
  if (a.length !== b.length || a.length === 0) throw new InvalidArgumentError('embedding', `two embeddings of one length`, `${a.length} and ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (!(na > 0 && nb > 0) || !Number.isFinite(dot)) throw new InvalidArgumentError('embedding', 'finite, non-zero vectors', 'a zero or non-finite one');
  return dot / Math.sqrt(na * nb);
}

/** Unit-length copy (for the matcher's inner product). */
export function normalise(e: Embedding): Embedding {
  let n = 0;
  for (const v of e) n += v * v;
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('embedding', 'finite, non-zero vector', 'a zero or non-finite one');
  const s = 1 / Math.sqrt(n);
  return Float32Array.from(e, (v) => v * s);
}

export interface Threshold {
  /** Scores at or above this are a match. */
  readonly threshold: number;
  /** The false-match rate the threshold was chosen for. */
  readonly fmr: number;
  /** Impostor comparisons it was chosen from. */
  readonly impostorPairs: number;
  /**
   * `measured`: at least 1/fmr impostor pairs, the threshold is the empirical quantile;
   * `bound`: fewer, so the threshold is set just above the highest impostor score seen, and
   * the FMR it gives is only known to be below about 3 / impostorPairs (rule of three, 95 %).
   */
  readonly basis: 'measured' | 'bound';
  /** The impostor share at or above the threshold in the calibration data. */
  readonly observedFmr: number;
}

/** The lowest threshold at which at most `fmr` of the impostor scores match. */
export function thresholdAtFmr(impostorScores: readonly number[], fmr: number): Threshold {
  if (!(fmr > 0 && fmr < 1)) throw new InvalidArgumentError('fmr', 'between 0 and 1', fmr);
  const n = impostorScores.length;
  if (n < 10) throw new InvalidArgumentError('impostorScores', 'at least 10 impostor comparisons', n);
  for (const s of impostorScores) if (!Number.isFinite(s)) throw new InvalidArgumentError('impostorScores', 'finite scores', 'a non-finite one');
  const desc = [...impostorScores].sort((a, b) => b - a);
  const allowed = Math.floor(n * fmr);
  // Just above the (allowed+1)-th highest impostor score: `allowed` impostors still match.
  const pivot = desc[allowed]!;
  const threshold = nextUp(pivot);
  const observed = desc.filter((s) => s >= threshold).length / n;
  return { threshold, fmr, impostorPairs: n, basis: n * fmr >= 1 ? 'measured' : 'bound', observedFmr: observed };
}

/** The smallest double above x (so that a score equal to an impostor's does not match). */
function nextUp(x: number): number {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  const bits = b.getBigUint64(0);
  if (x === 0) return Number.MIN_VALUE;
  b.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return b.getFloat64(0);
}

/** False non-match rate of genuine scores at a threshold. */
export function fnmrAt(genuineScores: readonly number[], threshold: number): number {
  if (genuineScores.length === 0) throw new InvalidArgumentError('genuineScores', 'at least one genuine comparison', 0);
  return genuineScores.filter((s) => s < threshold).length / genuineScores.length;
}

export type Fusion = 'max' | 'mean-top2';

/**
 * One score from several live frames against the same reference: `max` (the best frame; the
 * frames are of one person, so the best view speaks for them) or `mean-top2` (steadier
 * against a single lucky frame).
 */
export function fuseScores(scores: readonly number[], how: Fusion = 'mean-top2'): number {
  if (scores.length === 0) throw new InvalidArgumentError('scores', 'at least one frame score', 0);
  const desc = [...scores].sort((a, b) => b - a);
  if (how === 'max' || desc.length === 1) return desc[0]!;
  return (desc[0]! + desc[1]!) / 2;
}

export interface Decision {
  readonly score: number;
  readonly match: boolean;
  readonly threshold: number;
  readonly fmr: number;
  readonly basis: Threshold['basis'];
  readonly frames: number;
}

export function decide(frameScores: readonly number[], t: Threshold, how: Fusion = 'mean-top2'): Decision {
  const score = fuseScores(frameScores, how);
  return { score, match: score >= t.threshold, threshold: t.threshold, fmr: t.fmr, basis: t.basis, frames: frameScores.length };
}
