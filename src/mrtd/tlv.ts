// BER-TLV (ISO/IEC 8825-1, as profiled by ISO/IEC 7816-4 and ICAO 9303-10). Every byte given
// to these functions is treated as hostile: each length is checked against the bytes that
// are actually there, nesting depth is bounded, and failures are ParseErrors naming what was
// parsed and where. Values are subarrays of the input (no copies).
import { ParseError } from '../errors.js';

/** Tags are numbers holding their encoded bytes, big-endian: 0x30, 0x5F1F, 0x7F61, 0xBF8101. */
export type Tag = number;

export interface Tlv {
  readonly tag: Tag;
  readonly constructed: boolean;
  /** The value field (for indefinite lengths: the content before the end-of-contents marker). */
  readonly value: Buffer;
  /** The whole element: tag, length, value (and end-of-contents for indefinite lengths). */
  readonly raw: Buffer;
  readonly headerLength: number;
  /** True when the element used the indefinite length form (0x80 ... 00 00). */
  readonly indefinite: boolean;
}

/** What a header tells before the value is there (used to size a file from its first bytes). */
export interface TlvHeader {
  readonly tag: Tag;
  readonly constructed: boolean;
  readonly headerLength: number;
  /** Length of the value; undefined for the indefinite form. */
  readonly length: number | undefined;
}

export const MAX_DEPTH = 32;
const MAX_TAG_BYTES = 4;
const MAX_LENGTH_BYTES = 4;

export function readHeader(buf: Buffer, offset: number, what = 'TLV'): TlvHeader {
  let p = offset;
  if (p >= buf.length) throw new ParseError(what, 'missing tag', p);
  const first = buf[p++]!;
  if (first === 0x00 || first === 0xff) throw new ParseError(what, `invalid tag byte 0x${first.toString(16)}`, offset);
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    let n = 1;
    for (;;) {
      if (p >= buf.length) throw new ParseError(what, 'truncated tag', offset);
      const b = buf[p++]!;
      tag = tag * 256 + b;
      if (++n > MAX_TAG_BYTES) throw new ParseError(what, 'tag longer than 4 bytes', offset);
      if ((b & 0x80) === 0) break;
    }
  }
  if (p >= buf.length) throw new ParseError(what, 'missing length', p);
  const lb = buf[p++]!;
  let length: number | undefined;
  if (lb < 0x80) length = lb;
  else if (lb === 0x80) length = undefined;
  else {
    const n = lb & 0x7f;
    if (n > MAX_LENGTH_BYTES) throw new ParseError(what, `length field of ${n} bytes`, p - 1);
    if (p + n > buf.length) throw new ParseError(what, 'truncated length', p - 1);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++]!;
  }
  const constructed = (first & 0x20) !== 0;
  if (length === undefined && !constructed) throw new ParseError(what, 'indefinite length on a primitive element', offset);
  return { tag, constructed, headerLength: p - offset, length };
}

function readAt(buf: Buffer, offset: number, what: string, depth: number): Tlv {
  if (depth > MAX_DEPTH) throw new ParseError(what, `nesting deeper than ${MAX_DEPTH}`, offset);
  const h = readHeader(buf, offset, what);
  const start = offset + h.headerLength;
  if (h.length !== undefined) {
    if (start + h.length > buf.length) {
      throw new ParseError(what, `length ${h.length} exceeds the ${buf.length - start} bytes present`, offset);
    }
    return {
      tag: h.tag,
      constructed: h.constructed,
      value: buf.subarray(start, start + h.length),
      raw: buf.subarray(offset, start + h.length),
      headerLength: h.headerLength,
      indefinite: false,
    };
  }
  // Indefinite form: children until the end-of-contents marker 00 00.
  let p = start;
  for (;;) {
    if (p + 2 <= buf.length && buf[p] === 0 && buf[p + 1] === 0) break;
    if (p >= buf.length) throw new ParseError(what, 'missing end-of-contents', offset);
    p += readAt(buf, p, what, depth + 1).raw.length;
  }
  return {
    tag: h.tag,
    constructed: true,
    value: buf.subarray(start, p),
    raw: buf.subarray(offset, p + 2),
    headerLength: h.headerLength,
    indefinite: true,
  };
}

/** Reads one element at `offset`; the buffer may continue after it. */
export function readTlv(buf: Buffer, offset = 0, what = 'TLV'): Tlv {
  return readAt(buf, offset, what, 0);
}

/** Reads exactly one element that must fill the whole buffer. */
export function parseSingle(buf: Buffer, what = 'TLV'): Tlv {
  const t = readTlv(buf, 0, what);
  if (t.raw.length !== buf.length) throw new ParseError(what, `${buf.length - t.raw.length} bytes after the element`, t.raw.length);
  return t;
}

/** Reads consecutive elements that together fill the whole buffer. */
export function parseAll(buf: Buffer, what = 'TLV'): Tlv[] {
  const out: Tlv[] = [];
  let p = 0;
  while (p < buf.length) {
    const t = readTlv(buf, p, what);
    out.push(t);
    p += t.raw.length;
  }
  return out;
}

/** The children of a constructed element. */
export function children(t: Tlv, what = 'TLV'): Tlv[] {
  if (!t.constructed) throw new ParseError(what, `tag ${tagHex(t.tag)} is primitive, expected constructed`);
  return parseAll(t.value, what);
}

export const find = (list: readonly Tlv[], tag: Tag): Tlv | undefined => list.find((t) => t.tag === tag);

export function requireTag(list: readonly Tlv[], tag: Tag, what: string): Tlv {
  const t = find(list, tag);
  if (!t) throw new ParseError(what, `missing tag ${tagHex(tag)}`);
  return t;
}

export function expectTag(t: Tlv, tag: Tag, what: string): Tlv {
  if (t.tag !== tag) throw new ParseError(what, `expected tag ${tagHex(tag)}, found ${tagHex(t.tag)}`);
  return t;
}

export const tagHex = (tag: Tag): string => tag.toString(16).toUpperCase().padStart(2, '0');

/** Tag bytes for a tag number as written in the spec (0x5F1F → 5F 1F). */
export function tagBytes(tag: Tag): Buffer {
  const out: number[] = [];
  let t = tag;
  do {
    out.unshift(t & 0xff);
    t = Math.floor(t / 256);
  } while (t > 0);
  return Buffer.from(out);
}

/** DER length encoding (definite, shortest form). */
export function encodeLength(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`TLV length ${n}`);
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  let v = n;
  while (v > 0) {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Encodes one element; `value` may be a list of already encoded children. */
export function encode(tag: Tag, value: Uint8Array | readonly Uint8Array[]): Buffer {
  const v = Array.isArray(value) ? Buffer.concat(value as readonly Uint8Array[]) : Buffer.from(value as Uint8Array);
  return Buffer.concat([tagBytes(tag), encodeLength(v.length), v]);
}
