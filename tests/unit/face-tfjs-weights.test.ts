// TensorFlow.js weight manifests and shards as hostile input: every malformed manifest or
// shard is a ParseError (never a RangeError/TypeError), dequantisation follows tfjs's
// documented q·scale + min, and face-api's real files decode to the shapes the converters need.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { ParseError } from '../../src/errors.js';
import { decodeGroup, halfToFloat, parseManifest, WeightSet, type WeightTensor } from '../../src/face/onnx/tfjs-weights.js';
import { onlyParseError } from './helpers/parse-errors.js';

const require = createRequire(import.meta.url);
const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
const fixture = (name: string): Buffer => readFileSync(join(modelDir, name));


t.test('dequantisation: uint8 / uint16 affine, float16, float32, int32', async (t) => {
  const manifest = parseManifest([{
    paths: ['a.bin'],
    weights: [
      { name: 'u8', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
      { name: 'u16', shape: [2], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.25, min: 10 } },
      { name: 'f16', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'f32', shape: [1], dtype: 'float32' },
      { name: 'i32', shape: [1, 1], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.3, min: 0 } },
    ],
  }]);
  const bytes = Buffer.alloc(3 + 4 + 4 + 4 + 1);
  bytes.set([0, 2, 255], 0);
  bytes.writeUInt16LE(0, 3);
  bytes.writeUInt16LE(4, 5);
  bytes.writeUInt16LE(0x3c00, 7); // 1.0
  bytes.writeUInt16LE(0xc000, 9); // -2.0
  bytes.writeFloatLE(3.5, 11);
  bytes[15] = 5; // 5 · 0.3 = 1.5 → rounded to 2 for an int32 weight
  const [g] = manifest;
  const w = decodeGroup(g!, bytes);
  const by = (n: string): number[] => Array.from(w.find((x) => x.name === n)!.data);
  t.same(by('u8'), [-1, 0, 126.5]);
  t.same(by('u16'), [10, 11]);
  t.same(by('f16'), [1, -2]);
  t.same(by('f32'), [3.5]);
  t.same(by('i32'), [2]);
});

t.test('IEEE half floats', async (t) => {
  // IEEE 754-2008 binary16 examples: largest normal 65504, smallest subnormal 2^-24, ±∞, NaN.
  t.equal(halfToFloat(0x7bff), 65504);
  t.equal(halfToFloat(0x0001), 2 ** -24);
  t.equal(halfToFloat(0x3555), 0.333251953125);
  t.equal(halfToFloat(0x7c00), Infinity);
  t.equal(halfToFloat(0xfc00), -Infinity);
  t.ok(Number.isNaN(halfToFloat(0x7e00)));
  t.equal(halfToFloat(0x8000), -0);
});

t.test('malformed manifests are ParseErrors naming the problem', async (t) => {
  const ok = { name: 'w', shape: [2], dtype: 'float32' };
  const cases: [unknown, RegExp][] = [
    [null, /non-empty array/],
    [[], /non-empty array/],
    [[{ paths: [], weights: [] }], /paths/],
    [[{ paths: ['../x.bin'], weights: [ok] }], /plain file name/],
    [[{ paths: ['/etc/passwd'], weights: [ok] }], /plain file name/],
    [[{ paths: ['..'], weights: [ok] }], /plain file name/],
    [[{ paths: ['a.bin'], weights: {} }], /weights is not an array/],
    [[{ paths: ['a.bin'], weights: [{ ...ok, name: 7 }] }], /name/],
    [[{ paths: ['a.bin'], weights: [{ ...ok, shape: [2, -1] }] }], /dimension/],
    [[{ paths: ['a.bin'], weights: [{ ...ok, shape: [1.5] }] }], /dimension/],
    [[{ paths: ['a.bin'], weights: [{ ...ok, shape: [1, 1, 1, 1, 1, 1, 1] }] }], /dimensions/],
    [[{ paths: ['a.bin'], weights: [{ ...ok, shape: [65536, 65536] }] }], /too many/],
    [[{ paths: ['a.bin'], weights: [{ ...ok, dtype: 'float64' }] }], /dtype/],
    [[{ paths: ['a.bin'], weights: [{ ...ok, quantization: { dtype: 'int4' } }] }], /quantization dtype/],
    [[{ paths: ['a.bin'], weights: [{ ...ok, quantization: { dtype: 'uint8', scale: 'x', min: 0 } }] }], /scale\/min/],
    [[{ paths: ['a.bin'], weights: [{ ...ok, quantization: { dtype: 'uint8', scale: 1, min: Infinity } }] }], /scale\/min/],
    [[{ paths: ['a.bin'], weights: [ok, ok] }], /repeated/],
  ];
  for (const [i, [json, re]] of cases.entries()) t.throws(() => parseManifest(json, 'm.json'), { name: 'ParseError', message: re }, `case ${i}: ${re.source}`);
});

t.test('shards must hold exactly the described bytes, and finite float32 values', async (t) => {
  const [g] = parseManifest([{ paths: ['a.bin'], weights: [{ name: 'w', shape: [2], dtype: 'float32' }] }]);
  t.throws(() => decodeGroup(g!, new Uint8Array(7)), ParseError, 'short');
  t.throws(() => decodeGroup(g!, new Uint8Array(9)), ParseError, 'long');
  const nan = Buffer.alloc(8);
  nan.writeFloatLE(NaN, 4);
  t.throws(() => decodeGroup(g!, nan), ParseError, 'NaN weight');
});

t.test('random JSON and mutated real manifests: a value or a ParseError, nothing else', async (t) => {
  fc.assert(fc.property(fc.jsonValue(), (j) => onlyParseError(() => parseManifest(j))), { numRuns: 500 });
  const real = JSON.parse(fixture('tiny_face_detector_model-weights_manifest.json').toString()) as unknown;
  const text = JSON.stringify(real);
  fc.assert(fc.property(fc.integer({ min: 0, max: text.length - 1 }), fc.string({ maxLength: 4 }), (at, s) => {
    const mutated = text.slice(0, at) + s + text.slice(at + 1);
    let j: unknown;
    try {
      j = JSON.parse(mutated);
    } catch {
      return true;
    }
    return onlyParseError(() => {
      const gs = parseManifest(j);
      for (const g of gs) decodeGroup(g, fixture('tiny_face_detector_model.bin'));
    });
  }), { numRuns: 300 });
  t.pass();
});

t.test("face-api's real weights decode completely, with the converters' shapes", async (t) => {
  const m = parseManifest(JSON.parse(fixture('face_recognition_model-weights_manifest.json').toString()) as unknown);
  const tensors = m.flatMap((g) => decodeGroup(g, Buffer.concat(g.paths.map(fixture))));
  t.equal(tensors.length, 117);
  const map = new Map<string, WeightTensor>(tensors.map((w) => [w.name, w]));
  const ws = new WeightSet(map, 'face_recognition_model');
  t.equal(ws.take('conv32_down/conv/filters', [7, 7, 3, 32]).length, 7 * 7 * 3 * 32);
  t.equal(ws.take('fc', [256, 128]).length, 256 * 128);
  t.throws(() => ws.take('fc', [128, 256]), ParseError, 'wrong shape');
  t.throws(() => ws.take('nope', [1]), ParseError, 'missing');
  t.equal(ws.unused().length, 115);
  // A truncated shard is refused, not half-read.
  const g = m[0]!;
  const bin = fixture('face_recognition_model.bin');
  t.throws(() => decodeGroup(g, bin.subarray(0, bin.length - 1)), ParseError);
});
