// The card photo (src/face/card-photo.ts) from drawn live frames with known landmarks: the
// output is a 500 × 653 JPEG; the eyes land level, centred and at the ICAO eye-line height;
// the head (chin to crown) fills 75% of the height; the drawn pupils are where the returned
// landmarks say; the best compliant frame is chosen by its documented score; a face too near
// the frame's edge is refused with the edge named; no compliant frame gives the assessments.
import t from 'tap';
import { InvalidArgumentError } from '../../src/errors.js';
import { decodeImage, toGrey } from '../../src/document/image.js';
import { CARD_PHOTO_HEIGHT, CARD_PHOTO_WIDTH, frameScore, makeCardPhoto, planCrop, type CaptureFrame } from '../../src/face/card-photo.js';
import { assessPortrait } from '../../src/face/quality/assess.js';
import { chinAndCrown, eyeCentres, eyeLineAngleDeg } from '../../src/face/quality/landmarks.js';
import { CAPTURE_LIMITS, PORTRAIT_EYE_LINE } from '../../src/face/quality/limits.js';
import { faceScene, type FaceSpec } from './helpers/face-scenes.js';

const frame = (face: FaceSpec, seed = 1, extra: { blurSigma?: number } = {}): CaptureFrame => {
  const s = faceScene({ width: 1280, height: 960, faces: [face], seed, ...extra });
  return { image: s.image, faces: s.faces };
};

t.test('a 500 × 653 JPEG with the ICAO head geometry', async (t) => {
  const r = makeCardPhoto([frame({ x: 20, y: -10, pose: { roll: 6 } })]);
  t.ok(r.ok, r.ok ? '' : JSON.stringify(r).slice(0, 300));
  if (!r.ok) return;
  t.same([...r.jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], 'JPEG SOI marker');
  const img = decodeImage(r.jpeg);
  t.equal(img.width, CARD_PHOTO_WIDTH);
  t.equal(img.height, CARD_PHOTO_HEIGHT);
  t.same([r.width, r.height], [500, 653]);
  const { a, b } = eyeCentres(r.landmarks);
  t.ok(Math.abs(eyeLineAngleDeg(r.landmarks)) < 0.2, 'eye line made horizontal (the frame had 6° of roll)');
  t.ok(Math.abs((a.x + b.x) / 2 - 250) < 1, 'eyes centred horizontally');
  const eyeLine = (653 - (a.y + b.y) / 2) / 653;
  t.ok(eyeLine >= PORTRAIT_EYE_LINE[0] && eyeLine <= PORTRAIT_EYE_LINE[1], `eye line ${eyeLine.toFixed(3)} of the height above the bottom (ISO/IEC 19794-5 §8.3.3: 0.5–0.7)`);
  const head = chinAndCrown(r.landmarks);
  t.ok(Math.abs(head.height / 653 - 0.75) < 0.005, 'chin to crown 75% of the height');
  t.ok(Math.abs(head.crown.y - 65.3) < 1, 'crown 10% below the top edge');
  // Every check holds on the finished photo, and is reported with its limit.
  for (const [name, c] of Object.entries(r.checks)) t.ok(c.ok, `${name} ${c.value} within ${JSON.stringify(c.limit)}`);
  // The drawn pupils (grey ~10–60) are where the returned landmarks put the eye centres.
  const grey = toGrey(img);
  for (const e of [a, b]) {
    const v = grey.data[Math.round(e.y) * grey.width + Math.round(e.x)] ?? 255;
    t.ok(v < 90, `pupil under the landmark eye centre (grey ${v})`);
  }
  // And the photo itself assesses as compliant from its own pixels and landmarks.
  const again = assessPortrait(img, [{ box: { x: 0, y: 0, width: 500, height: 653, score: 1 }, landmarks: r.landmarks }]);
  t.ok(again.compliant);
});

t.test('the best compliant frame is chosen by its score', async (t) => {
  const frames = [
    frame({ x: 20, y: -10, eyeOpen: 0.1 }, 1), // eyes closed: not compliant
    frame({ x: 20, y: -10, pose: { yaw: 3.5 } }, 2), // compliant, near the yaw limit
    frame({ x: 20, y: -10 }, 3), // compliant, frontal
    frame({ x: 20, y: -10 }, 4), // as good: the earlier one wins the tie
  ];
  const r = makeCardPhoto(frames);
  t.ok(r.ok);
  if (!r.ok) return;
  t.equal(r.frameIndex, 2);
  const scores = frames.map((f) => frameScore(assessPortrait(f.image, f.faces, { limits: CAPTURE_LIMITS })));
  t.equal(scores[0], 0, 'a non-compliant frame scores 0');
  t.ok((scores[2] ?? 0) > (scores[1] ?? 1), `frontal ${scores[2]} over turned ${scores[1]}`);
  t.ok(Math.abs((scores[2] ?? 0) - r.score) < 1e-9);
});

t.test('a face too near the top edge is refused, naming the edge', async (t) => {
  // Close to the camera and high in the frame: the head fits the capture limits, but the card
  // needs 10% of its height above the crown, which the frame does not have.
  const f = frame({ x: 0, y: -111, distance: 460 });
  const a = assessPortrait(f.image, f.faces, { limits: CAPTURE_LIMITS });
  t.ok(a.compliant, a.faceFound ? a.failed.join(',') : 'no face');
  const r = makeCardPhoto([f]);
  t.equal(r.ok, false);
  if (r.ok) return;
  t.equal(r.reason, 'tooCloseToEdge');
  if (r.reason !== 'tooCloseToEdge') return;
  t.same(r.edges, ['top']);
  t.ok(r.shortfallPx > 0);
});

t.test('a face near the left edge (with wider capture limits) is refused on the left', async (t) => {
  const f = frame({ x: -250, y: -10, distance: 560 });
  const wide = { ...CAPTURE_LIMITS, horizontalPosition: [0.05, 0.95] as const };
  const r = makeCardPhoto([f], { captureLimits: wide });
  t.equal(r.ok, false);
  if (r.ok || r.reason !== 'tooCloseToEdge') {
    t.fail(`expected tooCloseToEdge, got ${JSON.stringify(r).slice(0, 120)}`);
    return;
  }
  t.ok(r.edges.includes('left'), `edges ${r.edges.join(',')}`);
  // The same face in the middle fits.
  const centred = frame({ x: 0, y: -10, distance: 560 });
  t.ok(planCrop(centred.image, centred.faces[0]?.landmarks ?? new Float32Array(136)).ok);
});

t.test('a refused frame is skipped for the next best that fits', async (t) => {
  const r = makeCardPhoto([frame({ x: 0, y: -111, distance: 460 }), frame({ x: 20, y: -10, pose: { yaw: 2 } })]);
  t.ok(r.ok);
  if (r.ok) t.equal(r.frameIndex, 1);
});

t.test('no compliant frame: the reason and every assessment', async (t) => {
  const r = makeCardPhoto([frame({ eyeOpen: 0 }), frame({ pose: { yaw: 25 } })]);
  t.equal(r.ok, false);
  if (r.ok || r.reason !== 'noCompliantFrame') {
    t.fail('expected noCompliantFrame');
    return;
  }
  t.equal(r.assessments.length, 2);
  t.ok(r.assessments[0]?.faceFound && r.assessments[0].failed.includes('eyesOpen'));
  t.ok(r.assessments[1]?.faceFound && r.assessments[1].failed.includes('yaw'));
  const empty = makeCardPhoto([{ image: frame({}).image, faces: [] }]);
  t.ok(!empty.ok && empty.reason === 'noCompliantFrame');
  t.throws(() => makeCardPhoto([]), InvalidArgumentError);
});
