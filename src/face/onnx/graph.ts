// A small graph builder for NCHW float CNNs. It tracks every value's static shape so that
// TensorFlow's "SAME" padding (asymmetric: the extra row/column goes after, TF's
// nn_ops conv2d documentation) can be turned into ONNX's explicit pads, and so that converters
// can check the shapes of the weights they are given.
import { InvalidArgumentError } from '../../errors.js';
import { encodeModel, OnnxDataType, type AttrValue, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-proto.js';

export type Padding = 'same' | 'valid' | readonly [top: number, left: number, bottom: number, right: number];

export interface ConvSpec {
  /** OIHW (ONNX order); for a depthwise conv O = channels × multiplier and I = 1. */
  readonly weight: Float32Array;
  readonly weightDims: readonly [number, number, number, number];
  readonly bias?: Float32Array;
  readonly stride?: number;
  readonly padding?: Padding;
  readonly group?: number;
}

export class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly inits: OnnxTensor[] = [];
  private readonly shapes = new Map<string, readonly number[]>();
  private readonly inputs: { name: string; shape: readonly number[] }[] = [];
  private readonly outputs: { name: string; shape: readonly number[] }[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  shape(v: string): readonly number[] {
    const s = this.shapes.get(v);
    if (!s) throw new InvalidArgumentError('value', 'a value defined in the graph', v);
    return s;
  }

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  input(name: string, shape: readonly number[]): string {
    this.inputs.push({ name, shape });
    this.shapes.set(name, shape);
    return name;
  }

  output(value: string, name: string): string {
    const s = this.shape(value);
    const out = value === name ? value : this.node('Identity', [value], s, {}, name);
    this.outputs.push({ name: out, shape: s });
    return out;
  }

  constant(prefix: string, dims: readonly number[], data: Float32Array | BigInt64Array): string {
    const name = this.fresh(prefix);
    this.inits.push({ name, dims, data });
    this.shapes.set(name, dims);
    return name;
  }

  /** Adds a node whose (single) output has the given shape. */
  node(opType: string, inputs: readonly string[], outShape: readonly number[], attributes: Readonly<Record<string, AttrValue>> = {}, outName?: string): string {
    for (const i of inputs) if (i !== '') this.shape(i);
    const out = outName ?? this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, inputs, outputs: [out], name: out, attributes });
    this.shapes.set(out, outShape);
    return out;
  }

  conv(x: string, spec: ConvSpec): string {
    const [n, c, h, w] = dims4(this.shape(x), 'conv input');
    const [o, i, kh, kw] = spec.weightDims;
    const group = spec.group ?? 1;
    const stride = spec.stride ?? 1;
    if (i * group !== c || o % group !== 0) throw new InvalidArgumentError('conv weight', `${c / group} input channels per group`, i);
    if (spec.weight.length !== o * i * kh * kw) throw new InvalidArgumentError('conv weight', `${o * i * kh * kw} values`, spec.weight.length);
    if (spec.bias && spec.bias.length !== o) throw new InvalidArgumentError('conv bias', `${o} values`, spec.bias.length);
    const [pt, pl, pb, pr] = resolvePads(spec.padding ?? 'valid', h, w, kh, kw, stride);
    const oh = Math.floor((h + pt + pb - kh) / stride) + 1;
    const ow = Math.floor((w + pl + pr - kw) / stride) + 1;
    if (oh < 1 || ow < 1) throw new InvalidArgumentError('conv', 'an input at least as large as the kernel', `${h}x${w}`);
    const wName = this.constant('W', spec.weightDims, spec.weight);
    const inputs = spec.bias ? [x, wName, this.constant('B', [o], spec.bias)] : [x, wName];
    return this.node('Conv', inputs, [n, o, oh, ow], {
      kernel_shape: [kh, kw], strides: [stride, stride], pads: [pt, pl, pb, pr], group, dilations: [1, 1],
    });
  }

  private pool(op: 'MaxPool' | 'AveragePool', x: string, k: number, stride: number, padding: Padding): string {
    const [n, c, h, w] = dims4(this.shape(x), `${op} input`);
    const [pt, pl, pb, pr] = resolvePads(padding, h, w, k, k, stride);
    const oh = Math.floor((h + pt + pb - k) / stride) + 1;
    const ow = Math.floor((w + pl + pr - k) / stride) + 1;
    // TF's SAME average pooling divides by the number of real (not padded) inputs, which is
    // ONNX's count_include_pad = 0 (the default); max pooling never sees the padding.
    return this.node(op, [x], [n, c, oh, ow], { kernel_shape: [k, k], strides: [stride, stride], pads: [pt, pl, pb, pr] });
  }

  maxPool(x: string, k: number, stride: number, padding: Padding = 'valid'): string {
    return this.pool('MaxPool', x, k, stride, padding);
  }

  avgPool(x: string, k: number, stride: number, padding: Padding = 'valid'): string {
    return this.pool('AveragePool', x, k, stride, padding);
  }

  relu(x: string): string {
    return this.node('Relu', [x], this.shape(x));
  }

  leakyRelu(x: string, alpha: number): string {
    return this.node('LeakyRelu', [x], this.shape(x), { alpha: { float: alpha } });
  }

  sigmoid(x: string): string {
    return this.node('Sigmoid', [x], this.shape(x));
  }

  add(a: string, b: string): string {
    const sa = this.shape(a);
    const sb = this.shape(b);
    if (sa.join() !== sb.join()) throw new InvalidArgumentError('add', `shape [${sa.join(',')}]`, `[${sb.join(',')}]`);
    return this.node('Add', [a, b], sa);
  }

  /** min(max(x, 0), 6): MobileNet's ReLU6, as Clip with constant bounds (opset ≥ 11). */
  relu6(x: string): string {
    const lo = this.constant('clip_min', [], Float32Array.of(0));
    const hi = this.constant('clip_max', [], Float32Array.of(6));
    return this.node('Clip', [x, lo, hi], this.shape(x));
  }

  /** Element-wise op with NumPy broadcasting (shapes checked here). */
  binary(op: 'Add' | 'Sub' | 'Mul' | 'Div', a: string, b: string): string {
    return this.node(op, [a, b], broadcast(this.shape(a), this.shape(b)));
  }

  unary(op: 'Exp' | 'Sigmoid' | 'Relu', x: string): string {
    return this.node(op, [x], this.shape(x));
  }

  /** A scalar float constant. */
  scalar(v: number): string {
    return this.constant('scalar', [], Float32Array.of(v));
  }

  concat(xs: readonly string[], axis: number): string {
    const shapes = xs.map((x) => this.shape(x));
    const first = shapes[0];
    if (!first || axis < 0 || axis >= first.length) throw new InvalidArgumentError('concat', 'values and an axis within their rank', axis);
    for (const s of shapes) {
      if (s.length !== first.length || s.some((d, i) => i !== axis && d !== first[i])) throw new InvalidArgumentError('concat', `shapes matching [${first.join(',')}] off axis ${axis}`, `[${s.join(',')}]`);
    }
    const out = first.map((d, i) => (i === axis ? shapes.reduce((a, s) => a + (s[i] ?? 0), 0) : d));
    return this.node('Concat', xs, out, { axis });
  }

  /** x[start:end] along one axis (opset-13 Slice with constant inputs). */
  slice(x: string, axis: number, start: number, end: number): string {
    const s = this.shape(x);
    const n = s[axis];
    if (n === undefined || start < 0 || end > n || start >= end) throw new InvalidArgumentError('slice', `a range inside 0..${n ?? '?'}`, `${start}..${end}`);
    const i64 = (v: number): string => this.constant('slice_arg', [1], BigInt64Array.of(BigInt(v)));
    return this.node('Slice', [x, i64(start), i64(end), i64(axis)], s.map((d, i) => (i === axis ? end - start : d)));
  }

  /** Zero padding of an NCHW value: [top, left, bottom, right] rows/columns and `channelsAfter` channels. */
  zeroPad(x: string, pads: readonly [number, number, number, number], channelsAfter = 0): string {
    const [n, c, h, w] = dims4(this.shape(x), 'pad input');
    const [t, l, b, r] = pads;
    const p = this.constant('pads', [8], BigInt64Array.from([0, 0, t, l, 0, channelsAfter, b, r].map(BigInt)));
    return this.node('Pad', [x, p], [n, c + channelsAfter, h + t + b, w + l + r], { mode: 'constant' });
  }

  /** Mean over H and W, keeping [N, C]. */
  globalAveragePool(x: string): string {
    const [n, c] = dims4(this.shape(x), 'pool input');
    const pooled = this.node('GlobalAveragePool', [x], [n, c, 1, 1]);
    return this.reshape(pooled, [n, c]);
  }

  reshape(x: string, shape: readonly number[]): string {
    const count = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
    if (count(shape) !== count(this.shape(x))) throw new InvalidArgumentError('reshape', `${count(this.shape(x))} elements`, count(shape));
    const s = this.constant('shape', [shape.length], BigInt64Array.from(shape.map(BigInt)));
    return this.node('Reshape', [x, s], shape);
  }

  transpose(x: string, perm: readonly number[]): string {
    const s = this.shape(x);
    return this.node('Transpose', [x], perm.map((p) => s[p] ?? 0), { perm });
  }

  /** [N, K] × [K, M] + [M] as Gemm. */
  dense(x: string, weight: Float32Array, k: number, m: number, bias?: Float32Array): string {
    const [n, kk] = this.shape(x);
    if (kk !== k || weight.length !== k * m) throw new InvalidArgumentError('dense weight', `[${kk ?? '?'}, ${m}]`, `[${k}, ${m}]`);
    if (bias && bias.length !== m) throw new InvalidArgumentError('dense bias', `${m} values`, bias.length);
    const w = this.constant('W', [k, m], weight);
    const inputs = bias ? [x, w, this.constant('B', [m], bias)] : [x, w];
    return this.node('Gemm', inputs, [n ?? 1, m]);
  }

  /** The declared outputs and their shapes. */
  outputShapes(): Map<string, readonly number[]> {
    return new Map(this.outputs.map((o) => [o.name, o.shape]));
  }

  build(meta: Omit<OnnxModel, 'graph'> = {}): Buffer {
    const vi = (v: { name: string; shape: readonly number[] }): { name: string; elemType: OnnxDataType; shape: readonly number[] } => ({ name: v.name, elemType: OnnxDataType.Float, shape: v.shape });
    return encodeModel({
      ...meta,
      graph: { name: this.name, nodes: this.nodes, initializers: this.inits, inputs: this.inputs.map(vi), outputs: this.outputs.map(vi) },
    });
  }
}

function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new InvalidArgumentError('broadcast', `compatible shapes [${a.join(',')}]`, `[${b.join(',')}]`);
    out.push(Math.max(da, db));
  }
  return out;
}

function dims4(s: readonly number[], what: string): [number, number, number, number] {
  if (s.length !== 4) throw new InvalidArgumentError(what, 'an NCHW value', `rank ${s.length}`);
  return [s[0] ?? 0, s[1] ?? 0, s[2] ?? 0, s[3] ?? 0];
}

/** TF SAME: out = ceil(in / stride), total = max((out - 1)·stride + k − in, 0), the odd one after. */
export function samePads(size: number, k: number, stride: number): [before: number, after: number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function resolvePads(p: Padding, h: number, w: number, kh: number, kw: number, stride: number): readonly [number, number, number, number] {
  if (p === 'valid') return [0, 0, 0, 0];
  if (p === 'same') {
    const [t, b] = samePads(h, kh, stride);
    const [l, r] = samePads(w, kw, stride);
    return [t, l, b, r];
  }
  return p;
}

/** TF filter layout [kh, kw, in, out] (HWIO) → ONNX [out, in, kh, kw] (OIHW). */
export function hwioToOihw(data: Float32Array, shape: readonly number[]): { weight: Float32Array; dims: [number, number, number, number] } {
  const [kh, kw, ci, co] = dims4(shape, 'filter');
  if (data.length !== kh * kw * ci * co) throw new InvalidArgumentError('filter', `${kh * kw * ci * co} values`, data.length);
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
    out[((o * ci + i) * kh + y) * kw + x] = data[((y * kw + x) * ci + i) * co + o] ?? 0;
  }
  return { weight: out, dims: [co, ci, kh, kw] };
}

/** TF depthwise filter [kh, kw, channels, multiplier] → ONNX grouped conv [channels·multiplier, 1, kh, kw]. */
export function depthwiseToOihw(data: Float32Array, shape: readonly number[]): { weight: Float32Array; dims: [number, number, number, number] } {
  const [kh, kw, c, m] = dims4(shape, 'depthwise filter');
  if (data.length !== kh * kw * c * m) throw new InvalidArgumentError('depthwise filter', `${kh * kw * c * m} values`, data.length);
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < c; i++) for (let j = 0; j < m; j++) {
    out[((i * m + j) * kh + y) * kw + x] = data[((y * kw + x) * c + i) * m + j] ?? 0;
  }
  return { weight: out, dims: [c * m, 1, kh, kw] };
}
