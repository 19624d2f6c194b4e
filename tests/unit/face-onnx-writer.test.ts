// The hand-written protobuf / ONNX writer and graph builder: byte-exact protobuf vectors from
// the protobuf encoding guide, then tiny graphs loaded and run by onnxruntime-node with outputs
// checked against plain TypeScript reference implementations (TF "SAME" semantics included).
import fc from 'fast-check';
import * as ort from 'onnxruntime-node';
import t from 'tap';
import { InvalidArgumentError } from '../../src/errors.js';
import { depthwiseToOihw, GraphBuilder, hwioToOihw, samePads } from '../../src/face/onnx/graph.js';
import { encodeModel, encodeTensor, OnnxDataType } from '../../src/face/onnx/onnx-proto.js';
import { encodeVarint, ProtoWriter } from '../../src/face/onnx/protobuf.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

t.test('protobuf encoding matches the published examples', async (t) => {
  // https://protobuf.dev/programming-guides/encoding/ : "08 96 01" is field 1 = 150,
  // "12 07 74 65 73 74 69 6e 67" is field 2 = "testing".
  t.equal(hex(new ProtoWriter().int(1, 150).finish()), '089601');
  t.equal(hex(new ProtoWriter().string(2, 'testing').finish()), '120774657374696e67');
  // Same guide: negative int32/int64 are sign-extended to ten bytes (-2 → fe ff ff ff ff ff ff ff ff 01).
  t.equal(hex(new ProtoWriter().int(1, -2).finish()), '08feffffffffffffffff01');
  // Packed repeated: "32 06 03 8e 02 9e a7 05" is field 6 = [3, 270, 86942].
  t.equal(hex(new ProtoWriter().packedInts(6, [3, 270, 86942]).finish()), '3206038e029ea705');
  t.equal(hex(new ProtoWriter().float(1, 1).finish()), '0d0000803f');
  t.equal(hex(encodeVarint(0n)), '00');
  t.equal(hex(encodeVarint((1n << 64n) - 1n)), 'ffffffffffffffffff01');
  t.throws(() => new ProtoWriter().int(0, 1), InvalidArgumentError);
  t.throws(() => new ProtoWriter().int(1, 1.5), InvalidArgumentError);
  t.throws(() => new ProtoWriter().int(1, 1n << 64n), InvalidArgumentError);
});

t.test('varints round-trip through a decoder', async (t) => {
  const decode = (b: Uint8Array): bigint => {
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 7n) | BigInt(b[i]! & 0x7f);
    return v;
  };
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => {
    const b = encodeVarint(v);
    return decode(b) === v && b.every((x, i) => (i === b.length - 1) === ((x & 0x80) === 0));
  }));
  t.pass();
});

t.test('tensor encoding refuses data that does not match its dims', async (t) => {
  t.throws(() => encodeTensor({ name: 'x', dims: [2, 2], data: new Float32Array(3) }), InvalidArgumentError);
  t.throws(() => encodeTensor({ name: 'x', dims: [-1], data: new Float32Array(0) }), InvalidArgumentError);
  t.ok(encodeTensor({ name: 'x', dims: [2], data: new Float32Array(2) }).length > 0);
});

// ---- reference implementations (NCHW, batch 1) ----

function refConv(x: Float32Array, [, h, w]: number[], wt: Float32Array, [o, i, kh, kw]: number[], bias: Float32Array | undefined, stride: number, pads: number[], group: number): { y: Float32Array; dims: number[] } {
  const [pt, pl, pb, pr] = pads as [number, number, number, number];
  const oh = Math.floor((h! + pt + pb - kh!) / stride) + 1;
  const ow = Math.floor((w! + pl + pr - kw!) / stride) + 1;
  const y = new Float32Array(o! * oh * ow);
  const opg = o! / group;
  for (let oc = 0; oc < o!; oc++) {
    const g = Math.floor(oc / opg);
    for (let yy = 0; yy < oh; yy++) for (let xx = 0; xx < ow; xx++) {
      let s = bias?.[oc] ?? 0;
      for (let ic = 0; ic < i!; ic++) for (let ky = 0; ky < kh!; ky++) for (let kx = 0; kx < kw!; kx++) {
        const sy = yy * stride + ky - pt;
        const sx = xx * stride + kx - pl;
        if (sy < 0 || sx < 0 || sy >= h! || sx >= w!) continue;
        s += x[((g * i! + ic) * h! + sy) * w! + sx]! * wt[((oc * i! + ic) * kh! + ky) * kw! + kx]!;
      }
      y[(oc * oh + yy) * ow + xx] = s;
    }
  }
  return { y, dims: [o!, oh, ow] };
}

const rnd = (n: number, seed: number): Float32Array => {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
};

async function run(g: GraphBuilder, x: Float32Array, shape: number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const s = await ort.InferenceSession.create(g.build({ producerName: 'test' }));
  const out = await s.run({ x: new ort.Tensor('float32', x, shape) });
  const y = out.y!;
  await s.release();
  return { data: y.data as Float32Array, dims: y.dims };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4): boolean => a.length === b.length && Array.from(a).every((v, i) => Math.abs(v - b[i]!) <= tol);

t.test('TF SAME padding puts the odd pixel after', async (t) => {
  t.same(samePads(112, 3, 2), [0, 1]);
  t.same(samePads(207, 2, 2), [0, 1]);
  t.same(samePads(13, 2, 1), [0, 1]);
  t.same(samePads(10, 3, 1), [1, 1]);
  t.same(samePads(8, 7, 2), [2, 3]);
});

t.test('conv (SAME, stride 2, bias) runs in onnxruntime as the reference computes', async (t) => {
  for (const [h, w, k, stride] of [[7, 9, 3, 2], [8, 8, 3, 2], [6, 5, 1, 1], [5, 5, 3, 1]] as const) {
    const g = new GraphBuilder('conv');
    const x = g.input('x', [1, 2, h, w]);
    const wt = rnd(3 * 2 * k * k, 7);
    const bias = Float32Array.from([0.5, -1, 2]);
    const y = g.conv(x, { weight: wt, weightDims: [3, 2, k, k], bias, stride, padding: 'same' });
    g.output(y, 'y');
    const xd = rnd(2 * h * w, 3);
    const [pt, pb] = samePads(h, k, stride);
    const [pl, pr] = samePads(w, k, stride);
    const ref = refConv(xd, [2, h, w], wt, [3, 2, k, k], bias, stride, [pt, pl, pb, pr], 1);
    const got = await run(g, xd, [1, 2, h, w]);
    t.same([...got.dims], [1, ...ref.dims], `dims ${h}x${w} k${k} s${stride}`);
    t.same([...g.shape(y)], [1, ...ref.dims], 'builder shape tracking agrees');
    t.ok(close(got.data, ref.y), `values ${h}x${w} k${k} s${stride}`);
  }
});

t.test('depthwise conv from a TF [kh,kw,c,1] filter', async (t) => {
  const c = 3;
  const tfFilter = rnd(3 * 3 * c, 11);
  const { weight, dims } = depthwiseToOihw(tfFilter, [3, 3, c, 1]);
  t.same(dims, [3, 1, 3, 3]);
  // Element (ky=1, kx=2, channel 2) of the TF filter lands at [2, 0, 1, 2].
  t.equal(weight[((2 * 1 + 0) * 3 + 1) * 3 + 2], tfFilter[(1 * 3 + 2) * c + 2]);
  const g = new GraphBuilder('dw');
  const x = g.input('x', [1, c, 4, 4]);
  g.output(g.conv(x, { weight, weightDims: dims, group: c, padding: 'same' }), 'y');
  const xd = rnd(c * 16, 5);
  const ref = refConv(xd, [c, 4, 4], weight, dims, undefined, 1, [1, 1, 1, 1], c);
  t.ok(close((await run(g, xd, [1, c, 4, 4])).data, ref.y));
});

t.test('HWIO → OIHW moves each element to its place', async (t) => {
  const src = Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i);
  const { weight, dims } = hwioToOihw(src, [2, 3, 4, 5]);
  t.same(dims, [5, 4, 2, 3]);
  for (const [y, x, i, o] of [[0, 0, 0, 0], [1, 2, 3, 4], [1, 0, 2, 3], [0, 1, 1, 2]] as const) {
    t.equal(weight[((o * 4 + i) * 2 + y) * 3 + x], src[((y * 3 + x) * 4 + i) * 5 + o]);
  }
  t.throws(() => hwioToOihw(new Float32Array(5), [2, 3, 4, 5]), InvalidArgumentError);
});

t.test('pooling, leaky relu, zero pad, global average and dense', async (t) => {
  const g = new GraphBuilder('misc');
  const x = g.input('x', [1, 1, 3, 3]);
  const mp = g.maxPool(x, 2, 2, 'same'); // 3×3 → 2×2, the last row/column padded
  const lr = g.leakyRelu(mp, 0.1);
  const padded = g.zeroPad(lr, [0, 0, 1, 1], 1); // → [1, 2, 3, 3]
  const gap = g.globalAveragePool(padded); // → [1, 2]
  const y = g.dense(gap, Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3, Float32Array.from([0, 0, 1]));
  g.output(y, 'y');
  const xd = Float32Array.from([-9, -8, -7, -6, -5, -4, -3, -2, -1]);
  // maxpool: [[-5,-4],[-2,-1]] → leaky ×0.1 → [[-0.5,-0.4],[-0.2,-0.1]], padded to 3×3 plus a zero
  // channel → channel means [-1.2/9, 0]; dense: [m·1, m·2, m·3 + 1].
  const m = -1.2 / 9;
  const got = await run(g, xd, [1, 1, 3, 3]);
  t.same([...got.dims], [1, 3]);
  t.ok(close(got.data, [m, 2 * m, 3 * m + 1], 1e-6), `got ${Array.from(got.data).join(',')}`);

  const g2 = new GraphBuilder('avg');
  const x2 = g2.input('x', [1, 1, 5, 5]);
  g2.output(g2.reshape(g2.avgPool(x2, 2, 2, 'valid'), [1, 4]), 'y');
  const xd2 = Float32Array.from({ length: 25 }, (_, i) => i);
  const got2 = await run(g2, xd2, [1, 1, 5, 5]);
  t.ok(close(got2.data, [3, 5, 13, 15]), '2×2 valid average pool drops the odd row and column');
});

t.test('relu6, broadcasting arithmetic, slice, concat, exp and sigmoid', async (t) => {
  const g = new GraphBuilder('ops');
  const x = g.input('x', [1, 3, 2]);
  const clipped = g.relu6(x);
  const bias = g.constant('b', [1, 1, 2], Float32Array.from([1, -1]));
  const shifted = g.binary('Add', clipped, bias); // broadcast over the middle axis
  const first = g.slice(shifted, 2, 0, 1); // [1,3,1]
  const second = g.unary('Exp', g.binary('Div', g.slice(shifted, 2, 1, 2), g.scalar(2)));
  const y = g.concat([first, g.unary('Sigmoid', second)], 2);
  t.same([...g.shape(y)], [1, 3, 2]);
  g.output(y, 'y');
  const xd = Float32Array.from([-1, 7, 3, 2, 8, -4]);
  // relu6 → [0,6,3,2,6,0]; + [1,-1] → [1,5,4,1,7,-1]; col 0 kept, col 1 → σ(exp(v / 2)).
  const sig = (v: number): number => 1 / (1 + Math.exp(-Math.exp(v / 2)));
  const got = await run(g, xd, [1, 3, 2]);
  t.ok(close(got.data, [1, sig(5), 4, sig(1), 7, sig(-1)], 1e-5), `got ${Array.from(got.data).join(',')}`);
  t.throws(() => g.binary('Mul', x, g.constant('c', [4], new Float32Array(4))), InvalidArgumentError, 'incompatible broadcast');
  t.throws(() => g.slice(x, 2, 1, 3), InvalidArgumentError, 'slice past the end');
  t.throws(() => g.concat([x, g.constant('d', [1, 2, 2], new Float32Array(4))], 2), InvalidArgumentError, 'concat off-axis mismatch');
});

t.test('builder refuses inconsistent shapes', async (t) => {
  const g = new GraphBuilder('bad');
  const x = g.input('x', [1, 2, 4, 4]);
  t.throws(() => g.conv(x, { weight: new Float32Array(27), weightDims: [1, 3, 3, 3] }), InvalidArgumentError, 'channel mismatch');
  t.throws(() => g.conv(x, { weight: new Float32Array(17), weightDims: [1, 2, 3, 3] }), InvalidArgumentError, 'weight length');
  t.throws(() => g.conv(x, { weight: new Float32Array(18), weightDims: [1, 2, 3, 3], bias: new Float32Array(2) }), InvalidArgumentError, 'bias length');
  t.throws(() => g.conv(x, { weight: new Float32Array(50), weightDims: [1, 2, 5, 5], stride: 1 }), InvalidArgumentError, 'kernel larger than input');
  const y = g.input('y', [1, 2, 3, 3]);
  t.throws(() => g.add(x, y), InvalidArgumentError, 'add shape');
  t.throws(() => g.reshape(x, [1, 31]), InvalidArgumentError, 'reshape count');
  t.throws(() => g.relu('nope'), InvalidArgumentError, 'unknown value');
});

t.test('model metadata and opset are written where onnxruntime reads them', async (t) => {
  const bytes = encodeModel({
    graph: {
      name: 'id', nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }], initializers: [],
      inputs: [{ name: 'x', elemType: OnnxDataType.Float, shape: ['batch', 2] }], outputs: [{ name: 'y', elemType: OnnxDataType.Float, shape: ['batch', 2] }],
    },
    producerName: 'p', metadata: { licence: 'MIT' },
  });
  const s = await ort.InferenceSession.create(bytes);
  t.same(s.inputNames, ['x']);
  const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [2, 2]) });
  t.same(Array.from(out.y!.data as Float32Array), [1, 2, 3, 4], 'symbolic batch dimension accepted');
  await s.release();
});
