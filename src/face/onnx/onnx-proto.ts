// ONNX ModelProto encoding (onnx/onnx.proto3, field numbers as published in the ONNX repository;
// facts only). Only the subset a converted CNN needs: dense float/int64 initialisers as
// raw_data, fixed-shape tensor value infos, and node attributes of the scalar and list kinds.
import { InvalidArgumentError } from '../../errors.js';
import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType values used here. */
export const OnnxDataType = { Float: 1, Uint8: 2, Int8: 3, Int32: 6, Int64: 7 } as const;
export type OnnxDataType = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** AttributeProto.AttributeType values. */
const AttrType = { Float: 1, Int: 2, String: 3, Tensor: 4, Floats: 6, Ints: 7 } as const;

/** IR version 8 (ONNX 1.10+) is read by every onnxruntime from 1.10 to 1.30. */
export const IR_VERSION = 8;
/** Default-domain opset: 13 has every operator the converted nets use, in its current form. */
export const OPSET_VERSION = 13;

export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array | Int32Array;
}

export type AttrValue = number | string | readonly number[] | { readonly floats: readonly number[] } | { readonly int: number } | { readonly float: number } | OnnxTensor;

export interface OnnxNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  /** number → INT when an integer, FLOAT otherwise; use `{ int }`, `{ float }`, `{ floats }` to force a kind. */
  readonly attributes?: Readonly<Record<string, AttrValue>>;
}

export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: OnnxDataType;
  /** A number is a fixed dimension, a string a symbolic one (e.g. "batch"). */
  readonly shape: readonly (number | string)[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  readonly graph: OnnxGraph;
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly opsetVersion?: number;
}

function dataTypeOf(t: OnnxTensor): OnnxDataType {
  if (t.data instanceof Float32Array) return OnnxDataType.Float;
  if (t.data instanceof BigInt64Array) return OnnxDataType.Int64;
  return OnnxDataType.Int32;
}

export function encodeTensor(t: OnnxTensor): ProtoWriter {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.dims.some((d) => !Number.isInteger(d) || d < 0) || count !== t.data.length) {
    throw new InvalidArgumentError(`tensor ${t.name}`, `${count} elements for dims [${t.dims.join(',')}]`, t.data.length);
  }
  const w = new ProtoWriter();
  if (t.dims.length > 0) w.packedInts(1, t.dims);
  w.int(2, dataTypeOf(t));
  w.string(8, t.name);
  // raw_data is little-endian (onnx.proto3, TensorProto.raw_data); typed arrays are host-endian.
  if (!littleEndianHost) throw new InvalidArgumentError('host', 'a little-endian machine', 'big-endian');
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return w;
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function encodeAttribute(name: string, v: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof v === 'number') {
    if (Number.isInteger(v)) w.int(20, AttrType.Int).int(3, v);
    else w.int(20, AttrType.Float).float(2, v);
  } else if (typeof v === 'string') {
    w.int(20, AttrType.String).string(4, v);
  } else if ('floats' in v) {
    w.int(20, AttrType.Floats).packedFloats(7, v.floats);
  } else if ('float' in v) {
    w.int(20, AttrType.Float).float(2, v.float);
  } else if ('int' in v) {
    w.int(20, AttrType.Int).int(3, v.int);
  } else if ('dims' in v) {
    w.int(20, AttrType.Tensor).message(5, encodeTensor(v));
  } else {
    if (!v.every(Number.isInteger)) throw new InvalidArgumentError(`attribute ${name}`, 'integers (use { floats } for floats)', v);
    w.int(20, AttrType.Ints).packedInts(8, v);
  }
  return w;
}

function encodeNode(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name !== undefined) w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, encodeAttribute(k, v));
  return w;
}

function encodeValueInfo(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, v.elemType).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

function encodeGraph(g: OnnxGraph): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  for (const i of g.inputs) w.message(11, encodeValueInfo(i));
  for (const o of g.outputs) w.message(12, encodeValueInfo(o));
  return w;
}

/** Serialises a model to the bytes of an .onnx file. */
export function encodeModel(m: OnnxModel): Buffer {
  const w = new ProtoWriter();
  w.int(1, IR_VERSION);
  if (m.producerName !== undefined) w.string(2, m.producerName);
  if (m.producerVersion !== undefined) w.string(3, m.producerVersion);
  if (m.docString !== undefined) w.string(6, m.docString);
  w.message(7, encodeGraph(m.graph));
  w.message(8, new ProtoWriter().string(1, '').int(2, m.opsetVersion ?? OPSET_VERSION));
  for (const [k, v] of Object.entries(m.metadata ?? {})) w.message(14, new ProtoWriter().string(1, k).string(2, v));
  return w.finish();
}
