// Measures read off the 68 landmarks alone: eye centres and distance, eye and mouth opening,
// the head's extent (chin to crown), and validation of landmark arrays handed in by callers.
import { InvalidArgumentError } from '../../errors.js';
import { LANDMARK_COUNT, type Landmarks68, type Point } from '../types.js';
import { CROWN_FACTOR, LM } from './face-model.js';

/** Throws unless `lm` holds 68 finite points. */
export function checkLandmarks(lm: Landmarks68, what = 'landmarks'): Landmarks68 {
  if (!(lm instanceof Float32Array) || lm.length !== 2 * LANDMARK_COUNT) throw new InvalidArgumentError(what, `${2 * LANDMARK_COUNT} values`, lm.length);
  for (const v of lm) if (!Number.isFinite(v)) throw new InvalidArgumentError(what, 'finite coordinates', 'a non-finite value');
  return lm;
}

export const pt = (lm: Landmarks68, i: number): Point => ({ x: lm[2 * i] ?? 0, y: lm[2 * i + 1] ?? 0 });
export const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
export const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

function centroid(lm: Landmarks68, from: number, to: number): Point {
  let x = 0;
  let y = 0;
  for (let i = from; i <= to; i++) {
    x += lm[2 * i] ?? 0;
    y += lm[2 * i + 1] ?? 0;
  }
  const n = to - from + 1;
  return { x: x / n, y: y / n };
}

/** Centre of the eye on the image's left (points 36–41) and on its right (42–47). */
export function eyeCentres(lm: Landmarks68): { readonly a: Point; readonly b: Point } {
  return { a: centroid(lm, LM.eyeA[0], LM.eyeA[1]), b: centroid(lm, LM.eyeB[0], LM.eyeB[1]) };
}

/**
 * Inter-eye distance in pixels: between the eye centres, as ISO/IEC 39794-5 and ISO/IEC
 * 29794-5 measure it (the centres stand in for the pupils the standards name).
 */
export function interEyeDistance(lm: Landmarks68): number {
  const { a, b } = eyeCentres(lm);
  return dist(a, b);
}

/** Angle of the line from the left eye centre to the right one, degrees, clockwise positive. */
export function eyeLineAngleDeg(lm: Landmarks68): number {
  const { a, b } = eyeCentres(lm);
  return (Math.atan2(b.y - a.y, b.x - a.x) * 180) / Math.PI;
}

/**
 * Eye aspect ratio (Soukupová and Čech, "Real-Time Eye Blink Detection using Facial
 * Landmarks", CVWW 2016): the two lid-to-lid heights over twice the corner-to-corner width.
 * About 0.3 for an open eye, near 0 for a closed one, and independent of scale and roll.
 */
export function eyeAspectRatio(lm: Landmarks68, first: number): number {
  const p = (k: number): Point => pt(lm, first + k);
  const width = dist(p(0), p(3));
  if (width === 0) return 0;
  return (dist(p(1), p(5)) + dist(p(2), p(4))) / (2 * width);
}

/** Both eyes' aspect ratios, image-left eye first. */
export function eyeAspectRatios(lm: Landmarks68): readonly [number, number] {
  return [eyeAspectRatio(lm, LM.eyeA[0]), eyeAspectRatio(lm, LM.eyeB[0])];
}

/**
 * Mouth opening: the mean gap between the inner lips (61–67, 62–66, 63–65) over the inner
 * mouth's width (60–64). 0 for closed lips, ~0.5 for a 20 mm gap.
 */
export function mouthOpening(lm: Landmarks68): number {
  const width = dist(pt(lm, LM.innerMouthLeft), pt(lm, LM.innerMouthRight));
  if (width === 0) return 0;
  const gap = (dist(pt(lm, 61), pt(lm, 67)) + dist(pt(lm, 62), pt(lm, 66)) + dist(pt(lm, 63), pt(lm, 65))) / 3;
  return gap / width;
}

/**
 * Chin and estimated crown: the crown is not among the 68 points (hair hides it from any
 * landmark model), so it is placed on the line from the chin through the nasion, CROWN_FACTOR
 * times the chin–nasion distance from the chin (see CROWN_FACTOR for the anthropometry).
 */
export function chinAndCrown(lm: Landmarks68): { readonly chin: Point; readonly crown: Point; readonly height: number } {
  const chin = pt(lm, LM.chin);
  const nasion = pt(lm, LM.nasion);
  const crown = { x: chin.x + (nasion.x - chin.x) * CROWN_FACTOR, y: chin.y + (nasion.y - chin.y) * CROWN_FACTOR };
  return { chin, crown, height: dist(chin, crown) };
}

/** Axis-aligned bounds of the landmarks. */
export function landmarkBounds(lm: Landmarks68): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < LANDMARK_COUNT; i++) {
    const { x, y } = pt(lm, i);
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  return { minX, minY, maxX, maxY };
}

/** The face outline: the jaw (0–16) closed over the brows (26 back to 17). */
export function faceOutline(lm: Landmarks68): Point[] {
  const order: number[] = [];
  for (let i = 0; i <= 16; i++) order.push(i);
  for (let i = 26; i >= 17; i--) order.push(i);
  return order.map((i) => pt(lm, i));
}

/** Applies a 2×3 affine matrix [a b c; d e f] (row-major) to every landmark. */
export function transformLandmarks(lm: Landmarks68, m: readonly number[]): Landmarks68 {
  const out = new Float32Array(lm.length);
  const at = (i: number): number => m[i] ?? 0;
  for (let i = 0; i < lm.length; i += 2) {
    const x = lm[i] ?? 0;
    const y = lm[i + 1] ?? 0;
    out[i] = at(0) * x + at(1) * y + at(2);
    out[i + 1] = at(3) * x + at(4) * y + at(5);
  }
  return out;
}
