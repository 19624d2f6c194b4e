// Session keys of ICAO 9303-11: the key derivation function (§9.7.1), the ciphers secure
// messaging uses, and the state a secure channel starts from.
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../../errors.js';

export type SmCipher = '3DES' | 'AES-128' | 'AES-192' | 'AES-256';

export const KDF_ENC = 1;
export const KDF_MAC = 2;
/** PACE password key K_pi (ICAO 9303-11 §9.7.3). */
export const KDF_PI = 3;

/** Block length (and SSC length) of a cipher. */
export const blockLength = (c: SmCipher): 8 | 16 => (c === '3DES' ? 8 : 16);
export const keyLength = (c: SmCipher): number => ({ '3DES': 16, 'AES-128': 16, 'AES-192': 24, 'AES-256': 32 })[c];

/** KDF(K, c) = H(K || c) with H = SHA-1 for 3DES and AES-128, SHA-256 for AES-192/256. */
export function kdf(secret: Buffer, counter: number, cipher: SmCipher, nonce?: Buffer): Buffer {
  const c = Buffer.alloc(4);
  c.writeUInt32BE(counter);
  const parts = nonce ? [secret, nonce, c] : [secret, c];
  const sha1 = cipher === '3DES' || cipher === 'AES-128';
  const h = createHash(sha1 ? 'sha1' : 'sha256');
  for (const p of parts) h.update(p);
  const d = h.digest();
  return cipher === '3DES' ? adjustDesParity(d.subarray(0, 16)) : d.subarray(0, keyLength(cipher));
}

/** Sets DES odd parity on every byte. Cosmetic for the cipher; ICAO's examples print such keys. */
export function adjustDesParity(key: Buffer): Buffer {
  const out = Buffer.from(key);
  for (let i = 0; i < out.length; i++) {
    const b = out[i]! & 0xfe;
    let ones = 0;
    for (let v = b; v; v >>= 1) ones += v & 1;
    out[i] = b | (ones % 2 === 0 ? 1 : 0);
  }
  return out;
}

/** What a secure channel is built from: cipher, two keys and the initial send sequence counter. */
export interface SessionKeys {
  readonly cipher: SmCipher;
  readonly ksEnc: Buffer;
  readonly ksMac: Buffer;
  /** The send sequence counter before the first command (8 bytes for 3DES, 16 for AES). */
  readonly ssc: Buffer;
}

export function checkSessionKeys(k: SessionKeys): SessionKeys {
  const kl = keyLength(k.cipher);
  if (k.ksEnc.length !== kl) throw new InvalidArgumentError('ksEnc', `${kl} bytes for ${k.cipher}`, k.ksEnc);
  if (k.ksMac.length !== kl) throw new InvalidArgumentError('ksMac', `${kl} bytes for ${k.cipher}`, k.ksMac);
  if (k.ssc.length !== blockLength(k.cipher)) throw new InvalidArgumentError('ssc', `${blockLength(k.cipher)} bytes`, k.ssc);
  return k;
}

/** Derives both session keys from a shared secret (BAC K_seed, PACE/CA shared secret). */
export function deriveSessionKeys(secret: Buffer, cipher: SmCipher, ssc: Buffer): SessionKeys {
  return { cipher, ksEnc: kdf(secret, KDF_ENC, cipher), ksMac: kdf(secret, KDF_MAC, cipher), ssc };
}

/** ISO/IEC 9797-1 padding method 2: 0x80 then zeros to a multiple of the block length. */
export function pad(data: Buffer, block: number): Buffer {
  const n = block - (data.length % block);
  const out = Buffer.alloc(data.length + n);
  data.copy(out);
  out[data.length] = 0x80;
  return out;
}

/** Removes method-2 padding; undefined when the padding is malformed. */
export function unpad(data: Buffer): Buffer | undefined {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0) i--;
  if (i < 0 || data[i] !== 0x80) return undefined;
  return data.subarray(0, i);
}

/** SSC + 1 as a new buffer (big-endian, wrapping). */
export function incrementSsc(ssc: Buffer): Buffer {
  const out = Buffer.from(ssc);
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = (out[i]! + 1) & 0xff;
    if (out[i] !== 0) break;
  }
  return out;
}
