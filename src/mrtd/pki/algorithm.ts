// AlgorithmIdentifier (RFC 5280 §4.1.1.2) and what a signature algorithm means: which scheme,
// which hash, and for RSASSA-PSS the parameters of RFC 4055 §3.1.
import { ParseError } from '../../errors.js';
import { at, ctx, decodeOid, decodeSmallInt, der, seq, T } from '../asn1.js';
import { children, parseSingle, type Tlv } from '../tlv.js';
import {
  ECDSA_BY_HASH,
  ECDSA_PLAIN_BY_HASH,
  EC_OIDS,
  HASH_NAMES,
  HASH_OIDS,
  hashNameFromOid,
  RSA_OIDS,
  RSA_PKCS1_BY_HASH,
  type HashName,
} from './oids.js';

export interface AlgorithmIdentifier {
  readonly oid: string;
  /** The parameters element, absent when the encoding has none. */
  readonly parameters: Tlv | undefined;
  /** The whole AlgorithmIdentifier as encoded. */
  readonly raw: Buffer;
}

export function parseAlgorithmIdentifier(t: Tlv, what = 'AlgorithmIdentifier'): AlgorithmIdentifier {
  const list = seq(t, what);
  if (list.length < 1 || list.length > 2) throw new ParseError(what, `${list.length} elements`);
  return { oid: decodeOid(at(list, 0, what), what), parameters: list[1], raw: t.raw };
}

export function decodeAlgorithmIdentifier(bytes: Buffer, what = 'AlgorithmIdentifier'): AlgorithmIdentifier {
  return parseAlgorithmIdentifier(parseSingle(bytes, what), what);
}

/** True when the parameters are absent or NULL (RFC 4055 §2.1 allows both for hash algorithms). */
export const hasNoParameters = (a: AlgorithmIdentifier): boolean =>
  a.parameters === undefined || (a.parameters.tag === T.NULL && a.parameters.value.length === 0);

/** The hash named by a digest AlgorithmIdentifier; ParseError when it is not one we support. */
export function hashFromAlgorithm(a: AlgorithmIdentifier, what = 'digestAlgorithm'): HashName {
  const h = hashNameFromOid(a.oid);
  if (!h) throw new ParseError(what, `unsupported hash algorithm ${a.oid}`);
  if (!hasNoParameters(a)) throw new ParseError(what, 'hash algorithm with parameters');
  return h;
}

export interface PssParameters {
  readonly hash: HashName;
  readonly mgf1Hash: HashName;
  readonly saltLength: number;
  /** Always 1 (trailer byte 0xBC) in RFC 4055; other values are refused when verifying. */
  readonly trailerField: number;
}

export type SignatureScheme =
  | { readonly kind: 'rsa-pkcs1'; readonly hash: HashName }
  | { readonly kind: 'rsa-pss'; readonly hash: HashName; readonly pss: PssParameters }
  | { readonly kind: 'ecdsa'; readonly hash: HashName; readonly encoding: 'der' | 'plain' };

/** RFC 4055 §3.1 defaults: SHA-1, MGF1 with SHA-1, 20 bytes of salt, trailer 1. */
export const PSS_DEFAULTS: PssParameters = { hash: 'sha1', mgf1Hash: 'sha1', saltLength: 20, trailerField: 1 };

const MAX_SALT = 1024;

/** RSASSA-PSS-params (RFC 4055 §3.1): each field is an explicit context tag with a default. */
export function parsePssParameters(t: Tlv | undefined, what = 'RSASSA-PSS-params'): PssParameters {
  if (t === undefined || (t.tag === T.NULL && t.value.length === 0)) return PSS_DEFAULTS;
  let { hash, mgf1Hash, saltLength, trailerField } = PSS_DEFAULTS;
  let last = -1;
  for (const field of seq(t, what)) {
    const n = field.tag - ctx(0);
    if (n < 0 || n > 3 || n <= last) throw new ParseError(what, `unexpected tag 0x${field.tag.toString(16)}`);
    last = n;
    const inner = children(field, what);
    if (inner.length !== 1) throw new ParseError(what, `field [${n}] holds ${inner.length} elements`);
    const v = inner[0]!;
    if (n === 0) hash = hashFromAlgorithm(parseAlgorithmIdentifier(v, what), what);
    else if (n === 1) {
      const mgf = parseAlgorithmIdentifier(v, what);
      if (mgf.oid !== RSA_OIDS.mgf1) throw new ParseError(what, `unsupported mask generation function ${mgf.oid}`);
      if (!mgf.parameters) throw new ParseError(what, 'MGF1 without its hash algorithm');
      mgf1Hash = hashFromAlgorithm(parseAlgorithmIdentifier(mgf.parameters, what), what);
    } else if (n === 2) {
      saltLength = decodeSmallInt(v, what);
      if (saltLength > MAX_SALT) throw new ParseError(what, 'salt length out of range');
    } else trailerField = decodeSmallInt(v, what);
  }
  return { hash, mgf1Hash, saltLength, trailerField };
}

export function encodePssParameters(p: PssParameters): Buffer {
  const items: Buffer[] = [];
  // DER omits fields equal to their DEFAULT (X.690 §11.5).
  if (p.hash !== 'sha1') items.push(der.explicit(0, der.seq(der.oid(HASH_OIDS[p.hash]), der.null())));
  if (p.mgf1Hash !== 'sha1') {
    items.push(der.explicit(1, der.seq(der.oid(RSA_OIDS.mgf1), der.seq(der.oid(HASH_OIDS[p.mgf1Hash]), der.null()))));
  }
  if (p.saltLength !== 20) items.push(der.explicit(2, der.int(p.saltLength)));
  if (p.trailerField !== 1) items.push(der.explicit(3, der.int(p.trailerField)));
  return der.seq(...items);
}

/**
 * What a signature AlgorithmIdentifier means. `defaultHash` covers the ICAO practice of naming
 * only the key algorithm (rsaEncryption, id-ecPublicKey) in a SignerInfo, the digest then being
 * the SignerInfo's digestAlgorithm (ICAO 9303-10 §4.6.2.2 note; RFC 5754 §3.2 for CMS).
 * Returns undefined for an algorithm this module does not implement.
 */
export function signatureScheme(a: AlgorithmIdentifier, defaultHash?: HashName): SignatureScheme | undefined {
  for (const h of HASH_NAMES) {
    if (a.oid === RSA_PKCS1_BY_HASH[h]) return { kind: 'rsa-pkcs1', hash: h };
    if (a.oid === ECDSA_BY_HASH[h]) return { kind: 'ecdsa', hash: h, encoding: 'der' };
    if (a.oid === ECDSA_PLAIN_BY_HASH[h]) return { kind: 'ecdsa', hash: h, encoding: 'plain' };
  }
  if (a.oid === RSA_OIDS.rsassaPss) {
    const pss = parsePssParameters(a.parameters);
    return { kind: 'rsa-pss', hash: pss.hash, pss };
  }
  if (defaultHash !== undefined && a.oid === RSA_OIDS.rsaEncryption) return { kind: 'rsa-pkcs1', hash: defaultHash };
  if (defaultHash !== undefined && a.oid === EC_OIDS.ecPublicKey) return { kind: 'ecdsa', hash: defaultHash, encoding: 'der' };
  return undefined;
}

/** A short, printable name for a scheme, e.g. "ECDSA-SHA256" or "RSASSA-PSS-SHA256". */
export function schemeName(s: SignatureScheme): string {
  const h = s.hash.toUpperCase();
  switch (s.kind) {
    case 'rsa-pkcs1':
      return `RSA-PKCS1-${h}`;
    case 'rsa-pss':
      return `RSASSA-PSS-${h}`;
    case 'ecdsa':
      return s.encoding === 'plain' ? `ECDSA-PLAIN-${h}` : `ECDSA-${h}`;
  }
}

/** Encoded AlgorithmIdentifier for a scheme (used by the builder). */
export function encodeSignatureAlgorithm(s: SignatureScheme, options: { rsaEncryptionOid?: boolean } = {}): Buffer {
  switch (s.kind) {
    case 'rsa-pkcs1':
      return der.seq(der.oid(options.rsaEncryptionOid === true ? RSA_OIDS.rsaEncryption : RSA_PKCS1_BY_HASH[s.hash]), der.null());
    case 'rsa-pss':
      return der.seq(der.oid(RSA_OIDS.rsassaPss), encodePssParameters(s.pss));
    case 'ecdsa':
      // RFC 5758 §3.2: the ecdsa-with-SHA2 parameters field MUST be absent.
      return der.seq(der.oid(s.encoding === 'plain' ? ECDSA_PLAIN_BY_HASH[s.hash] : ECDSA_BY_HASH[s.hash]));
  }
}

/** A digest AlgorithmIdentifier with absent parameters, as RFC 5754 §2 (and RFC 3370 §2.1 for SHA-1) generate it. */
export const encodeDigestAlgorithm = (h: HashName): Buffer => der.seq(der.oid(HASH_OIDS[h]));
