// Alignment: the chip transform levels the eyes, keeps the face unsheared, centres the
// landmarks, and is the same for a face moved, turned and scaled in the image.
import t from 'tap';
import { applyAffine, chipTransform, eyeCentres, faceChip } from '../../src/face/align.js';
import { InvalidArgumentError } from '../../src/errors.js';
import type { Landmarks68 } from '../../src/face/types.js';

/** A crude frontal face: points on an ellipse, eyes at 36–47, in a 100-unit frame. */
function face(): Landmarks68 {
  const lm = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    const a = (i / 68) * 2 * Math.PI;
    lm[2 * i] = 50 + 40 * Math.cos(a);
    lm[2 * i + 1] = 55 + 50 * Math.sin(a);
  }
  for (let i = 36; i < 42; i++) {
    lm[2 * i] = 30 + (i - 36);
    lm[2 * i + 1] = 40;
  }
  for (let i = 42; i < 48; i++) {
    lm[2 * i] = 65 + (i - 42);
    lm[2 * i + 1] = 40;
  }
  return lm;
}

function moved(lm: Landmarks68, angle: number, scale: number, dx: number, dy: number): Landmarks68 {
  const out = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    const x = lm[2 * i]!;
    const y = lm[2 * i + 1]!;
    out[2 * i] = scale * (Math.cos(angle) * x - Math.sin(angle) * y) + dx;
    out[2 * i + 1] = scale * (Math.sin(angle) * x + Math.cos(angle) * y) + dy;
  }
  return out;
}

t.test('eyes level, no shear, landmarks centred with the padding', async (t) => {
  const lm = moved(face(), 0.3, 2, 120, 40);
  const m = chipTransform(lm, { size: 150, padding: 0.25 });
  t.ok(Math.abs(m[0] - m[4]) < 1e-9 && Math.abs(m[1] + m[3]) < 1e-9, 'a similarity transform');
  const { left, right } = eyeCentres(lm);
  const r = applyAffine(m, right);
  const l = applyAffine(m, left);
  t.ok(Math.abs(r.y - l.y) < 1e-6, 'eyes level');
  t.ok(l.x > r.x, "subject's left eye on the chip's right");
  let minX = Infinity;
  let maxX = -Infinity;
  for (let i = 0; i < 68; i++) {
    const p = applyAffine(m, { x: lm[2 * i]!, y: lm[2 * i + 1]! });
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x);
  }
  t.ok(minX >= 150 * 0.25 / 1.5 - 1e-6 && maxX <= 150 - (150 * 0.25) / 1.5 + 1e-6, `inside the padding (${minX.toFixed(2)}..${maxX.toFixed(2)})`);
});

t.test('the chip does not depend on where the face was or how it was turned', async (t) => {
  const a = face();
  const b = moved(a, -0.4, 3.5, 300, 200);
  const ma = chipTransform(a, { size: 112, padding: 0.1 });
  const mb = chipTransform(b, { size: 112, padding: 0.1 });
  for (let i = 0; i < 68; i++) {
    const pa = applyAffine(ma, { x: a[2 * i]!, y: a[2 * i + 1]! });
    const pb = applyAffine(mb, { x: b[2 * i]!, y: b[2 * i + 1]! });
    if (Math.hypot(pa.x - pb.x, pa.y - pb.y) > 1e-3) t.fail(`point ${i} moved`);
  }
  t.pass('every point lands in the same place');
});

t.test('faceChip warps the pixels; bad input is refused', async (t) => {
  const w = 200;
  const h = 200;
  const data = Buffer.alloc(w * h * 3, 0);
  // A bright square where the right eye is.
  for (let y = 35; y < 45; y++) for (let x = 25; x < 40; x++) data.fill(255, (y * w + x) * 3, (y * w + x) * 3 + 3);
  const lm = face();
  const { chip, transform } = faceChip({ width: w, height: h, channels: 3, data }, lm, { size: 150, padding: 0.25 });
  t.same([chip.width, chip.height, chip.channels], [150, 150, 3]);
  const eye = applyAffine(transform, eyeCentres(lm).right);
  t.ok(chip.data[(Math.round(eye.y) * 150 + Math.round(eye.x)) * 3]! > 200, 'the bright patch lands at the right eye');
  t.throws(() => chipTransform(new Float32Array(10), { size: 150, padding: 0.25 }), InvalidArgumentError);
  t.throws(() => chipTransform(lm, { size: 2, padding: 0.25 }), InvalidArgumentError);
  t.throws(() => chipTransform(new Float32Array(136), { size: 150, padding: 0.25 }), InvalidArgumentError, 'collapsed points');
  const nan = face();
  nan[7] = Number.NaN;
  t.throws(() => chipTransform(nan, { size: 150, padding: 0.25 }), InvalidArgumentError);
});
