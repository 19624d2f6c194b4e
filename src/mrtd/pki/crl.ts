// Certificate revocation lists (RFC 5280 §5) as CSCAs publish them (ICAO 9303-12 §7.1.4).
import { ParseError } from '../../errors.js';
import { at, ctx, decodeBitString, decodeSmallInt, expect, seq, T } from '../asn1.js';
import { children, parseSingle, type Tlv } from '../tlv.js';
import { parseAlgorithmIdentifier, type AlgorithmIdentifier } from './algorithm.js';
import { decodeCrlReason, parseExtensionList, type CrlReason, type Extension } from './extensions.js';
import { namesEqual, parseName, type Name } from './name.js';
import { EXTENSION_OIDS } from './oids.js';
import { verifySignature, type VerifyOptions, type VerifyResult } from './signature.js';
import { parseTime, serialEquals, type Certificate } from './x509.js';

export interface RevokedCertificate {
  readonly serialNumber: Buffer;
  readonly revocationDate: Date;
  readonly reason: CrlReason | undefined;
  readonly extensions: readonly Extension[];
}

export interface Crl {
  readonly raw: Buffer;
  /** tbsCertList as encoded: the bytes the issuer's signature covers. */
  readonly tbs: Buffer;
  /** 1 or 2 (the encoded value plus one). */
  readonly version: number;
  readonly tbsSignatureAlgorithm: AlgorithmIdentifier;
  readonly issuer: Name;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly revoked: readonly RevokedCertificate[];
  readonly extensions: readonly Extension[];
  /** cRLNumber (RFC 5280 §5.2.3) when present, as a bigint. */
  readonly crlNumber: bigint | undefined;
  readonly authorityKeyIdentifier: Buffer | undefined;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly signatureValue: Buffer;
}

/** Revoked entries beyond this are refused; national CRLs hold far fewer document signers. */
export const MAX_REVOKED = 200_000;

export function parseCrl(t: Tlv, what = 'CRL'): Crl {
  const top = seq(t, what);
  if (top.length !== 3) throw new ParseError(what, `${top.length} top-level elements`);
  const tbsTlv = at(top, 0, what);
  const f = seq(tbsTlv, `${what} tbsCertList`);
  let i = 0;
  let version = 1;
  if (f[0]?.tag === T.INTEGER) {
    version = decodeSmallInt(f[0], `${what} version`) + 1;
    if (version !== 2) throw new ParseError(what, `version ${version}`);
    i = 1;
  }
  const tbsSignatureAlgorithm = parseAlgorithmIdentifier(at(f, i++, what), `${what} signature`);
  const issuer = parseName(at(f, i++, what), `${what} issuer`);
  const thisUpdate = parseTime(at(f, i++, what), `${what} thisUpdate`);
  let nextUpdate: Date | undefined;
  const maybeNext = f[i];
  if (maybeNext && (maybeNext.tag === T.UTC_TIME || maybeNext.tag === T.GENERALIZED_TIME)) {
    nextUpdate = parseTime(maybeNext, `${what} nextUpdate`);
    i++;
  }
  let revoked: RevokedCertificate[] = [];
  if (f[i]?.tag === T.SEQUENCE) {
    revoked = parseRevoked(f[i]!, `${what} revokedCertificates`);
    i++;
  }
  let extensions: Extension[] = [];
  if (f[i]?.tag === ctx(0)) {
    const inner = children(f[i]!, what);
    if (inner.length !== 1) throw new ParseError(what, 'crlExtensions of wrong shape');
    extensions = parseExtensionList(inner[0]!, `${what} crlExtensions`);
    i++;
  }
  if (i !== f.length) throw new ParseError(what, 'unexpected elements in tbsCertList');
  const signatureAlgorithm = parseAlgorithmIdentifier(at(top, 1, what), `${what} signatureAlgorithm`);
  if (!signatureAlgorithm.raw.equals(tbsSignatureAlgorithm.raw)) throw new ParseError(what, 'signature algorithm differs from the one in tbsCertList');
  const signatureValue = decodeBitString(at(top, 2, what), `${what} signatureValue`);
  let crlNumber: bigint | undefined;
  let authorityKeyIdentifier: Buffer | undefined;
  for (const e of extensions) {
    if (e.oid === EXTENSION_OIDS.crlNumber) {
      const n = expect(parseSingle(e.value, what), T.INTEGER, `${what} cRLNumber`).value;
      if (n.length > 20) throw new ParseError(what, 'cRLNumber longer than 20 bytes');
      crlNumber = BigInt('0x' + (n.toString('hex') || '0'));
    } else if (e.oid === EXTENSION_OIDS.authorityKeyIdentifier) {
      const aki = seq(parseSingle(e.value, what), `${what} authorityKeyIdentifier`);
      authorityKeyIdentifier = aki.find((x) => x.tag === 0x80)?.value;
    }
  }
  return {
    raw: t.raw,
    tbs: tbsTlv.raw,
    version,
    tbsSignatureAlgorithm,
    issuer,
    thisUpdate,
    nextUpdate,
    revoked,
    extensions,
    crlNumber,
    authorityKeyIdentifier,
    signatureAlgorithm,
    signatureValue,
  };
}

function parseRevoked(t: Tlv, what: string): RevokedCertificate[] {
  const entries = seq(t, what);
  if (entries.length > MAX_REVOKED) throw new ParseError(what, `${entries.length} entries`);
  return entries.map((e) => {
    const parts = seq(e, what);
    if (parts.length < 2 || parts.length > 3) throw new ParseError(what, `entry of ${parts.length} elements`);
    const serial = expect(at(parts, 0, what), T.INTEGER, what).value;
    if (serial.length === 0 || serial.length > 40) throw new ParseError(what, 'serial number length');
    const revocationDate = parseTime(at(parts, 1, what), what);
    const extensions = parts[2] ? parseExtensionList(parts[2], what) : [];
    const reasonExt = extensions.find((x) => x.oid === EXTENSION_OIDS.crlReason);
    return { serialNumber: serial, revocationDate, reason: reasonExt ? decodeCrlReason(reasonExt.value, what) : undefined, extensions };
  });
}

export function decodeCrl(der: Buffer, what = 'CRL'): Crl {
  return parseCrl(parseSingle(der, what), what);
}

export type CrlVerification =
  | { readonly valid: true }
  | { readonly valid: false; readonly reason: 'issuer-mismatch' | 'key-identifier-mismatch' | 'signature'; readonly detail: string; readonly signature?: VerifyResult };

/**
 * Checks that `issuer` issued the CRL: the CRL issuer name equals the certificate's subject,
 * the key identifiers agree when both are present, and the signature verifies with its key.
 */
export function verifyCrl(crl: Crl, issuer: Certificate, options: VerifyOptions = {}): CrlVerification {
  if (!namesEqual(crl.issuer, issuer.subject)) return { valid: false, reason: 'issuer-mismatch', detail: 'CRL issuer differs from the certificate subject' };
  const ski = issuer.extensions.subjectKeyIdentifier;
  if (crl.authorityKeyIdentifier && ski && !crl.authorityKeyIdentifier.equals(ski)) {
    return { valid: false, reason: 'key-identifier-mismatch', detail: 'CRL authority key identifier differs from the subject key identifier' };
  }
  let signature: VerifyResult;
  try {
    signature = verifySignature(issuer.subjectPublicKeyInfo, crl.signatureAlgorithm, crl.tbs, crl.signatureValue, options);
  } catch (e) {
    if (e instanceof ParseError) return { valid: false, reason: 'signature', detail: `malformed signature or key: ${e.message}` };
    throw e;
  }
  return signature.valid ? { valid: true } : { valid: false, reason: 'signature', detail: signature.detail, signature };
}

/** The entry revoking this serial number, if any. */
export function findRevocation(crl: Crl, serialNumber: Buffer): RevokedCertificate | undefined {
  return crl.revoked.find((r) => serialEquals(r.serialNumber, serialNumber));
}
