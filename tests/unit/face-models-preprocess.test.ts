// Model input preparation (letterbox, TF-legacy bilinear resize, channel order, normalisation)
// and output mapping (YOLOv2 decoding, NMS, landmarks back to image pixels), on synthetic
// images and grids whose expected values are worked out by hand in the comments.
import fc from 'fast-check';
import t from 'tap';
import { InvalidArgumentError } from '../../src/errors.js';
import type { Image } from '../../src/document/image.js';
import type { InputSpec } from '../../src/face/models/descriptor.js';
import { decodeSsd, decodeYolo2, iou, landmarksToImage, nonMaxSuppression } from '../../src/face/models/faces.js';
import { faceApiAlignedRegion, faceApiShiftedLandmarks } from '../../src/face/models/faceapi-compat.js';
import { faceRegion, prepareInput } from '../../src/face/models/preprocess.js';

const spec = (size: number, over: Partial<InputSpec> = {}): InputSpec => ({
  name: 'input', shape: [1, 3, size, size], layout: 'NCHW', channels: 'RGB', mean: [0, 0, 0], scale: [1, 1, 1], letterbox: 'pad-end', ...over,
});
const bgr = (w: number, h: number, px: number[][]): Image => ({ width: w, height: h, channels: 3, data: Buffer.from(px.flat()) });
const grey = (w: number, h: number, px: number[]): Image => ({ width: w, height: h, channels: 1, data: Buffer.from(px) });

t.test('channel order, layout and normalisation', async (t) => {
  // One BGR pixel (10, 20, 30) → RGB (30, 20, 10); (v − mean) · scale per channel.
  const img = bgr(1, 1, [[10, 20, 30]]);
  const nchw = prepareInput(img, spec(1, { mean: [1, 2, 3], scale: [0.5, 1, 2] })).tensor;
  t.same(Array.from(nchw), [14.5, 18, 14]);
  const bgrOut = prepareInput(img, spec(1, { channels: 'BGR', shape: [1, 1, 1, 3], layout: 'NHWC' })).tensor;
  t.same(Array.from(bgrOut), [10, 20, 30]);
});

t.test('letterbox: pad-end puts the image top-left, pad-center splits with the odd pixel after', async (t) => {
  // 2×1 image into a 2×2 input: row 0 is the image, row 1 is padding (zeros).
  const a = prepareInput(grey(2, 1, [100, 200]), spec(2));
  t.same(Array.from(a.tensor.subarray(0, 4)), [100, 200, 0, 0]);
  t.equal(a.letterbox.padTop, 0);
  // 1×4 image, pad-center: diff 3 → round(1.5) = 2 columns after, 1 before.
  const b = prepareInput(grey(1, 4, [1, 2, 3, 4]), spec(4, { letterbox: 'pad-center' }));
  t.equal(b.letterbox.padLeft, 1);
  t.same(Array.from(b.tensor.subarray(0, 4)), [0, 1, 0, 0]);
  t.same(Array.from(b.tensor.subarray(12, 16)), [0, 4, 0, 0]);
});

t.test('bilinear resize uses TF legacy mapping (src = dst · in/out, neighbour clamped)', async (t) => {
  // 2×2 → 4×4: source x = 0, 0.5, 1, 1.5 → v0, (v0+v1)/2, v1, v1 (the right neighbour clamps).
  const out = prepareInput(grey(2, 2, [0, 100, 200, 40]), spec(4)).tensor.subarray(0, 16);
  t.same(Array.from(out.subarray(0, 4)), [0, 50, 100, 100]);
  // Row 1 (source y 0.5): halfway between rows: [100, 85, 70, 70].
  t.same(Array.from(out.subarray(4, 8)), [100, 85, 70, 70]);
  t.same(Array.from(out.subarray(12, 16)), [200, 120, 40, 40]);
});

t.test('regions: face boxes are clipped and floored; bad regions refused', async (t) => {
  t.same(faceRegion({ x: -5.5, y: 2.7, width: 20, height: 10.9 }, 10, 10), { x: 0, y: 2, width: 10, height: 7 });
  t.equal(faceRegion({ x: 20, y: 0, width: 5, height: 5 }, 10, 10), undefined);
  t.equal(faceRegion({ x: NaN, y: 0, width: 5, height: 5 }, 10, 10), undefined);
  const img = grey(4, 4, new Array<number>(16).fill(0));
  t.throws(() => prepareInput(img, spec(2), { x: 3, y: 0, width: 2, height: 1 }), InvalidArgumentError);
  t.throws(() => prepareInput(img, spec(2), { x: 0, y: 0, width: 0, height: 1 }), InvalidArgumentError);
  t.throws(() => prepareInput(img, spec(2), { x: 0.5, y: 0, width: 1, height: 1 }), InvalidArgumentError);
  t.throws(() => prepareInput({ ...img, data: Buffer.alloc(3) }, spec(2)), InvalidArgumentError);
  fc.assert(fc.property(fc.record({ x: fc.double(), y: fc.double(), width: fc.double(), height: fc.double() }), (b) => {
    const r = faceRegion(b, 4, 4);
    return r === undefined || (r.x >= 0 && r.y >= 0 && r.width >= 1 && r.height >= 1 && r.x + r.width <= 4 && r.y + r.height <= 4);
  }));
});

t.test('YOLOv2 decoding and NMS', async (t) => {
  // 2×2 grid, one anchor (2, 1) cells; 64×64 input, 64×32 image (pad-end, scale 1).
  const rows = 2;
  const cols = 2;
  const grid = new Float32Array(5 * rows * cols).fill(-10); // objectness σ(−10) ≈ 0
  const set = (k: number, row: number, col: number, v: number): void => { grid[k * rows * cols + row * cols + col] = v; };
  // Cell (0, 1): tx = ty = 0 → centre (1.5/2, 0.5/2)·64 = (48, 16); tw = th = 0 → 2·32 × 1·32.
  for (const k of [0, 1, 2, 3]) set(k, 0, 1, 0);
  set(4, 0, 1, 3);
  const d = { name: 'x', anchors: [[2, 1]] as const, outputs: [{ name: 'grid', shape: [1, 5, rows, cols], meaning: '' }] };
  const lb = { region: { x: 10, y: 20, width: 64, height: 32 }, scale: 1, padLeft: 0, padTop: 0, side: 64, inputWidth: 64, inputHeight: 64, mode: 'pad-end' as const };
  const boxes = decodeYolo2(grid, d, lb, 0.5);
  t.equal(boxes.length, 1);
  const b = boxes[0]!;
  t.same([b.x, b.y, b.width, b.height], [10 + 48 - 32, 20 + 16 - 16, 64, 32]);
  t.ok(Math.abs(b.score - 1 / (1 + Math.exp(-3))) < 1e-12);
  t.throws(() => decodeYolo2(grid.subarray(1), d, lb, 0.5), { name: 'FaceModelError' });

  const A = { x: 0, y: 0, width: 10, height: 10, score: 0.9 };
  const B = { x: 1, y: 1, width: 10, height: 10, score: 0.8 }; // IoU 81/119 ≈ 0.68 with A
  const C = { x: 50, y: 50, width: 10, height: 10, score: 0.7 };
  t.ok(Math.abs(iou(A, B) - 81 / 119) < 1e-12);
  t.same(nonMaxSuppression([B, C, A], 0.4), [A, C]);
  t.same(nonMaxSuppression([B, C, A], 0.7), [A, B, C], 'overlap below the threshold is kept');
  t.same(nonMaxSuppression([], 0.4), []);
});

t.test('landmarks back to image pixels', async (t) => {
  // Region 40×20 at (100, 50), pad-center: side 40, vertical padding (40 − 20)/2 = 10.
  const lb = { region: { x: 100, y: 50, width: 40, height: 20 }, scale: 112 / 40, padLeft: 0, padTop: 10, side: 40, inputWidth: 112, inputHeight: 112, mode: 'pad-center' as const };
  const raw = new Float32Array(136);
  raw[0] = 0.5; raw[1] = 0.5; // centre of the square → centre of the region
  raw[2] = 0; raw[3] = 0.25; // top-left of the square + 10 px down → region top edge
  const lm = landmarksToImage(raw, lb);
  t.same([lm[0], lm[1]], [120, 60]);
  t.same([lm[2], lm[3]], [100, 50]);
});

t.test('SSD decoding: threshold, best first, overlap suppression, clipping, max results', async (t) => {
  // Four boxes (ymin, xmin, ymax, xmax) relative to a 100×100 input; image 200×100 (pad-end,
  // scale 0.5, so one input pixel is two image pixels and the image fills the top half).
  const boxes = Float32Array.from([
    0.1, 0.1, 0.3, 0.3, // A 0.9
    0.11, 0.11, 0.31, 0.31, // B 0.8, overlaps A (IoU ≈ 0.82) → suppressed
    -0.1, 0.6, 0.2, 1.2, // C 0.7, clipped to [0, 0.6, 0.2, 1]
    0.5, 0.5, 0.6, 0.6, // D 0.4, below the threshold
  ]);
  const scores = Float32Array.from([0.9, 0.8, 0.7, 0.4]);
  const lb = { region: { x: 0, y: 0, width: 200, height: 100 }, scale: 0.5, padLeft: 0, padTop: 0, side: 200, inputWidth: 100, inputHeight: 100, mode: 'pad-end' as const };
  const out = decodeSsd(boxes, scores, { maxResults: 10, name: 'ssd' }, lb, 0.5, 0.5);
  t.equal(out.length, 2);
  const close = (a: number[], b: number[]): boolean => a.every((v, i) => Math.abs(v - b[i]!) < 1e-5);
  t.ok(close([out[0]!.x, out[0]!.y, out[0]!.width, out[0]!.height], [20, 20, 40, 40]), 'A in image pixels');
  t.ok(close([out[1]!.x, out[1]!.y, out[1]!.width, out[1]!.height], [120, 0, 80, 40]), 'C clipped to the square');
  t.equal(decodeSsd(boxes, scores, { maxResults: 1, name: 'ssd' }, lb, 0.5, 0.5).length, 1, 'maxResults');
  t.equal(decodeSsd(boxes, scores, { maxResults: 10, name: 'ssd' }, lb, 0.5, 0.9).length, 3, 'looser IoU keeps B');
  t.throws(() => decodeSsd(boxes.subarray(4), scores, { maxResults: 10, name: 'ssd' }, lb, 0.5, 0.5), { name: 'FaceModelError' });
});

t.test("face-api's dlib-aligned crop from landmarks", async (t) => {
  // Eyes centred at (40, 50) and (60, 50), mouth at (50, 80): eye-to-mouth √(10² + 30²) ≈ 31.62,
  // side ⌊31.62 / 0.45⌋ = 70, centroid (50, 60) → x = ⌊50 − 35⌋ = 15, y = ⌊60 − 30.1⌋ = 29.
  const lm = new Float32Array(136);
  const put = (from: number, to: number, x: number, y: number): void => {
    for (let i = from; i < to; i++) { lm[2 * i] = x; lm[2 * i + 1] = y; }
  };
  put(36, 42, 40, 50);
  put(42, 48, 60, 50);
  put(48, 68, 50, 80);
  t.same(faceApiAlignedRegion(lm, 200, 200), { x: 15, y: 29, width: 70, height: 70 });
  t.same(faceApiAlignedRegion(lm, 60, 60), { x: 15, y: 29, width: 45, height: 31 }, 'clipped at the image edge');
  t.equal(faceApiAlignedRegion(new Float32Array(10), 100, 100), undefined);
  const shifted = faceApiShiftedLandmarks(lm, { x: 10, y: 20, width: 5, height: 5 }, { x: 10.75, y: 19.5 });
  t.same([shifted[72], shifted[73]], [40.75, 49.5]);
});
