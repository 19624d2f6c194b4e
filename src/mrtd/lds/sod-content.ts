// LDSSecurityObject (ICAO 9303-10 §4.6.2.2 / Appendix D.1): the eContent of EF.SOD's CMS
// SignedData (eContentType id-icao-mrtd-security-ldsSecurityObject 2.23.136.1.1.1). Only the
// eContent is handled here; the CMS wrapper and its signature belong to passive authentication.
//
//   LDSSecurityObject ::= SEQUENCE {
//     version                LDSSecurityObjectVersion,      -- v0(0), v1(1)
//     hashAlgorithm          DigestAlgorithmIdentifier,
//     dataGroupHashValues    SEQUENCE SIZE (2..ub-DataGroups) OF DataGroupHash,
//     ldsVersionInfo         LDSVersionInfo OPTIONAL }      -- LDS 1.8: present iff version v1
//   DataGroupHash ::= SEQUENCE { dataGroupNumber INTEGER (1..16), dataGroupHashValue OCTET STRING }
//   LDSVersionInfo ::= SEQUENCE { ldsVersion PrintableString, unicodeVersion PrintableString }
import { ParseError } from '../../errors.js';
import { at, decodeSmallInt, decodeString, der, seq, T } from '../asn1.js';
import { parseSingle, type Tlv } from '../tlv.js';
import { asBuffer } from './common.js';
import type { DataGroupNumber } from './files.js';
import { HASH_OIDS, type HashName } from './oids.js';
import { encodeAlgorithmIdentifier, parseAlgorithmIdentifier, type AlgorithmIdentifier } from './spki.js';

export interface DataGroupHash {
  readonly dataGroup: DataGroupNumber;
  readonly hash: Buffer;
}

export interface LdsVersionInfo {
  /** e.g. "0108" for LDS 1.8. */
  readonly ldsVersion: string;
  /** e.g. "040000" for Unicode 4.0.0. */
  readonly unicodeVersion: string;
}

export interface LdsSecurityObject {
  readonly version: 0 | 1;
  readonly hashAlgorithm: AlgorithmIdentifier;
  /** The hash named by `hashAlgorithm`; undefined for an algorithm this table does not know. */
  readonly hashName?: HashName;
  readonly dataGroupHashes: readonly DataGroupHash[];
  readonly ldsVersionInfo?: LdsVersionInfo;
}

const WHAT = 'LDSSecurityObject';

/** Parses the DER eContent of EF.SOD. */
export function parseLdsSecurityObject(bytes: Uint8Array): LdsSecurityObject {
  const items = seq(parseSingle(asBuffer(bytes), WHAT), WHAT);
  if (items.length < 3 || items.length > 4) throw new ParseError(WHAT, `${items.length} elements, expected 3 or 4`);
  const version = decodeSmallInt(at(items, 0, WHAT), WHAT);
  if (version !== 0 && version !== 1) throw new ParseError(WHAT, `version ${version}, expected v0 or v1`);
  const hashAlgorithm = parseAlgorithmIdentifier(at(items, 1, WHAT), WHAT);
  const known = HASH_OIDS.get(hashAlgorithm.algorithm);
  const list = seq(at(items, 2, WHAT), WHAT);
  if (list.length < 1 || list.length > 16) throw new ParseError(WHAT, `${list.length} data-group hashes, expected 1 to 16`);
  const seen = new Set<number>();
  const dataGroupHashes = list.map((h): DataGroupHash => {
    const pair = seq(h, WHAT);
    if (pair.length !== 2) throw new ParseError(WHAT, `DataGroupHash with ${pair.length} elements`);
    const n = decodeSmallInt(at(pair, 0, WHAT), WHAT);
    if (n < 1 || n > 16) throw new ParseError(WHAT, `data-group number ${n} outside 1–16`);
    if (seen.has(n)) throw new ParseError(WHAT, `data group ${n} hashed twice`);
    seen.add(n);
    const v = at(pair, 1, WHAT);
    if (v.tag !== T.OCTET_STRING) throw new ParseError(WHAT, `hash of DG${n} is not an OCTET STRING`);
    if (known && v.value.length !== known.length) {
      throw new ParseError(WHAT, `hash of DG${n} has ${v.value.length} bytes, ${known.name} has ${known.length}`);
    }
    return { dataGroup: n as DataGroupNumber, hash: v.value };
  });
  let ldsVersionInfo: LdsVersionInfo | undefined;
  const vi = items[3];
  if (vi) {
    const pair = seq(vi, WHAT);
    if (pair.length !== 2) throw new ParseError(WHAT, `LDSVersionInfo with ${pair.length} elements`);
    const printable = (t: Tlv): string => {
      if (t.tag !== T.PRINTABLE_STRING) throw new ParseError(WHAT, 'LDSVersionInfo element is not a PrintableString');
      return decodeString(t, WHAT);
    };
    ldsVersionInfo = { ldsVersion: printable(at(pair, 0, WHAT)), unicodeVersion: printable(at(pair, 1, WHAT)) };
  }
  // ICAO 9303-10 §4.6.2.2: "if ldsVersionInfo is present, version MUST be v1" (and v1 has it).
  if ((version === 1) !== (ldsVersionInfo !== undefined)) throw new ParseError(WHAT, 'version v1 and ldsVersionInfo must go together');
  return {
    version,
    hashAlgorithm,
    ...(known ? { hashName: known.name } : {}),
    dataGroupHashes,
    ...(ldsVersionInfo ? { ldsVersionInfo } : {}),
  };
}

/** Encodes an LDSSecurityObject; `version` follows from the presence of ldsVersionInfo. */
export function encodeLdsSecurityObject(o: Omit<LdsSecurityObject, 'version' | 'hashName'>): Buffer {
  const hashes = o.dataGroupHashes.map((h) => der.seq(der.int(h.dataGroup), der.octets(h.hash)));
  const info = o.ldsVersionInfo
    ? [der.seq(der.printable(o.ldsVersionInfo.ldsVersion), der.printable(o.ldsVersionInfo.unicodeVersion))]
    : [];
  return der.seq(der.int(info.length ? 1 : 0), encodeAlgorithmIdentifier(o.hashAlgorithm), der.seq(...hashes), ...info);
}

/** The hash of one data group, if the security object lists it. */
export const dataGroupHash = (o: LdsSecurityObject, dg: DataGroupNumber): Buffer | undefined =>
  o.dataGroupHashes.find((h) => h.dataGroup === dg)?.hash;
