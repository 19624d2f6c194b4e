// Alignment: from a face's 68 landmarks to the square crop the recogniser reads. The crop is
// defined by the landmarks alone (no template of a mean face): a square around all 68 points,
// grown by `padding` on every side, rotated so that the eye centres lie level, and scaled to
// `size` × `size`. One similarity transform (rotation, uniform scale, translation) does it, so
// the face is never sheared, and warping the image once keeps a single interpolation.
import { InvalidArgumentError } from '../errors.js';
import { fromMat, toMat, type Image } from '../document/image.js';
import { opencv } from '../native/opencv.js';
import { LANDMARK_COUNT, type Landmarks68, type Point } from './types.js';

/** Row-major 2 × 3 affine matrix [a, b, tx, c, d, ty]: x' = a x + b y + tx, y' = c x + d y + ty. */
export type Affine = readonly [number, number, number, number, number, number];

export interface ChipOptions {
  /** Side of the square crop, px (the recogniser's input; 150 for the dlib-style ResNet). */
  readonly size: number;
  /** Margin around the landmarks' square, as a share of its side, on every side. */
  readonly padding: number;
}

/** Eye centres: the means of points 36–41 (the subject's right eye) and 42–47 (left). */
export function eyeCentres(lm: Landmarks68): { right: Point; left: Point } {
  checkLandmarks(lm);
  const mean = (from: number): Point => {
    let x = 0;
    let y = 0;
    for (let i = from; i < from + 6; i++) {
      x += lm[2 * i]! / 6;
      y += lm[2 * i + 1]! / 6;
    }
    return { x, y };
  };
  return { right: mean(36), left: mean(42) };
}

export function checkLandmarks(lm: Landmarks68): void {
  if (!(lm instanceof Float32Array) || lm.length !== 2 * LANDMARK_COUNT) throw new InvalidArgumentError('landmarks', `${2 * LANDMARK_COUNT} coordinates`, lm.length);
  for (const v of lm) if (!Number.isFinite(v)) throw new InvalidArgumentError('landmarks', 'finite coordinates', 'a non-finite value');
}

/**
 * The similarity transform from image pixels to the chip: the eye line becomes horizontal,
 * and the landmarks' square (side = the larger extent of the points measured along and across
 * the eye line, centred on their middle) plus padding fills the chip.
 */
export function chipTransform(lm: Landmarks68, o: ChipOptions): Affine {
  if (!(o.size >= 8 && o.size <= 1024)) throw new InvalidArgumentError('size', '8 to 1024 px', o.size);
  if (!(o.padding >= 0 && o.padding <= 1)) throw new InvalidArgumentError('padding', '0 to 1', o.padding);
  const { right, left } = eyeCentres(lm);
  const angle = Math.atan2(left.y - right.y, left.x - right.x);
  const cos = Math.cos(-angle);
  const sin = Math.sin(-angle);
  // Extent of the landmarks in the de-rotated frame.
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < LANDMARK_COUNT; i++) {
    const x = lm[2 * i]!;
    const y = lm[2 * i + 1]!;
    const u = cos * x - sin * y;
    const v = sin * x + cos * y;
    x0 = Math.min(x0, u);
    x1 = Math.max(x1, u);
    y0 = Math.min(y0, v);
    y1 = Math.max(y1, v);
  }
  const side = Math.max(x1 - x0, y1 - y0) * (1 + 2 * o.padding);
  if (!(side > 1)) throw new InvalidArgumentError('landmarks', 'a face larger than one pixel', 'collapsed points');
  const s = o.size / side;
  const cu = (x0 + x1) / 2;
  const cv = (y0 + y1) / 2;
  // Rotate by −angle, scale by s, and put the square's centre at the chip's centre.
  const a = s * cos;
  const b = -s * sin;
  const c = s * sin;
  const d = s * cos;
  return [a, b, o.size / 2 - s * cu, c, d, o.size / 2 - s * cv];
}

export const applyAffine = (m: Affine, p: Point): Point => ({ x: m[0] * p.x + m[1] * p.y + m[2], y: m[3] * p.x + m[4] * p.y + m[5] });

/** The aligned crop, `size` × `size`, with the image's channels; outside the image is black. */
export function faceChip(image: Image, lm: Landmarks68, o: ChipOptions): { chip: Image; transform: Affine } {
  const m = chipTransform(lm, o);
  const cv = opencv();
  const src = toMat(image);
  const mat = new cv.Mat([[m[0], m[1], m[2]], [m[3], m[4], m[5]]], cv.CV_64F);
  const out = src.warpAffine(mat, new cv.Size(o.size, o.size), cv.INTER_LINEAR, cv.BORDER_CONSTANT);
  const chip = fromMat(out);
  for (const x of [src, mat, out]) x.release();
  return { chip, transform: m };
}
