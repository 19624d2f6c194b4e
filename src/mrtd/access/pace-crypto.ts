// The symmetric parts of PACE (ICAO 9303-11 §4.4.3, §9.7.3), shared by the terminal and the
// chip: the password key K_pi, the nonce's encryption, the pseudo-random function R_p of the
// integrated mapping, the authentication tokens over public key data objects (§4.4.3.4,
// §9.4), and the encryption of PACE-CAM's chip authentication data (§4.4.3.5).
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import type { MrtdNative } from '../../native/mrtd.js';
import { bigintFromBytes, bigintToBytes } from '../../util/bytes.js';
import { der } from '../asn1.js';
import { blockLength, KDF_PI, kdf, keyLength, pad, unpad, type SmCipher } from '../sm/keys.js';
import { encode } from '../tlv.js';

/** The password for PACE (§4.4, §9.7.3 Table 14). */
export type PacePassword =
  | { readonly kind: 'MRZ'; /** document number, birth date, expiry date, each with its check digit */ readonly mrzInformation: string }
  | { readonly kind: 'CAN'; readonly can: string };

/** MSE:Set AT password reference (§4.4.4.1, DO83). */
export const PASSWORD_REFERENCE = { MRZ: 0x01, CAN: 0x02 } as const;

/** K = f(pi): SHA-1 of the MRZ information (all 20 bytes), or the CAN's ISO 8859-1 bytes. */
export function passwordEncoding(p: PacePassword): Buffer {
  return p.kind === 'MRZ' ? createHash('sha1').update(p.mrzInformation, 'latin1').digest() : Buffer.from(p.can, 'latin1');
}

/** K_pi = KDF(f(pi), 3) (§9.7.3). */
export const passwordKey = (p: PacePassword, cipher: SmCipher): Buffer => kdf(passwordEncoding(p), KDF_PI, cipher);

/**
 * E(key, data) or D(key, data) in CBC mode with IV = 0 and no padding: the block cipher of
 * the suite (3DES with a two-key 16-byte key, or AES with a 16/24/32-byte key).
 */
export function cbc(native: MrtdNative, cipher: SmCipher, key: Buffer, data: Buffer, encrypt: boolean, iv?: Buffer): Buffer {
  const zero = Buffer.alloc(blockLength(cipher));
  if (cipher === '3DES') return native.tdesCbc(key, iv ?? zero, data, encrypt);
  const alg = `aes-${key.length * 8}-cbc`;
  const c = encrypt ? createCipheriv(alg, key, iv ?? zero) : createDecipheriv(alg, key, iv ?? zero);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

/**
 * Bit length l of the nonce s (§4.4.3.3): a multiple of the block size; for the integrated
 * mapping the smallest such multiple that is ≥ k, the key size (3DES counts as 128 bits).
 * The virtual chip uses the same length for every mapping.
 */
export const nonceLength = (cipher: SmCipher): number => (cipher === 'AES-192' || cipher === 'AES-256' ? 32 : 16);

/** Byte length of the integrated mapping's nonce t: the key size k (16 for 3DES). */
export const imNonceLength = (cipher: SmCipher): number => keyLength(cipher);

// §4.4.3.3.2 constants of R_p: for 3DES and AES-128 (l = 128), and AES-192/256 (l = 256).
const C0_128 = Buffer.from('a668892a7c41e3ca739f40b057d85904', 'hex');
const C1_128 = Buffer.from('a4e136ac725f738b01c1f60217c188ad', 'hex');
const C0_256 = Buffer.from('d463d65234124ef7897054986dca0a174e28df758cbaa03f240616414d5a1676', 'hex');
const C1_256 = Buffer.from('54bd7255f0aaf831bec3423fcf39d69b6cbf066677d0faae5aadd99df8e53517', 'hex');

/**
 * The pseudo-random output R(s, t) = x_1 || ... || x_n (§4.4.3.3.2 Figure 2): k_0 = E(t, s),
 * then x_i = E(k_{i-1}, c1) and k_i = E(k_{i-1}, c0), each key truncated to the key size;
 * n is the smallest number with n·l ≥ log2 p + 64 (p is not a power of two, so this is
 * bitlength(p) + 64).
 */
export function pseudoRandom(native: MrtdNative, cipher: SmCipher, s: Buffer, t: Buffer, prime: Buffer): Buffer {
  const l = s.length * 8;
  const k = keyLength(cipher);
  const c0 = l === 128 ? C0_128 : C0_256;
  const c1 = l === 128 ? C1_128 : C1_256;
  const n = Math.ceil((bigintFromBytes(prime).toString(2).length + 64) / l);
  const out: Buffer[] = [];
  let key = cbc(native, cipher, t, s, true);
  for (let i = 0; i < n; i++) {
    const ki = key.subarray(0, k);
    out.push(cbc(native, cipher, ki, c1, true));
    key = cbc(native, cipher, ki, c0, true);
  }
  return Buffer.concat(out);
}

/** R_p(s, t) = int(R(s, t)) mod p, as a field element of the length of p. */
export function pseudoRandomMod(native: MrtdNative, cipher: SmCipher, s: Buffer, t: Buffer, prime: Buffer): Buffer {
  const p = bigintFromBytes(prime);
  return bigintToBytes(bigintFromBytes(pseudoRandom(native, cipher, s, t, prime)) % p, prime.length);
}

/** The public key data object over which tokens are computed (§4.4.3.4, §9.4.4/§9.4.3). */
export function publicKeyDataObject(oid: string, kind: 'EC' | 'DH', publicKey: Buffer): Buffer {
  return encode(0x7f49, [der.oid(oid), encode(kind === 'EC' ? 0x86 : 0x84, publicKey)]);
}

/** MAC(KS_MAC, data): retail MAC for 3DES, CMAC truncated to 8 bytes for AES (§4.4.3.4). */
export function mac8(native: MrtdNative, cipher: SmCipher, ksMac: Buffer, data: Buffer): Buffer {
  return cipher === '3DES' ? native.retailMac(ksMac, pad(data, 8)) : native.aesCmac(ksMac, data).subarray(0, 8);
}

/** An authentication token T = MAC(KS_MAC, PK) over the other side's public key. */
export function authToken(native: MrtdNative, cipher: SmCipher, ksMac: Buffer, oid: string, kind: 'EC' | 'DH', publicKey: Buffer): Buffer {
  return mac8(native, cipher, ksMac, publicKeyDataObject(oid, kind, publicKey));
}

/** IV = E(KS_enc, -1) for PACE-CAM's chip authentication data (§4.4.3.5.4). */
function camIv(ksEnc: Buffer): Buffer {
  const e = createCipheriv(`aes-${ksEnc.length * 8}-ecb`, ksEnc, null).setAutoPadding(false);
  return Buffer.concat([e.update(Buffer.alloc(16, 0xff)), e.final()]);
}

/** A_IC = E(KS_enc, pad(CA_IC)) (§4.4.3.5.1, padding method 2 per §4.4.3.5.3). */
export function encryptCamData(native: MrtdNative, cipher: SmCipher, ksEnc: Buffer, ca: Buffer): Buffer {
  return cbc(native, cipher, ksEnc, pad(ca, 16), true, camIv(ksEnc));
}

/** CA_IC from A_IC, or undefined when the cryptogram's length or padding is wrong. */
export function decryptCamData(native: MrtdNative, cipher: SmCipher, ksEnc: Buffer, encrypted: Buffer): Buffer | undefined {
  if (encrypted.length === 0 || encrypted.length % 16 !== 0 || encrypted.length > 256) return undefined;
  return unpad(cbc(native, cipher, ksEnc, encrypted, false, camIv(ksEnc)));
}
