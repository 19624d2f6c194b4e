// SecurityInfos (BSI TR-03110-3 v2.21 §A.1, ICAO 9303-11 §9.2): the SET OF SecurityInfo found
// in EF.CardAccess, DG14 and the eContent of EF.CardSecurity. Each SecurityInfo is
// SEQUENCE { protocol OID, requiredData ANY, optionalData ANY OPTIONAL }; the protocol OID
// says which structure follows. Infos with an OID this module does not know are kept raw, as
// TR-03110-3 §A.1 asks terminals to ignore what they do not understand.
import { ParseError } from '../../errors.js';
import { at, decodeOid, decodeSmallInt, der, seq, T } from '../asn1.js';
import { children, encode, parseSingle, type Tlv } from '../tlv.js';
import { asBuffer, openFile } from './common.js';
import {
  caDomainParameterProtocol,
  keyAgreementProtocol,
  OID,
  paceDomainParameterProtocol,
  publicKeyProtocol,
  type KeyAgreement,
  type KeyAgreementProtocolInfo,
  type Mapping,
} from './oids.js';
import {
  encodeAlgorithmIdentifier,
  encodeSubjectPublicKeyInfo,
  parseAlgorithmIdentifier,
  parseSubjectPublicKeyInfo,
  type AlgorithmIdentifier,
  type SubjectPublicKeyInfo,
} from './spki.js';

interface Base {
  readonly protocol: string;
  /** The SecurityInfo as read (DER). Absent on values built for encoding. */
  readonly raw?: Buffer;
}

/** PACEInfo (9303-11 §9.2.1): version 2; parameterId names standardized domain parameters. */
export interface PaceInfo extends Base {
  readonly type: 'PACEInfo';
  readonly suite: KeyAgreementProtocolInfo;
  readonly version: number;
  readonly parameterId?: number;
}

/** PACEDomainParameterInfo (9303-11 §9.2.2): proprietary domain parameters. */
export interface PaceDomainParameterInfo extends Base {
  readonly type: 'PACEDomainParameterInfo';
  readonly keyAgreement: KeyAgreement;
  readonly mapping: Mapping;
  readonly domainParameter: AlgorithmIdentifier;
  readonly parameterId?: number;
}

/** ChipAuthenticationInfo (9303-11 §9.2.5, TR-03110-3 A.1.1.2): version 1 (CA v1) or 2/3. */
export interface ChipAuthenticationInfo extends Base {
  readonly type: 'ChipAuthenticationInfo';
  readonly suite: KeyAgreementProtocolInfo;
  readonly version: number;
  readonly keyId?: number;
}

/** ChipAuthenticationDomainParameterInfo (TR-03110-3 A.1.1.2). */
export interface ChipAuthenticationDomainParameterInfo extends Base {
  readonly type: 'ChipAuthenticationDomainParameterInfo';
  readonly keyAgreement: KeyAgreement;
  readonly domainParameter: AlgorithmIdentifier;
  readonly keyId?: number;
}

/** ChipAuthenticationPublicKeyInfo (9303-11 §9.2.6): id-PK-DH or id-PK-ECDH with its key. */
export interface ChipAuthenticationPublicKeyInfo extends Base {
  readonly type: 'ChipAuthenticationPublicKeyInfo';
  readonly keyAgreement: KeyAgreement;
  readonly publicKey: SubjectPublicKeyInfo;
  readonly keyId?: number;
}

/** The file holding CVCA references (TR-03110-3 A.1.1.3 FileID). */
export interface FileId {
  readonly fid: number;
  readonly sfi?: number;
}

/** TerminalAuthenticationInfo (9303-11 §9.2.7, TR-03110-3 A.1.1.3): version 1 or 2. */
export interface TerminalAuthenticationInfo extends Base {
  readonly type: 'TerminalAuthenticationInfo';
  readonly version: number;
  readonly efCvca?: FileId;
}

/** ActiveAuthenticationInfo (9303-11 §9.2.8): version 1 and the ECDSA signature algorithm. */
export interface ActiveAuthenticationInfo extends Base {
  readonly type: 'ActiveAuthenticationInfo';
  readonly version: number;
  readonly signatureAlgorithm: string;
}

/** EFDIRInfo (9303-10 §4.7.14): a copy of EF.DIR for LDS2 applications. */
export interface EfDirInfo extends Base {
  readonly type: 'EFDIRInfo';
  readonly efDir: Buffer;
}

/** A SecurityInfo whose protocol this module does not know (kept raw). */
export interface UnknownSecurityInfo extends Base {
  readonly type: 'unknown';
  readonly raw: Buffer;
}

export type SecurityInfo =
  | PaceInfo
  | PaceDomainParameterInfo
  | ChipAuthenticationInfo
  | ChipAuthenticationDomainParameterInfo
  | ChipAuthenticationPublicKeyInfo
  | TerminalAuthenticationInfo
  | ActiveAuthenticationInfo
  | EfDirInfo
  | UnknownSecurityInfo;

const MAX_INFOS = 64;

function optInt(items: readonly Tlv[], i: number, what: string): number | undefined {
  const t = items[i];
  if (!t) return undefined;
  if (items.length > i + 1) throw new ParseError(what, `${items.length} elements, expected at most ${i + 1}`);
  return decodeSmallInt(t, what);
}

function parseFileId(t: Tlv, what: string): FileId {
  const items = seq(t, what);
  const fid = at(items, 0, what);
  if (fid.tag !== T.OCTET_STRING || fid.value.length !== 2) throw new ParseError(what, 'FileID fid is not 2 octets');
  const sfi = items[1];
  if (sfi && (sfi.tag !== T.OCTET_STRING || sfi.value.length !== 1)) throw new ParseError(what, 'FileID sfid is not 1 octet');
  return sfi ? { fid: fid.value.readUInt16BE(0), sfi: sfi.value[0]! } : { fid: fid.value.readUInt16BE(0) };
}

/** Parses one SecurityInfo SEQUENCE. */
export function parseSecurityInfo(t: Tlv, what = 'SecurityInfo'): SecurityInfo {
  const items = seq(t, what);
  const protocol = decodeOid(at(items, 0, what), what);
  const raw = t.raw;
  const w = `${what} ${protocol}`;
  const suite = keyAgreementProtocol(protocol);
  if (suite) {
    const version = decodeSmallInt(at(items, 1, w), w);
    const extra = optInt(items, 2, w);
    if (suite.protocol === 'PACE') {
      return { type: 'PACEInfo', protocol, suite, version, ...(extra === undefined ? {} : { parameterId: extra }), raw };
    }
    return { type: 'ChipAuthenticationInfo', protocol, suite, version, ...(extra === undefined ? {} : { keyId: extra }), raw };
  }
  const paceDp = paceDomainParameterProtocol(protocol);
  if (paceDp) {
    const parameterId = optInt(items, 2, w);
    return {
      type: 'PACEDomainParameterInfo', protocol, ...paceDp, domainParameter: parseAlgorithmIdentifier(at(items, 1, w), w),
      ...(parameterId === undefined ? {} : { parameterId }), raw,
    };
  }
  const caDp = caDomainParameterProtocol(protocol);
  if (caDp) {
    const keyId = optInt(items, 2, w);
    return {
      type: 'ChipAuthenticationDomainParameterInfo', protocol, keyAgreement: caDp,
      domainParameter: parseAlgorithmIdentifier(at(items, 1, w), w), ...(keyId === undefined ? {} : { keyId }), raw,
    };
  }
  const pk = publicKeyProtocol(protocol);
  if (pk) {
    const keyId = optInt(items, 2, w);
    return {
      type: 'ChipAuthenticationPublicKeyInfo', protocol, keyAgreement: pk,
      publicKey: parseSubjectPublicKeyInfo(at(items, 1, w), w), ...(keyId === undefined ? {} : { keyId }), raw,
    };
  }
  if (protocol === OID.idTA) {
    const version = decodeSmallInt(at(items, 1, w), w);
    const f = items[2];
    if (items.length > 3) throw new ParseError(w, `${items.length} elements`);
    return { type: 'TerminalAuthenticationInfo', protocol, version, ...(f ? { efCvca: parseFileId(f, w) } : {}), raw };
  }
  if (protocol === OID.aaProtocolObject) {
    if (items.length !== 3) throw new ParseError(w, `${items.length} elements, expected 3`);
    return {
      type: 'ActiveAuthenticationInfo', protocol, version: decodeSmallInt(at(items, 1, w), w),
      signatureAlgorithm: decodeOid(at(items, 2, w), w), raw,
    };
  }
  if (protocol === OID.efDir) {
    const v = at(items, 1, w);
    if (v.tag !== T.OCTET_STRING) throw new ParseError(w, 'eFDIR is not an OCTET STRING');
    return { type: 'EFDIRInfo', protocol, efDir: v.value, raw };
  }
  return { type: 'unknown', protocol, raw };
}

/** Parses SecurityInfos: the DER SET (tag 31) as found in EF.CardAccess or inside DG14. */
export function parseSecurityInfos(bytes: Uint8Array, what = 'SecurityInfos'): SecurityInfo[] {
  return parseSecurityInfoSet(parseSingle(asBuffer(bytes), what), what);
}

export function parseSecurityInfoSet(set: Tlv, what = 'SecurityInfos'): SecurityInfo[] {
  if (set.tag !== T.SET) throw new ParseError(what, `expected SET (31), found tag ${set.tag.toString(16)}`);
  const list = children(set, what);
  if (list.length === 0) throw new ParseError(what, 'empty SET');
  if (list.length > MAX_INFOS) throw new ParseError(what, `${list.length} SecurityInfos, more than ${MAX_INFOS}`);
  return list.map((t) => parseSecurityInfo(t, what));
}

const withOpt = (items: Buffer[], v: number | undefined): Buffer[] => (v === undefined ? items : [...items, der.int(v)]);

/** Encodes one SecurityInfo from its fields (unknown ones from `raw`). */
export function encodeSecurityInfo(s: SecurityInfo): Buffer {
  const oid = der.oid(s.protocol);
  switch (s.type) {
    case 'PACEInfo':
      return der.seq(...withOpt([oid, der.int(s.version)], s.parameterId));
    case 'ChipAuthenticationInfo':
      return der.seq(...withOpt([oid, der.int(s.version)], s.keyId));
    case 'PACEDomainParameterInfo':
      return der.seq(...withOpt([oid, encodeAlgorithmIdentifier(s.domainParameter)], s.parameterId));
    case 'ChipAuthenticationDomainParameterInfo':
      return der.seq(...withOpt([oid, encodeAlgorithmIdentifier(s.domainParameter)], s.keyId));
    case 'ChipAuthenticationPublicKeyInfo':
      return der.seq(...withOpt([oid, encodeSubjectPublicKeyInfo(s.publicKey)], s.keyId));
    case 'TerminalAuthenticationInfo': {
      const f = s.efCvca;
      const fileId = f ? [der.seq(der.octets(Buffer.from([f.fid >> 8, f.fid & 0xff])), ...(f.sfi === undefined ? [] : [der.octets(Buffer.from([f.sfi]))]))] : [];
      return der.seq(oid, der.int(s.version), ...fileId);
    }
    case 'ActiveAuthenticationInfo':
      return der.seq(oid, der.int(s.version), der.oid(s.signatureAlgorithm));
    case 'EFDIRInfo':
      return der.seq(oid, der.octets(s.efDir));
    case 'unknown':
      return Buffer.from(s.raw);
  }
}

/**
 * Encodes SecurityInfos as a SET in the order given (DER wants SET OF sorted; pass
 * `{ sort: true }` for that — round trips of read files keep the order the chip used).
 */
export function encodeSecurityInfos(infos: readonly SecurityInfo[], options: { sort?: boolean } = {}): Buffer {
  const items = infos.map(encodeSecurityInfo);
  if (options.sort) items.sort((a, b) => Buffer.compare(a, b));
  return encode(T.SET, items);
}

/** The PACEInfos (EF.CardAccess): what PACE variants the chip offers. */
export const paceInfos = (infos: readonly SecurityInfo[]): PaceInfo[] => infos.filter((i): i is PaceInfo => i.type === 'PACEInfo');

/** PACE-CAM offered (9303-11 §4.4.3.5): a PACEInfo with id-PACE-ECDH-CAM-*. */
export const offersPaceCam = (infos: readonly SecurityInfo[]): boolean => paceInfos(infos).some((p) => p.suite.mapping === 'CAM');

export const chipAuthenticationInfos = (infos: readonly SecurityInfo[]): ChipAuthenticationInfo[] =>
  infos.filter((i): i is ChipAuthenticationInfo => i.type === 'ChipAuthenticationInfo');

export const chipAuthenticationPublicKeys = (infos: readonly SecurityInfo[]): ChipAuthenticationPublicKeyInfo[] =>
  infos.filter((i): i is ChipAuthenticationPublicKeyInfo => i.type === 'ChipAuthenticationPublicKeyInfo');

export const activeAuthenticationInfo = (infos: readonly SecurityInfo[]): ActiveAuthenticationInfo | undefined =>
  infos.find((i): i is ActiveAuthenticationInfo => i.type === 'ActiveAuthenticationInfo');

export const terminalAuthenticationInfo = (infos: readonly SecurityInfo[]): TerminalAuthenticationInfo | undefined =>
  infos.find((i): i is TerminalAuthenticationInfo => i.type === 'TerminalAuthenticationInfo');

/** DG14 (ICAO 9303-10 §4.7.14): tag 6E around the SecurityInfos SET (CA, PACE, AA, TA). */
export interface Dg14 {
  readonly securityInfos: readonly SecurityInfo[];
}

export function parseDg14(bytes: Uint8Array): Dg14 {
  const file = openFile(bytes, 0x6e, 'DG14');
  const inner = children(file, 'DG14');
  if (inner.length !== 1) throw new ParseError('DG14', `${inner.length} elements inside tag 6E, expected one SET`);
  return { securityInfos: parseSecurityInfoSet(inner[0]!, 'DG14') };
}

export const encodeDg14 = (dg14: Dg14, options: { sort?: boolean } = {}): Buffer =>
  encode(0x6e, encodeSecurityInfos(dg14.securityInfos, options));

/** EF.CardAccess (ICAO 9303-11 §9.2.1 / 9303-10 §3.11.3): the bare SecurityInfos SET. */
export const parseCardAccess = (bytes: Uint8Array): SecurityInfo[] => parseSecurityInfos(bytes, 'EF.CardAccess');
export const encodeCardAccess = (infos: readonly SecurityInfo[], options: { sort?: boolean } = {}): Buffer =>
  encodeSecurityInfos(infos, options);
