// AlgorithmIdentifier and SubjectPublicKeyInfo (RFC 5280 §4.1.1.2 / §4.1.2.7) with the key
// details the eMRTD protocols need: EC domain parameters, named or explicit (RFC 3279
// §2.3.5, TR-03111 §5.1.1), RSA public keys (RFC 8017 A.1.1) and DH domain parameters (RFC
// 3279 §2.3.3, used by id-PK-DH in TR-03110-3 A.1.2). Raw encodings are kept next to the
// decoded fields because DG15 and CA hand the exact DER to the crypto engine.
import { ParseError } from '../../errors.js';
import { at, decodeBitString, decodeOid, decodeSmallInt, decodeUnsigned, der, seq, T } from '../asn1.js';
import { parseSingle, readTlv, type Tlv } from '../tlv.js';
import { OID } from './oids.js';

export interface AlgorithmIdentifier {
  readonly algorithm: string;
  /** The parameters element, raw (tag included); absent when the encoding omits it. */
  readonly parameters?: Buffer;
}

export function parseAlgorithmIdentifier(t: Tlv, what: string): AlgorithmIdentifier {
  const items = seq(t, what);
  if (items.length < 1 || items.length > 2) throw new ParseError(what, `AlgorithmIdentifier with ${items.length} elements`);
  const algorithm = decodeOid(at(items, 0, what), what);
  const p = items[1];
  return p ? { algorithm, parameters: p.raw } : { algorithm };
}

export const encodeAlgorithmIdentifier = (a: AlgorithmIdentifier): Buffer =>
  a.parameters ? der.seq(der.oid(a.algorithm), a.parameters) : der.seq(der.oid(a.algorithm));

/** Explicit EC domain parameters (ECParameters, prime field only: the eMRTD protocols use no others). */
export interface ExplicitEcParameters {
  readonly version: number;
  readonly prime: Buffer;
  readonly a: Buffer;
  readonly b: Buffer;
  /** The base point as encoded (normally uncompressed: 04 || x || y). */
  readonly generator: Buffer;
  readonly order: Buffer;
  readonly cofactor?: Buffer;
}

export type EcParameters =
  | { readonly kind: 'named'; readonly curveOid: string }
  | { readonly kind: 'explicit'; readonly explicit: ExplicitEcParameters }
  | { readonly kind: 'implicit' };

export interface DhDomainParameters {
  readonly p: Buffer;
  readonly g: Buffer;
  readonly q?: Buffer;
}

export interface SubjectPublicKeyInfo {
  /** The whole SubjectPublicKeyInfo, DER, exactly as read. Absent on values built for encoding. */
  readonly raw?: Buffer;
  readonly algorithm: AlgorithmIdentifier;
  /** The BIT STRING's content (without the unused-bits byte). */
  readonly publicKey: Buffer;
}

/** The key decoded from a SubjectPublicKeyInfo, by algorithm. */
export type PublicKeyDetails =
  | { readonly type: 'EC'; readonly parameters: EcParameters; readonly point: Buffer }
  | { readonly type: 'RSA'; readonly modulus: Buffer; readonly exponent: Buffer }
  | { readonly type: 'DH'; readonly parameters: DhDomainParameters | undefined; readonly y: Buffer }
  | { readonly type: 'other' };

export function parseSubjectPublicKeyInfo(t: Tlv, what: string): SubjectPublicKeyInfo {
  const items = seq(t, what);
  if (items.length !== 2) throw new ParseError(what, `SubjectPublicKeyInfo with ${items.length} elements`);
  return {
    raw: t.raw,
    algorithm: parseAlgorithmIdentifier(at(items, 0, what), what),
    publicKey: decodeBitString(at(items, 1, what), what),
  };
}

export const encodeSubjectPublicKeyInfo = (k: SubjectPublicKeyInfo): Buffer =>
  der.seq(encodeAlgorithmIdentifier(k.algorithm), der.bits(k.publicKey));

function parseExplicitEc(t: Tlv, what: string): ExplicitEcParameters {
  const items = seq(t, what);
  if (items.length < 5 || items.length > 6) throw new ParseError(what, `ECParameters with ${items.length} elements`);
  const field = seq(at(items, 1, what), what);
  if (decodeOid(at(field, 0, what), what) !== OID.primeField) throw new ParseError(what, 'EC field type is not prime-field');
  const curve = seq(at(items, 2, what), what);
  const octets = (x: Tlv): Buffer => {
    if (x.tag !== T.OCTET_STRING) throw new ParseError(what, 'curve coefficient is not an OCTET STRING');
    return x.value;
  };
  const gen = at(items, 3, what);
  if (gen.tag !== T.OCTET_STRING) throw new ParseError(what, 'base point is not an OCTET STRING');
  const cofactor = items[5];
  return {
    version: decodeSmallInt(at(items, 0, what), what),
    prime: decodeUnsigned(at(field, 1, what), what),
    a: octets(at(curve, 0, what)),
    b: octets(at(curve, 1, what)),
    generator: gen.value,
    order: decodeUnsigned(at(items, 4, what), what),
    ...(cofactor ? { cofactor: decodeUnsigned(cofactor, what) } : {}),
  };
}

export function parseEcParameters(raw: Buffer | undefined, what: string): EcParameters {
  if (!raw) return { kind: 'implicit' };
  const t = parseSingle(raw, what);
  if (t.tag === T.OID) return { kind: 'named', curveOid: decodeOid(t, what) };
  if (t.tag === T.NULL) return { kind: 'implicit' };
  return { kind: 'explicit', explicit: parseExplicitEc(t, what) };
}

export function encodeEcParameters(p: EcParameters): Buffer | undefined {
  switch (p.kind) {
    case 'implicit':
      return undefined;
    case 'named':
      return der.oid(p.curveOid);
    case 'explicit': {
      const e = p.explicit;
      return der.seq(
        der.int(e.version),
        der.seq(der.oid(OID.primeField), der.int(e.prime)),
        der.seq(der.octets(e.a), der.octets(e.b)),
        der.octets(e.generator),
        der.int(e.order),
        ...(e.cofactor ? [der.int(e.cofactor)] : []),
      );
    }
  }
}

function parseDhParameters(raw: Buffer | undefined, what: string): DhDomainParameters | undefined {
  if (!raw) return undefined;
  const items = seq(parseSingle(raw, what), what);
  // DomainParameters ::= SEQUENCE { p, g, q, j OPTIONAL, validationParms OPTIONAL } (RFC 3279);
  // PKCS #3 DHParameter { p, g, privateValueLength OPTIONAL } has no q — told apart by count.
  const q = items.length >= 3 && items[2]!.tag === T.INTEGER ? decodeUnsigned(items[2]!, what) : undefined;
  return { p: decodeUnsigned(at(items, 0, what), what), g: decodeUnsigned(at(items, 1, what), what), ...(q ? { q } : {}) };
}

/** Decodes the key inside a SubjectPublicKeyInfo according to its algorithm. */
export function publicKeyDetails(k: SubjectPublicKeyInfo, what: string): PublicKeyDetails {
  switch (k.algorithm.algorithm) {
    case OID.ecPublicKey:
      if (k.publicKey.length === 0) throw new ParseError(what, 'empty EC point');
      return { type: 'EC', parameters: parseEcParameters(k.algorithm.parameters, what), point: k.publicKey };
    case OID.rsaEncryption: {
      const items = seq(parseSingle(k.publicKey, what), what);
      if (items.length !== 2) throw new ParseError(what, `RSAPublicKey with ${items.length} elements`);
      return { type: 'RSA', modulus: decodeUnsigned(at(items, 0, what), what), exponent: decodeUnsigned(at(items, 1, what), what) };
    }
    case OID.dhPublicNumber: {
      const y = readTlv(k.publicKey, 0, what);
      if (y.raw.length !== k.publicKey.length) throw new ParseError(what, 'bytes after the DH public value');
      return { type: 'DH', parameters: parseDhParameters(k.algorithm.parameters, what), y: decodeUnsigned(y, what) };
    }
    default:
      return { type: 'other' };
  }
}
