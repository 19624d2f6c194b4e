// Simulated landmark sessions for liveness (./liveness.ts): a bona fide applicant answering
// prompted challenges, a printed photo held and turned in front of the camera, and a looped
// recording played on a screen. Used by the liveness tests to measure APCER / BPCER and by the
// camera simulator to drive the kiosk without a person. Everything comes from a seeded random
// source, so a session is reproducible from its seed.
//
// Model (this project's assumptions, stated so the measured rates can be judged):
// - the camera sees the generic 3D face (./quality/face-model.ts) of a subject whose shape
//   varies ±10% in scale and ~1.5 mm per point, 500–700 mm away, at SIM_FPS;
// - the landmark detector adds independent Gaussian jitter of JITTER_IED of the inter-eye
//   distance per coordinate and drops 2% of frames;
// - a person sways (pose random walk of a few degrees), blinks spontaneously (~15 per
//   minute, 200–400 ms), answers a blink prompt after 300–1200 ms and a turn prompt after
//   400–1200 ms by turning 20–45° and back; 3% of prompts are missed (looking away, not
//   understanding), and some turns are shallow — the bona fide errors the test counts;
// - a printed photo is a flat picture of a frontal face, held by hand (drifting position,
//   rotation and tilt) and turned up to 45° about its vertical axis when asked to turn;
// - a looped recording is 2–3.5 s of a real session (with blinks and turns) replayed on a
//   flat screen held by hand, the camera adding its own jitter on every replay.
import { InvalidArgumentError } from '../errors.js';
import type { IssuedChallenge, LandmarkFrame } from './liveness.js';
import { GENERIC_FACE, projectFace, withExpression, type HeadPose, type PinholeCamera, type Vec3 } from './quality/face-model.js';
import { interEyeDistance } from './quality/landmarks.js';
import { LANDMARK_COUNT, type Landmarks68 } from './types.js';

/** A uniform random source on [0, 1). */
export type Random = () => number;

/** Mulberry32: a small seeded generator, good enough for simulation (not for keys). */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(r: Random): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

const uniform = (r: Random, lo: number, hi: number): number => lo + (hi - lo) * r();

export const SIM_FPS = 15;
export const JITTER_IED = 0.01;
const DROP_RATE = 0.02;
const MISS_RATE = 0.03;

export type SessionKind = 'bonaFide' | 'printedPhoto' | 'loopedVideo';

export interface SimSessionOptions {
  readonly kind: SessionKind;
  readonly challenges: readonly IssuedChallenge[];
  readonly durationMs: number;
  readonly camera?: PinholeCamera;
  readonly fps?: number;
}

export interface SimSession {
  readonly kind: SessionKind;
  readonly frames: LandmarkFrame[];
  readonly challenges: readonly IssuedChallenge[];
}

const CAMERA: PinholeCamera = { focalPx: 640, cx: 320, cy: 240 };

/** Eye opening (0–1) over a blink starting at t0: 100 ms closing, 60 ms closed, 150 ms opening. */
function blinkOpen(t: number, t0: number, closedMs: number): number {
  const d = t - t0;
  if (d < 0) return 1;
  if (d < 100) return 1 - d / 100;
  if (d < 100 + closedMs) return 0;
  if (d < 250 + closedMs) return (d - 100 - closedMs) / 150;
  return 1;
}

/** Yaw offset (degrees) of a turn to `amp` starting at t0: out, hold, back. */
function turnYaw(t: number, t0: number, amp: number, outMs: number, holdMs: number, backMs: number): number {
  const d = t - t0;
  if (d < 0) return 0;
  const ease = (x: number): number => 0.5 - 0.5 * Math.cos(Math.PI * Math.min(1, Math.max(0, x)));
  if (d < outMs) return amp * ease(d / outMs);
  if (d < outMs + holdMs) return amp;
  if (d < outMs + holdMs + backMs) return amp * (1 - ease((d - outMs - holdMs) / backMs));
  return 0;
}

/** A person's motion script: pose offsets and eye opening as functions of time. */
interface Script {
  readonly pose: (t: number) => HeadPose;
  readonly eyeOpen: (t: number) => number;
}

function personScript(r: Random, challenges: readonly IssuedChallenge[], durationMs: number, answer: boolean): Script {
  // Sway: a sum of slow sinusoids with random phases, a few degrees.
  const sway = [0, 1, 2].map(() => ({ a: uniform(r, 0.5, 2.5), f: uniform(r, 0.1, 0.6), p: uniform(r, 0, 2 * Math.PI) }));
  const swayAt = (t: number, k: number): number => sway.reduce((s, w, j) => s + w.a * Math.sin(2 * Math.PI * w.f * (t / 1000) + w.p + j * k), 0);
  const base = { yaw: gaussian(r) * 3, pitch: gaussian(r) * 3, roll: gaussian(r) * 2 };
  const blinks: { t0: number; closed: number }[] = [];
  for (let t = uniform(r, 0, 4000); t < durationMs; t += uniform(r, 1500, 6500)) blinks.push({ t0: t, closed: uniform(r, 0, 150) });
  const turns: { t0: number; amp: number; out: number; hold: number; back: number }[] = [];
  for (const c of challenges) {
    if (!answer || r() < MISS_RATE) continue;
    if (c.challenge.kind === 'blink') blinks.push({ t0: c.issuedAtMs + uniform(r, 300, 1200), closed: uniform(r, 0, 150) });
    else {
      // Most people turn 25–45°; one in ten barely turns (15–25°).
      const amp = r() < 0.1 ? uniform(r, 15, 25) : uniform(r, 25, 45);
      turns.push({ t0: c.issuedAtMs + uniform(r, 400, 1200), amp: c.challenge.direction === 'left' ? amp : -amp, out: uniform(r, 300, 600), hold: uniform(r, 100, 500), back: uniform(r, 300, 600) });
    }
  }
  return {
    pose: (t) => ({
      yaw: base.yaw + swayAt(t, 0) + turns.reduce((s, u) => s + turnYaw(t, u.t0, u.amp, u.out, u.hold, u.back), 0),
      pitch: base.pitch + 0.6 * swayAt(t, 1),
      roll: base.roll + 0.4 * swayAt(t, 2),
    }),
    eyeOpen: (t) => blinks.reduce((m, b) => Math.min(m, blinkOpen(t, b.t0, b.closed)), 1),
  };
}

function subjectShape(r: Random): Vec3[] {
  const k = uniform(r, 0.9, 1.1);
  return GENERIC_FACE.map(([x, y, z]) => [k * x + 1.5 * gaussian(r), k * y + 1.5 * gaussian(r), k * z + 1.5 * gaussian(r)]);
}

function jitter(lm: Landmarks68, r: Random): Landmarks68 {
  const s = JITTER_IED * interEyeDistance(lm);
  const out = new Float32Array(lm.length);
  for (let i = 0; i < lm.length; i++) out[i] = (lm[i] ?? 0) + s * gaussian(r);
  return out;
}

/** A hand holding a flat object: slow drift in position, in-plane rotation and tilt. */
function handScript(r: Random): (t: number) => { x: number; y: number; distance: number; pose: HeadPose } {
  const ph = Array.from({ length: 6 }, () => uniform(r, 0, 2 * Math.PI));
  const x0 = gaussian(r) * 20;
  const y0 = gaussian(r) * 15;
  const d0 = uniform(r, 450, 650);
  return (t) => {
    const s = t / 1000;
    return {
      x: x0 + 8 * Math.sin(0.7 * s + (ph[0] ?? 0)),
      y: y0 + 6 * Math.sin(0.9 * s + (ph[1] ?? 0)),
      distance: d0 + 15 * Math.sin(0.4 * s + (ph[2] ?? 0)),
      pose: { yaw: 5 * Math.sin(0.5 * s + (ph[3] ?? 0)), pitch: 5 * Math.sin(0.6 * s + (ph[4] ?? 0)), roll: 3 * Math.sin(0.8 * s + (ph[5] ?? 0)) },
    };
  };
}

/** A face as seen frontally, flattened onto a picture plane (z = 0), in picture millimetres. */
function flatPicture(lm: Landmarks68, cam: PinholeCamera, distance: number): Vec3[] {
  const out: Vec3[] = [];
  for (let i = 0; i < LANDMARK_COUNT; i++) out.push([(((lm[2 * i] ?? 0) - cam.cx) * distance) / cam.focalPx, (((lm[2 * i + 1] ?? 0) - cam.cy) * distance) / cam.focalPx, 0]);
  return out;
}

export function simulateSession(o: SimSessionOptions, r: Random): SimSession {
  if (!(o.durationMs > 0)) throw new InvalidArgumentError('durationMs', 'a positive duration', o.durationMs);
  const cam = o.camera ?? CAMERA;
  const fps = o.fps ?? SIM_FPS;
  const shape = subjectShape(r);
  const frames: LandmarkFrame[] = [];
  const times: number[] = [];
  for (let t = 0; t < o.durationMs; t += 1000 / fps) if (r() >= DROP_RATE) times.push(Math.round(t + uniform(r, -2, 2)) + 3);

  if (o.kind === 'bonaFide') {
    const script = personScript(r, o.challenges, o.durationMs, true);
    const at = { x: gaussian(r) * 25, y: gaussian(r) * 20, distance: uniform(r, 500, 700) };
    for (const t of times) {
      const lm = projectFace(withExpression({ eyeOpen: script.eyeOpen(t) }, shape), { ...at, pose: script.pose(t) }, cam);
      frames.push({ tMs: t, landmarks: jitter(lm, r) });
    }
  } else if (o.kind === 'printedPhoto') {
    // The photo: this subject, frontal, eyes open, printed so the face is life-size or smaller.
    const photo = flatPicture(projectFace(shape, { x: 0, y: 0, distance: 600, pose: { yaw: 0, pitch: 0, roll: 0 } }, cam), cam, 600 * uniform(r, 0.7, 1));
    const hand = handScript(r);
    // Asked to turn, the attacker turns the picture about its vertical axis.
    const turns = o.challenges.flatMap((c) =>
      c.challenge.kind === 'turn' ? [{ t0: c.issuedAtMs + uniform(r, 400, 1200), amp: (c.challenge.direction === 'left' ? 1 : -1) * uniform(r, 25, 45), out: uniform(r, 300, 600), hold: uniform(r, 100, 500), back: uniform(r, 300, 600) }] : [],
    );
    for (const t of times) {
      const h = hand(t);
      const yaw = h.pose.yaw + turns.reduce((s, u) => s + turnYaw(t, u.t0, u.amp, u.out, u.hold, u.back), 0);
      frames.push({ tMs: t, landmarks: jitter(projectFace(photo, { ...h, pose: { ...h.pose, yaw } }, cam), r) });
    }
  } else {
    // The recording: a bona fide clip in which the person blinks and turns both ways.
    const clipMs = uniform(r, 2000, 3500);
    const clipChallenges: IssuedChallenge[] = [
      { challenge: { kind: 'turn', direction: r() < 0.5 ? 'left' : 'right' }, issuedAtMs: uniform(r, -600, clipMs / 3) },
      { challenge: { kind: 'blink' }, issuedAtMs: uniform(r, 0, clipMs / 2) },
    ];
    const script = personScript(r, clipChallenges, clipMs, true);
    const recorded = (t: number): Landmarks68 => projectFace(withExpression({ eyeOpen: script.eyeOpen(t) }, shape), { x: 0, y: 0, distance: 600, pose: script.pose(t) }, cam);
    const screenScale = uniform(r, 0.5, 0.9);
    const hand = handScript(r);
    const offset = uniform(r, 0, clipMs);
    for (const t of times) {
      const clipT = (t + offset) % clipMs;
      const picture = flatPicture(recorded(clipT), cam, 600 * screenScale);
      frames.push({ tMs: t, landmarks: jitter(projectFace(picture, hand(t), cam), r) });
    }
  }
  return { kind: o.kind, frames, challenges: o.challenges };
}

/** A random challenge plan: a blink and a turn (random side), in random order, 2.5 s apart. */
export function randomChallenges(r: Random, firstAtMs = 1500): IssuedChallenge[] {
  const turn: IssuedChallenge['challenge'] = { kind: 'turn', direction: r() < 0.5 ? 'left' : 'right' };
  const blink: IssuedChallenge['challenge'] = { kind: 'blink' };
  const order = r() < 0.5 ? [blink, turn] : [turn, blink];
  return order.map((challenge, i) => ({ challenge, issuedAtMs: firstAtMs + i * 3000 + Math.round(uniform(r, 0, 500)) }));
}
