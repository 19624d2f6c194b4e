// ASN.1 DER on top of the BER-TLV reader: universal tags, object identifiers, integers,
// strings and times, and a small builder for the encoder side (the passport generator and the
// virtual chip write what the reader parses). Decoders take a Tlv and say what they expected.
import { ParseError } from '../errors.js';
import { bigintFromBytes, bigintToBytes } from '../util/bytes.js';
import { children, encode, type Tlv } from './tlv.js';

export const T = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag numbers: [n] constructed (explicit) and primitive (implicit). */
export const ctx = (n: number): number => 0xa0 + n;
export const ctxPrimitive = (n: number): number => 0x80 + n;

export function expect(t: Tlv, tag: number, what: string): Tlv {
  if (t.tag !== tag) throw new ParseError(what, `expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
  return t;
}

/** Children of a SEQUENCE (or another constructed tag), checking the tag first. */
export function seq(t: Tlv, what: string, tag: number = T.SEQUENCE): Tlv[] {
  return children(expect(t, tag, what), what);
}

/** Child `i` of a list, or a ParseError naming the missing field. */
export function at(list: readonly Tlv[], i: number, what: string): Tlv {
  const t = list[i];
  if (!t) throw new ParseError(what, `missing element ${i}`);
  return t;
}

export function decodeOid(t: Tlv, what = 'OID'): string {
  const v = expect(t, T.OID, what).value;
  if (v.length === 0 || v.length > 64) throw new ParseError(what, `OID of ${v.length} bytes`);
  const arcs: bigint[] = [];
  let acc = 0n;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    if (acc === 0n && b === 0x80) throw new ParseError(what, 'OID arc with a leading 0x80');
    acc = (acc << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(acc);
      acc = 0n;
    } else if (i === v.length - 1) throw new ParseError(what, 'truncated OID arc');
  }
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

export function encodeOid(oid: string): Buffer {
  const parts = oid.split('.').map((s) => BigInt(s));
  if (parts.length < 2) throw new RangeError(`OID ${oid}`);
  const arcs = [parts[0]! * 40n + parts[1]!, ...parts.slice(2)];
  const bytes: number[] = [];
  for (const arc of arcs) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    let a = arc >> 7n;
    while (a > 0n) {
      chunk.unshift(Number(a & 0x7fn) | 0x80);
      a >>= 7n;
    }
    bytes.push(...chunk);
  }
  return encode(T.OID, Buffer.from(bytes));
}

/** INTEGER as a bigint (two's complement). */
export function decodeInteger(t: Tlv, what = 'INTEGER'): bigint {
  const v = expect(t, T.INTEGER, what).value;
  if (v.length === 0) throw new ParseError(what, 'empty INTEGER');
  const u = bigintFromBytes(v);
  return (v[0]! & 0x80) !== 0 ? u - (1n << BigInt(v.length * 8)) : u;
}

/** A small non-negative INTEGER as a number. */
export function decodeSmallInt(t: Tlv, what = 'INTEGER'): number {
  const n = decodeInteger(t, what);
  if (n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER)) throw new ParseError(what, 'integer out of range');
  return Number(n);
}

/** The unsigned magnitude bytes of a non-negative INTEGER (leading 00 removed). */
export function decodeUnsigned(t: Tlv, what = 'INTEGER'): Buffer {
  const v = expect(t, T.INTEGER, what).value;
  if (v.length === 0) throw new ParseError(what, 'empty INTEGER');
  if ((v[0]! & 0x80) !== 0) throw new ParseError(what, 'negative INTEGER where unsigned expected');
  return v[0] === 0 && v.length > 1 ? v.subarray(1) : v;
}

export function decodeBitString(t: Tlv, what = 'BIT STRING'): Buffer {
  const v = expect(t, T.BIT_STRING, what).value;
  if (v.length === 0) throw new ParseError(what, 'empty BIT STRING');
  if (v[0] !== 0) throw new ParseError(what, `${v[0]} unused bits where whole bytes expected`);
  return v.subarray(1);
}

export function decodeString(t: Tlv, what = 'string'): string {
  switch (t.tag) {
    case T.UTF8_STRING:
      return t.value.toString('utf8');
    case T.PRINTABLE_STRING:
    case T.IA5_STRING:
    case 0x14: // TeletexString, read as Latin-1
      return t.value.toString('latin1');
    case 0x1e: // BMPString
      if (t.value.length % 2 !== 0) throw new ParseError(what, 'BMPString of odd length');
      return Buffer.from(t.value).swap16().toString('utf16le');
    default:
      throw new ParseError(what, `tag 0x${t.tag.toString(16)} is not a string type`);
  }
}

/** UTCTime (YYMMDDHHMMSSZ; 50–99 → 19xx) or GeneralizedTime (YYYYMMDDHHMMSSZ). */
export function decodeTime(t: Tlv, what = 'time'): Date {
  const s = t.value.toString('latin1');
  let m: RegExpExecArray | null;
  let year: number;
  if (t.tag === T.UTC_TIME && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s))) {
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (t.tag === T.GENERALIZED_TIME && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/.exec(s))) {
    year = Number(m[1]);
  } else throw new ParseError(what, 'malformed time');
  const d = new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
  if (Number.isNaN(d.getTime()) || d.getUTCMonth() !== Number(m[2]) - 1) throw new ParseError(what, 'invalid date');
  return d;
}

// ---- builder (DER) ----

export const der = {
  seq: (...items: Uint8Array[]): Buffer => encode(T.SEQUENCE, items),
  /** SET OF, sorted as DER requires. */
  set: (...items: Uint8Array[]): Buffer => encode(T.SET, [...items].sort((a, b) => Buffer.compare(a, b))),
  oid: encodeOid,
  null: (): Buffer => Buffer.from([T.NULL, 0]),
  bool: (b: boolean): Buffer => encode(T.BOOLEAN, Buffer.from([b ? 0xff : 0])),
  int(v: bigint | number | Uint8Array): Buffer {
    if (v instanceof Uint8Array) {
      let b = Buffer.from(v);
      let i = 0;
      while (i < b.length - 1 && b[i] === 0 && (b[i + 1]! & 0x80) === 0) i++;
      b = b.subarray(i);
      if (b.length === 0) b = Buffer.from([0]);
      return encode(T.INTEGER, (b[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), b]) : b);
    }
    const n = BigInt(v);
    if (n < 0n) {
      let len = 1;
      while (n < -(1n << BigInt(len * 8 - 1))) len++;
      return encode(T.INTEGER, bigintToBytes((1n << BigInt(len * 8)) + n, len));
    }
    const mag = bigintToBytes(n);
    return der.int(mag.length ? mag : Buffer.from([0]));
  },
  octets: (b: Uint8Array): Buffer => encode(T.OCTET_STRING, b),
  bits: (b: Uint8Array): Buffer => encode(T.BIT_STRING, [Buffer.from([0]), b]),
  utf8: (s: string): Buffer => encode(T.UTF8_STRING, Buffer.from(s, 'utf8')),
  printable: (s: string): Buffer => encode(T.PRINTABLE_STRING, Buffer.from(s, 'latin1')),
  /** UTCTime for years 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5). */
  time(d: Date): Buffer {
    const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
    const y = d.getUTCFullYear();
    return y >= 1950 && y < 2050 ? encode(T.UTC_TIME, Buffer.from(iso.slice(2), 'latin1')) : encode(T.GENERALIZED_TIME, Buffer.from(iso, 'latin1'));
  },
  explicit: (n: number, inner: Uint8Array): Buffer => encode(ctx(n), inner),
  implicit: (n: number, value: Uint8Array): Buffer => encode(ctxPrimitive(n), value),
  tagged: encode,
};
