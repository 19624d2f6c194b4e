// TypeScript face of native/mrtd (STYLE.md P3, P5): validates and normalises arguments with
// one message template, calls the addon, and turns its failures into NativeError with the
// core's code. The stack is the caller's, captured here before the native call.
import { InvalidArgumentError, NativeError } from '../errors.js';
import { findAddon, loadAddon } from './load.js';

/** A prime-field curve with explicit parameters, big-endian unsigned (TR-03111 §2.3). */
export interface EcCurve {
  readonly name?: string;
  readonly p: Buffer;
  readonly a: Buffer;
  readonly b: Buffer;
  readonly gx: Buffer;
  readonly gy: Buffer;
  readonly n: Buffer;
  readonly h: Buffer;
}

export type Iso9796Hash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export interface Iso9796Message {
  readonly m1: Buffer;
  readonly digest: Buffer;
  readonly hash: Iso9796Hash;
  readonly partial: boolean;
  readonly implicit: boolean;
}

/** The exact shape of build/Release/mrtd.node. */
interface Binding {
  tdesCbc(key: Buffer, iv: Buffer, data: Buffer, encrypt: boolean): Buffer;
  retailMac(key: Buffer, data: Buffer): Buffer;
  aesCmac(key: Buffer, data: Buffer): Buffer;
  ecMul(c: EcCurve, k: Buffer, point: Buffer): Buffer;
  ecAdd(c: EcCurve, p: Buffer, q: Buffer): Buffer;
  ecCheckPoint(c: EcCurve, point: Buffer): boolean;
  ecMapIntegrated(c: EcCurve, t: Buffer): Buffer;
  ecdsaVerify(c: EcCurve, point: Buffer, digest: Buffer, r: Buffer, s: Buffer): boolean;
  ecdsaSign(c: EcCurve, d: Buffer, digest: Buffer): { r: Buffer; s: Buffer };
  modExp(base: Buffer, exp: Buffer, mod: Buffer, secretExponent: boolean): Buffer;
  modMul(a: Buffer, b: Buffer, mod: Buffer): Buffer;
  iso9796Recover(n: Buffer, e: Buffer, signature: Buffer): Iso9796Message;
  iso9796Encode(modulusBits: number, m1: Buffer, digest: Buffer, hash: string, implicit: boolean, partial: boolean): Buffer;
  iso9796Capacity(modulusBits: number, digestLength: number, implicit: boolean): number;
}

const FUNCTIONS: readonly (keyof Binding)[] = [
  'tdesCbc', 'retailMac', 'aesCmac', 'ecMul', 'ecAdd', 'ecCheckPoint', 'ecMapIntegrated', 'ecdsaVerify', 'ecdsaSign',
  'modExp', 'modMul', 'iso9796Recover', 'iso9796Encode', 'iso9796Capacity',
];

function isBinding(v: unknown): v is Binding {
  return typeof v === 'object' && v !== null && FUNCTIONS.every((f) => typeof (v as Record<string, unknown>)[f] === 'function');
}

function buf(name: string, v: unknown, lengths?: readonly number[]): Buffer {
  if (!Buffer.isBuffer(v)) throw new InvalidArgumentError(name, 'a Buffer', v);
  if (lengths && !lengths.includes(v.length)) throw new InvalidArgumentError(name, `a Buffer of ${lengths.join(' or ')} bytes`, v);
  return v;
}

function curve(c: EcCurve): EcCurve {
  for (const k of ['p', 'a', 'b', 'gx', 'gy', 'n', 'h'] as const) buf(`curve.${k}`, c[k]);
  return { p: c.p, a: c.a, b: c.b, gx: c.gx, gy: c.gy, n: c.n, h: c.h };
}

/** Runs a native call; a failure becomes a NativeError naming the operation. */
function call<T>(operation: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'ERR_NATIVE';
    const detail = e instanceof Error ? e.message : 'native failure';
    throw new NativeError(operation, code, detail);
  }
}

export class MrtdNative {
  readonly #b: Binding;

  /** `binding` overrides the addon (a path to a .node file or an already loaded object). */
  constructor(binding?: string | object) {
    const loaded = typeof binding === 'object' ? binding : loadAddon(binding ?? findAddon('mrtd'));
    if (!isBinding(loaded)) throw new InvalidArgumentError('binding', 'the mrtd addon', loaded);
    this.#b = loaded;
  }

  /** 3DES-CBC without padding; key 16 or 24 bytes, IV 8 bytes, data a multiple of 8. */
  tdesCbc(key: Buffer, iv: Buffer, data: Buffer, encrypt: boolean): Buffer {
    buf('key', key, [16, 24]);
    buf('iv', iv, [8]);
    if (buf('data', data).length % 8) throw new InvalidArgumentError('data', 'a multiple of 8 bytes', data);
    return call('tdesCbc', () => this.#b.tdesCbc(key, iv, data, encrypt));
  }

  /** ISO/IEC 9797-1 MAC algorithm 3 (retail MAC), IV 0, over already padded data. */
  retailMac(key: Buffer, data: Buffer): Buffer {
    buf('key', key, [16]);
    if (buf('data', data).length % 8 || data.length === 0) throw new InvalidArgumentError('data', 'a non-empty multiple of 8 bytes', data);
    return call('retailMac', () => this.#b.retailMac(key, data));
  }

  /** AES-CMAC (16 bytes). */
  aesCmac(key: Buffer, data: Buffer): Buffer {
    buf('key', key, [16, 24, 32]);
    return call('aesCmac', () => this.#b.aesCmac(key, buf('data', data)));
  }

  /** k·P, or k·G when `point` is omitted; uncompressed point out. */
  ecMul(c: EcCurve, k: Buffer, point?: Buffer): Buffer {
    return call('ecMul', () => this.#b.ecMul(curve(c), buf('scalar', k), point ? buf('point', point) : Buffer.alloc(0)));
  }

  ecAdd(c: EcCurve, p: Buffer, q: Buffer): Buffer {
    return call('ecAdd', () => this.#b.ecAdd(curve(c), buf('p', p), buf('q', q)));
  }

  /** On the curve, not infinity, in the prime-order subgroup. */
  ecCheckPoint(c: EcCurve, point: Buffer): boolean {
    return call('ecCheckPoint', () => this.#b.ecCheckPoint(curve(c), buf('point', point)));
  }

  /** The integrated mapping's point encoding f_G (ICAO 9303-11 §4.4.3.3.2). */
  ecMapIntegrated(c: EcCurve, t: Buffer): Buffer {
    return call('ecMapIntegrated', () => this.#b.ecMapIntegrated(curve(c), buf('t', t)));
  }

  ecdsaVerify(c: EcCurve, point: Buffer, digest: Buffer, r: Buffer, s: Buffer): boolean {
    return call('ecdsaVerify', () => this.#b.ecdsaVerify(curve(c), buf('point', point), buf('digest', digest), buf('r', r), buf('s', s)));
  }

  /** ECDSA with a random nonce from OpenSSL's DRBG; r and s padded to the order's length. */
  ecdsaSign(c: EcCurve, d: Buffer, digest: Buffer): { r: Buffer; s: Buffer } {
    return call('ecdsaSign', () => this.#b.ecdsaSign(curve(c), buf('d', d), buf('digest', digest)));
  }

  /** base^exp mod m, padded to m's length; `secretExponent` makes it constant-time. */
  modExp(base: Buffer, exp: Buffer, mod: Buffer, secretExponent = false): Buffer {
    return call('modExp', () => this.#b.modExp(buf('base', base), buf('exponent', exp), buf('modulus', mod), secretExponent));
  }

  modMul(a: Buffer, b: Buffer, mod: Buffer): Buffer {
    return call('modMul', () => this.#b.modMul(buf('a', a), buf('b', b), buf('modulus', mod)));
  }

  /** RSA public operation and ISO/IEC 9796-2 scheme 1 message recovery. */
  iso9796Recover(modulus: Buffer, exponent: Buffer, signature: Buffer): Iso9796Message {
    return call('iso9796Recover', () => this.#b.iso9796Recover(buf('modulus', modulus), buf('exponent', exponent), buf('signature', signature)));
  }

  /** The ISO/IEC 9796-2 message representative F (before the RSA private operation). */
  iso9796Encode(modulusBits: number, m1: Buffer, digest: Buffer, hash: Iso9796Hash, implicit: boolean, partial: boolean): Buffer {
    if (!Number.isInteger(modulusBits) || modulusBits <= 0) throw new InvalidArgumentError('modulusBits', 'a positive integer', modulusBits);
    return call('iso9796Encode', () => this.#b.iso9796Encode(modulusBits, buf('m1', m1), buf('digest', digest), hash, implicit, partial));
  }

  /** Bytes of M1 that fit a representative for this modulus and digest length. */
  iso9796Capacity(modulusBits: number, digestLength: number, implicit: boolean): number {
    return this.#b.iso9796Capacity(modulusBits, digestLength, implicit);
  }
}

let shared: MrtdNative | undefined;

/**
 * The addon loaded from its default place. Loading a .node file is process-wide in Node
 * anyway; this only saves repeating the lookup. Code that needs another binding constructs
 * its own MrtdNative and passes it down.
 */
export function defaultMrtdNative(): MrtdNative {
  shared ??= new MrtdNative();
  return shared;
}
