// X.501 Name (RFC 5280 §4.1.2.4): a SEQUENCE of RelativeDistinguishedNames, each a SET of
// AttributeTypeAndValue. Issuer matching follows RFC 5280 §7.1: same RDN structure, and string
// values compared after case folding and whitespace normalisation (a simplified RFC 4518
// preparation, enough for the PrintableString/UTF8String names CSCAs use).
import { ParseError } from '../../errors.js';
import { at, decodeOid, decodeString, der, seq, T } from '../asn1.js';
import { encode, type Tlv } from '../tlv.js';
import { ATTRIBUTE_OIDS, ATTRIBUTE_SHORT_NAMES } from './oids.js';

export interface AttributeTypeAndValue {
  readonly type: string;
  /** Tag of the value (PrintableString 0x13, UTF8String 0x0C, ...). */
  readonly valueTag: number;
  /** The value as text when it is a string type; undefined otherwise. */
  readonly text: string | undefined;
  /** The whole value element as encoded (compared byte-wise for non-string values). */
  readonly valueRaw: Buffer;
}

export interface Name {
  readonly rdns: readonly (readonly AttributeTypeAndValue[])[];
  /** The Name as encoded. */
  readonly raw: Buffer;
}

const STRING_TAGS = new Set<number>([T.UTF8_STRING, T.PRINTABLE_STRING, T.IA5_STRING, 0x14, 0x1e]);
const MAX_RDNS = 64;

export function parseName(t: Tlv, what = 'Name'): Name {
  const rdnList = seq(t, what);
  if (rdnList.length > MAX_RDNS) throw new ParseError(what, `${rdnList.length} RDNs`);
  const rdns = rdnList.map((rdn) => {
    const atvs = seq(rdn, what, T.SET);
    if (atvs.length === 0) throw new ParseError(what, 'empty RelativeDistinguishedName');
    return atvs.map((atv): AttributeTypeAndValue => {
      const parts = seq(atv, what);
      if (parts.length !== 2) throw new ParseError(what, `AttributeTypeAndValue of ${parts.length} elements`);
      const type = decodeOid(at(parts, 0, what), what);
      const v = at(parts, 1, what);
      let text: string | undefined;
      if (STRING_TAGS.has(v.tag)) {
        if (v.tag === 0x1e && v.value.length % 2 !== 0) throw new ParseError(what, 'BMPString of odd length');
        text = decodeString(v, what);
      }
      return { type, valueTag: v.tag, text, valueRaw: v.raw };
    });
  });
  return { rdns, raw: t.raw };
}

/** RFC 4518-style preparation, simplified: trim, collapse inner whitespace, case-fold. */
function prepare(s: string): string {
  return s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function atvEqual(a: AttributeTypeAndValue, b: AttributeTypeAndValue): boolean {
  if (a.type !== b.type) return false;
  if (a.text !== undefined && b.text !== undefined) return prepare(a.text) === prepare(b.text);
  return a.valueRaw.equals(b.valueRaw);
}

/** RFC 5280 §7.1 name matching. Binary-equal names always match. */
export function namesEqual(a: Name, b: Name): boolean {
  if (a.raw.equals(b.raw)) return true;
  if (a.rdns.length !== b.rdns.length) return false;
  return a.rdns.every((rdnA, i) => {
    const rdnB = b.rdns[i]!;
    if (rdnA.length !== rdnB.length) return false;
    // A multi-valued RDN is a SET: each attribute must find a distinct partner.
    const used = new Set<number>();
    return rdnA.every((x) => {
      const j = rdnB.findIndex((y, k) => !used.has(k) && atvEqual(x, y));
      if (j < 0) return false;
      used.add(j);
      return true;
    });
  });
}

/** Values of one attribute type, in order. */
export function nameAttributes(n: Name, type: string): string[] {
  const out: string[] = [];
  for (const rdn of n.rdns) for (const atv of rdn) if (atv.type === type && atv.text !== undefined) out.push(atv.text);
  return out;
}

/** The country (C) attribute, upper-cased and trimmed; undefined when absent or repeated. */
export function nameCountry(n: Name): string | undefined {
  const cs = nameAttributes(n, ATTRIBUTE_OIDS.country);
  return cs.length === 1 ? cs[0]!.trim().toUpperCase() : undefined;
}

/** RFC 4514-like text, most significant RDN first ("C=FI, O=..., CN=..."), for reports. */
export function formatName(n: Name): string {
  return n.rdns
    .map((rdn) =>
      rdn
        .map((atv) => `${ATTRIBUTE_SHORT_NAMES[atv.type] ?? atv.type}=${atv.text ?? '#' + atv.valueRaw.toString('hex')}`)
        .join('+'),
    )
    .join(', ');
}

// ---- builder ----

/** Attribute name (a key of ATTRIBUTE_OIDS, e.g. 'country') or a dotted OID, with its value. */
export type NameSpec = readonly (readonly [type: string, value: string])[];

/**
 * Encodes a Name, one attribute per RDN. Country and serialNumber are PrintableString (RFC 5280
 * Appendix A.1); other values are PrintableString when they fit its alphabet, else UTF8String.
 */
export function encodeName(spec: NameSpec): Buffer {
  const rdns = spec.map(([type, value]) => {
    const oid = type in ATTRIBUTE_OIDS ? ATTRIBUTE_OIDS[type as keyof typeof ATTRIBUTE_OIDS] : type;
    const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value);
    const v = printable ? der.printable(value) : der.utf8(value);
    return encode(T.SET, der.seq(der.oid(oid), v));
  });
  return der.seq(...rdns);
}
