// CMS SignedData (RFC 5652 §5) as ICAO uses it: EF.SOD (9303-10 §4.6.2, the ContentInfo inside
// application tag 0x77), EF.CardSecurity (BSI TR-03110-3 §A.1.2, a bare ContentInfo) and CSCA
// master lists (9303-12 §9). The parser keeps every signed byte exactly as encoded.
import { createHash } from 'node:crypto';
import { ParseError } from '../../errors.js';
import { equalsConstantTime } from '../../util/bytes.js';
import { at, ctx, ctxPrimitive, decodeOid, decodeSmallInt, expect, seq, T } from '../asn1.js';
import { children, parseSingle, type Tlv } from '../tlv.js';
import { hashFromAlgorithm, parseAlgorithmIdentifier, type AlgorithmIdentifier } from './algorithm.js';
import { parseCrl, type Crl } from './crl.js';
import { namesEqual, parseName, type Name } from './name.js';
import { CMS_OIDS, type HashName } from './oids.js';
import { verifySignature, type VerifyOptions, type VerifyResult } from './signature.js';
import { parseCertificate, parseTime, serialEquals, type Certificate } from './x509.js';

export interface Attribute {
  readonly type: string;
  readonly values: readonly Tlv[];
}

export type SignerIdentifier =
  | { readonly type: 'issuerAndSerialNumber'; readonly issuer: Name; readonly serialNumber: Buffer }
  | { readonly type: 'subjectKeyIdentifier'; readonly keyIdentifier: Buffer };

export interface SignerInfo {
  readonly version: number;
  readonly sid: SignerIdentifier;
  readonly digestAlgorithm: AlgorithmIdentifier;
  /** The [0] IMPLICIT signedAttrs element exactly as encoded (tag A0), if present. */
  readonly signedAttrsRaw: Buffer | undefined;
  readonly signedAttrs: readonly Attribute[] | undefined;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly signature: Buffer;
  readonly unsignedAttrs: readonly Attribute[] | undefined;
}

export interface SignedData {
  readonly version: number;
  readonly digestAlgorithms: readonly AlgorithmIdentifier[];
  readonly eContentType: string;
  /** The content octets (for a constructed BER OCTET STRING, its segments joined). */
  readonly eContent: Buffer | undefined;
  readonly certificates: readonly Certificate[];
  /** CertificateChoices other than plain certificates, kept as encoded. */
  readonly otherCertificates: readonly Buffer[];
  readonly crls: readonly Crl[];
  readonly signerInfos: readonly SignerInfo[];
}

const MAX_ITEMS = 4096;

/** ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }. */
export function parseContentInfo(t: Tlv, what = 'ContentInfo'): { contentType: string; content: Tlv } {
  const parts = seq(t, what);
  if (parts.length !== 2) throw new ParseError(what, `${parts.length} elements`);
  const contentType = decodeOid(at(parts, 0, what), what);
  const wrapped = children(expect(at(parts, 1, what), ctx(0), what), what);
  if (wrapped.length !== 1) throw new ParseError(what, 'content of wrong shape');
  return { contentType, content: wrapped[0]! };
}

/** Parses a ContentInfo holding SignedData (EF.CardSecurity, a master list file). */
export function decodeSignedData(bytes: Buffer, what = 'SignedData'): SignedData {
  const ci = parseContentInfo(parseSingle(bytes, what), what);
  if (ci.contentType !== CMS_OIDS.signedData) throw new ParseError(what, `content type ${ci.contentType} is not signedData`);
  return parseSignedData(ci.content, what);
}

/** EF.SOD: application tag 0x77 around the ContentInfo (ICAO 9303-10 §4.6.2). */
export function decodeEfSod(bytes: Buffer, what = 'EF.SOD'): SignedData {
  const outer = expect(parseSingle(bytes, what), 0x77, what);
  const inner = children(outer, what);
  if (inner.length !== 1) throw new ParseError(what, 'tag 77 holds more than the ContentInfo');
  return decodeSignedData(inner[0]!.raw, what);
}

/** The content octets of an OCTET STRING, primitive or (BER) constructed, depth-bounded. */
function octetStringContent(t: Tlv, what: string, depth = 0): Buffer {
  if (t.tag === T.OCTET_STRING) return t.value;
  if (t.tag !== 0x24 || depth > 4) throw new ParseError(what, 'eContent is not an OCTET STRING');
  return Buffer.concat(children(t, what).map((c) => octetStringContent(c, what, depth + 1)));
}

export function parseSignedData(t: Tlv, what = 'SignedData'): SignedData {
  const f = seq(t, what);
  let i = 0;
  const version = decodeSmallInt(at(f, i++, what), `${what} version`);
  if (version > 5) throw new ParseError(what, `version ${version}`);
  const digestAlgorithms = seq(at(f, i++, what), what, T.SET).map((a) => parseAlgorithmIdentifier(a, `${what} digestAlgorithms`));
  const eci = seq(at(f, i++, what), `${what} encapContentInfo`);
  if (eci.length < 1 || eci.length > 2) throw new ParseError(what, 'encapContentInfo of wrong shape');
  const eContentType = decodeOid(at(eci, 0, what), `${what} eContentType`);
  let eContent: Buffer | undefined;
  if (eci[1]) {
    const inner = children(expect(eci[1], ctx(0), what), what);
    if (inner.length !== 1) throw new ParseError(what, 'eContent of wrong shape');
    eContent = octetStringContent(inner[0]!, `${what} eContent`);
  }
  const certificates: Certificate[] = [];
  const otherCertificates: Buffer[] = [];
  const crls: Crl[] = [];
  if (f[i]?.tag === ctx(0)) {
    const certs = children(f[i++]!, what);
    if (certs.length > MAX_ITEMS) throw new ParseError(what, `${certs.length} certificates`);
    for (const c of certs) {
      if (c.tag === T.SEQUENCE) certificates.push(parseCertificate(c, `${what} certificate`));
      else otherCertificates.push(c.raw);
    }
  }
  if (f[i]?.tag === ctx(1)) {
    const list = children(f[i++]!, what);
    if (list.length > MAX_ITEMS) throw new ParseError(what, `${list.length} CRLs`);
    for (const c of list) if (c.tag === T.SEQUENCE) crls.push(parseCrl(c, `${what} crl`));
  }
  const signerList = seq(at(f, i++, what), `${what} signerInfos`, T.SET);
  if (signerList.length > MAX_ITEMS) throw new ParseError(what, `${signerList.length} signer infos`);
  if (i !== f.length) throw new ParseError(what, 'unexpected elements after signerInfos');
  const signerInfos = signerList.map((s) => parseSignerInfo(s, `${what} signerInfo`));
  return { version, digestAlgorithms, eContentType, eContent, certificates, otherCertificates, crls, signerInfos };
}

function parseAttributes(t: Tlv, what: string): Attribute[] {
  const list = children(t, what);
  if (list.length > 256) throw new ParseError(what, `${list.length} attributes`);
  return list.map((a) => {
    const parts = seq(a, what);
    if (parts.length !== 2) throw new ParseError(what, `Attribute of ${parts.length} elements`);
    return { type: decodeOid(at(parts, 0, what), what), values: seq(at(parts, 1, what), what, T.SET) };
  });
}

export function parseSignerInfo(t: Tlv, what = 'SignerInfo'): SignerInfo {
  const f = seq(t, what);
  let i = 0;
  const version = decodeSmallInt(at(f, i++, what), `${what} version`);
  const sidTlv = at(f, i++, what);
  let sid: SignerIdentifier;
  if (sidTlv.tag === T.SEQUENCE) {
    const ias = seq(sidTlv, `${what} sid`);
    if (ias.length !== 2) throw new ParseError(what, 'IssuerAndSerialNumber of wrong shape');
    const serial = expect(at(ias, 1, what), T.INTEGER, `${what} sid`).value;
    if (serial.length === 0) throw new ParseError(what, 'empty serial number');
    sid = { type: 'issuerAndSerialNumber', issuer: parseName(at(ias, 0, what), `${what} sid`), serialNumber: serial };
  } else if (sidTlv.tag === ctxPrimitive(0)) {
    sid = { type: 'subjectKeyIdentifier', keyIdentifier: sidTlv.value };
  } else throw new ParseError(what, `sid with tag 0x${sidTlv.tag.toString(16)}`);
  const digestAlgorithm = parseAlgorithmIdentifier(at(f, i++, what), `${what} digestAlgorithm`);
  let signedAttrsRaw: Buffer | undefined;
  let signedAttrs: Attribute[] | undefined;
  if (f[i]?.tag === ctx(0)) {
    const sa = f[i++]!;
    signedAttrsRaw = sa.raw;
    signedAttrs = parseAttributes(sa, `${what} signedAttrs`);
  }
  const signatureAlgorithm = parseAlgorithmIdentifier(at(f, i++, what), `${what} signatureAlgorithm`);
  const signature = expect(at(f, i++, what), T.OCTET_STRING, `${what} signature`).value;
  let unsignedAttrs: Attribute[] | undefined;
  if (f[i]?.tag === ctx(1)) unsignedAttrs = parseAttributes(f[i++]!, `${what} unsignedAttrs`);
  if (i !== f.length) throw new ParseError(what, 'unexpected elements');
  return { version, sid, digestAlgorithm, signedAttrsRaw, signedAttrs, signatureAlgorithm, signature, unsignedAttrs };
}

/** The single value of a signed attribute; undefined when absent, ParseError when repeated or multi-valued (RFC 5652 §11). */
export function singleAttribute(attrs: readonly Attribute[] | undefined, type: string, what = 'signedAttrs'): Tlv | undefined {
  const found = (attrs ?? []).filter((a) => a.type === type);
  if (found.length === 0) return undefined;
  if (found.length > 1) throw new ParseError(what, `attribute ${type} appears twice`);
  const values = found[0]!.values;
  if (values.length !== 1) throw new ParseError(what, `attribute ${type} with ${values.length} values`);
  return values[0];
}

/** The signingTime attribute (RFC 5652 §11.3), if present. */
export function signingTime(si: SignerInfo): Date | undefined {
  const v = singleAttribute(si.signedAttrs, CMS_OIDS.signingTime);
  return v ? parseTime(v, 'signingTime') : undefined;
}

/** The DER SET OF signedAttrs that the signature covers: the [0] tag replaced by SET (RFC 5652 §5.4). */
export function signedAttrsForVerification(si: SignerInfo): Buffer | undefined {
  if (!si.signedAttrsRaw) return undefined;
  const out = Buffer.from(si.signedAttrsRaw);
  out[0] = T.SET;
  return out;
}

/** The certificate among `certs` that the signer identifier names. */
export function findSignerCertificate(sid: SignerIdentifier, certs: readonly Certificate[]): Certificate | undefined {
  return certs.find((c) =>
    sid.type === 'issuerAndSerialNumber'
      ? serialEquals(c.serialNumber, sid.serialNumber) && namesEqual(c.issuer, sid.issuer)
      : c.extensions.subjectKeyIdentifier?.equals(sid.keyIdentifier) === true,
  );
}

export type CmsFailure =
  | 'no-signer'
  | 'no-content'
  | 'signer-certificate-not-found'
  | 'unsupported-digest'
  | 'content-type-mismatch'
  | 'message-digest-mismatch'
  | 'malformed-attributes'
  | 'signature-invalid';

export interface CmsVerification {
  readonly valid: boolean;
  readonly failure: CmsFailure | undefined;
  readonly detail: string | undefined;
  readonly signerCertificate: Certificate | undefined;
  readonly digestAlgorithm: HashName | undefined;
  readonly signingTime: Date | undefined;
  readonly signature: VerifyResult | undefined;
}

export interface CmsVerifyOptions extends VerifyOptions {
  /** Which SignerInfo to check (default 0; ICAO content has exactly one). */
  readonly signerIndex?: number;
  /** The signer's certificate when it is not inside the SignedData. */
  readonly signerCertificate?: Certificate;
}

/**
 * Verifies one signer of a SignedData (RFC 5652 §5.6): with signed attributes, contentType must
 * equal eContentType and messageDigest the hash of eContent, and the signature covers the DER
 * SET OF signedAttrs; without them, the signature covers eContent itself. The signature
 * algorithm comes from the SignerInfo; rsaEncryption / id-ecPublicKey there take the hash from
 * digestAlgorithm, as ICAO 9303-10 §4.6.2.2 allows.
 */
export function verifySignedData(sd: SignedData, options: CmsVerifyOptions = {}): CmsVerification {
  const base = { signerCertificate: undefined, digestAlgorithm: undefined, signingTime: undefined, signature: undefined };
  const result = (failure: CmsFailure, detail: string, extra: Partial<CmsVerification> = {}): CmsVerification => ({
    ...base,
    ...extra,
    valid: false,
    failure,
    detail,
  });
  const si = sd.signerInfos[options.signerIndex ?? 0];
  if (!si) return result('no-signer', 'no SignerInfo at this index');
  if (sd.eContent === undefined) return result('no-content', 'detached content is not supported');
  const cert = options.signerCertificate ?? findSignerCertificate(si.sid, sd.certificates);
  if (!cert) return result('signer-certificate-not-found', 'no certificate matches the signer identifier');
  let hash: HashName;
  try {
    hash = hashFromAlgorithm(si.digestAlgorithm);
  } catch (e) {
    return result('unsupported-digest', e instanceof ParseError ? e.message : 'digest algorithm', { signerCertificate: cert });
  }
  let signed: Buffer;
  let time: Date | undefined;
  if (si.signedAttrs) {
    let ct: Tlv | undefined;
    let md: Tlv | undefined;
    try {
      ct = singleAttribute(si.signedAttrs, CMS_OIDS.contentType);
      md = singleAttribute(si.signedAttrs, CMS_OIDS.messageDigest);
      time = signingTime(si);
    } catch (e) {
      return result('malformed-attributes', e instanceof ParseError ? e.message : 'signed attributes', { signerCertificate: cert, digestAlgorithm: hash });
    }
    const extra = { signerCertificate: cert, digestAlgorithm: hash, signingTime: time };
    // RFC 5652 §5.3: both attributes MUST be present when there are signed attributes.
    if (ct?.tag !== T.OID || decodeOidSafe(ct) !== sd.eContentType) return result('content-type-mismatch', 'contentType attribute missing or different from eContentType', extra);
    if (md?.tag !== T.OCTET_STRING) return result('message-digest-mismatch', 'messageDigest attribute missing', extra);
    const digest = createHash(hash).update(sd.eContent).digest();
    if (!equalsConstantTime(digest, md.value)) return result('message-digest-mismatch', 'messageDigest differs from the hash of eContent', extra);
    signed = signedAttrsForVerification(si)!;
  } else signed = sd.eContent;
  const extra = { signerCertificate: cert, digestAlgorithm: hash, signingTime: time };
  let signature: VerifyResult;
  try {
    signature = verifySignature(cert.subjectPublicKeyInfo, si.signatureAlgorithm, signed, si.signature, { ...options, defaultHash: hash });
  } catch (e) {
    if (e instanceof ParseError) return result('signature-invalid', `malformed signature or key: ${e.message}`, extra);
    throw e;
  }
  if (!signature.valid) return result('signature-invalid', `${signature.reason}: ${signature.detail}`, { ...extra, signature });
  return { ...extra, valid: true, failure: undefined, detail: undefined, signature };
}

function decodeOidSafe(t: Tlv): string | undefined {
  try {
    return decodeOid(t);
  } catch {
    return undefined;
  }
}
