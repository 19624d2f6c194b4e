// Liveness from landmarks across frames: a challenge–response check (blink, turn the head
// left or right, each prompted at a known time and answered within a window) and two
// replay/print hints from the motion itself:
//
// - rigidity: a printed photo, however it is held, moves as a plane, so its landmarks move
//   from one frame to another by a homography; a head turning in 3D does not (the nose tip,
//   80 mm in front of the jaw's outline, shifts against it). The residual of a least-squares
//   homography from a reference frame, over the inter-eye distance, measures the non-planar
//   part; a turn answered without it was made by turning a picture.
// - repetition: a looped recording repeats its landmark trajectory at the loop's period; the
//   best lag's distance between the shape sequence and itself shifted, less the detector's
//   jitter, against how much the compared frames move, is near 0 for a loop and well above
//   for a living person (`repetition`).
//
// What this cannot do (see also tests/unit/face-liveness.test.ts for the measured error
// rates on simulated sessions): a video replay of a person who blinks and turns on cue — a
// prepared clip per challenge, a screen showing a live accomplice, a real-time face puppet —
// passes, because landmarks carry no texture, depth or reflectance; so does a photo with the
// eyes cut out over a real person's blinking eyes for a blink-only challenge. Landmark
// liveness raises the cost of the simplest attacks (a printed photo, a phone playing a
// loop); it is not a presentation-attack detector in the ISO/IEC 30107-3 sense, which needs
// texture- or depth-based evidence. Error rates are reported as ISO/IEC 30107-3 names them:
// APCER (attacks accepted, per attack type) and BPCER (bona fide presentations rejected).
import { InvalidArgumentError } from '../errors.js';
import { opencv } from '../native/opencv.js';
import type { Landmarks68 } from './types.js';
import { checkLandmarks, eyeAspectRatios, interEyeDistance, pt } from './quality/landmarks.js';
import { estimatePose, RIGID_POINTS } from './quality/pose.js';

export type Challenge = { readonly kind: 'blink' } | { readonly kind: 'turn'; readonly direction: 'left' | 'right' };

/** A challenge as prompted: what and when. */
export interface IssuedChallenge {
  readonly challenge: Challenge;
  /** When the prompt was shown, same clock as the frames' timestamps. */
  readonly issuedAtMs: number;
}

export interface LandmarkFrame {
  readonly tMs: number;
  readonly landmarks: Landmarks68;
}

export interface LivenessLimits {
  /** Answers earlier than this after the prompt are not answers (human reaction time). */
  readonly minReactionMs: number;
  /** The answer must be complete this long after the prompt. */
  readonly windowMs: number;
  /** Eyes count as closed below this share of the open-eye baseline EAR. */
  readonly closedEarShare: number;
  /** And as open again above this share. */
  readonly openEarShare: number;
  /** Longest blink, closing to reopening, ms. */
  readonly maxBlinkMs: number;
  /** Yaw away from the baseline, towards the asked side, that counts as a turn, degrees. */
  readonly turnDeg: number;
  /** Yaw back within this of the baseline counts as the return, degrees. */
  readonly returnDeg: number;
  /** A turn must show at least this non-planar residual (share of the inter-eye distance). */
  readonly minTurnNonRigidity: number;
  /** Repetition score below this, with motion in the sequence, marks a loop. */
  readonly maxLoopScore: number;
}

/**
 * Limits (this project's; no standard sets them). Reaction 150 ms: the fastest visual simple
 * reaction times; window 3 s: generous for a prompt read on screen. A blink takes 100–400 ms
 * (Soukupová and Čech 2016: 0.1–0.4 s), EAR falls to under half the open value; 60%/85% of the
 * applicant's own baseline leave room for landmark noise. Turn 20°: four times the frontal
 * pose limit and above the geometric yaw estimate's error (./quality/pose.ts), easy for
 * anyone asked to turn (people turn 30–45°). Non-rigidity 0.035 IED: above the largest
 * residual a picture leaves under 1% IED landmark jitter over a whole simulated session
 * (≤ 0.026), under half of what a 20° head turn makes (0.084 on the generic face; answered
 * turns in simulation ≥ 0.08). Loop
 * 0.15: on simulated 8.5 s sessions (./liveness-sim.ts, 40 of each) bona fide sessions scored
 * 0.22 and more, loops with motion 0.07 and less.
 */
export const LIVENESS_LIMITS: LivenessLimits = {
  minReactionMs: 150,
  windowMs: 3000,
  closedEarShare: 0.6,
  openEarShare: 0.85,
  maxBlinkMs: 500,
  turnDeg: 20,
  returnDeg: 10,
  minTurnNonRigidity: 0.035,
  maxLoopScore: 0.15,
};

export interface ChallengeResult {
  readonly challenge: Challenge;
  readonly issuedAtMs: number;
  readonly passed: boolean;
  /** Blink: eyes closed; turn: the turn's peak. */
  readonly atMs?: number;
  /** Blink: eyes open again; turn: back to the baseline. */
  readonly completedAtMs?: number;
  /** Blink: lowest EAR over the baseline; turn: peak yaw from the baseline, degrees. */
  readonly extreme: number;
  /** For a turn: largest non-planar residual during the turn (IED share). */
  readonly nonRigidity?: number;
  readonly reason?: 'noAnswer' | 'incomplete' | 'rigid';
}

export interface LivenessReport {
  readonly live: boolean;
  readonly challenges: readonly ChallengeResult[];
  /** Largest non-planar residual over the session, IED share (photo hint: small). */
  readonly nonRigidity: number;
  /** Repetition score, 0 (exact loop) … ~1 (no repetition); the lag of the best repeat. */
  readonly loopScore: number;
  readonly loopLagMs: number;
  readonly looped: boolean;
  readonly reasons: readonly string[];
}

const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

function checkFrames(frames: readonly LandmarkFrame[]): void {
  let last = -Infinity;
  frames.forEach((f, i) => {
    checkLandmarks(f.landmarks, `frames[${i}].landmarks`);
    if (!Number.isFinite(f.tMs) || f.tMs <= last) throw new InvalidArgumentError(`frames[${i}].tMs`, 'increasing finite timestamps', f.tMs);
    last = f.tMs;
  });
}

/** Mean of the two eyes' aspect ratios. */
const ear = (lm: Landmarks68): number => {
  const [a, b] = eyeAspectRatios(lm);
  return (a + b) / 2;
};

/** Frames before the prompt (the last 1.5 s), or the whole session when there are none. */
function baselineFrames(frames: readonly LandmarkFrame[], at: number): readonly LandmarkFrame[] {
  const before = frames.filter((f) => f.tMs < at && f.tMs >= at - 1500);
  return before.length >= 3 ? before : frames;
}

export function checkBlink(frames: readonly LandmarkFrame[], issuedAtMs: number, limits: LivenessLimits = LIVENESS_LIMITS): ChallengeResult {
  checkFrames(frames);
  const challenge: Challenge = { kind: 'blink' };
  const base = median(baselineFrames(frames, issuedAtMs).map((f) => ear(f.landmarks)));
  const from = issuedAtMs + limits.minReactionMs;
  const to = issuedAtMs + limits.windowMs;
  let minShare = Infinity;
  let openBefore = false;
  let closedAt: number | undefined;
  for (const f of frames) {
    if (f.tMs > to) break;
    const share = base > 0 ? ear(f.landmarks) / base : 0;
    if (f.tMs < from) {
      openBefore = share >= limits.openEarShare;
      continue;
    }
    minShare = Math.min(minShare, share);
    if (closedAt === undefined) {
      if (share < limits.closedEarShare && openBefore) closedAt = f.tMs;
      else openBefore = share >= limits.openEarShare || openBefore;
    } else if (share >= limits.openEarShare) {
      if (f.tMs - closedAt <= limits.maxBlinkMs) return { challenge, issuedAtMs, passed: true, atMs: closedAt, completedAtMs: f.tMs, extreme: minShare };
      // Eyes closed too long: a squeeze or a look down, not a blink; look for another.
      closedAt = undefined;
      openBefore = true;
    }
  }
  return { challenge, issuedAtMs, passed: false, extreme: Number.isFinite(minShare) ? minShare : 1, reason: closedAt === undefined ? 'noAnswer' : 'incomplete' };
}

/** Yaw of every frame (geometric estimate, degrees; positive: the subject's left). */
export function yawSeries(frames: readonly LandmarkFrame[]): number[] {
  return frames.map((f) => estimatePose(f.landmarks, { width: 1, height: 1 }, 'geometric').yaw);
}

export function checkTurn(frames: readonly LandmarkFrame[], direction: 'left' | 'right', issuedAtMs: number, limits: LivenessLimits = LIVENESS_LIMITS): ChallengeResult {
  checkFrames(frames);
  const challenge: Challenge = { kind: 'turn', direction };
  const yaws = yawSeries(frames);
  const baseIdx = new Set(baselineFrames(frames, issuedAtMs));
  const base = median(yaws.filter((_, i) => baseIdx.has(frames[i] as LandmarkFrame)));
  // "Turn left" is the subject's left: positive yaw (./quality/face-model.ts), the nose moving
  // to image right in an unmirrored camera frame.
  const sign = direction === 'left' ? 1 : -1;
  const from = issuedAtMs + limits.minReactionMs;
  const to = issuedAtMs + limits.windowMs;
  let peak = 0;
  let peakAt: number | undefined;
  let peakIdx = -1;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i] as LandmarkFrame;
    if (f.tMs < from) continue;
    if (f.tMs > to) break;
    const d = sign * ((yaws[i] ?? 0) - base);
    if (peakAt === undefined || d > peak) {
      peak = d;
      peakAt = f.tMs;
      peakIdx = i;
    }
    if (peak >= limits.turnDeg && Math.abs((yaws[i] ?? 0) - base) <= limits.returnDeg) {
      const nonRigidity = maxNonRigidity(frames, frames.findIndex((g) => g.tMs >= from), i, baseIdx);
      const passed = nonRigidity >= limits.minTurnNonRigidity;
      return { challenge, issuedAtMs, passed, atMs: peakAt, completedAtMs: f.tMs, extreme: peak, nonRigidity, ...(passed ? {} : { reason: 'rigid' as const }) };
    }
  }
  return { challenge, issuedAtMs, passed: false, ...(peakIdx >= 0 && peakAt !== undefined ? { atMs: peakAt } : {}), extreme: peak, reason: peak >= limits.turnDeg ? 'incomplete' : 'noAnswer' };
}

/**
 * Non-planar residual of frame `lm` against `ref`: the RMS distance, over the rigid points and
 * the face outline, between `lm` and `ref` mapped by the least-squares homography from `ref`
 * to `lm`, over the inter-eye distance.
 */
export function nonPlanarResidual(ref: Landmarks68, lm: Landmarks68): number {
  const cv = opencv();
  const idx = [...new Set([...RIGID_POINTS, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15])];
  const src = idx.map((i) => new cv.Point2(pt(ref, i).x, pt(ref, i).y));
  const dst = idx.map((i) => new cv.Point2(pt(lm, i).x, pt(lm, i).y));
  const { homography: h, mask } = cv.findHomography(src, dst, 0);
  try {
    if (h.empty) return 0;
    const m = h.getDataAsArray();
    const at = (r: number, c: number): number => m[r]?.[c] ?? 0;
    let sum = 0;
    idx.forEach((_, k) => {
      const s = src[k] as { x: number; y: number };
      const d = dst[k] as { x: number; y: number };
      const w = at(2, 0) * s.x + at(2, 1) * s.y + at(2, 2);
      const x = (at(0, 0) * s.x + at(0, 1) * s.y + at(0, 2)) / w;
      const y = (at(1, 0) * s.x + at(1, 1) * s.y + at(1, 2)) / w;
      sum += (x - d.x) ** 2 + (y - d.y) ** 2;
    });
    const ied = interEyeDistance(lm) || 1;
    return Math.sqrt(sum / idx.length) / ied;
  } finally {
    h.release();
    mask.release();
  }
}

/** Largest non-planar residual of frames[from..to] against the baseline's middle frame. */
function maxNonRigidity(frames: readonly LandmarkFrame[], from: number, to: number, baseline: ReadonlySet<LandmarkFrame>): number {
  const base = frames.filter((f) => baseline.has(f));
  const ref = base[base.length >> 1] ?? frames[0];
  if (!ref) return 0;
  const rs: number[] = [];
  for (let i = Math.max(0, from); i <= to && i < frames.length; i++) rs.push(nonPlanarResidual(ref.landmarks, (frames[i] as LandmarkFrame).landmarks));
  // The median of three neighbours: one badly placed frame does not make a turn non-rigid.
  let best = 0;
  for (let i = 1; i + 1 < rs.length; i++) best = Math.max(best, median([rs[i - 1] ?? 0, rs[i] ?? 0, rs[i + 1] ?? 0]));
  return rs.length < 3 ? Math.max(0, ...rs) : best;
}

/**
 * Shapes with translation, scale and in-plane rotation removed (each frame's landmarks,
 * centred, rotated so the eye line is level and scaled to unit inter-eye distance).
 */
function normalisedShapes(frames: readonly LandmarkFrame[]): Float64Array[] {
  return frames.map((f) => {
    const lm = f.landmarks;
    let cx = 0;
    let cy = 0;
    for (let i = 0; i < 68; i++) {
      cx += lm[2 * i] ?? 0;
      cy += lm[2 * i + 1] ?? 0;
    }
    cx /= 68;
    cy /= 68;
    const a = pt(lm, 39);
    const b = pt(lm, 42);
    const ang = Math.atan2(b.y - a.y, b.x - a.x);
    const s = 1 / (interEyeDistance(lm) || 1);
    const c = Math.cos(-ang) * s;
    const sn = Math.sin(-ang) * s;
    const out = new Float64Array(136);
    for (let i = 0; i < 68; i++) {
      const x = (lm[2 * i] ?? 0) - cx;
      const y = (lm[2 * i + 1] ?? 0) - cy;
      out[2 * i] = c * x - sn * y;
      out[2 * i + 1] = sn * x + c * y;
    }
    return out;
  });
}

/** The shape at time t, linearly interpolated between the neighbouring frames. */
function shapeAt(shapes: readonly Float64Array[], times: readonly number[], t: number, hint: number): { shape: Float64Array | undefined; hint: number } {
  let i = hint;
  while (i + 1 < times.length && (times[i + 1] ?? Infinity) <= t) i++;
  const t0 = times[i] ?? 0;
  const t1 = times[i + 1];
  const a = shapes[i];
  const b = shapes[i + 1];
  if (!a || t < t0) return { shape: undefined, hint: i };
  if (!b || t1 === undefined) return { shape: t === t0 ? a : undefined, hint: i };
  const w = (t - t0) / (t1 - t0);
  const out = new Float64Array(a.length);
  for (let k = 0; k < a.length; k++) out[k] = (a[k] ?? 0) * (1 - w) + (b[k] ?? 0) * w;
  return { shape: out, hint: i };
}

function rms(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += ((a[k] ?? 0) - (b[k] ?? 0)) ** 2;
  return Math.sqrt(s / (a.length / 2));
}

/** Result of the repetition search. */
export interface Repetition {
  /**
   * Smallest, over the lags whose compared frames hold motion, of (distance at that lag −
   * jitter floor) / (√2 × the motion's spread): 0 when the sequence repeats itself up to the
   * detector's jitter, ~1 when the later frames are unrelated to the earlier; 1 when no lag
   * compares frames with motion in them (a still face repeats trivially and proves nothing).
   */
  readonly score: number;
  readonly lagMs: number;
  /** Mean shape distance at the best lag and between two jittered copies of one shape (IED units). */
  readonly best: number;
  readonly floor: number;
}

/**
 * The landmark jitter's floor: the distance two noisy copies of the same shape would have,
 * estimated from each frame's departure from the mean of its neighbours (which removes smooth
 * motion): that departure has 1.5 times the jitter's variance, a pair of copies twice.
 */
function noiseFloor(shapes: readonly Float64Array[]): number {
  const ds: number[] = [];
  for (let i = 1; i + 1 < shapes.length; i++) {
    const a = shapes[i - 1] as Float64Array;
    const b = shapes[i] as Float64Array;
    const c = shapes[i + 1] as Float64Array;
    const m = new Float64Array(b.length);
    for (let k = 0; k < b.length; k++) m[k] = ((a[k] ?? 0) + (c[k] ?? 0)) / 2;
    ds.push(rms(b, m));
  }
  return median(ds) * Math.sqrt(2 / 1.5);
}

/** Shortest loop looked for, ms: a clip shorter than this cannot hold a blink and a turn. */
export const MIN_LOOP_MS = 1000;
/** Each lag is compared over at least this much of the session, ms. */
export const MIN_LOOP_OVERLAP_MS = 2000;

/**
 * Repetition: for each lag from MIN_LOOP_MS up to the session's length less
 * MIN_LOOP_OVERLAP_MS, the mean distance between each frame's normalised shape and the shape
 * one lag later, set against the landmark jitter's floor and against how much the compared
 * frames move (their mean distance from their own mean shape).
 */
export function repetition(frames: readonly LandmarkFrame[]): Repetition {
  checkFrames(frames);
  const none = { score: 1, lagMs: 0, best: 0, floor: 0 };
  if (frames.length < 8) return none;
  const shapes = normalisedShapes(frames);
  const floor = noiseFloor(shapes);
  const times = frames.map((f) => f.tMs);
  const span = (times[times.length - 1] ?? 0) - (times[0] ?? 0);
  const step = span / (frames.length - 1) / 2;
  let result: Repetition = none;
  for (let lag = MIN_LOOP_MS; lag <= span - MIN_LOOP_OVERLAP_MS; lag += step) {
    let sum = 0;
    let hint = 0;
    const used: Float64Array[] = [];
    for (let i = 0; i < frames.length; i++) {
      const r = shapeAt(shapes, times, (times[i] ?? 0) + lag, hint);
      hint = r.hint;
      if (!r.shape) break;
      const a = shapes[i] as Float64Array;
      sum += rms(a, r.shape);
      used.push(a);
    }
    if (used.length < 4) continue;
    const mean = new Float64Array(136);
    for (const a of used) for (let k = 0; k < 136; k++) mean[k] = (mean[k] ?? 0) + (a[k] ?? 0) / used.length;
    const spread = used.reduce((acc, a) => acc + rms(a, mean), 0) / used.length;
    // Frames that hardly move beyond the jitter repeat at any lag: no evidence either way.
    if (spread < 1.5 * floor || spread < 1e-4) continue;
    const d = sum / used.length;
    const score = Math.max(0, d - floor) / (Math.SQRT2 * spread);
    if (score < result.score) result = { score, lagMs: lag, best: d, floor };
  }
  return result;
}

/** Checks every prompted challenge and the replay hints; live when all challenges pass and no loop is seen. */
export function assessLiveness(frames: readonly LandmarkFrame[], challenges: readonly IssuedChallenge[], limits: LivenessLimits = LIVENESS_LIMITS): LivenessReport {
  checkFrames(frames);
  if (challenges.length === 0) throw new InvalidArgumentError('challenges', 'at least one challenge', 0);
  const results = challenges.map((c) => (c.challenge.kind === 'blink' ? checkBlink(frames, c.issuedAtMs, limits) : checkTurn(frames, c.challenge.direction, c.issuedAtMs, limits)));
  const ref = frames[0];
  let nonRigidity = 0;
  if (ref) for (const f of frames) nonRigidity = Math.max(nonRigidity, nonPlanarResidual(ref.landmarks, f.landmarks));
  const rep = repetition(frames);
  const looped = rep.score < limits.maxLoopScore;
  const reasons: string[] = [];
  results.forEach((r) => {
    if (!r.passed) reasons.push(`${r.challenge.kind === 'blink' ? 'blink' : `turn ${r.challenge.direction}`}: ${r.reason ?? 'failed'}`);
  });
  if (looped) reasons.push('repeating motion (looped recording)');
  return { live: reasons.length === 0, challenges: results, nonRigidity, loopScore: rep.score, loopLagMs: rep.lagMs, looped, reasons };
}
