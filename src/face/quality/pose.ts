// Head pose (yaw, pitch, roll) from the 68 landmarks, two ways:
//
// - 'pnp': OpenCV's solvePnP (iterative Levenberg–Marquardt) fits the generic 3D face
//   (./face-model.ts) at its rigid points to the landmarks through a pinhole camera whose focal
//   length is the calibrated one or else the image width (a 53° horizontal field of view;
//   kiosk and web cameras are 50–70°), principal point at the image centre. Full perspective,
//   all rigid points used; the pose is reported against the line of sight to the head
//   (`relativeToLineOfSight`), so a face off the optical axis looking at the camera is frontal.
// - 'geometric': one ratio per angle read off the landmarks and inverted through the same
//   generic face under weak perspective — roll from the eye line, yaw from where the nose tip
//   sits between the face's outline points 0 and 16, pitch from where it sits between the eye
//   line and the chin. Pure arithmetic, no OpenCV.
//
// Compared on 300 projected faces with individual shape variation (±8% scale per axis, ±1.5 mm
// per point), 1 px landmark noise, yaw and pitch ±30°, roll ±15°, 550–650 mm from a 640 px
// camera (tests/unit/face-quality.test.ts repeats this and prints the figures), mean absolute
// error yaw / pitch / roll: 'pnp' 1.3° / 1.3° / 0.5°, 'geometric' 2.3° / 4.9° / 4.2° (its
// weak-perspective ratios mix yaw and pitch into each other and into the eye line's angle).
// The frontal limits are ±5° (ISO/IEC 19794-5:2005 §7.2.2), so quality assessment uses 'pnp'.
// Liveness uses 'geometric': it needs only a large yaw (±20°), has no image size, and runs on
// every frame without a native call.
import { InvalidArgumentError } from '../../errors.js';
import type { Point2, Point3, Vec3 as CvVec3 } from '@u4/opencv4nodejs';
import { opencv, type Mat } from '../../native/opencv.js';
import type { Landmarks68 } from '../types.js';
import { GENERIC_FACE, LM, poseFromRotation, rotationMatrix, type HeadPose, type Vec3 } from './face-model.js';
import { eyeCentres, eyeLineAngleDeg, mid, pt } from './landmarks.js';

export type PoseMethod = 'pnp' | 'geometric';

/**
 * Points that move with the skull: nose (27–35), eye corners, mouth corners, chin, the outline
 * beside the eyes and the brows' ends. Lids, lips and most of the outline move with expression
 * or slide along the silhouette as the head turns.
 */
export const RIGID_POINTS: readonly number[] = [27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 39, 42, 45, 48, 54, 8, 0, 16, 17, 21, 22, 26];

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/**
 * Estimates the head pose. `focalPx` is the camera's focal length in pixels when known (the
 * kiosk camera's calibration); without it the image width is assumed, which suits a webcam
 * frame but not a portrait taken with a long lens, where an off-centre face then reads as a
 * few degrees of yaw.
 */
export function estimatePose(lm: Landmarks68, size: ImageSize, method: PoseMethod = 'pnp', focalPx?: number): HeadPose {
  if (!(size.width > 0 && size.height > 0)) throw new InvalidArgumentError('size', 'positive image dimensions', `${size.width}x${size.height}`);
  if (focalPx !== undefined && !(focalPx > 0 && Number.isFinite(focalPx))) throw new InvalidArgumentError('focalPx', 'a positive focal length', focalPx);
  return method === 'pnp' ? posePnp(lm, size, focalPx ?? size.width) : poseGeometric(lm);
}

/** The generic face's distance between the eye centres, mm (./face-model.ts). */
const MODEL_EYE_DISTANCE_MM = 61;

/**
 * solvePnP as the binding implements it (cc/calib3d/calib3dBindings.h: rvec, tvec,
 * useExtrinsicGuess, flags after distCoeffs); the package's typings omit the initial guess.
 */
type SolvePnPWithGuess = (objectPoints: Point3[], imagePoints: Point2[], cameraMatrix: Mat, distCoeffs: number[], rvec: CvVec3, tvec: CvVec3, useExtrinsicGuess: boolean, flags: number) => { returnValue: boolean; rvec: CvVec3; tvec: CvVec3 };

function posePnp(lm: Landmarks68, size: ImageSize, f: number): HeadPose {
  const cv = opencv();
  const object = RIGID_POINTS.map((i) => {
    const p = GENERIC_FACE[i] ?? [0, 0, 0];
    return new cv.Point3(p[0], p[1], -p[2]);
  });
  const image = RIGID_POINTS.map((i) => {
    const p = pt(lm, i);
    return new cv.Point2(p.x, p.y);
  });
  const k = new cv.Mat(
    [
      [f, 0, size.width / 2],
      [0, f, size.height / 2],
      [0, 0, 1],
    ],
    cv.CV_64F,
  );
  try {
    // Start the iterative solver from an upright face at the roll of the eye line, at the
    // distance its eye spacing implies: without a start, it initialises from a homography and
    // on real landmarks (whose outline differs from the generic face's) it converged to the
    // mirror solution behind the camera — upside-down faces, |roll| ≈ 160–170°.
    const { a, b } = eyeCentres(lm);
    const eyes = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const z0 = (f * MODEL_EYE_DISTANCE_MM) / eyes;
    const m = mid(a, b);
    const roll0 = Math.atan2(b.y - a.y, b.x - a.x);
    const solve = cv.solvePnP as unknown as SolvePnPWithGuess;
    let r: ReturnType<typeof cv.solvePnP>;
    try {
      r = solve(object, image, k, [0, 0, 0, 0], new cv.Vec3(0, 0, roll0), new cv.Vec3(((m.x - size.width / 2) * z0) / f, ((m.y - size.height / 2) * z0) / f, z0), true, cv.SOLVEPNP_ITERATIVE);
    } catch {
      throw new InvalidArgumentError('landmarks', 'a face the pose solver can fit', 'solver error');
    }
    if (!r.returnValue) throw new InvalidArgumentError('landmarks', 'a face the pose solver can fit', 'no solution');
    return poseFromRotation(relativeToLineOfSight(rodrigues(r.rvec.x, r.rvec.y, r.rvec.z), [r.tvec.x, r.tvec.y, r.tvec.z]));
  } finally {
    k.release();
  }
}

/**
 * The head's rotation relative to the line from the camera to the head rather than to the
 * optical axis: a face high in the frame that looks straight at the camera is turned down
 * against the axis by the angle it is seen at, yet it faces the camera, which is what the
 * portrait rules ask. The line of sight's own rotation (yaw asin(−tx/|t|), pitch atan2(ty, tz)
 * in rotationMatrix's convention: the pose of a face at t looking at the camera) is taken out:
 * R_rel = R_sightᵀ · R.
 */
export function relativeToLineOfSight(r: readonly number[], t: readonly [number, number, number]): number[] {
  const n = Math.hypot(t[0], t[1], t[2]);
  if (!(n > 0) || t[2] <= 0) return [...r];
  const sight = rotationMatrix({ yaw: (Math.asin(-t[0] / n) * 180) / Math.PI, pitch: (Math.atan2(t[1], t[2]) * 180) / Math.PI, roll: 0 });
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[3 * i + j] = (out[3 * i + j] ?? 0) + (sight[3 * k + i] ?? 0) * (r[3 * k + j] ?? 0);
  return out;
}

/** Rotation matrix (row-major) of a rotation vector (Rodrigues' formula). */
export function rodrigues(x: number, y: number, z: number): number[] {
  const th = Math.hypot(x, y, z);
  if (th < 1e-12) return [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const [u, v, w] = [x / th, y / th, z / th];
  const c = Math.cos(th);
  const s = Math.sin(th);
  const t = 1 - c;
  return [
    c + u * u * t, u * v * t - w * s, u * w * t + v * s,
    v * u * t + w * s, c + v * v * t, v * w * t - u * s,
    w * u * t - v * s, w * v * t + u * s, c + w * w * t,
  ];
}

/** Orthographic projection of the generic face at a pose, in model millimetres. */
function projectOrtho(pose: HeadPose, indices: readonly number[]): { x: number; y: number }[] {
  const r = rotationMatrix(pose);
  const m = (i: number): number => r[i] ?? 0;
  return indices.map((i) => {
    const p: Vec3 = GENERIC_FACE[i] ?? [0, 0, 0];
    const z = -p[2];
    return { x: m(0) * p[0] + m(1) * p[1] + m(2) * z, y: m(3) * p[0] + m(4) * p[1] + m(5) * z };
  });
}

/** Solves ratio(angle) = target for a ratio increasing with the angle on [−80°, 80°]. */
function invert(ratio: (deg: number) => number, target: number): number {
  let lo = -80;
  let hi = 80;
  if (target <= ratio(lo)) return lo;
  if (target >= ratio(hi)) return hi;
  for (let k = 0; k < 40; k++) {
    const m = (lo + hi) / 2;
    if (ratio(m) < target) lo = m;
    else hi = m;
  }
  return (lo + hi) / 2;
}

/** Where the nose tip sits between the outline points 0 and 16 (−1 … 1) along the eye line. */
function yawRatio(points: { x: number; y: number }[]): number {
  const x = (i: number): number => points[i]?.x ?? 0;
  const span = x(1) - x(0);
  return span === 0 ? 0 : (2 * (x(2) - x(0))) / span - 1;
}

/** Where the nose tip sits between the eye line (0) and the chin (1), across the eye line. */
function pitchRatio(points: { x: number; y: number }[]): number {
  const y = (i: number): number => points[i]?.y ?? 0;
  const eye = (y(0) + y(1)) / 2;
  const span = y(3) - eye;
  return span === 0 ? 0 : (y(2) - eye) / span;
}

function poseGeometric(lm: Landmarks68): HeadPose {
  const roll = eyeLineAngleDeg(lm);
  // Undo the roll about the eyes' midpoint, then read the yaw and pitch ratios.
  const c = Math.cos((-roll * Math.PI) / 180);
  const s = Math.sin((-roll * Math.PI) / 180);
  const o = mid(pt(lm, 39), pt(lm, 42));
  const at = (i: number): { x: number; y: number } => {
    const p = pt(lm, i);
    const dx = p.x - o.x;
    const dy = p.y - o.y;
    return { x: c * dx - s * dy, y: s * dx + c * dy };
  };
  const yawIdx = [LM.jaw[0], LM.jaw[1], LM.noseTip];
  const pitchIdx = [36, 45, LM.noseTip, LM.chin];
  const yawTarget = yawRatio(yawIdx.map(at));
  const yaw = invert((d) => yawRatio(projectOrtho({ yaw: d, pitch: 0, roll: 0 }, yawIdx)), yawTarget);
  // As the chin rises the nose tip, standing out in front of the eyes and the chin, moves up
  // the most: the ratio falls with pitch, so invert its negation.
  const pitchTarget = pitchRatio(pitchIdx.map(at));
  const pitch = invert((d) => -pitchRatio(projectOrtho({ yaw, pitch: d, roll: 0 }, pitchIdx)), -pitchTarget);
  return { yaw, pitch, roll };
}
