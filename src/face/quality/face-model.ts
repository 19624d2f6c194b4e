// A generic adult face in 3D at the 68 points of the iBUG 300-W mark-up, and its projection
// through a pinhole camera. Head pose is estimated by fitting this model to detected landmarks
// (./pose.ts); the liveness simulator (../liveness-sim.ts) and the tests project it to make
// landmark sequences and drawn faces whose pose, eye opening and mouth opening are known.
//
// The layout in the image plane follows real landmarks (see POINTS); depths and the head's
// height follow anthropometric averages for adults (Farkas, "Anthropometry of the Head and
// Face", 2nd ed. 1994, norms rounded). Model frame, millimetres: origin between the eye
// centres (61 mm apart), x to the subject's left (image right when the face looks at the
// camera), y down, z out of the face towards the camera.
import { InvalidArgumentError } from '../../errors.js';
import { LANDMARK_COUNT, type Landmarks68 } from '../types.js';

export type Vec3 = readonly [number, number, number];

/** Head pose in degrees; see `rotationMatrix` for the sign conventions. */
export interface HeadPose {
  /** Positive when the subject turns to their left: the nose moves to image right. */
  readonly yaw: number;
  /** Positive when the chin rises: the nose moves up in the image. */
  readonly pitch: number;
  /** Positive when the face turns clockwise in the image (x right, y down). */
  readonly roll: number;
}

/** Index ranges of the 68-point mark-up (iBUG 300-W; dlib and face-api use the same order). */
export const LM = {
  jaw: [0, 16],
  chin: 8,
  browRight: [17, 21],
  browLeft: [22, 26],
  /** Nose bridge top (near the nasion) and tip (pronasale). */
  nasion: 27,
  noseTip: 30,
  /** The eye on the image's left (the subject's right): 36 outer corner … 39 inner corner. */
  eyeA: [36, 41],
  /** The eye on the image's right: 42 inner corner … 45 outer corner. */
  eyeB: [42, 47],
  mouthLeft: 48,
  mouthRight: 54,
  innerMouthLeft: 60,
  innerMouthRight: 64,
} as const;

/**
 * x, y: the median frontal layout of the dlib 68-point predictor's landmarks on the 21
 * near-frontal faces (nose tip within 20 mm of the outline's middle) of dlib's
 * examples/faces/*_with_face_landmarks.xml, each normalised to eye centres 61 mm apart on a
 * level line at y = 0, mirrored to symmetry, inner lips closed (the lower inner lip's points
 * on the upper's). Landmark models mark the nose
 * tip, the mouth and the chin where their training mark-up put them, not where an
 * anthropometrist would (the nose tip 31 mm below the eye line here, ~40 mm by the norms);
 * a model laid out like the landmarks it is fitted to reads a frontal face as frontal.
 * z: depths from the anthropometric norms (the outline receding to −55 mm at the ears, the
 * nose tip +28 mm in front of the eye corners).
 */
const POINTS: readonly Vec3[] = [
  [-68.4, 5, -55], [-67.1, 22.6, -43.5], [-64.8, 40.6, -32.4], [-62.4, 58.1, -22.2],
  [-55.6, 74.6, -13.3], [-45.8, 89.6, -5.9], [-32, 101.1, -0.5], [-16.9, 110, 2.9],
  [0, 113.5, 4], [16.9, 110, 2.9], [32, 101.1, -0.5], [45.8, 89.6, -5.9],
  [55.6, 74.6, -13.3], [62.4, 58.1, -22.2], [64.8, 40.6, -32.4], [67.1, 22.6, -43.5],
  [68.4, 5, -55], [-56.7, -11.3, -20], [-48.5, -19.5, -10], [-37.1, -22.9, -3],
  [-25.1, -22.3, 2], [-13.7, -17.5, 5], [13.7, -17.5, 5], [25.1, -22.3, 2],
  [37.1, -22.9, -3], [48.5, -19.5, -10], [56.7, -11.3, -20], [0, -3.3, 8],
  [0, 8.3, 14], [0, 18.3, 20], [0, 30.6, 28], [-14.5, 37.7, 8],
  [-6.7, 40.1, 13], [0, 41.7, 17], [6.7, 40.1, 13], [14.5, 37.7, 8],
  [-41.9, 0.7, -8], [-34.6, -3.2, -3], [-26.4, -3.2, -1], [-19, 1, 0],
  [-26.3, 2.5, -1], [-34.7, 2.4, -3], [19, 1, 0], [26.4, -3.2, -1],
  [34.6, -3.2, -3], [41.9, 0.7, -8], [34.7, 2.4, -3], [26.3, 2.5, -1],
  [-30, 60.5, 0], [-19.8, 55.5, 6], [-8.9, 53, 10], [0, 53.7, 11],
  [8.9, 53, 10], [19.8, 55.5, 6], [30, 60.5, 0], [20.2, 72.9, 6],
  [9.4, 77.3, 9], [0, 77.4, 10], [-9.4, 77.3, 9], [-20.2, 72.9, 6],
  [-25.5, 61.2, 2], [-8.5, 63.6, 8], [0, 64, 9], [8.5, 63.6, 8],
  [25.5, 61.2, 2], [8.5, 63.6, 8], [0, 64, 9], [-8.5, 63.6, 8],
];

/** The neutral generic face: eyes open, mouth closed; 68 points, millimetres. */
export const GENERIC_FACE: readonly Vec3[] = POINTS;

/**
 * Crown-to-chin over nasion-to-chin: vertex–gnathion ≈ 230 mm against nasion–gnathion ≈ 120 mm
 * for adults (Farkas norms), so the crown (the top of the skull, hair excluded, as ICAO's head
 * height measures it) lies 0.9 face-heights above the nasion.
 */
export const CROWN_FACTOR = 1.9;

export interface Expression {
  /** Eyelid opening, 1 = the model's open eye, 0 = closed. */
  readonly eyeOpen?: number;
  /** Opening between the lips, millimetres (the lower lip and the chin drop by it). */
  readonly mouthOpenMm?: number;
}

/** The generic face (or `base`) with the eyelids and the mouth set as `e` says. */
export function withExpression(e: Expression, base: readonly Vec3[] = GENERIC_FACE): Vec3[] {
  const eye = e.eyeOpen ?? 1;
  const mouth = e.mouthOpenMm ?? 0;
  return base.map((p, i): Vec3 => {
    const [x, y, z] = p;
    // Upper and lower lids close onto the line between the corners (y ≈ corner height).
    if ((i >= 37 && i <= 38) || (i >= 43 && i <= 44) || (i >= 40 && i <= 41) || (i >= 46 && i <= 47)) {
      const corner = base[i < 42 ? 36 : 42]?.[1] ?? 0;
      return [x, corner + (y - corner) * eye, z];
    }
    if ((i >= 55 && i <= 59) || (i >= 65 && i <= 67)) return [x, y + mouth, z];
    if (i >= 5 && i <= 11) return [x, y + mouth * Math.sin((Math.PI * i) / 16), z];
    return [x, y, z];
  });
}

const rad = (deg: number): number => (deg * Math.PI) / 180;

/**
 * Rotation from the model frame (taken into OpenCV's camera axes: x right, y down, z away
 * from the camera, so a model point (x, y, z) is (x, y, −z)) to the camera frame:
 * R = Rroll · Rpitch · Ryaw, row-major. With these signs a positive yaw moves the nose to image
 * right, a positive pitch moves it up, a positive roll turns the face clockwise on screen.
 */
export function rotationMatrix(p: HeadPose): number[] {
  const [cy, sy] = [Math.cos(rad(p.yaw)), Math.sin(rad(p.yaw))];
  const [cp, sp] = [Math.cos(rad(p.pitch)), Math.sin(rad(p.pitch))];
  const [cr, sr] = [Math.cos(rad(p.roll)), Math.sin(rad(p.roll))];
  // A = Rpitch · Ryaw with Ryaw = [[cy,0,−sy],[0,1,0],[sy,0,cy]], Rpitch = [[1,0,0],[0,cp,sp],[0,−sp,cp]].
  const a = [cy, 0, -sy, sp * sy, cp, sp * cy, cp * sy, -sp, cp * cy];
  const at = (i: number): number => a[i] ?? 0;
  return [
    cr * at(0) - sr * at(3), cr * at(1) - sr * at(4), cr * at(2) - sr * at(5),
    sr * at(0) + cr * at(3), sr * at(1) + cr * at(4), sr * at(2) + cr * at(5),
    at(6), at(7), at(8),
  ];
}

/** Yaw, pitch and roll (degrees) of a rotation matrix built as `rotationMatrix` builds it. */
export function poseFromRotation(r: readonly number[]): HeadPose {
  const at = (i: number): number => r[i] ?? 0;
  const deg = (x: number): number => (x * 180) / Math.PI;
  return {
    yaw: deg(Math.atan2(at(6), at(8))),
    pitch: deg(Math.asin(Math.max(-1, Math.min(1, -at(7))))),
    roll: deg(Math.atan2(-at(1), at(4))),
  };
}

/** A pinhole camera: focal length and principal point in pixels. */
export interface PinholeCamera {
  readonly focalPx: number;
  readonly cx: number;
  readonly cy: number;
}

/** Where the head is: the model origin's position in the camera frame, millimetres. */
export interface HeadPlacement {
  readonly pose: HeadPose;
  /** Camera-frame x, y of the model origin (between the eyes), mm. */
  readonly x: number;
  readonly y: number;
  /** Distance from the camera along its axis, mm. */
  readonly distance: number;
}

/** Projects a 68-point 3D face placed in front of a camera to image landmarks (pixels). */
export function projectFace(shape: readonly Vec3[], at: HeadPlacement, cam: PinholeCamera): Landmarks68 {
  if (shape.length !== LANDMARK_COUNT) throw new InvalidArgumentError('shape', `${LANDMARK_COUNT} points`, shape.length);
  if (!(at.distance > 0)) throw new InvalidArgumentError('distance', 'a positive distance', at.distance);
  const r = rotationMatrix(at.pose);
  const m = (i: number): number => r[i] ?? 0;
  const out = new Float32Array(2 * LANDMARK_COUNT);
  shape.forEach(([x, y, zOut], i) => {
    const z = -zOut;
    const cx = m(0) * x + m(1) * y + m(2) * z + at.x;
    const cy = m(3) * x + m(4) * y + m(5) * z + at.y;
    const cz = m(6) * x + m(7) * y + m(8) * z + at.distance;
    out[2 * i] = cam.cx + (cam.focalPx * cx) / cz;
    out[2 * i + 1] = cam.cy + (cam.focalPx * cy) / cz;
  });
  return out;
}
