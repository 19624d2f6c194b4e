// Small byte helpers used across the engines.
import { timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Parses hex (upper or lower case; spaces, colons and newlines ignored). */
export function fromHex(hex: string, name = 'hex'): Buffer {
  const clean = hex.replace(/[\s:]/g, '');
  if (!HEX.test(clean)) throw new InvalidArgumentError(name, 'an even number of hex digits', hex);
  return Buffer.from(clean, 'hex');
}

export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex').toUpperCase();

/** Constant-time equality for MACs and tokens; false when the lengths differ. */
export function equalsConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Unsigned big-endian integer of `length` bytes. */
export function uintBE(value: number | bigint, length: number): Buffer {
  let v = BigInt(value);
  const out = Buffer.alloc(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new InvalidArgumentError('value', `an integer that fits ${length} bytes`, value);
  return out;
}

export const bigintFromBytes = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt('0x' + toHex(b)));

export function bigintToBytes(v: bigint, length?: number): Buffer {
  if (v < 0n) throw new InvalidArgumentError('value', 'a non-negative integer', v);
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const raw = Buffer.from(hex, 'hex');
  if (length === undefined) return raw;
  if (raw.length > length) throw new InvalidArgumentError('value', `an integer that fits ${length} bytes`, v);
  return Buffer.concat([Buffer.alloc(length - raw.length), raw]);
}

/** Removes leading zero bytes (keeps at least one byte). */
export function stripLeadingZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}
