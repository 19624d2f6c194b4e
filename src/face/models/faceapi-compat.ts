// face-api's own choice of the recognition crop, for side-by-side comparisons with face-api
// (bench/, equivalence tests): its full pipeline computes a descriptor on the square that
// FaceLandmarks.alignDlib() derives from the 68 landmarks (classes/FaceLandmarks.ts: side =
// ⌊mean eye-to-mouth distance / 0.45⌋, placed at 0.5 / 0.43 of the side from the centroid of
// the two eye centres and the mouth centre), cut from the image with clipping and flooring.
// The kiosk's own alignment (a similarity transform) is separate; this reproduces face-api.
import type { FaceBox, Landmarks68 } from '../types.js';
import { faceRegion, type Region } from './preprocess.js';

const REL_X = 0.5;
const REL_Y = 0.43;
const REL_SCALE = 0.45;

function centre(lm: Landmarks68, from: number, to: number): [number, number] {
  let x = 0;
  let y = 0;
  for (let i = from; i < to; i++) {
    x += lm[2 * i] ?? 0;
    y += lm[2 * i + 1] ?? 0;
  }
  return [x / (to - from), y / (to - from)];
}

/** The image region face-api would feed its recognition net for these landmarks (undefined if empty). */
export function faceApiAlignedRegion(lm: Landmarks68, imageWidth: number, imageHeight: number): Region | undefined {
  if (lm.length < 136) return undefined;
  const le = centre(lm, 36, 42);
  const re = centre(lm, 42, 48);
  const mouth = centre(lm, 48, 68);
  const dist = (p: [number, number]): number => Math.hypot(mouth[0] - p[0], mouth[1] - p[1]);
  const size = Math.floor((dist(le) + dist(re)) / 2 / REL_SCALE);
  const cx = (le[0] + re[0] + mouth[0]) / 3;
  const cy = (le[1] + re[1] + mouth[1]) / 3;
  const x = Math.floor(Math.max(0, cx - REL_X * size));
  const y = Math.floor(Math.max(0, cy - REL_Y * size));
  return faceRegion({ x, y, width: size, height: size }, imageWidth, imageHeight);
}

/**
 * face-api computes landmarks on the floored, clipped crop of a detection but shifts them by the
 * detection box's unfloored, unclipped origin (factories/WithFaceLandmarks.ts). This re-bases
 * landmarks from `region` (as detectLandmarks returns them) the same way, so that
 * faceApiAlignedRegion picks face-api's exact crop. The shift is under a pixel for boxes inside
 * the image, but the descriptor is sensitive to it (cosine ≈ 0.998 without it).
 */
export function faceApiShiftedLandmarks(lm: Landmarks68, region: Region, box: Pick<FaceBox, 'x' | 'y'>): Landmarks68 {
  const dx = box.x - region.x;
  const dy = box.y - region.y;
  return lm.map((v, i) => v + (i % 2 === 0 ? dx : dy));
}
