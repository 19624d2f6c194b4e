// 1:1 against the chip: the best live frames against the chip's DG2 portrait, fused into one
// score and judged at the calibrated threshold for the deployment's false-match rate, ending
// in a FaceComparisonEvidence for the identity confidence (src/visit). Every way it can fail
// says so: no chip portrait or one that does not decode (REFERENCE_UNAVAILABLE), no face in
// the portrait or in any frame (NOT_CAPTURED), a score below the threshold (NO_MATCH).
import type { Image } from '../document/image.js';
import type { FaceComparisonEvidence } from '../visit/evidence.js';
import { operatingPoint, type Calibration } from './calibration.js';
import { decodeDg2Photo } from './chip-photo.js';
import { cosine, decide, type Decision, type Fusion } from './compare.js';
import { analyseImage, type FaceModels } from './pipeline.js';
import type { Embedding } from './types.js';

export const FACE_ENGINE_ID = 'face-pipeline/1';

export interface OneToOneOptions {
  readonly calibration: Calibration;
  /** The deployment's false-match rate (default 1e-3, the operating point ABC gates quote). */
  readonly fmr?: number;
  /** How many of the best-scoring frames are fused (default 2, mean of the top two). */
  readonly fusion?: Fusion;
  readonly now?: () => Date;
  readonly id?: string;
}

export interface OneToOneResult {
  readonly evidence: FaceComparisonEvidence;
  /** Present when the comparison ran. */
  readonly decision?: Decision;
  /** Per-frame scores, in frame order (undefined where a frame had no face). */
  readonly frameScores: readonly (number | undefined)[];
}

/** The chip portrait's embedding, or why there is none. */
export async function chipEmbedding(models: FaceModels, dg2: Uint8Array | undefined): Promise<{ embedding: Embedding } | { code: 'REFERENCE_UNAVAILABLE' | 'NOT_CAPTURED'; detail: string }> {
  if (!dg2) return { code: 'REFERENCE_UNAVAILABLE', detail: 'no DG2 read' };
  let photo: Image;
  try {
    photo = (await decodeDg2Photo(dg2)).image;
  } catch (e) {
    return { code: 'REFERENCE_UNAVAILABLE', detail: e instanceof Error ? e.message : 'DG2 portrait does not decode' };
  }
  const a = await analyseImage(models, photo);
  const e = a.faces[0]?.embedding;
  return e ? { embedding: e } : { code: 'NOT_CAPTURED', detail: 'no face found in the chip portrait' };
}

export async function compareWithChip(models: FaceModels, frames: readonly Image[], dg2: Uint8Array | undefined, o: OneToOneOptions): Promise<OneToOneResult> {
  const point = operatingPoint(o.calibration, o.fmr ?? 1e-3);
  const base = { id: o.id ?? 'face.1to1', kind: 'face-1to1', source: 'face-engine', reference: 'chip-dg2', engine: FACE_ENGINE_ID, ...(o.now ? { at: o.now().toISOString() } : {}) } as const;
  const ref = await chipEmbedding(models, dg2);
  if ('code' in ref) return { evidence: { ...base, result: 'not-performed', code: ref.code }, frameScores: [] };
  const frameScores: (number | undefined)[] = [];
  for (const f of frames) {
    const e = (await analyseImage(models, f)).faces[0]?.embedding;
    frameScores.push(e ? cosine(e, ref.embedding) : undefined);
  }
  const scored = frameScores.filter((s): s is number => s !== undefined);
  if (scored.length === 0) return { evidence: { ...base, result: 'not-performed', code: 'NOT_CAPTURED', attempts: frames.length }, frameScores };
  const d = decide(scored, point, o.fusion ?? 'mean-top2');
  const values = { score: d.score, threshold: d.threshold, fmr: d.fmr };
  return {
    evidence: d.match ? { ...base, result: 'pass', values, attempts: frames.length } : { ...base, result: 'fail', code: 'NO_MATCH', values, attempts: frames.length },
    decision: d,
    frameScores,
  };
}
