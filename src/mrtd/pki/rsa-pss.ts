// EMSA-PSS (RFC 8017 §9.1) for the one case Node's crypto cannot express: an MGF1 hash that
// differs from the message hash (RFC 4055 lets the two differ). Used with the raw RSA operation.
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../../errors.js';
import { equalsConstantTime } from '../../util/bytes.js';
import { HASH_LENGTH, type HashName } from './oids.js';

/** MGF1 (RFC 8017 §B.2.1). */
export function mgf1(seed: Buffer, length: number, hash: HashName): Buffer {
  const hLen = HASH_LENGTH[hash];
  const blocks = Math.ceil(length / hLen);
  const out: Buffer[] = [];
  for (let counter = 0; counter < blocks; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    out.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with trailer 0xBC. `em` is the RSA output of emLen bytes. */
export function emsaPssVerify(
  mHash: Buffer,
  em: Buffer,
  emBits: number,
  params: { readonly hash: HashName; readonly mgf1Hash: HashName; readonly saltLength: number },
): boolean {
  const hLen = HASH_LENGTH[params.hash];
  const sLen = params.saltLength;
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || mHash.length !== hLen) return false;
  if (emLen < hLen + sLen + 2) return false;
  if (em[emLen - 1] !== 0xbc) return false;
  const maskedDB = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const zeroBits = 8 * emLen - emBits;
  const topMask = (0xff << (8 - zeroBits)) & 0xff;
  if ((maskedDB[0]! & topMask) !== 0) return false;
  const db = mgf1(h, maskedDB.length, params.mgf1Hash);
  for (let i = 0; i < db.length; i++) db[i] = db[i]! ^ maskedDB[i]!;
  db[0] = db[0]! & ~topMask & 0xff;
  const psLen = emLen - hLen - sLen - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 0x01) return false;
  const salt = db.subarray(db.length - sLen);
  const mPrime = Buffer.concat([Buffer.alloc(8), mHash, salt]);
  return equalsConstantTime(createHash(params.hash).update(mPrime).digest(), h);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1); the builder signs the result with the raw RSA operation. */
export function emsaPssEncode(
  mHash: Buffer,
  emBits: number,
  params: { readonly hash: HashName; readonly mgf1Hash: HashName; readonly saltLength: number },
  salt: Buffer,
): Buffer {
  const hLen = HASH_LENGTH[params.hash];
  const emLen = Math.ceil(emBits / 8);
  if (salt.length !== params.saltLength) throw new InvalidArgumentError('salt', `${params.saltLength} bytes`, salt);
  if (emLen < hLen + salt.length + 2) throw new InvalidArgumentError('saltLength', 'a salt that fits the modulus', params.saltLength);
  const h = createHash(params.hash).update(Buffer.concat([Buffer.alloc(8), mHash, salt])).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - salt.length - hLen - 2), Buffer.from([0x01]), salt]);
  const mask = mgf1(h, db.length, params.mgf1Hash);
  for (let i = 0; i < db.length; i++) db[i] = db[i]! ^ mask[i]!;
  const zeroBits = 8 * emLen - emBits;
  db[0] = db[0]! & (0xff >> zeroBits);
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}
