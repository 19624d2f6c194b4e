// Named prime curves the document PKI meets (ICAO 9303-11 §9.3 / 9303-12 §7.2 allow the NIST
// and Brainpool curves), with their domain parameters so that explicit ECParameters in a key
// (RFC 3279 §2.3.5, common in eMRTD certificates) can be recognised as a named curve, and so
// the builder can write them. The numbers come from ../params/standard.ts (generated from
// OpenSSL and checked against it), the names from ../params/domains.ts.
import { InvalidArgumentError } from '../../errors.js';
import { bigintFromBytes, bigintToBytes, fromHex } from '../../util/bytes.js';
import type { EcCurve } from '../../native/mrtd.js';
import { CURVE_NAMES } from '../params/domains.js';
import { STANDARD_DOMAINS } from '../params/standard.js';

export interface CurveSpec {
  /** OpenSSL / Node name, as `crypto.generateKeyPairSync('ec', { namedCurve })` takes it. */
  readonly name: string;
  readonly oid: string;
  /** The common alias (P-256 for prime256v1); equal to `name` for Brainpool curves. */
  readonly alias: string;
  readonly p: string;
  readonly a: string;
  readonly b: string;
  readonly gx: string;
  readonly gy: string;
  readonly n: string;
  readonly h: number;
}

/** Explicit prime-field curve parameters as unsigned big-endian bytes: the native addon's EcCurve. */
export type CurveParameters = EcCurve;

/** The named curves, from the engine's table of standardized domains (../params). */
export const NAMED_CURVES: readonly CurveSpec[] = STANDARD_DOMAINS.flatMap((d) => {
  if (d.kind !== 'EC') return [];
  const n = CURVE_NAMES.find((c) => c.name === d.name);
  if (!n) return [];
  return [{ name: n.openssl, oid: n.oid, alias: n.alias, p: d.p, a: d.a, b: d.b, gx: d.gx, gy: d.gy, n: d.n, h: Number(BigInt('0x' + d.h)) }];
});

export function curveByOid(oid: string): CurveSpec | undefined {
  return NAMED_CURVES.find((c) => c.oid === oid);
}

/** Looks a curve up by its Node name or alias (`prime256v1`, `P-256`, `brainpoolP256r1`). */
export function curveByName(name: string): CurveSpec | undefined {
  return NAMED_CURVES.find((c) => c.name === name || c.alias === name);
}

export function curveParameters(c: CurveSpec): CurveParameters {
  const len = fieldLength(c);
  return {
    p: fromHex(c.p),
    a: fromHex(c.a),
    b: fromHex(c.b),
    gx: bigintToBytes(BigInt('0x' + c.gx), len),
    gy: bigintToBytes(BigInt('0x' + c.gy), len),
    n: fromHex(c.n),
    h: bigintToBytes(BigInt(c.h)),
  };
}

/** Byte length of a field element of the curve. */
export const fieldLength = (c: CurveSpec): number => Math.ceil(BigInt('0x' + c.p).toString(2).length / 8);

/** Byte length of the group order (the length of r and s in a plain signature). */
export const orderLength = (n: Uint8Array): number => Math.ceil(bigintFromBytes(n).toString(2).length / 8);

/**
 * The named curve whose parameters equal these explicit ones, if any. Comparison is on values
 * (leading zeros do not matter); the cofactor may be absent in ECParameters, then it is not compared.
 */
export function matchNamedCurve(params: CurveParameters, cofactorPresent: boolean): CurveSpec | undefined {
  const v = (b: Uint8Array): bigint => bigintFromBytes(b);
  return NAMED_CURVES.find(
    (c) =>
      BigInt('0x' + c.p) === v(params.p) &&
      BigInt('0x' + c.a) === v(params.a) &&
      BigInt('0x' + c.b) === v(params.b) &&
      BigInt('0x' + c.gx) === v(params.gx) &&
      BigInt('0x' + c.gy) === v(params.gy) &&
      BigInt('0x' + c.n) === v(params.n) &&
      (!cofactorPresent || BigInt(c.h) === v(params.h)),
  );
}

// ---- prime-field arithmetic for point decompression (SEC 1 v2 §2.3.4) ----

const mod = (x: bigint, p: bigint): bigint => ((x % p) + p) % p;

export function modPow(base: bigint, exp: bigint, p: bigint): bigint {
  let result = 1n;
  let b = mod(base, p);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % p;
    b = (b * b) % p;
    e >>= 1n;
  }
  return result;
}

/** A square root modulo an odd prime p (Tonelli–Shanks), or undefined when x is not a square. */
export function modSqrt(x: bigint, p: bigint): bigint | undefined {
  const a = mod(x, p);
  if (a === 0n) return 0n;
  if (modPow(a, (p - 1n) / 2n, p) !== 1n) return undefined;
  if (p % 4n === 3n) return modPow(a, (p + 1n) / 4n, p);
  let q = p - 1n;
  let s = 0n;
  while ((q & 1n) === 0n) {
    q >>= 1n;
    s++;
  }
  let z = 2n;
  // For a prime p the least non-residue is tiny in practice (11 for P-224); the bound keeps a
  // hostile non-prime p from costing seconds of modular exponentiations.
  while (modPow(z, (p - 1n) / 2n, p) !== p - 1n) {
    z++;
    if (z > 1000n) return undefined;
  }
  let m = s;
  let c = modPow(z, q, p);
  let t = modPow(a, q, p);
  let r = modPow(a, (q + 1n) / 2n, p);
  while (t !== 1n) {
    let i = 0n;
    let t2 = t;
    while (t2 !== 1n) {
      t2 = (t2 * t2) % p;
      i++;
      if (i === m) return undefined;
    }
    const bb = modPow(c, 1n << (m - i - 1n), p);
    m = i;
    c = (bb * bb) % p;
    t = (t * c) % p;
    r = (r * bb) % p;
  }
  return r;
}

/**
 * Decodes an uncompressed (04) or compressed (02/03) point on y² = x³ + ax + b over GF(p) into
 * fixed-length coordinates. Returns undefined for a malformed or off-curve encoding.
 */
export function decodePoint(point: Uint8Array, p: Uint8Array, a: Uint8Array, b: Uint8Array): { x: Buffer; y: Buffer } | undefined {
  const P = bigintFromBytes(p);
  if (P < 3n) return undefined;
  const len = Math.ceil(P.toString(2).length / 8);
  const A = bigintFromBytes(a);
  const B = bigintFromBytes(b);
  const first = point[0];
  let x: bigint;
  let y: bigint;
  if (first === 0x04 && point.length === 1 + 2 * len) {
    x = bigintFromBytes(point.subarray(1, 1 + len));
    y = bigintFromBytes(point.subarray(1 + len));
  } else if ((first === 0x02 || first === 0x03) && point.length === 1 + len) {
    x = bigintFromBytes(point.subarray(1));
    if (x >= P) return undefined;
    const root = modSqrt(x * x * x + A * x + B, P);
    if (root === undefined) return undefined;
    y = (root & 1n) === BigInt(first & 1) ? root : mod(-root, P);
  } else return undefined;
  if (x >= P || y >= P) return undefined;
  if (mod(y * y - (x * x * x + A * x + B), P) !== 0n) return undefined;
  return { x: bigintToBytes(x, len), y: bigintToBytes(y, len) };
}

/** Uncompressed SEC 1 encoding of a point given fixed-length coordinates. */
export function encodePoint(x: Uint8Array, y: Uint8Array): Buffer {
  if (x.length !== y.length) throw new InvalidArgumentError('point', 'coordinates of equal length', x.length);
  return Buffer.concat([Buffer.from([0x04]), x, y]);
}
