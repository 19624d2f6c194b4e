// One frame's portrait quality: every check of ./limits.ts measured on the main face (the
// largest detected), each with its value, limit and verdict, and `compliant` when all hold.
// Works from the image and the detections (box + 68 landmarks) only; which models produced
// them does not matter here.
import { InvalidArgumentError } from '../../errors.js';
import { checkImage, type Image } from '../../document/image.js';
import type { FaceBox, Landmarks68 } from '../types.js';
import type { HeadPose } from './face-model.js';
import { backgroundGradient, measureFace } from './image-measures.js';
import { CHECK_NAMES, CHECK_RULES, evaluate, PORTRAIT_LIMITS, type Check, type CheckName, type PortraitLimits } from './limits.js';
import { checkLandmarks, chinAndCrown, eyeAspectRatios, eyeCentres, interEyeDistance, mid, mouthOpening } from './landmarks.js';
import { estimatePose, type PoseMethod } from './pose.js';

/** A detected face with its 68 landmarks, in the image's pixels. */
export interface LandmarkedFace {
  readonly box: FaceBox;
  readonly landmarks: Landmarks68;
}

export interface AssessOptions {
  /** PORTRAIT_LIMITS (a finished portrait) by default; CAPTURE_LIMITS for a live frame. */
  readonly limits?: PortraitLimits;
  readonly poseMethod?: PoseMethod;
  /** The camera's focal length in pixels, when calibrated (see estimatePose). */
  readonly focalPx?: number;
}

export type PortraitAssessment =
  | {
      readonly compliant: false;
      readonly faceFound: false;
      readonly checks: { readonly faceCount: Check };
    }
  | {
      readonly compliant: boolean;
      readonly faceFound: true;
      /** Index in the detections of the face the checks describe (the largest box). */
      readonly faceIndex: number;
      readonly pose: HeadPose;
      readonly checks: Readonly<Record<CheckName, Check>>;
      /** Names of the failed checks, in CHECK_NAMES order. */
      readonly failed: readonly CheckName[];
    };

/** Index of the face with the largest box area; -1 for none. */
export function mainFaceIndex(faces: readonly LandmarkedFace[]): number {
  let best = -1;
  let area = -1;
  faces.forEach((f, i) => {
    const a = f.box.width * f.box.height;
    if (a > area) {
      area = a;
      best = i;
    }
  });
  return best;
}

/** The measured values of every check for one face, before comparison with limits. */
export function measurePortrait(image: Image, faces: readonly LandmarkedFace[], index: number, o: Pick<AssessOptions, 'poseMethod' | 'focalPx'> = {}): { values: Record<CheckName, number>; pose: HeadPose } {
  const face = faces[index];
  if (!face) throw new InvalidArgumentError('faceIndex', `0..${faces.length - 1}`, index);
  const lm = checkLandmarks(face.landmarks);
  const pose = estimatePose(lm, image, o.poseMethod ?? 'pnp', o.focalPx);
  const { a, b } = eyeCentres(lm);
  const eyesMid = mid(a, b);
  const head = chinAndCrown(lm);
  const [earA, earB] = eyeAspectRatios(lm);
  const fm = measureFace(image, lm);
  return {
    pose,
    values: {
      faceCount: faces.length,
      eyeDistance: interEyeDistance(lm),
      headHeight: head.height / image.height,
      horizontalPosition: eyesMid.x / image.width,
      eyeLine: (image.height - eyesMid.y) / image.height,
      yaw: pose.yaw,
      pitch: pose.pitch,
      roll: pose.roll,
      eyesOpen: Math.min(earA, earB),
      mouthClosed: mouthOpening(lm),
      sharpness: fm.sharpness,
      exposure: fm.exposure,
      dynamicRange: fm.dynamicRange,
      lightingBalance: fm.lightingBalance,
      backgroundUniformity: backgroundGradient(image, lm),
    },
  };
}

/**
 * Assesses one frame against the ICAO / ISO portrait rules. `faces` is every face the detector
 * found: more than one fails `faceCount` (and the largest is assessed); none gives only that
 * check.
 */
export function assessPortrait(image: Image, faces: readonly LandmarkedFace[], o: AssessOptions = {}): PortraitAssessment {
  checkImage(image);
  const limits = o.limits ?? PORTRAIT_LIMITS;
  const index = mainFaceIndex(faces);
  if (index < 0) return { compliant: false, faceFound: false, checks: { faceCount: evaluate('within', 0, limits.faceCount) } };
  const { values, pose } = measurePortrait(image, faces, index, o);
  const checks = {} as Record<CheckName, Check>;
  for (const name of CHECK_NAMES) checks[name] = evaluate(CHECK_RULES[name], values[name], limits[name]);
  const failed = CHECK_NAMES.filter((n) => !checks[n].ok);
  return { compliant: failed.length === 0, faceFound: true, faceIndex: index, pose, checks, failed };
}

/**
 * How far a check's value sits inside its limit, 0 (on the limit or outside) to 1: for a
 * range, the distance to the nearer end over half the range's width; for a one-sided limit,
 * the distance over the limit's magnitude. Used to rank compliant frames (../card-photo.ts).
 */
export function checkMargin(name: CheckName, c: Check): number {
  const rule = CHECK_RULES[name];
  let m: number;
  if (rule === 'within') {
    const [lo, hi] = typeof c.limit === 'number' ? [c.limit, c.limit] : c.limit;
    m = hi > lo ? Math.min(c.value - lo, hi - c.value) / ((hi - lo) / 2) : c.ok ? 1 : 0;
  } else {
    const l = typeof c.limit === 'number' ? c.limit : c.limit[0];
    const scale = Math.abs(l) || 1;
    m = rule === 'atLeast' ? (c.value - l) / scale : (l - c.value) / scale;
  }
  return Math.max(0, Math.min(1, m));
}
