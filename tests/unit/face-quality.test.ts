// Portrait quality checks (src/face/quality/) on drawn faces with exactly known landmarks
// (tests/unit/helpers/face-scenes.ts): a centred frontal face passes; each defect fails the
// check made for it (and only checks it plausibly drags along, listed per case with why);
// pose estimation is compared between the solvePnP and the geometric method on projected
// faces of varied shape; landmark measures and limit semantics are pinned; hostile landmark
// input yields an assessment or an InvalidArgumentError, nothing else.
import fc from 'fast-check';
import t from 'tap';
import { InvalidArgumentError } from '../../src/errors.js';
import { assessPortrait, checkMargin, type PortraitAssessment } from '../../src/face/quality/assess.js';
import { GENERIC_FACE, poseFromRotation, projectFace, rotationMatrix, withExpression, type Vec3 } from '../../src/face/quality/face-model.js';
import { chinAndCrown, eyeAspectRatios, interEyeDistance, mouthOpening } from '../../src/face/quality/landmarks.js';
import { CAPTURE_LIMITS, CHECK_NAMES, evaluate, MIN_SHARPNESS, PORTRAIT_LIMITS, type CheckName } from '../../src/face/quality/limits.js';
import { estimatePose, relativeToLineOfSight } from '../../src/face/quality/pose.js';
import { seededRandom, gaussian } from '../../src/face/liveness-sim.js';
import { faceScene, type FaceSceneOptions, type FaceSpec } from './helpers/face-scenes.js';

// A 600 × 800 portrait: the generic head 600 mm away through a 1620 px lens is 75% of the
// height, its eyes 56% above the bottom edge — inside every ICAO limit.
const PORTRAIT = { width: 600, height: 800, focalPx: 1620 } as const;
const CENTRED: FaceSpec = { y: -18, distance: 600 };

function portrait(o: Partial<FaceSceneOptions> = {}, face: FaceSpec = {}): PortraitAssessment {
  const s = faceScene({ ...PORTRAIT, faces: [{ ...CENTRED, ...face }], ...o });
  // The scene's lens is known: give it to the pose solver, as the kiosk gives its calibration.
  return assessPortrait(s.image, s.faces, { focalPx: PORTRAIT.focalPx });
}

const failedOf = (a: PortraitAssessment): readonly CheckName[] => (a.faceFound ? a.failed : ['faceCount']);

t.test('a centred frontal face passes every check, all reported', async (t) => {
  const a = portrait();
  t.ok(a.faceFound);
  if (!a.faceFound) return;
  t.ok(a.compliant, `failed: ${a.failed.join(',')}`);
  t.same(Object.keys(a.checks), [...CHECK_NAMES]);
  t.ok(Math.abs(a.checks.headHeight.value - 0.75) < 0.02, `head height ${a.checks.headHeight.value}`);
  t.ok(Math.abs(a.checks.horizontalPosition.value - 0.5) < 0.005);
  t.ok(a.checks.eyeDistance.value > 150, 'eye distance ≈ 1620 × 61 / 600');
  t.ok(Math.abs(a.pose.yaw) < 1.5 && Math.abs(a.pose.pitch) < 2.5 && Math.abs(a.pose.roll) < 0.5, `pose ${JSON.stringify(a.pose)}`);
  t.same(a.checks.eyeDistance.limit, 90, 'limit reported with the value');
});

// Each case: what is wrong, the check that must fail, and the checks it may drag along.
const DEFECTS: { name: string; scene?: Partial<FaceSceneOptions>; face?: FaceSpec; fails: CheckName; also?: CheckName[] }[] = [
  { name: 'head turned 20°', face: { pose: { yaw: 20 } }, fails: 'yaw' },
  { name: 'chin raised 15°', face: { pose: { pitch: 15 } }, fails: 'pitch', also: ['headHeight', 'eyeLine'] },
  { name: 'head tilted 15°', face: { pose: { roll: 15 } }, fails: 'roll', also: ['headHeight'] },
  { name: 'eyes closed', face: { eyeOpen: 0.1 }, fails: 'eyesOpen' },
  // The chin drops with the jaw, so the crown estimate (from the chin–nasion line) grows.
  { name: 'mouth open', face: { mouthOpenMm: 15 }, fails: 'mouthClosed', also: ['headHeight'] },
  { name: 'off-centre', face: { x: 45 }, fails: 'horizontalPosition' },
  // Far away: few pixels, and the head small in the frame.
  { name: 'too small', face: { distance: 1200 }, fails: 'eyeDistance', also: ['headHeight', 'eyeLine'] },
  { name: 'dark', scene: { gain: 0.3 }, fails: 'exposure', also: ['dynamicRange'] },
  // Defocus also flattens the pupils' contrast against the sclera.
  { name: 'blurred', scene: { blurSigma: 5 }, fails: 'sharpness', also: ['dynamicRange'] },
  { name: 'light from one side', scene: { sideLight: 0.5 }, fails: 'lightingBalance' },
  { name: 'busy background', scene: { busyBackground: true }, fails: 'backgroundUniformity' },
];

for (const d of DEFECTS) {
  t.test(`${d.name}: fails ${d.fails}`, async (t) => {
    const a = portrait(d.scene, d.face);
    t.notOk(a.compliant);
    const failed = failedOf(a);
    t.ok(failed.includes(d.fails), `failed: ${failed.join(',')}`);
    const allowed = new Set<CheckName>([d.fails, ...(d.also ?? [])]);
    t.same(
      failed.filter((f) => !allowed.has(f)),
      [],
      'no unrelated check fails',
    );
  });
}

t.test('two faces: faceCount fails, the larger face is assessed', async (t) => {
  const s = faceScene({ width: 1000, height: 800, focalPx: 1620, faces: [{ x: 140, y: -18, distance: 900 }, { x: -60, y: -18, distance: 600 }] });
  const a = assessPortrait(s.image, s.faces, { focalPx: 1620 });
  t.ok(a.faceFound);
  if (!a.faceFound) return;
  t.equal(a.faceIndex, 1, 'the nearer (larger) face');
  t.equal(a.checks.faceCount.value, 2);
  t.notOk(a.checks.faceCount.ok);
  // The second person is also in the background and off to one side of the frame.
  t.same(
    a.failed.filter((f) => !['faceCount', 'backgroundUniformity', 'horizontalPosition'].includes(f)),
    [],
    `failed: ${a.failed.join(',')}`,
  );
});

t.test('no face: only faceCount, failing', async (t) => {
  const s = faceScene({ ...PORTRAIT, faces: [] });
  const a = assessPortrait(s.image, []);
  t.equal(a.faceFound, false);
  t.equal(a.compliant, false);
  t.same(a.checks, { faceCount: { value: 0, limit: [1, 1], ok: false } });
});

t.test('sharpness limit: passes defocus σ 1, fails σ 2 (canonical pixels)', async (t) => {
  // The portrait's eyes are ~160 px apart, the canonical distance 64: σ scales by 2.5.
  const sharp = portrait({ blurSigma: 2.5 });
  const soft = portrait({ blurSigma: 5 });
  if (!sharp.faceFound || !soft.faceFound) throw new Error('face expected');
  t.ok(sharp.checks.sharpness.value > MIN_SHARPNESS, `σ1: ${sharp.checks.sharpness.value.toFixed(0)}`);
  t.ok(soft.checks.sharpness.value < MIN_SHARPNESS, `σ2: ${soft.checks.sharpness.value.toFixed(0)}`);
  // Heavy sensor noise passes for detail (a known weakness of the Laplacian): measured, not hidden.
  const noisySoft = portrait({ blurSigma: 5, noiseSigma: 6 });
  if (noisySoft.faceFound) t.comment(`σ2 with sensor noise σ 6: ${noisySoft.checks.sharpness.value.toFixed(0)} (limit ${MIN_SHARPNESS})`);
});

t.test('capture limits accept a live frame that the portrait limits reject for position', async (t) => {
  const s = faceScene({ width: 1280, height: 960, faces: [{ x: 20, y: -10 }] });
  const capture = assessPortrait(s.image, s.faces, { limits: CAPTURE_LIMITS });
  const port = assessPortrait(s.image, s.faces, { limits: PORTRAIT_LIMITS });
  t.ok(capture.compliant, capture.faceFound ? capture.failed.join(',') : 'no face');
  t.ok(port.faceFound && port.failed.includes('headHeight'), 'head too small for a finished portrait');
});

t.test('pose: solvePnP against the geometric approximation on varied faces', async (t) => {
  const r = seededRandom(7);
  const W = 640;
  const H = 480;
  const n = 300;
  const err = { pnp: [0, 0, 0], geometric: [0, 0, 0] };
  for (let k = 0; k < n; k++) {
    const [sx, sy, sz] = [1 + 0.08 * (2 * r() - 1), 1 + 0.08 * (2 * r() - 1), 1 + 0.08 * (2 * r() - 1)];
    const shape = GENERIC_FACE.map(([x, y, z]): Vec3 => [x * sx + 1.5 * gaussian(r), y * sy + 1.5 * gaussian(r), z * sz + 1.5 * gaussian(r)]);
    const axes = { yaw: 60 * r() - 30, pitch: 60 * r() - 30, roll: 30 * r() - 15 };
    const at = { x: 40 * gaussian(r), y: 30 * gaussian(r), distance: 550 + 100 * r() };
    const lm = projectFace(shape, { pose: axes, ...at }, { focalPx: W, cx: W / 2, cy: H / 2 });
    // The truth is the pose against the line of sight, as the estimators report it.
    const pose = poseFromRotation(relativeToLineOfSight(rotationMatrix(axes), [at.x, at.y, at.distance]));
    for (let i = 0; i < lm.length; i++) lm[i] = (lm[i] ?? 0) + gaussian(r);
    for (const m of ['pnp', 'geometric'] as const) {
      const e = estimatePose(lm, { width: W, height: H }, m);
      err[m][0] = (err[m][0] ?? 0) + Math.abs(e.yaw - pose.yaw) / n;
      err[m][1] = (err[m][1] ?? 0) + Math.abs(e.pitch - pose.pitch) / n;
      err[m][2] = (err[m][2] ?? 0) + Math.abs(e.roll - pose.roll) / n;
    }
  }
  const f = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(' / ');
  t.comment(`pose MAE yaw / pitch / roll (°): pnp ${f(err.pnp)}, geometric ${f(err.geometric)}`);
  t.ok((err.pnp[0] ?? 9) < 2 && (err.pnp[1] ?? 9) < 2.5 && (err.pnp[2] ?? 9) < 1, 'pnp within the ±5° limits with room');
  t.ok((err.pnp[1] ?? 9) < (err.geometric[1] ?? 0), 'pnp better on pitch (why quality uses it)');
  t.ok((err.geometric[0] ?? 99) < 6, 'geometric yaw good enough for the 20° liveness turn');
});

t.test('pose sign conventions and the rotation round trip', async (t) => {
  const cam = { focalPx: 640, cx: 320, cy: 240 };
  for (const m of ['pnp', 'geometric'] as const) {
    const at = (pose: { yaw: number; pitch: number; roll: number }): ReturnType<typeof estimatePose> => estimatePose(projectFace(GENERIC_FACE, { pose, x: 0, y: 0, distance: 600 }, cam), { width: 640, height: 480 }, m);
    t.ok(at({ yaw: 15, pitch: 0, roll: 0 }).yaw > 10, `${m}: yaw +`);
    t.ok(at({ yaw: -15, pitch: 0, roll: 0 }).yaw < -10, `${m}: yaw −`);
    t.ok(at({ yaw: 0, pitch: 15, roll: 0 }).pitch > 8, `${m}: pitch +`);
    t.ok(at({ yaw: 0, pitch: 0, roll: 10 }).roll > 8, `${m}: roll +`);
  }
  const lm = projectFace(GENERIC_FACE, { pose: { yaw: 20, pitch: 0, roll: 0 }, x: 0, y: 0, distance: 600 }, cam);
  t.ok((lm[60] ?? 0) > 320 + 8, 'yaw + moves the nose tip (30) to image right');
  const p = { yaw: 12, pitch: -7, roll: 5 };
  const back = poseFromRotation(rotationMatrix(p));
  t.ok(Math.abs(back.yaw - 12) < 1e-9 && Math.abs(back.pitch + 7) < 1e-9 && Math.abs(back.roll - 5) < 1e-9);
});

t.test('landmark measures on the generic face', async (t) => {
  const cam = { focalPx: 600, cx: 300, cy: 300 };
  const at = { pose: { yaw: 0, pitch: 0, roll: 0 }, x: 0, y: 0, distance: 600 };
  const open = projectFace(GENERIC_FACE, at, cam);
  const [ea, eb] = eyeAspectRatios(open);
  t.ok(Math.abs(ea - 0.247) < 0.01 && Math.abs(eb - 0.247) < 0.01, `EAR ${ea}`);
  t.ok(eyeAspectRatios(projectFace(withExpression({ eyeOpen: 0 }), at, cam))[0] < 0.01, 'closed eye');
  t.equal(mouthOpening(open), 0);
  t.ok(mouthOpening(projectFace(withExpression({ mouthOpenMm: 20 }), at, cam)) > 0.35, 'open mouth: a 20 mm gap over a 51 mm inner mouth');
  t.ok(Math.abs(interEyeDistance(open) - 61) < 0.5, 'model eyes 61 mm apart at 1 px/mm');
  // Crown 1.9 × chin–nasion (116.8 mm) above the chin: 222 mm.
  t.ok(Math.abs(chinAndCrown(open).height - 221.9) < 3, 'perspective: the nasion is nearer than the chin');
});

t.test('limit semantics', async (t) => {
  t.ok(evaluate('within', 5, [-5, 5]).ok, 'range inclusive');
  t.notOk(evaluate('within', 5.01, [-5, 5]).ok);
  t.ok(evaluate('atLeast', 90, 90).ok);
  t.notOk(evaluate('atLeast', 89.9, 90).ok);
  t.notOk(evaluate('atMost', NaN, 1).ok, 'NaN never passes');
  t.equal(checkMargin('yaw', evaluate('within', 0, [-5, 5])), 1);
  t.equal(checkMargin('yaw', evaluate('within', 5, [-5, 5])), 0);
  t.equal(checkMargin('eyeDistance', evaluate('atLeast', 135, 90)), 0.5);
});

t.test('hostile landmarks: an assessment or InvalidArgumentError, never anything else', async (t) => {
  const s = faceScene({ width: 320, height: 240, faces: [], noiseSigma: 0 });
  t.throws(() => assessPortrait(s.image, [{ box: { x: 0, y: 0, width: 10, height: 10, score: 1 }, landmarks: new Float32Array(10) }]), InvalidArgumentError);
  const nan = new Float32Array(136).fill(NaN);
  t.throws(() => assessPortrait(s.image, [{ box: { x: 0, y: 0, width: 10, height: 10, score: 1 }, landmarks: nan }]), InvalidArgumentError);
  fc.assert(
    fc.property(fc.array(fc.float({ min: -400, max: 800, noNaN: true }), { minLength: 136, maxLength: 136 }), (xs) => {
      try {
        const a = assessPortrait(s.image, [{ box: { x: 0, y: 0, width: 100, height: 100, score: 1 }, landmarks: Float32Array.from(xs) }]);
        return typeof a.compliant === 'boolean';
      } catch (e) {
        return e instanceof InvalidArgumentError;
      }
    }),
    { numRuns: 60, seed: 11 },
  );
});
