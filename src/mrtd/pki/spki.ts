// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) for the key types of the document PKI: RSA
// (RFC 3279 §2.3.1, RFC 4055 §1.2 for id-RSASSA-PSS keys) and EC (RFC 5480 §2; explicit
// ECParameters per RFC 3279 §2.3.5 / SEC 1 §C.2, which ICAO 9303-12 §7.2 lets CSCAs and
// document signers use). The raw bytes stay available for hashing and for Node's crypto.
import { ParseError } from '../../errors.js';
import { bigintFromBytes } from '../../util/bytes.js';
import { at, decodeBitString, decodeOid, decodeSmallInt, decodeUnsigned, der, expect, seq, T } from '../asn1.js';
import { parseSingle, type Tlv } from '../tlv.js';
import { parseAlgorithmIdentifier, parsePssParameters, type AlgorithmIdentifier, type PssParameters } from './algorithm.js';
import { curveByOid, decodePoint, matchNamedCurve, type CurveParameters, type CurveSpec } from './curves.js';
import { EC_OIDS, RSA_OIDS } from './oids.js';

export type EcCurve =
  | { readonly type: 'named'; readonly oid: string; readonly spec: CurveSpec | undefined }
  | {
      readonly type: 'explicit';
      readonly parameters: CurveParameters;
      /** The named curve with exactly these parameters, if any. */
      readonly namedMatch: CurveSpec | undefined;
      readonly cofactorPresent: boolean;
    }
  /** implicitlyCA (RFC 3279 §2.3.5) or a characteristic-two field: parsed, never verified with. */
  | { readonly type: 'unsupported'; readonly detail: string };

export type PublicKeyInfo =
  | {
      readonly kind: 'rsa';
      readonly raw: Buffer;
      readonly algorithm: AlgorithmIdentifier;
      readonly modulus: Buffer;
      readonly exponent: Buffer;
      /** Present for an id-RSASSA-PSS key that carries parameters (RFC 4055 §3.1). */
      readonly pss: PssParameters | undefined;
      readonly bits: number;
    }
  | {
      readonly kind: 'ec';
      readonly raw: Buffer;
      readonly algorithm: AlgorithmIdentifier;
      readonly curve: EcCurve;
      /** The public point as encoded (SEC 1 §2.3.3: 04‖x‖y or 02/03‖x). */
      readonly point: Buffer;
    }
  | { readonly kind: 'other'; readonly raw: Buffer; readonly algorithm: AlgorithmIdentifier; readonly key: Buffer };

/** RSA moduli beyond this are refused (no eMRTD uses them; bounds the work of a hostile key). */
export const MAX_RSA_BITS = 16384;

export function parseSpki(t: Tlv, what = 'SubjectPublicKeyInfo'): PublicKeyInfo {
  const parts = seq(t, what);
  if (parts.length !== 2) throw new ParseError(what, `${parts.length} elements`);
  const algorithm = parseAlgorithmIdentifier(at(parts, 0, what), what);
  const key = decodeBitString(at(parts, 1, what), what);
  if (algorithm.oid === RSA_OIDS.rsaEncryption || algorithm.oid === RSA_OIDS.rsassaPss) {
    const rsa = seq(parseSingle(key, what), what);
    if (rsa.length !== 2) throw new ParseError(what, 'RSAPublicKey of wrong shape');
    const modulus = decodeUnsigned(at(rsa, 0, what), what);
    const exponent = decodeUnsigned(at(rsa, 1, what), what);
    const bits = bigintFromBytes(modulus).toString(2).length;
    if (bits < 512 || bits > MAX_RSA_BITS) throw new ParseError(what, `RSA modulus of ${bits} bits`);
    const e = bigintFromBytes(exponent);
    if (e < 3n || (e & 1n) === 0n || exponent.length > 8) throw new ParseError(what, 'RSA public exponent out of range');
    const pss =
      algorithm.oid === RSA_OIDS.rsassaPss && algorithm.parameters !== undefined ? parsePssParameters(algorithm.parameters, what) : undefined;
    return { kind: 'rsa', raw: t.raw, algorithm, modulus, exponent, pss, bits };
  }
  if (algorithm.oid === EC_OIDS.ecPublicKey) {
    if (!algorithm.parameters) throw new ParseError(what, 'EC key without parameters');
    const curve = parseEcParameters(algorithm.parameters, what);
    if (key.length === 0) throw new ParseError(what, 'empty EC point');
    return { kind: 'ec', raw: t.raw, algorithm, curve, point: key };
  }
  return { kind: 'other', raw: t.raw, algorithm, key };
}

export function decodeSpki(bytes: Buffer, what = 'SubjectPublicKeyInfo'): PublicKeyInfo {
  return parseSpki(parseSingle(bytes, what), what);
}

/** ECParameters ::= CHOICE { namedCurve OID, ecParameters SpecifiedECDomain, implicitlyCA NULL }. */
export function parseEcParameters(t: Tlv, what = 'ECParameters'): EcCurve {
  if (t.tag === T.OID) {
    const oid = decodeOid(t, what);
    return { type: 'named', oid, spec: curveByOid(oid) };
  }
  if (t.tag === T.NULL) return { type: 'unsupported', detail: 'implicitlyCA parameters' };
  const p = seq(t, what);
  if (p.length < 5 || p.length > 7) throw new ParseError(what, `SpecifiedECDomain of ${p.length} elements`);
  const version = decodeSmallInt(at(p, 0, what), what);
  if (version < 1 || version > 3) throw new ParseError(what, `SpecifiedECDomain version ${version}`);
  const field = seq(at(p, 1, what), what);
  const fieldType = decodeOid(at(field, 0, what), what);
  if (fieldType === EC_OIDS.characteristicTwoField) return { type: 'unsupported', detail: 'characteristic-two field' };
  if (fieldType !== EC_OIDS.primeField || field.length !== 2) throw new ParseError(what, 'unknown field type');
  const prime = decodeUnsigned(at(field, 1, what), what);
  const curve = seq(at(p, 2, what), what);
  if (curve.length < 2 || curve.length > 3) throw new ParseError(what, 'Curve of wrong shape');
  const a = expect(at(curve, 0, what), T.OCTET_STRING, what).value;
  const b = expect(at(curve, 1, what), T.OCTET_STRING, what).value;
  const base = expect(at(p, 3, what), T.OCTET_STRING, what).value;
  const n = decodeUnsigned(at(p, 4, what), what);
  const hTlv = p[5]?.tag === T.INTEGER ? p[5] : undefined;
  const h = hTlv ? decodeUnsigned(hTlv, what) : Buffer.from([1]);
  const primeBits = bigintFromBytes(prime).toString(2).length;
  if (primeBits < 160 || primeBits > 571) throw new ParseError(what, `field of ${primeBits} bits`);
  if (bigintFromBytes(a) >= bigintFromBytes(prime) || bigintFromBytes(b) >= bigintFromBytes(prime)) {
    throw new ParseError(what, 'curve coefficient not reduced modulo p');
  }
  const g = decodePoint(base, prime, a, b);
  if (!g) throw new ParseError(what, 'base point not on the curve');
  const parameters: CurveParameters = { p: prime, a, b, gx: g.x, gy: g.y, n, h };
  return { type: 'explicit', parameters, namedMatch: matchNamedCurve(parameters, hTlv !== undefined), cofactorPresent: hTlv !== undefined };
}

/** The curve's name when known ("brainpoolP256r1", or "explicit" for an unnamed curve). */
export function curveName(c: EcCurve): string {
  if (c.type === 'named') return c.spec?.name ?? c.oid;
  if (c.type === 'explicit') return c.namedMatch ? `${c.namedMatch.name} (explicit)` : 'explicit';
  return 'unsupported';
}

/** A SubjectPublicKeyInfo naming the curve by OID; for handing explicit-but-named keys to OpenSSL. */
export function namedCurveSpki(spec: CurveSpec, point: Buffer): Buffer {
  return der.seq(der.seq(der.oid(EC_OIDS.ecPublicKey), der.oid(spec.oid)), der.bits(point));
}

/** A one-line description of a key for reports ("RSA 3072", "EC brainpoolP256r1 (explicit)"). */
export function describeKey(k: PublicKeyInfo): string {
  switch (k.kind) {
    case 'rsa':
      return `${k.algorithm.oid === RSA_OIDS.rsassaPss ? 'RSA-PSS' : 'RSA'} ${k.bits}`;
    case 'ec':
      return `EC ${curveName(k.curve)}`;
    case 'other':
      return `key ${k.algorithm.oid}`;
  }
}
