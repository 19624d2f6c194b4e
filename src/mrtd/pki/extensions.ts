// X.509 v3 extensions (RFC 5280 §4.2) that the eMRTD profile uses (ICAO 9303-12 §7.1.1 and
// Table 6–7), decoded; every other extension is kept raw. The same Extensions syntax serves CRLs
// and CRL entries (RFC 5280 §5.2, §5.3).
import { ParseError } from '../../errors.js';
import { at, ctxPrimitive, decodeOid, decodeSmallInt, decodeString, decodeTime, expect, seq, T } from '../asn1.js';
import { children, parseSingle, type Tlv } from '../tlv.js';
import { EXTENSION_OIDS } from './oids.js';

export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  /** The content of extnValue (the DER of the extension's own syntax). */
  readonly value: Buffer;
}

/** KeyUsage bits by name (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

export interface AuthorityKeyIdentifier {
  readonly keyIdentifier: Buffer | undefined;
  readonly authorityCertIssuer: Buffer | undefined;
  readonly authorityCertSerialNumber: Buffer | undefined;
}

export interface CertificateExtensions {
  readonly all: readonly Extension[];
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLength: number | undefined };
  readonly keyUsage?: ReadonlySet<KeyUsage>;
  readonly authorityKeyIdentifier?: AuthorityKeyIdentifier;
  readonly subjectKeyIdentifier?: Buffer;
  readonly privateKeyUsagePeriod?: { readonly notBefore: Date | undefined; readonly notAfter: Date | undefined };
  /** ICAO 9303-12 §7.1.1.3: the document types (e.g. "P") a document signer may sign. */
  readonly documentTypeList?: { readonly version: number; readonly documentTypes: readonly string[] };
  /** URIs of the fullName distribution points (RFC 5280 §4.2.1.13). */
  readonly crlDistributionPoints?: readonly string[];
  readonly extendedKeyUsage?: readonly string[];
  /** Critical extensions this module does not interpret (RFC 5280 §4.2: such a certificate must be rejected). */
  readonly unhandledCritical: readonly string[];
}

const MAX_EXTENSIONS = 64;

/** Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension. Repeated OIDs are refused (RFC 5280 §4.2). */
export function parseExtensionList(t: Tlv, what = 'Extensions'): Extension[] {
  const list = seq(t, what);
  if (list.length > MAX_EXTENSIONS) throw new ParseError(what, `${list.length} extensions`);
  const seen = new Set<string>();
  return list.map((e) => {
    const parts = seq(e, what);
    if (parts.length < 2 || parts.length > 3) throw new ParseError(what, `Extension of ${parts.length} elements`);
    const oid = decodeOid(at(parts, 0, what), what);
    if (seen.has(oid)) throw new ParseError(what, `extension ${oid} appears twice`);
    seen.add(oid);
    let critical = false;
    if (parts.length === 3) {
      const c = expect(at(parts, 1, what), T.BOOLEAN, what);
      if (c.value.length !== 1) throw new ParseError(what, 'BOOLEAN of wrong length');
      critical = c.value[0] !== 0;
    }
    const value = expect(at(parts, parts.length - 1, what), T.OCTET_STRING, what).value;
    return { oid, critical, value };
  });
}

/** Extensions whose meaning this module applies (or whose criticality it may safely ignore). */
const HANDLED = new Set<string>([
  EXTENSION_OIDS.basicConstraints,
  EXTENSION_OIDS.keyUsage,
  EXTENSION_OIDS.authorityKeyIdentifier,
  EXTENSION_OIDS.subjectKeyIdentifier,
  EXTENSION_OIDS.privateKeyUsagePeriod,
  EXTENSION_OIDS.documentTypeList,
  EXTENSION_OIDS.crlDistributionPoints,
  EXTENSION_OIDS.extKeyUsage,
  EXTENSION_OIDS.subjectAltName,
  EXTENSION_OIDS.issuerAltName,
  EXTENSION_OIDS.certificatePolicies,
  EXTENSION_OIDS.nameChange,
]);

export function decodeCertificateExtensions(t: Tlv | undefined, what = 'extensions'): CertificateExtensions {
  const all = t ? parseExtensionList(t, what) : [];
  const out: {
    -readonly [K in keyof CertificateExtensions]: CertificateExtensions[K];
  } = { all, unhandledCritical: all.filter((e) => e.critical && !HANDLED.has(e.oid)).map((e) => e.oid) };
  for (const e of all) {
    const w = `${what} ${e.oid}`;
    const v = (): Tlv => parseSingle(e.value, w);
    switch (e.oid) {
      case EXTENSION_OIDS.basicConstraints:
        out.basicConstraints = decodeBasicConstraints(v(), w);
        break;
      case EXTENSION_OIDS.keyUsage:
        out.keyUsage = decodeKeyUsage(v(), w);
        break;
      case EXTENSION_OIDS.subjectKeyIdentifier:
        out.subjectKeyIdentifier = expect(v(), T.OCTET_STRING, w).value;
        break;
      case EXTENSION_OIDS.authorityKeyIdentifier:
        out.authorityKeyIdentifier = decodeAuthorityKeyIdentifier(v(), w);
        break;
      case EXTENSION_OIDS.privateKeyUsagePeriod:
        out.privateKeyUsagePeriod = decodePrivateKeyUsagePeriod(v(), w);
        break;
      case EXTENSION_OIDS.documentTypeList:
        out.documentTypeList = decodeDocumentTypeList(v(), w);
        break;
      case EXTENSION_OIDS.crlDistributionPoints:
        out.crlDistributionPoints = decodeCrlDistributionPoints(v(), w);
        break;
      case EXTENSION_OIDS.extKeyUsage:
        out.extendedKeyUsage = seq(v(), w).map((o) => decodeOid(o, w));
        break;
      default:
        break;
    }
  }
  return out;
}

function decodeBasicConstraints(t: Tlv, what: string): { ca: boolean; pathLength: number | undefined } {
  const parts = seq(t, what);
  let ca = false;
  let pathLength: number | undefined;
  let i = 0;
  const first = parts[0];
  if (first?.tag === T.BOOLEAN) {
    if (first.value.length !== 1) throw new ParseError(what, 'BOOLEAN of wrong length');
    ca = first.value[0] !== 0;
    i = 1;
  }
  const pl = parts[i];
  if (pl) {
    pathLength = decodeSmallInt(pl, what);
    i++;
  }
  if (i !== parts.length) throw new ParseError(what, 'unexpected elements');
  return { ca, pathLength };
}

function decodeKeyUsage(t: Tlv, what: string): Set<KeyUsage> {
  const v = expect(t, T.BIT_STRING, what).value;
  if (v.length < 1 || v.length > 3 || v[0]! > 7) throw new ParseError(what, 'malformed KeyUsage');
  const out = new Set<KeyUsage>();
  KEY_USAGE_BITS.forEach((name, bit) => {
    const byte = v[1 + (bit >> 3)];
    if (byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0) out.add(name);
  });
  return out;
}

function decodeAuthorityKeyIdentifier(t: Tlv, what: string): AuthorityKeyIdentifier {
  let keyIdentifier: Buffer | undefined;
  let authorityCertIssuer: Buffer | undefined;
  let authorityCertSerialNumber: Buffer | undefined;
  for (const f of seq(t, what)) {
    if (f.tag === ctxPrimitive(0)) keyIdentifier = f.value;
    else if (f.tag === 0xa1) authorityCertIssuer = f.value;
    else if (f.tag === ctxPrimitive(2)) authorityCertSerialNumber = f.value;
    else throw new ParseError(what, `unexpected tag 0x${f.tag.toString(16)}`);
  }
  return { keyIdentifier, authorityCertIssuer, authorityCertSerialNumber };
}

/** PrivateKeyUsagePeriod ::= SEQUENCE { notBefore [0] GeneralizedTime OPTIONAL, notAfter [1] ... } (implicit tags). */
function decodePrivateKeyUsagePeriod(t: Tlv, what: string): { notBefore: Date | undefined; notAfter: Date | undefined } {
  let notBefore: Date | undefined;
  let notAfter: Date | undefined;
  for (const f of seq(t, what)) {
    const asTime: Tlv = { ...f, tag: T.GENERALIZED_TIME };
    if (f.tag === ctxPrimitive(0)) notBefore = decodeTime(asTime, what);
    else if (f.tag === ctxPrimitive(1)) notAfter = decodeTime(asTime, what);
    else throw new ParseError(what, `unexpected tag 0x${f.tag.toString(16)}`);
  }
  return { notBefore, notAfter };
}

/** DocumentTypeListSyntax ::= SEQUENCE { version INTEGER, docTypeList SET OF PrintableString }. */
function decodeDocumentTypeList(t: Tlv, what: string): { version: number; documentTypes: string[] } {
  const parts = seq(t, what);
  if (parts.length !== 2) throw new ParseError(what, 'DocumentTypeListSyntax of wrong shape');
  const version = decodeSmallInt(at(parts, 0, what), what);
  const documentTypes = seq(at(parts, 1, what), what, T.SET).map((s) => decodeString(s, what));
  return { version, documentTypes };
}

/** The URIs among the fullName GeneralNames of each DistributionPoint (others are skipped). */
function decodeCrlDistributionPoints(t: Tlv, what: string): string[] {
  const uris: string[] = [];
  for (const dp of seq(t, what)) {
    for (const f of seq(dp, what)) {
      if (f.tag !== 0xa0) continue; // distributionPoint [0]; reasons [1] and cRLIssuer [2] are not used here
      for (const dpName of children(f, what)) {
        if (dpName.tag !== 0xa0) continue; // fullName [0]; nameRelativeToCRLIssuer [1] is skipped
        for (const gn of children(dpName, what)) if (gn.tag === ctxPrimitive(6)) uris.push(gn.value.toString('latin1'));
      }
    }
  }
  return uris;
}

/** CRLReason (RFC 5280 §5.3.1) names by value. */
export const CRL_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'unused',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
] as const;
export type CrlReason = (typeof CRL_REASONS)[number];

export function decodeCrlReason(value: Buffer, what = 'CRLReason'): CrlReason {
  const t = expect(parseSingle(value, what), 0x0a, what);
  if (t.value.length !== 1) throw new ParseError(what, 'ENUMERATED of wrong length');
  const r = CRL_REASONS[t.value[0]!];
  if (r === undefined) throw new ParseError(what, 'unknown reason');
  return r;
}
