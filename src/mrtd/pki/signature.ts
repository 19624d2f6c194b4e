// Signature verification for the document PKI: RSA PKCS #1 v1.5 and RSASSA-PSS (RFC 8017,
// parameters per RFC 4055) and ECDSA (X9.62 DER or BSI TR-03111 plain r‖s) over the NIST and
// Brainpool curves. Node's crypto (OpenSSL 3) does the arithmetic for every named curve;
// explicit ECParameters are matched against the named-curve table first and handed to OpenSSL
// under the curve's OID, so we never depend on OpenSSL's support for arbitrary explicit curves.
// Explicit curves matching no named curve go to the injected `ecdsaVerifyExplicit` (the native
// addon validates such a curve itself); without it they are reported as unsupported.
//
// A wrong signature is a result, never an exception; a malformed key or signature encoding is
// a ParseError, since it means the bytes given to us are not what they claim to be.
import { constants, createHash, createPublicKey, publicDecrypt, verify, type KeyObject } from 'node:crypto';
import { ParseError } from '../../errors.js';
import { bigintFromBytes, bigintToBytes } from '../../util/bytes.js';
import { at, decodeUnsigned, der, seq } from '../asn1.js';
import { parseSingle } from '../tlv.js';
import { decodeAlgorithmIdentifier, schemeName, signatureScheme, type AlgorithmIdentifier, type SignatureScheme } from './algorithm.js';
import { orderLength, type CurveParameters } from './curves.js';
import type { HashName } from './oids.js';
import { emsaPssVerify } from './rsa-pss.js';
import { decodeSpki, namedCurveSpki, type PublicKeyInfo } from './spki.js';

/**
 * ECDSA verification over an explicit prime curve (the native addon provides it). `digest` is
 * the full hash output; the implementation truncates it to the order's bit length (SEC 1 §4.1.4).
 * r and s are unsigned big-endian. Returns false for any invalid input rather than throwing.
 */
export type EcdsaVerifyExplicit = (curve: CurveParameters, publicPoint: Buffer, digest: Buffer, r: Buffer, s: Buffer) => boolean;

export interface VerifyOptions {
  /** Hash to use when the algorithm names only the key type (rsaEncryption, id-ecPublicKey). */
  readonly defaultHash?: HashName;
  readonly ecdsaVerifyExplicit?: EcdsaVerifyExplicit;
}

export type VerifyFailure =
  /** The signature does not match the data under this key. */
  | 'signature-mismatch'
  /** The signature algorithm is not one this module implements. */
  | 'unsupported-algorithm'
  /** The key's curve or type cannot be used (unknown curve, explicit curve without a verifier). */
  | 'unsupported-key'
  /** The algorithm does not fit the key (ECDSA with an RSA key, PKCS #1 with a PSS-only key). */
  | 'key-mismatch';

export type VerifyResult =
  | { readonly valid: true; readonly scheme: string }
  | { readonly valid: false; readonly reason: VerifyFailure; readonly detail: string; readonly scheme: string | undefined };

const fail = (reason: VerifyFailure, detail: string, scheme?: SignatureScheme): VerifyResult => ({
  valid: false,
  reason,
  detail,
  scheme: scheme ? schemeName(scheme) : undefined,
});

/**
 * Verifies `signature` over `data`. `key` is a parsed or DER SubjectPublicKeyInfo, `algorithm`
 * a parsed or DER signature AlgorithmIdentifier.
 */
export function verifySignature(
  key: PublicKeyInfo | Buffer,
  algorithm: AlgorithmIdentifier | Buffer,
  data: Buffer,
  signature: Buffer,
  options: VerifyOptions = {},
): VerifyResult {
  const k = Buffer.isBuffer(key) ? decodeSpki(key) : key;
  const alg = Buffer.isBuffer(algorithm) ? decodeAlgorithmIdentifier(algorithm) : algorithm;
  const scheme = signatureScheme(alg, options.defaultHash);
  if (!scheme) return fail('unsupported-algorithm', `signature algorithm ${alg.oid}`);
  if (k.kind === 'other') return fail('unsupported-key', `key algorithm ${k.algorithm.oid}`, scheme);
  if (scheme.kind === 'ecdsa') {
    if (k.kind !== 'ec') return fail('key-mismatch', 'ECDSA signature with a non-EC key', scheme);
    return verifyEcdsa(k, scheme, data, signature, options);
  }
  if (k.kind !== 'rsa') return fail('key-mismatch', 'RSA signature with a non-RSA key', scheme);
  return verifyRsa(k, scheme, data, signature);
}

function rsaKeyObject(k: Extract<PublicKeyInfo, { kind: 'rsa' }>): KeyObject {
  try {
    return createPublicKey({ key: { kty: 'RSA', n: k.modulus.toString('base64url'), e: k.exponent.toString('base64url') }, format: 'jwk' });
  } catch {
    throw new ParseError('RSA public key', 'rejected by the crypto library');
  }
}

function verifyRsa(
  k: Extract<PublicKeyInfo, { kind: 'rsa' }>,
  scheme: Extract<SignatureScheme, { kind: 'rsa-pkcs1' | 'rsa-pss' }>,
  data: Buffer,
  signature: Buffer,
): VerifyResult {
  const name = schemeName(scheme);
  const modLen = Math.ceil(k.bits / 8);
  // RFC 8017 §8.2.2 step 1: the signature is exactly k bytes.
  if (signature.length !== modLen) return fail('signature-mismatch', `signature of ${signature.length} bytes for a ${modLen}-byte modulus`, scheme);
  if (bigintFromBytes(signature) >= bigintFromBytes(k.modulus)) return fail('signature-mismatch', 'signature representative out of range', scheme);
  const keyObject = rsaKeyObject(k);
  if (scheme.kind === 'rsa-pkcs1') {
    if (k.pss) return fail('key-mismatch', 'PKCS #1 v1.5 signature with an RSASSA-PSS key', scheme);
    return check(() => verify(scheme.hash, data, { key: keyObject, padding: constants.RSA_PKCS1_PADDING }, signature), name);
  }
  const p = scheme.pss;
  if (p.trailerField !== 1) return fail('unsupported-algorithm', `PSS trailer field ${p.trailerField}`, scheme);
  // RFC 4055 §3.3: a key restricted to PSS fixes the hashes and a minimum salt length.
  if (k.pss && (k.pss.hash !== p.hash || k.pss.mgf1Hash !== p.mgf1Hash || p.saltLength < k.pss.saltLength)) {
    return fail('key-mismatch', 'PSS parameters differ from the key restrictions', scheme);
  }
  if (p.mgf1Hash === p.hash) {
    return check(
      () => verify(p.hash, data, { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: p.saltLength }, signature),
      name,
    );
  }
  // Different MGF1 hash: raw RSA (s^e mod n) and EMSA-PSS-VERIFY in TypeScript.
  let em: Buffer;
  try {
    em = publicDecrypt({ key: keyObject, padding: constants.RSA_NO_PADDING }, signature);
  } catch {
    return fail('signature-mismatch', 'RSA operation failed', scheme);
  }
  const emBits = k.bits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (em.length < emLen || em.subarray(0, em.length - emLen).some((b) => b !== 0)) return fail('signature-mismatch', 'encoded message too long', scheme);
  const ok = emsaPssVerify(createHash(p.hash).update(data).digest(), em.subarray(em.length - emLen), emBits, p);
  return ok ? { valid: true, scheme: name } : fail('signature-mismatch', 'PSS encoding does not verify', scheme);
}

function check(run: () => boolean, scheme: string): VerifyResult {
  let ok = false;
  try {
    ok = run();
  } catch {
    // OpenSSL reports some malformed signatures as errors rather than as a false result.
    ok = false;
  }
  return ok ? { valid: true, scheme } : { valid: false, reason: 'signature-mismatch', detail: 'signature does not verify', scheme };
}

/** r and s of an ECDSA signature, unsigned, from the X9.62 DER or the plain encoding. */
export function decodeEcdsaSignature(signature: Buffer, encoding: 'der' | 'plain', what = 'ECDSA signature'): { r: Buffer; s: Buffer } {
  if (encoding === 'plain') {
    if (signature.length === 0 || signature.length % 2 !== 0 || signature.length > 264) throw new ParseError(what, `plain signature of ${signature.length} bytes`);
    const half = signature.length / 2;
    return { r: signature.subarray(0, half), s: signature.subarray(half) };
  }
  const parts = seq(parseSingle(signature, what), what);
  if (parts.length !== 2) throw new ParseError(what, `Ecdsa-Sig-Value of ${parts.length} elements`);
  return { r: decodeUnsigned(at(parts, 0, what), what), s: decodeUnsigned(at(parts, 1, what), what) };
}

function verifyEcdsa(
  k: Extract<PublicKeyInfo, { kind: 'ec' }>,
  scheme: Extract<SignatureScheme, { kind: 'ecdsa' }>,
  data: Buffer,
  signature: Buffer,
  options: VerifyOptions,
): VerifyResult {
  const name = schemeName(scheme);
  const { r, s } = decodeEcdsaSignature(signature, scheme.encoding);
  const curve = k.curve;
  let spki: Buffer;
  let orderBytes: number | undefined;
  if (curve.type === 'named') {
    spki = k.raw;
    orderBytes = curve.spec ? orderLength(Buffer.from(curve.spec.n, 'hex')) : undefined;
  } else if (curve.type === 'explicit' && curve.namedMatch) {
    spki = namedCurveSpki(curve.namedMatch, k.point);
    orderBytes = orderLength(curve.parameters.n);
  } else if (curve.type === 'explicit') {
    if (!options.ecdsaVerifyExplicit) return fail('unsupported-key', 'explicit curve parameters matching no named curve', scheme);
    const digest = createHash(scheme.hash).update(data).digest();
    let ok = false;
    try {
      ok = options.ecdsaVerifyExplicit(curve.parameters, k.point, digest, r, s);
    } catch {
      ok = false;
    }
    return ok ? { valid: true, scheme: name } : fail('signature-mismatch', 'signature does not verify', scheme);
  } else return fail('unsupported-key', curve.detail, scheme);

  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    if (curve.type === 'named' && !curve.spec) return fail('unsupported-key', `curve ${curve.oid}`, scheme);
    throw new ParseError('EC public key', 'point not on the curve or key rejected by the crypto library');
  }
  if (orderBytes === undefined) {
    // A curve OpenSSL knows and our table does not: let OpenSSL read the DER form.
    const derSig = der.seq(der.int(r), der.int(s));
    return check(() => verify(scheme.hash, data, { key: keyObject, dsaEncoding: 'der' }, derSig), name);
  }
  const rs = toP1363(r, s, orderBytes);
  if (!rs) return fail('signature-mismatch', 'r or s longer than the group order', scheme);
  return check(() => verify(scheme.hash, data, { key: keyObject, dsaEncoding: 'ieee-p1363' }, rs), name);
}

/** r‖s padded to the order length (IEEE P1363), or undefined when a value cannot fit. */
function toP1363(r: Buffer, s: Buffer, orderBytes: number): Buffer | undefined {
  const rv = bigintFromBytes(r);
  const sv = bigintFromBytes(s);
  const limit = 1n << BigInt(orderBytes * 8);
  if (rv >= limit || sv >= limit) return undefined;
  return Buffer.concat([bigintToBytes(rv, orderBytes), bigintToBytes(sv, orderBytes)]);
}
