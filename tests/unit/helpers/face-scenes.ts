// Synthetic portrait frames for the face quality and card-photo tests: a drawn head (skin,
// hair, eyes, brows, nose, lips, neck and shoulders) whose 68 landmarks come from projecting
// the generic 3D face (src/face/quality/face-model.ts) at a known pose, so every landmark is
// known exactly; with the defects the checks must catch — pose, closed eyes, open mouth,
// position and size, darkness, defocus, side light, a busy background, a second person.
// Nothing here resembles a real person.
import { fromMat, type Image } from '../../../src/document/image.js';
import { opencv, type Mat } from '../../../src/native/opencv.js';
import { GENERIC_FACE, poseFromRotation, projectFace, rotationMatrix, withExpression, type HeadPose } from '../../../src/face/quality/face-model.js';
import { chinAndCrown, dist, faceOutline, landmarkBounds, pt } from '../../../src/face/quality/landmarks.js';
import type { LandmarkedFace } from '../../../src/face/quality/assess.js';
import type { Landmarks68 } from '../../../src/face/types.js';
import { seededRandom } from '../../../src/face/liveness-sim.js';

export interface FaceSpec {
  readonly pose?: Partial<HeadPose>;
  /** Model origin (between the eyes) in the camera frame, mm. */
  readonly x?: number;
  readonly y?: number;
  readonly distance?: number;
  readonly eyeOpen?: number;
  readonly mouthOpenMm?: number;
}

export interface FaceSceneOptions {
  readonly width: number;
  readonly height: number;
  /** Focal length in pixels; the image width by default (what the pose solver assumes). */
  readonly focalPx?: number;
  readonly faces: readonly FaceSpec[];
  /** Gaussian defocus of the whole frame, pixels. */
  readonly blurSigma?: number;
  /** Sensor noise, grey levels; 2 by default. */
  readonly noiseSigma?: number;
  /** Multiplies every pixel (0.3 = badly under-exposed). */
  readonly gain?: number;
  /** Light from the right: the frame's left half is dimmed by this factor. */
  readonly sideLight?: number;
  /** Shapes and lines behind the subject. */
  readonly busyBackground?: boolean;
  readonly seed?: number;
}

export interface FaceScene {
  readonly image: Image;
  readonly faces: LandmarkedFace[];
}

const rng = (seed: number): (() => number) => seededRandom(seed || 1);

/**
 * The face's landmarks. Its pose is taken against the line of sight: pose 0 looks straight at
 * the camera wherever the head is in the frame (as an applicant does), as the pose solver
 * reports it.
 */
export function landmarksFor(f: FaceSpec, width: number, height: number, focalPx = width): Landmarks68 {
  const shape = withExpression({ eyeOpen: f.eyeOpen ?? 1, mouthOpenMm: f.mouthOpenMm ?? 0 }, GENERIC_FACE);
  const t: [number, number, number] = [f.x ?? 0, f.y ?? 0, f.distance ?? 600];
  const n = Math.hypot(...t);
  const sight = rotationMatrix({ yaw: (Math.asin(-t[0] / n) * 180) / Math.PI, pitch: (Math.atan2(t[1], t[2]) * 180) / Math.PI, roll: 0 });
  const rel = rotationMatrix({ yaw: f.pose?.yaw ?? 0, pitch: f.pose?.pitch ?? 0, roll: f.pose?.roll ?? 0 });
  const r = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) r[3 * i + j] = (r[3 * i + j] ?? 0) + (sight[3 * i + k] ?? 0) * (rel[3 * k + j] ?? 0);
  return projectFace(shape, { pose: poseFromRotation(r), x: t[0], y: t[1], distance: t[2] }, { focalPx, cx: width / 2, cy: height / 2 });
}

const P = (cv: ReturnType<typeof opencv>, p: { x: number; y: number }): InstanceType<ReturnType<typeof opencv>['Point2']> => new cv.Point2(Math.round(p.x), Math.round(p.y));

function drawHead(img: Mat, lm: Landmarks68): void {
  const cv = opencv();
  const skin = new cv.Vec3(150, 170, 205);
  const hair = new cv.Vec3(35, 45, 60);
  const { chin, crown, height } = chinAndCrown(lm);
  const faceW = dist(pt(lm, 0), pt(lm, 16));
  const nasion = pt(lm, 27);
  const cx = (pt(lm, 0).x + pt(lm, 16).x) / 2;
  // Shoulders and neck, then hair, then skin over the cranium and the face outline.
  img.drawFillPoly(
    [[P(cv, { x: cx - 1.5 * faceW, y: img.rows + 10 }), P(cv, { x: cx - 1.3 * faceW, y: chin.y + 0.25 * height }), P(cv, { x: cx + 1.3 * faceW, y: chin.y + 0.25 * height }), P(cv, { x: cx + 1.5 * faceW, y: img.rows + 10 })]],
    new cv.Vec3(90, 60, 50),
  );
  img.drawRectangle(P(cv, { x: chin.x - 0.22 * faceW, y: chin.y - 0.2 * height }), P(cv, { x: chin.x + 0.22 * faceW, y: chin.y + 0.3 * height }), new cv.Vec3(135, 155, 190), -1);
  const upper = Math.hypot(crown.x - nasion.x, crown.y - nasion.y);
  const roll = (Math.atan2(pt(lm, 45).y - pt(lm, 36).y, pt(lm, 45).x - pt(lm, 36).x) * 180) / Math.PI;
  img.drawEllipse(new cv.RotatedRect(P(cv, { x: (crown.x + nasion.x) / 2, y: (crown.y + nasion.y) / 2 + 0.1 * upper }), new cv.Size(faceW * 1.12, upper * 1.35), roll), hair, -1);
  img.drawEllipse(new cv.RotatedRect(P(cv, { x: (crown.x + nasion.x) / 2, y: (crown.y + nasion.y) / 2 + 0.25 * upper }), new cv.Size(faceW * 0.96, upper * 1.2), roll), skin, -1);
  img.drawFillPoly([faceOutline(lm).map((p) => P(cv, p))], skin);
  // The hairline over the forehead.
  img.drawEllipse(new cv.RotatedRect(P(cv, { x: (crown.x + nasion.x) / 2, y: crown.y + 0.2 * upper }), new cv.Size(faceW * 1.0, upper * 0.5), roll), hair, -1);
  const ied = dist(pt(lm, 39), pt(lm, 42));
  const thick = Math.max(1, Math.round(ied * 0.08));
  // Brows.
  for (const [a, b] of [[17, 21], [22, 26]] as const) {
    const pts = [];
    for (let i = a; i <= b; i++) pts.push(P(cv, pt(lm, i)));
    img.drawPolylines([pts], false, new cv.Vec3(40, 50, 70), thick);
  }
  // Eyes: sclera, iris, lid line.
  for (const first of [36, 42]) {
    const eye = [];
    for (let i = first; i < first + 6; i++) eye.push(P(cv, pt(lm, i)));
    const h = (dist(pt(lm, first + 1), pt(lm, first + 5)) + dist(pt(lm, first + 2), pt(lm, first + 4))) / 2;
    if (h > 1.5) {
      img.drawFillPoly([eye], new cv.Vec3(235, 235, 235));
      const c = { x: (pt(lm, first).x + pt(lm, first + 3).x) / 2, y: (pt(lm, first + 1).y + pt(lm, first + 5).y + pt(lm, first + 2).y + pt(lm, first + 4).y) / 4 };
      img.drawCircle(P(cv, c), Math.max(1, Math.round(h * 0.45)), new cv.Vec3(60, 40, 30), -1);
      img.drawCircle(P(cv, c), Math.max(1, Math.round(h * 0.2)), new cv.Vec3(10, 10, 10), -1);
    }
    img.drawPolylines([eye], true, new cv.Vec3(40, 40, 50), Math.max(1, Math.round(thick / 2)));
  }
  // Nose: the ridge's shadow and the nostrils.
  const ridge = [27, 28, 29, 30].map((i) => P(cv, pt(lm, i)));
  img.drawPolylines([ridge], false, new cv.Vec3(120, 140, 175), Math.max(1, Math.round(thick / 2)));
  img.drawPolylines([[31, 32, 33, 34, 35].map((i) => P(cv, pt(lm, i)))], false, new cv.Vec3(70, 80, 110), Math.max(1, Math.round(thick / 2)));
  // Lips, and the mouth's inside when open.
  const outer = [];
  for (let i = 48; i <= 59; i++) outer.push(P(cv, pt(lm, i)));
  img.drawFillPoly([outer], new cv.Vec3(90, 90, 170));
  const inner = [];
  for (let i = 60; i <= 67; i++) inner.push(P(cv, pt(lm, i)));
  img.drawFillPoly([inner], new cv.Vec3(30, 25, 50));
  img.drawPolylines([inner], true, new cv.Vec3(60, 50, 110), 1);
}

export function faceScene(o: FaceSceneOptions): FaceScene {
  const cv = opencv();
  const random = rng(o.seed ?? 1);
  const mats: Mat[] = [];
  const keep = (m: Mat): Mat => (mats.push(m), m);
  try {
    // A plain light wall with a soft vertical gradient.
    let img = keep(new cv.Mat(o.height, o.width, cv.CV_8UC3, [0, 0, 0]));
    for (let y = 0; y < o.height; y += 4) {
      const v = Math.round(215 - (15 * y) / o.height);
      img.drawRectangle(new cv.Point2(0, y), new cv.Point2(o.width - 1, y + 3), new cv.Vec3(v, v - 3, v - 8), -1);
    }
    if (o.busyBackground) {
      for (let k = 0; k < 120; k++) {
        const c = new cv.Vec3(Math.floor(random() * 256), Math.floor(random() * 256), Math.floor(random() * 256));
        const x = random() * o.width;
        const y = random() * o.height;
        if (k % 2 === 0) img.drawRectangle(new cv.Point2(Math.round(x), Math.round(y)), new cv.Point2(Math.round(x + 20 + random() * 120), Math.round(y + 20 + random() * 120)), c, -1);
        else img.drawLine(new cv.Point2(Math.round(x), Math.round(y)), new cv.Point2(Math.round(random() * o.width), Math.round(random() * o.height)), c, 3);
      }
    }
    const faces: LandmarkedFace[] = [];
    for (const f of o.faces) {
      const lm = landmarksFor(f, o.width, o.height, o.focalPx);
      drawHead(img, lm);
      const b = landmarkBounds(lm);
      faces.push({ box: { x: b.minX, y: b.minY - 0.1 * (b.maxY - b.minY), width: b.maxX - b.minX, height: 1.1 * (b.maxY - b.minY), score: 0.99 }, landmarks: lm });
    }
    if (o.blurSigma !== undefined && o.blurSigma > 0) img = keep(img.gaussianBlur(new cv.Size(0, 0), o.blurSigma));
    const data = Buffer.from(img.getData());
    const noise = o.noiseSigma ?? 2;
    // Gaussian noise from a table (Box–Muller once per entry): drawing two logs per channel
    // made a frame take a second.
    const table = new Float32Array(4096);
    for (let i = 0; i < table.length; i++) table[i] = noise * Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
    const gain = o.gain ?? 1;
    for (let y = 0; y < o.height; y++) {
      for (let x = 0; x < o.width; x++) {
        // A lamp on the right: the frame's left half lies in shadow.
        const side = o.sideLight === undefined || x >= o.width / 2 ? 1 : o.sideLight;
        for (let c = 0; c < 3; c++) {
          const i = 3 * (y * o.width + x) + c;
          const g = table[Math.floor(random() * table.length)] ?? 0;
          data[i] = Math.max(0, Math.min(255, Math.round((data[i] ?? 0) * gain * side + g)));
        }
      }
    }
    return { image: fromMat(keep(new cv.Mat(data, o.height, o.width, cv.CV_8UC3))), faces };
  } finally {
    for (const m of mats) m.release();
  }
}
