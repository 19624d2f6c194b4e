// CSCA master lists (ICAO 9303-12 §9): CMS SignedData whose eContent, of type
// id-icao-cscaMasterList, is CscaMasterList ::= SEQUENCE { version CscaMasterListVersion (v0),
// certList SET OF Certificate }.
import { ParseError, errorSummary } from '../../errors.js';
import { at, decodeSmallInt, der, seq, T } from '../asn1.js';
import { parseSingle } from '../tlv.js';
import { parseCertificate, type Certificate } from './x509.js';

export interface MasterListContent {
  readonly version: number;
  readonly certificates: readonly Certificate[];
  /** Entries of certList that did not parse, by position, with what was wrong. */
  readonly unparsed: readonly { readonly index: number; readonly detail: string }[];
}

/** Entries beyond this are refused (the ICAO master list holds a few hundred). */
export const MAX_MASTER_LIST_ENTRIES = 20_000;

export function decodeMasterListContent(bytes: Buffer, what = 'CscaMasterList'): MasterListContent {
  const f = seq(parseSingle(bytes, what), what);
  if (f.length !== 2) throw new ParseError(what, `${f.length} elements`);
  const version = decodeSmallInt(at(f, 0, what), `${what} version`);
  if (version !== 0) throw new ParseError(what, `version ${version}`);
  const list = seq(at(f, 1, what), `${what} certList`, T.SET);
  if (list.length > MAX_MASTER_LIST_ENTRIES) throw new ParseError(what, `${list.length} certificates`);
  const certificates: Certificate[] = [];
  const unparsed: { index: number; detail: string }[] = [];
  list.forEach((c, index) => {
    try {
      certificates.push(parseCertificate(c, `${what} certificate`));
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      unparsed.push({ index, detail: errorSummary(e) });
    }
  });
  return { version, certificates, unparsed };
}

export function encodeMasterListContent(certificates: readonly Buffer[]): Buffer {
  return der.seq(der.int(0), der.set(...certificates));
}
