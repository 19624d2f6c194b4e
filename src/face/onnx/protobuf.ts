// A minimal Protocol Buffers writer: just what ONNX's ModelProto needs (varints, 64-bit ints,
// fixed32 floats, length-delimited bytes/strings/messages, packed repeated fields).
// Wire format per https://protobuf.dev/programming-guides/encoding/ (fact, not code, taken).
import { InvalidArgumentError } from '../../errors.js';

/** Wire types (the low three bits of a field's tag). */
const WireType = { Varint: 0, Fixed64: 1, Len: 2, Fixed32: 5 } as const;
type WireType = (typeof WireType)[keyof typeof WireType];

/** Appends fields to a growing list of chunks; `finish()` concatenates them once. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  private tag(field: number, wire: WireType): void {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new InvalidArgumentError('field', 'a protobuf field number', field);
    this.push(encodeVarint(BigInt(field) << 3n | BigInt(wire)));
  }

  /** int32/int64/uint64/enum/bool: negative values take ten bytes (two's complement), as protobuf specifies. */
  int(field: number, value: number | bigint): this {
    this.tag(field, WireType.Varint);
    this.push(encodeVarint(toInt64(value)));
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WireType.Fixed32);
    const b = Buffer.alloc(4);
    b.writeFloatLE(value, 0);
    this.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.Len);
    this.push(encodeVarint(BigInt(value.length)));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** Packed repeated varints (proto3's default for repeated scalars). */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = values.map((v) => encodeVarint(toInt64(v)));
    return this.bytes(field, Buffer.concat(inner));
  }

  packedFloats(field: number, values: readonly number[]): this {
    const b = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => b.writeFloatLE(v, i * 4));
    return this.bytes(field, b);
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

function toInt64(value: number | bigint): bigint {
  const v = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (v === undefined || v < -(1n << 63n) || v >= 1n << 64n) throw new InvalidArgumentError('varint', 'a 64-bit integer', value);
  return v < 0n ? v + (1n << 64n) : v;
}

export function encodeVarint(v: bigint): Uint8Array {
  if (v < 0n) throw new InvalidArgumentError('varint', 'an unsigned value', v);
  const out: number[] = [];
  let x = v;
  do {
    let byte = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) byte |= 0x80;
    out.push(byte);
  } while (x !== 0n);
  return Uint8Array.from(out);
}
