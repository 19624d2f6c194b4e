// The residence-permit card photo: from a sequence of live frames, the best frame whose
// portrait checks all hold (./quality/), cropped, levelled and scaled to the card format
// (500 × 653 px JPEG) with the ICAO head geometry, then checked again as a finished portrait.
//
// Geometry (ICAO Doc 9303-3 portrait guidance and ISO/IEC 19794-5:2005 §8.3, full frontal):
// the eye line is made horizontal (rotation about the eyes' midpoint), the eyes' midpoint is
// centred horizontally, the head (chin to the estimated crown) takes CARD_HEAD_HEIGHT of the
// photo's height with CARD_TOP_MARGIN above the crown. With the generic face's proportions the
// eye line then falls ~54% above the bottom edge, inside ISO/IEC 19794-5 §8.3.3's 50–70%.
// Pixels are never invented: when the crop would reach past the frame's edge the frame is
// refused (the applicant is asked to step back or to the middle), not padded.
import { InvalidArgumentError } from '../errors.js';
import { checkImage, decodeImage, encodeJpeg, fromMat, toMat, type Image } from '../document/image.js';
import { withMats } from '../document/page-finder.js';
import { opencv } from '../native/opencv.js';
import { assessPortrait, checkMargin, type LandmarkedFace, type PortraitAssessment } from './quality/assess.js';
import { chinAndCrown, eyeCentres, eyeLineAngleDeg, landmarkBounds, mid, transformLandmarks } from './quality/landmarks.js';
import { CAPTURE_LIMITS, PORTRAIT_LIMITS, type Check, type CheckName, type PortraitLimits } from './quality/limits.js';

/** The card photo's size in pixels (issue 4's card format: 500 × 653, width:height 0.766). */
export const CARD_PHOTO_WIDTH = 500;
export const CARD_PHOTO_HEIGHT = 653;
/** Chin to crown as a share of the photo height: the middle of ICAO's 70–80%. */
export const CARD_HEAD_HEIGHT = 0.75;
/**
 * Space above the crown, share of the photo height (this project's: ICAO's example portraits
 * leave 3–5 mm over the head of a 45 mm photo, 7–11%; 10% leaves room for hair).
 */
export const CARD_TOP_MARGIN = 0.1;
/** JPEG quality of the card photo (this project's: visually lossless for printing, ~60 kB). */
export const CARD_JPEG_QUALITY = 92;

/**
 * Checks whose margins rank compliant frames: how far the frame sits inside every limit that
 * the crop cannot fix (the head's position and size in the frame are fixed by the crop).
 */
export const SCORED_CHECKS: readonly CheckName[] = ['eyeDistance', 'yaw', 'pitch', 'roll', 'eyesOpen', 'mouthClosed', 'sharpness', 'exposure', 'dynamicRange', 'lightingBalance', 'backgroundUniformity'];

export interface CaptureFrame {
  readonly image: Image;
  /** Every face detected in the frame, with landmarks. */
  readonly faces: readonly LandmarkedFace[];
  /** Capture time, for the report. */
  readonly timestampMs?: number;
}

export type Edge = 'left' | 'top' | 'right' | 'bottom';

export interface CardPhoto {
  readonly ok: true;
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
  /** Index of the frame used, and its score. */
  readonly frameIndex: number;
  readonly score: number;
  /** The checks on the finished photo (PORTRAIT_LIMITS), every one holding. */
  readonly checks: Readonly<Record<CheckName, Check>>;
  /** The landmarks in the card photo's pixels. */
  readonly landmarks: Float32Array;
  /** Source-to-photo affine matrix [a b c; d e f], row-major. */
  readonly transform: readonly number[];
}

export type CardPhotoFailure =
  | { readonly ok: false; readonly reason: 'noCompliantFrame'; readonly assessments: readonly PortraitAssessment[] }
  | { readonly ok: false; readonly reason: 'tooCloseToEdge'; readonly frameIndex: number; readonly edges: readonly Edge[]; readonly shortfallPx: number }
  | { readonly ok: false; readonly reason: 'cropNotCompliant'; readonly frameIndex: number; readonly failed: readonly CheckName[] };

export interface CardPhotoOptions {
  readonly captureLimits?: PortraitLimits;
  readonly portraitLimits?: PortraitLimits;
}

/** Mean margin (0–1) of the SCORED_CHECKS of a compliant assessment; 0 for others. */
export function frameScore(a: PortraitAssessment): number {
  if (!a.faceFound || !a.compliant) return 0;
  let sum = 0;
  for (const n of SCORED_CHECKS) sum += checkMargin(n, a.checks[n]);
  return sum / SCORED_CHECKS.length;
}

export type CropPlan = { readonly ok: true; readonly transform: readonly number[]; readonly scale: number } | { readonly ok: false; readonly edges: readonly Edge[]; readonly shortfallPx: number };

/** Where the card crop lies in a frame with these landmarks, or which frame edges it crosses. */
export function planCrop(size: { width: number; height: number }, lm: Float32Array): CropPlan {
  const W = CARD_PHOTO_WIDTH;
  const H = CARD_PHOTO_HEIGHT;
  const { a, b } = eyeCentres(lm);
  const e = mid(a, b);
  const head = chinAndCrown(lm);
  if (!(head.height > 0)) throw new InvalidArgumentError('landmarks', 'a face with a chin below the eyes', 'degenerate');
  const theta = (eyeLineAngleDeg(lm) * Math.PI) / 180;
  const s = (CARD_HEAD_HEIGHT * H) / head.height;
  const c = Math.cos(theta);
  const sn = Math.sin(theta);
  // Levelled (rotated by −θ about the eyes' midpoint) and scaled coordinates of the crown,
  // relative to the eyes: the crown is placed CARD_TOP_MARGIN below the top edge.
  const crownDy = s * (-sn * (head.crown.x - e.x) + c * (head.crown.y - e.y));
  const eyeY = CARD_TOP_MARGIN * H - crownDy;
  const m = [s * c, s * sn, 0, -s * sn, s * c, 0];
  m[2] = W / 2 - (s * c * e.x + s * sn * e.y);
  m[5] = eyeY - (-s * sn * e.x + s * c * e.y);
  // The photo's corners back in the frame: the inverse of a scaled rotation.
  const corners: [number, number][] = [
    [0, 0],
    [W, 0],
    [0, H],
    [W, H],
  ];
  const back = corners.map(([u, v]) => {
    const du = u - (m[2] ?? 0);
    const dv = v - (m[5] ?? 0);
    return { x: (c * du - sn * dv) / s, y: (sn * du + c * dv) / s };
  });
  const over: Record<Edge, number> = {
    left: Math.max(0, ...back.map((p) => -p.x)),
    top: Math.max(0, ...back.map((p) => -p.y)),
    right: Math.max(0, ...back.map((p) => p.x - size.width)),
    bottom: Math.max(0, ...back.map((p) => p.y - size.height)),
  };
  // Half a pixel of the frame covers the photo's border through interpolation.
  const edges = (Object.keys(over) as Edge[]).filter((k) => over[k] > 0.5);
  if (edges.length > 0) return { ok: false, edges, shortfallPx: Math.max(...edges.map((k) => over[k])) };
  return { ok: true, transform: m, scale: s };
}

/** Warps a frame through a source-to-photo transform into the card's pixel size. */
export function renderCrop(image: Image, transform: readonly number[], scale: number): Image {
  checkImage(image);
  return withMats((keep) => {
    const cv = opencv();
    let src = keep(toMat(image));
    const m = [...transform];
    // Bilinear warping aliases when shrinking more than 2×: shrink with area averaging first.
    if (scale < 0.5) {
      const pre = Math.min(1, 2 * scale);
      src = keep(src.resize(Math.max(1, Math.round(src.rows * pre)), Math.max(1, Math.round(src.cols * pre)), 0, 0, cv.INTER_AREA));
      const fx = image.width / src.cols;
      const fy = image.height / src.rows;
      m[0] = (m[0] ?? 0) * fx;
      m[1] = (m[1] ?? 0) * fy;
      m[3] = (m[3] ?? 0) * fx;
      m[4] = (m[4] ?? 0) * fy;
    }
    const mat = keep(new cv.Mat([m.slice(0, 3), m.slice(3, 6)], cv.CV_64F));
    const out = keep(src.warpAffine(mat, new cv.Size(CARD_PHOTO_WIDTH, CARD_PHOTO_HEIGHT), cv.INTER_CUBIC, cv.BORDER_REPLICATE));
    return fromMat(out);
  });
}

/**
 * Chooses the best compliant frame (highest `frameScore`, the earliest on a tie), crops it to
 * the card photo and checks the result as a finished portrait. Frames whose crop would cross
 * the frame's edge are skipped for the next best; when none fits, the failure names the best
 * frame's edges.
 */
export function makeCardPhoto(frames: readonly CaptureFrame[], o: CardPhotoOptions = {}): CardPhoto | CardPhotoFailure {
  if (frames.length === 0) throw new InvalidArgumentError('frames', 'at least one frame', 0);
  const assessments = frames.map((f) => assessPortrait(f.image, f.faces, { limits: o.captureLimits ?? CAPTURE_LIMITS }));
  const ranked = assessments
    .map((a, i) => ({ a, i, score: frameScore(a) }))
    .filter((r) => r.a.compliant)
    .sort((x, y) => y.score - x.score || x.i - y.i);
  if (ranked.length === 0) return { ok: false, reason: 'noCompliantFrame', assessments };
  let firstRefusal: CardPhotoFailure | undefined;
  for (const { a, i, score } of ranked) {
    if (!a.faceFound) continue;
    const frame = frames[i];
    const face = frame?.faces[a.faceIndex];
    if (!frame || !face) continue;
    const plan = planCrop(frame.image, face.landmarks);
    if (!plan.ok) {
      firstRefusal ??= { ok: false, reason: 'tooCloseToEdge', frameIndex: i, edges: plan.edges, shortfallPx: plan.shortfallPx };
      continue;
    }
    const jpeg = encodeJpeg(renderCrop(frame.image, plan.transform, plan.scale), CARD_JPEG_QUALITY);
    const printed = decodeImage(jpeg, 'card photo');
    const landmarks = transformLandmarks(face.landmarks, plan.transform);
    const lb = landmarkBounds(landmarks);
    const box = { x: lb.minX, y: lb.minY, width: lb.maxX - lb.minX, height: lb.maxY - lb.minY, score: face.box.score };
    const check = assessPortrait(printed, [{ box, landmarks }], { limits: o.portraitLimits ?? PORTRAIT_LIMITS });
    if (!check.faceFound) continue;
    if (!check.compliant) return { ok: false, reason: 'cropNotCompliant', frameIndex: i, failed: check.failed };
    return { ok: true, jpeg, width: printed.width, height: printed.height, frameIndex: i, score, checks: check.checks, landmarks, transform: plan.transform };
  }
  return firstRefusal ?? { ok: false, reason: 'noCompliantFrame', assessments };
}
