// DG15, the Active Authentication public key (ICAO 9303-10 §4.7.15, 9303-11 §6.1): tag 6F
// holding a SubjectPublicKeyInfo — RSA, or EC with named or explicit parameters (the ECDSA
// signature algorithm itself is announced in DG14's ActiveAuthenticationInfo).
import { ParseError } from '../../errors.js';
import { children, encode } from '../tlv.js';
import { openFile } from './common.js';
import { encodeSubjectPublicKeyInfo, parseSubjectPublicKeyInfo, publicKeyDetails, type PublicKeyDetails, type SubjectPublicKeyInfo } from './spki.js';

export interface Dg15 {
  /** Includes `raw`, the exact DER to give the verifier. */
  readonly publicKeyInfo: SubjectPublicKeyInfo;
  /** The algorithm OID (rsaEncryption, id-ecPublicKey, ...). */
  readonly algorithm: string;
  /** The key decoded: RSA modulus/exponent or EC parameters and point. */
  readonly key: PublicKeyDetails;
}

const WHAT = 'DG15';

export function parseDg15(bytes: Uint8Array): Dg15 {
  const items = children(openFile(bytes, 0x6f, WHAT), WHAT);
  if (items.length !== 1) throw new ParseError(WHAT, `${items.length} elements inside tag 6F, expected one SubjectPublicKeyInfo`);
  const publicKeyInfo = parseSubjectPublicKeyInfo(items[0]!, WHAT);
  return { publicKeyInfo, algorithm: publicKeyInfo.algorithm.algorithm, key: publicKeyDetails(publicKeyInfo, WHAT) };
}

/** Encodes DG15 from a SubjectPublicKeyInfo (its DER `raw` if present, else from the fields). */
export function encodeDg15(k: SubjectPublicKeyInfo | Buffer): Buffer {
  const der = Buffer.isBuffer(k) ? k : (k.raw ?? encodeSubjectPublicKeyInfo(k));
  return encode(0x6f, der);
}
