// Active Authentication, terminal side (ICAO 9303-11 §6.1): INTERNAL AUTHENTICATE with an
// 8-byte challenge (RND.IFD, drawn from the random source), verified with DG15's key:
// - RSA: ISO/IEC 9796-2 digital signature scheme 1 with partial recovery (§6.1.2.2); the
//   trailer names the hash (BC = SHA-1; 38CC/34CC/36CC/35CC = SHA-224/256/384/512) and the
//   digest is H(M1 || RND.IFD);
// - ECDSA: over H(RND.IFD) with the hash of DG14's ActiveAuthenticationInfo (TR-03111
//   ecdsa-plain-* or X9.62 ecdsa-with-* OIDs); r||s plain (TR-03111, §6.1.2.3) or DER.
// A signature that does not verify is a result (verified: false) with the reason; a status
// word or transport failure is an exception, as the caller must tell "not genuine" from "not
// read".
import { createHash } from 'node:crypto';
import type { EcCurve, MrtdNative } from '../../native/mrtd.js';
import { NativeError } from '../../errors.js';
import { equalsConstantTime } from '../../util/bytes.js';
import { StatusWord, type OpOptions, type Transceiver } from '../apdu.js';
import { send, type RandomSource } from '../card.js';
import { MrtdError } from '../errors.js';
import type { Dg15 } from '../lds/dg15.js';
import type { ActiveAuthenticationInfo } from '../lds/security-infos.js';
import { publicKeyDetails, type SubjectPublicKeyInfo } from '../lds/spki.js';
import { ECDSA_BY_HASH, ECDSA_PLAIN_BY_HASH, HASH_NAMES, type HashName } from '../pki/oids.js';
import { decodeEcdsaSignature } from '../pki/signature.js';
import { domainFromAlgorithm } from '../access/pace-domain.js';

export interface AaResult {
  readonly protocol: 'AA';
  readonly verified: boolean;
  /** e.g. 'RSA-ISO9796-2-SHA1', 'ECDSA-SHA256' (the one that verified, or the one expected). */
  readonly algorithm: string;
  /** Why verification failed (no personal data). */
  readonly failure?: string;
  /** The challenge sent (RND.IFD). */
  readonly challenge: Buffer;
}

interface Ctx {
  readonly native: MrtdNative;
  readonly random: RandomSource;
}

/** §6.1.2.1: RND.IFD is 8 bytes. */
export const AA_CHALLENGE_BYTES = 8;

/** The hash of an ActiveAuthenticationInfo's signatureAlgorithm (TR-03111 §5.2.1 or X9.62). */
export function aaSignatureHash(oid: string): HashName | undefined {
  return HASH_NAMES.find((h) => ECDSA_PLAIN_BY_HASH[h] === oid || ECDSA_BY_HASH[h] === oid);
}

type AaKey = { readonly type: 'RSA'; readonly modulus: Buffer; readonly exponent: Buffer } | { readonly type: 'EC'; readonly curve: EcCurve; readonly point: Buffer };

function aaKey(spki: SubjectPublicKeyInfo): AaKey {
  const d = publicKeyDetails(spki, 'DG15');
  if (d.type === 'RSA') return { type: 'RSA', modulus: d.modulus, exponent: d.exponent };
  if (d.type === 'EC') {
    const domain = domainFromAlgorithm(spki.algorithm, 'DG15', 'AA');
    if (domain.kind !== 'EC') throw new MrtdError('UNSUPPORTED', 'AA', 'DG15 EC key without EC parameters');
    return { type: 'EC', curve: domain.curve, point: d.point };
  }
  throw new MrtdError('UNSUPPORTED', 'AA', `DG15 key algorithm ${spki.algorithm.algorithm}`);
}

/** Performs Active Authentication through `channel` (normally the secure channel). */
export async function performActiveAuthentication(
  channel: Transceiver,
  dg15: Dg15 | SubjectPublicKeyInfo,
  aaInfo: ActiveAuthenticationInfo | undefined,
  ctx: Ctx,
  options?: OpOptions,
): Promise<AaResult> {
  const spki = 'publicKeyInfo' in dg15 ? dg15.publicKeyInfo : dg15;
  const key = aaKey(spki);
  const challenge = ctx.random(AA_CHALLENGE_BYTES);
  // The signature is as long as the modulus (RSA) or r||s (ECDSA, DER adds up to 9 bytes).
  const expected = key.type === 'RSA' ? key.modulus.length : 2 * key.curve.n.length + 9;
  const ne = expected <= 256 ? 256 : 65536;
  const r = await send(channel, { cla: 0x00, ins: 0x88, p1: 0x00, p2: 0x00, data: challenge, ne }, 'AA.internalAuthenticate', options);
  if (r.sw !== (StatusWord.OK as number)) throw new MrtdError('STATUS', 'AA', 'INTERNAL AUTHENTICATE refused', r.sw);
  return key.type === 'RSA' ? verifyRsa(ctx.native, key, challenge, r.data) : verifyEcdsa(ctx.native, key, aaInfo, challenge, r.data);
}

const hashOf = (h: HashName, ...parts: Buffer[]): Buffer => {
  const x = createHash(h);
  for (const p of parts) x.update(p);
  return x.digest();
};

const name = (h: HashName): string => h.toUpperCase();

/** ISO/IEC 9796-2 scheme 1 verification of σ over M1 || RND.IFD (§6.1.2.2, Appendix F). */
export function verifyRsa(native: MrtdNative, key: { modulus: Buffer; exponent: Buffer }, challenge: Buffer, signature: Buffer): AaResult {
  const base = { protocol: 'AA' as const, challenge };
  let m;
  try {
    m = native.iso9796Recover(key.modulus, key.exponent, signature);
  } catch (e) {
    if (!(e instanceof NativeError)) throw e;
    return { ...base, verified: false, algorithm: 'RSA-ISO9796-2', failure: `signature does not open to an ISO/IEC 9796-2 representative (${e.nativeCode})` };
  }
  const algorithm = `RSA-ISO9796-2-${name(m.hash)}`;
  // Partial recovery: M = M1 || M2 with M2 = RND.IFD, not recovered. A chip that recovers the
  // whole message must have M1 end with the challenge.
  let digest: Buffer;
  if (m.partial) digest = hashOf(m.hash, m.m1, challenge);
  else {
    if (m.m1.length < challenge.length || !equalsConstantTime(m.m1.subarray(m.m1.length - challenge.length), challenge)) {
      return { ...base, verified: false, algorithm, failure: 'fully recovered message does not hold the challenge' };
    }
    digest = hashOf(m.hash, m.m1);
  }
  if (!equalsConstantTime(digest, m.digest)) return { ...base, verified: false, algorithm, failure: 'digest does not match M1 and the challenge' };
  return { ...base, verified: true, algorithm };
}

/** Hashes to try for ECDSA: the announced one, or (no ActiveAuthenticationInfo) all, likely first. */
function ecdsaHashes(aaInfo: ActiveAuthenticationInfo | undefined, orderBytes: number): HashName[] | string {
  if (aaInfo) {
    const h = aaSignatureHash(aaInfo.signatureAlgorithm);
    return h ? [h] : `unknown ActiveAuthenticationInfo signature algorithm ${aaInfo.signatureAlgorithm}`;
  }
  const byLength = orderBytes <= 28 ? 'sha224' : orderBytes <= 32 ? 'sha256' : orderBytes <= 48 ? 'sha384' : 'sha512';
  return [byLength, ...HASH_NAMES.filter((h) => h !== byLength)];
}

/** ECDSA verification of σ over RND.IFD (§6.1.2.3), plain r||s or DER. */
export function verifyEcdsa(native: MrtdNative, key: { curve: EcCurve; point: Buffer }, aaInfo: ActiveAuthenticationInfo | undefined, challenge: Buffer, signature: Buffer): AaResult {
  const base = { protocol: 'AA' as const, challenge };
  const orderBytes = key.curve.n[0] === 0 ? key.curve.n.length - 1 : key.curve.n.length;
  const hashes = ecdsaHashes(aaInfo, orderBytes);
  if (typeof hashes === 'string') return { ...base, verified: false, algorithm: 'ECDSA', failure: hashes };
  const algorithm = `ECDSA-${name(hashes[0]!)}`;
  const candidates: { r: Buffer; s: Buffer }[] = [];
  for (const enc of ['der', 'plain'] as const) {
    try {
      candidates.push(decodeEcdsaSignature(signature, enc));
    } catch {
      // not this encoding
    }
  }
  if (candidates.length === 0) return { ...base, verified: false, algorithm, failure: 'signature is neither plain r||s nor DER' };
  let pointOk: boolean;
  try {
    pointOk = native.ecCheckPoint(key.curve, key.point);
  } catch (e) {
    if (!(e instanceof NativeError)) throw e;
    pointOk = false;
  }
  if (!pointOk) return { ...base, verified: false, algorithm, failure: 'DG15 public key is not a valid point' };
  for (const h of hashes) {
    const digest = hashOf(h, challenge);
    for (const { r, s } of candidates) {
      let ok = false;
      try {
        ok = native.ecdsaVerify(key.curve, key.point, digest, r, s);
      } catch (e) {
        if (!(e instanceof NativeError)) throw e;
      }
      if (ok) return { ...base, verified: true, algorithm: `ECDSA-${name(h)}` };
    }
  }
  return { ...base, verified: false, algorithm, failure: 'ECDSA signature does not verify' };
}
