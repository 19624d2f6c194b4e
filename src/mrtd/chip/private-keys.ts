// The virtual chip's private keys, from chip.json's PKCS #8 PEM (RFC 5208 / RFC 5958):
// EC (RFC 5915 ECPrivateKey, named or explicit curve), DH (RFC 3279 dhpublicnumber with
// X9.42 domain parameters, or PKCS #3 dhKeyAgreement) and RSA (RFC 8017 A.1.2). Chip
// Authentication, PACE-CAM and Active Authentication sign or agree with these.
import { ParseError } from '../../errors.js';
import type { MrtdNative } from '../../native/mrtd.js';
import { bigintFromBytes, stripLeadingZeros } from '../../util/bytes.js';
import { domainFromAlgorithm } from '../access/pace-domain.js';
import { at, decodeSmallInt, decodeUnsigned, der, expect, seq, T } from '../asn1.js';
import { MrtdError } from '../errors.js';
import { OID } from '../lds/oids.js';
import { parseAlgorithmIdentifier } from '../lds/spki.js';
import type { DhGroup, Domain } from '../params/domains.js';
import { decodePem } from '../pki/pem.js';
import { parseSingle } from '../tlv.js';

export type ChipPrivateKey =
  | { readonly kind: 'EC'; readonly domain: Extract<Domain, { kind: 'EC' }>; readonly privateKey: Buffer; readonly publicKey: Buffer }
  | { readonly kind: 'DH'; readonly domain: Extract<Domain, { kind: 'DH' }>; readonly privateKey: Buffer; readonly publicKey: Buffer }
  | { readonly kind: 'RSA'; readonly modulus: Buffer; readonly publicExponent: Buffer; readonly privateExponent: Buffer; readonly bits: number };

const WHAT = 'PKCS #8 private key';

/** Parses a PKCS #8 private key (PEM "PRIVATE KEY", or DER) and computes its public key. */
export function parsePrivateKey(input: string | Buffer, native: MrtdNative): ChipPrivateKey {
  let derBytes: Buffer;
  if (typeof input === 'string') {
    const block = decodePem(Buffer.from(input, 'latin1'), WHAT).find((b) => b.label === 'PRIVATE KEY');
    if (!block) throw new ParseError(WHAT, 'no "PRIVATE KEY" PEM block');
    derBytes = block.der;
  } else derBytes = input;
  const items = seq(parseSingle(derBytes, WHAT), WHAT);
  const version = decodeSmallInt(at(items, 0, WHAT), WHAT);
  if (version > 1) throw new ParseError(WHAT, `version ${version}`);
  const alg = parseAlgorithmIdentifier(at(items, 1, WHAT), WHAT);
  const inner = expect(at(items, 2, WHAT), T.OCTET_STRING, WHAT).value;
  switch (alg.algorithm) {
    case OID.rsaEncryption: {
      const k = seq(parseSingle(inner, WHAT), WHAT);
      const modulus = decodeUnsigned(at(k, 1, WHAT), WHAT);
      return {
        kind: 'RSA',
        modulus,
        publicExponent: decodeUnsigned(at(k, 2, WHAT), WHAT),
        privateExponent: decodeUnsigned(at(k, 3, WHAT), WHAT),
        bits: bigintFromBytes(modulus).toString(2).length,
      };
    }
    case OID.ecPublicKey: {
      const k = seq(parseSingle(inner, WHAT), WHAT);
      const d = stripLeadingZeros(expect(at(k, 1, WHAT), T.OCTET_STRING, WHAT).value);
      // Parameters in the AlgorithmIdentifier, or in ECPrivateKey's [0] (RFC 5915 §3).
      const ctx0 = k.find((x) => x.tag === 0xa0);
      const params = alg.parameters ?? (ctx0 ? parseSingle(ctx0.value, WHAT).raw : undefined);
      const domain = domainFromAlgorithm({ algorithm: OID.ecPublicKey, ...(params ? { parameters: params } : {}) }, WHAT, 'CHIP');
      if (domain.kind !== 'EC') throw new ParseError(WHAT, 'EC key with DH parameters');
      checkScalar(d, domain.curve.n);
      return { kind: 'EC', domain, privateKey: d, publicKey: native.ecMul(domain.curve, d) };
    }
    case OID.dhPublicNumber:
    case '1.2.840.113549.1.3.1': {
      const x = stripLeadingZeros(decodeUnsigned(parseSingle(inner, WHAT), WHAT));
      const domain = domainFromAlgorithm(alg, WHAT, 'CHIP');
      if (domain.kind !== 'DH') throw new ParseError(WHAT, 'DH key with EC parameters');
      if (domain.group.q) checkScalar(x, domain.group.q);
      return { kind: 'DH', domain, privateKey: x, publicKey: stripLeadingZeros(native.modExp(domain.group.g, x, domain.group.p, true)) };
    }
    default:
      throw new MrtdError('UNSUPPORTED', 'CHIP', `private key algorithm ${alg.algorithm}`);
  }
}

function checkScalar(k: Buffer, order: Buffer): void {
  const v = bigintFromBytes(k);
  if (v === 0n || v >= bigintFromBytes(order)) throw new ParseError(WHAT, 'private key outside 1..order-1');
}

/**
 * PKCS #8 for a DH key with X9.42 domain parameters { p, g, q } (RFC 3279 §2.3.3), as the
 * passport generator and tests write chip.json keys for DH Chip Authentication.
 */
export function encodeDhPrivateKey(group: DhGroup, x: Buffer): Buffer {
  if (!group.q) throw new ParseError('DH group', 'the subgroup order q is needed for dhpublicnumber');
  const params = der.seq(der.int(group.p), der.int(group.g), der.int(group.q));
  return der.seq(der.int(0), der.seq(der.oid(OID.dhPublicNumber), params), der.octets(der.int(x)));
}

/** The SubjectPublicKeyInfo of a DH public value with X9.42 parameters (for DG14). */
export function encodeDhPublicKeyInfo(group: DhGroup, y: Buffer): Buffer {
  if (!group.q) throw new ParseError('DH group', 'the subgroup order q is needed for dhpublicnumber');
  const params = der.seq(der.int(group.p), der.int(group.g), der.int(group.q));
  return der.seq(der.seq(der.oid(OID.dhPublicNumber), params), der.bits(der.int(y)));
}
