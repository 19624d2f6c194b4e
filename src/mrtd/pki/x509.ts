// X.509 certificates (RFC 5280 §4.1) as the eMRTD PKI profiles them (ICAO 9303-12 §7).
// The parser keeps the exact tbsCertificate bytes (what the issuer signed) and decodes what
// passive authentication and trust-store building need; anything else stays raw.
import { ParseError } from '../../errors.js';
import { toHex } from '../../util/bytes.js';
import { at, ctx, decodeBitString, decodeSmallInt, decodeTime, expect, seq, T } from '../asn1.js';
import { children, parseSingle, type Tlv } from '../tlv.js';
import { parseAlgorithmIdentifier, type AlgorithmIdentifier } from './algorithm.js';
import { decodeCertificateExtensions, type CertificateExtensions } from './extensions.js';
import { namesEqual, parseName, type Name } from './name.js';
import { parseSpki, type PublicKeyInfo } from './spki.js';

export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface Certificate {
  /** The whole certificate as encoded. */
  readonly raw: Buffer;
  /** tbsCertificate as encoded: the bytes the issuer's signature covers. */
  readonly tbs: Buffer;
  /** 1, 2 or 3 (the encoded value plus one). */
  readonly version: number;
  /** The serial number's INTEGER content bytes as encoded (compare with `serialEquals`). */
  readonly serialNumber: Buffer;
  /** The signature algorithm inside tbsCertificate (must equal `signatureAlgorithm`). */
  readonly tbsSignatureAlgorithm: AlgorithmIdentifier;
  readonly issuer: Name;
  readonly validity: Validity;
  readonly subject: Name;
  readonly subjectPublicKeyInfo: PublicKeyInfo;
  readonly extensions: CertificateExtensions;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly signatureValue: Buffer;
}

export function parseCertificate(t: Tlv, what = 'Certificate'): Certificate {
  const top = seq(t, what);
  if (top.length !== 3) throw new ParseError(what, `${top.length} top-level elements`);
  const tbsTlv = at(top, 0, what);
  const f = seq(tbsTlv, `${what} tbsCertificate`);
  let i = 0;
  let version = 1;
  if (f[0]?.tag === ctx(0)) {
    const v = children(f[0], what);
    if (v.length !== 1) throw new ParseError(what, 'version of wrong shape');
    version = decodeSmallInt(v[0]!, `${what} version`) + 1;
    if (version < 2 || version > 3) throw new ParseError(what, `version ${version}`);
    i = 1;
  }
  const serialTlv = expect(at(f, i++, what), T.INTEGER, `${what} serialNumber`);
  if (serialTlv.value.length === 0 || serialTlv.value.length > 40) throw new ParseError(what, 'serial number length');
  const tbsSignatureAlgorithm = parseAlgorithmIdentifier(at(f, i++, what), `${what} signature`);
  const issuer = parseName(at(f, i++, what), `${what} issuer`);
  const validity = parseValidity(at(f, i++, what), `${what} validity`);
  const subject = parseName(at(f, i++, what), `${what} subject`);
  const subjectPublicKeyInfo = parseSpki(at(f, i++, what), `${what} subjectPublicKeyInfo`);
  let extTlv: Tlv | undefined;
  for (; i < f.length; i++) {
    const x = f[i]!;
    // issuerUniqueID [1] and subjectUniqueID [2] (v2/v3) are skipped; extensions [3] only in v3.
    if (x.tag === 0x81 || x.tag === 0x82 || x.tag === 0xa1 || x.tag === 0xa2) continue;
    if (x.tag === ctx(3) && version === 3 && !extTlv) {
      const inner = children(x, what);
      if (inner.length !== 1) throw new ParseError(what, 'extensions of wrong shape');
      extTlv = inner[0];
      continue;
    }
    throw new ParseError(what, `unexpected element tag 0x${x.tag.toString(16)} in tbsCertificate`);
  }
  const extensions = decodeCertificateExtensions(extTlv, `${what} extensions`);
  const signatureAlgorithm = parseAlgorithmIdentifier(at(top, 1, what), `${what} signatureAlgorithm`);
  const signatureValue = decodeBitString(at(top, 2, what), `${what} signatureValue`);
  // RFC 5280 §4.1.1.2: the outer and inner algorithm fields MUST be the same.
  if (!signatureAlgorithm.raw.equals(tbsSignatureAlgorithm.raw)) throw new ParseError(what, 'signature algorithm differs from the one in tbsCertificate');
  return {
    raw: t.raw,
    tbs: tbsTlv.raw,
    version,
    serialNumber: serialTlv.value,
    tbsSignatureAlgorithm,
    issuer,
    validity,
    subject,
    subjectPublicKeyInfo,
    extensions,
    signatureAlgorithm,
    signatureValue,
  };
}

/** Parses a DER certificate that must fill the buffer. */
export function decodeCertificate(der: Buffer, what = 'Certificate'): Certificate {
  return parseCertificate(parseSingle(der, what), what);
}

export function parseValidity(t: Tlv, what = 'Validity'): Validity {
  const v = seq(t, what);
  if (v.length !== 2) throw new ParseError(what, `${v.length} elements`);
  const notBefore = parseTime(at(v, 0, what), what);
  const notAfter = parseTime(at(v, 1, what), what);
  return { notBefore, notAfter };
}

/** Time ::= CHOICE { utcTime, generalTime } (RFC 5280 §4.1.2.5). */
export function parseTime(t: Tlv, what = 'Time'): Date {
  if (t.tag !== T.UTC_TIME && t.tag !== T.GENERALIZED_TIME) throw new ParseError(what, `tag 0x${t.tag.toString(16)} is not a time`);
  return decodeTime(t, what);
}

/** True when `at` lies within the validity period (both ends inclusive, RFC 5280 §4.1.2.5). */
export function isValidAt(v: Validity, when: Date): boolean {
  const ms = when.getTime();
  return ms >= v.notBefore.getTime() && ms <= v.notAfter.getTime();
}

/** Serial numbers compare as integers: the same value with a redundant leading zero is equal. */
export function serialEquals(a: Buffer, b: Buffer): boolean {
  const strip = (x: Buffer): Buffer => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0 && (x[i + 1]! & 0x80) === 0) i++;
    return x.subarray(i);
  };
  return strip(a).equals(strip(b));
}

export const serialHex = (s: Buffer): string => toHex(s);

/** True when the certificate names itself as issuer (a candidate self-signed root). */
export const isSelfIssued = (c: Certificate): boolean => namesEqual(c.issuer, c.subject);

/**
 * True when `issuer` may have issued `child` by name and key identifier: issuer name equals the
 * child's issuer name, and when both carry them, the child's authorityKeyIdentifier equals the
 * issuer's subjectKeyIdentifier (RFC 5280 §4.2.1.1). The signature still has to be verified.
 */
export function mayHaveIssued(issuer: Certificate, child: Certificate): boolean {
  if (!namesEqual(issuer.subject, child.issuer)) return false;
  const aki = child.extensions.authorityKeyIdentifier?.keyIdentifier;
  const ski = issuer.extensions.subjectKeyIdentifier;
  return aki === undefined || ski === undefined || aki.equals(ski);
}

/** True when the certificate may act as a CA: no basicConstraints saying otherwise, keyCertSign if keyUsage is present. */
export function mayActAsCa(c: Certificate): boolean {
  const bc = c.extensions.basicConstraints;
  if (bc && !bc.ca) return false;
  if (c.version === 3 && !bc) return false;
  const ku = c.extensions.keyUsage;
  return ku === undefined || ku.has('keyCertSign');
}
