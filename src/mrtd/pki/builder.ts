// The issuing side of the document PKI, for the virtual-passport generator and tests: keys
// that sign (RSA PKCS #1 v1.5, RSASSA-PSS, ECDSA over named curves, optionally with explicit
// ECParameters in the SubjectPublicKeyInfo), CSCA and document signer certificates with the
// ICAO 9303-12 §7.1.1 extensions, and CRLs. CMS objects (EF.SOD, EF.CardSecurity, master
// lists) are in builder-cms.ts. Output is deterministic for the same inputs except where the
// signature scheme itself is randomised (ECDSA, and PSS with a non-empty salt): Node offers no
// RFC 6979 signing, so tests that need fixed bytes use RSA PKCS #1 v1.5 or PSS with salt 0.
import { constants, createHash, generateKeyPairSync, privateEncrypt, randomBytes, sign, type KeyObject } from 'node:crypto';
import { InvalidArgumentError } from '../../errors.js';
import { ctxPrimitive, der, T } from '../asn1.js';
import { children, encode, parseSingle } from '../tlv.js';
import { encodeSignatureAlgorithm, type SignatureScheme } from './algorithm.js';
import { curveByName, curveParameters, type CurveSpec } from './curves.js';
import { CRL_REASONS, type CrlReason, type KeyUsage, KEY_USAGE_BITS } from './extensions.js';
import { encodeName, type NameSpec } from './name.js';
import { EC_OIDS, EXTENSION_OIDS, HASH_LENGTH, ICAO_OIDS, type HashName } from './oids.js';
import { emsaPssEncode } from './rsa-pss.js';
import { decodeSpki } from './spki.js';
import { decodeCertificate } from './x509.js';

/** What the builder needs from a signer: its public key as it goes into a certificate, and signing. */
export interface SigningKey {
  /** DER SubjectPublicKeyInfo of the public key. */
  readonly spki: Buffer;
  /** DER AlgorithmIdentifier of the signatures `sign` produces. */
  readonly signatureAlgorithm: Buffer;
  sign(data: Buffer): Buffer;
}

export type KeySpec = { readonly type: 'rsa'; readonly bits: number } | { readonly type: 'ec'; readonly curve: string };

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** A fresh key pair (curve by Node name or alias: "P-256", "brainpoolP256r1"). */
export function generateKeyPair(spec: KeySpec): KeyPair {
  if (spec.type === 'rsa') return generateKeyPairSync('rsa', { modulusLength: spec.bits, publicExponent: 0x10001 });
  const c = curveByName(spec.curve);
  return generateKeyPairSync('ec', { namedCurve: c?.name ?? spec.curve });
}

export interface SignatureSpec {
  readonly hash: HashName;
  /** RSA only: PKCS #1 v1.5 (default) or PSS. */
  readonly padding?: 'pkcs1' | 'pss';
  /** PSS: salt length in bytes (default: the hash length, RFC 4055 §3.1 recommendation). */
  readonly saltLength?: number;
  /** PSS: MGF1 hash (default: the message hash). */
  readonly mgf1Hash?: HashName;
  /** RSA PKCS #1: name rsaEncryption as the signature algorithm, as some ICAO SODs do. */
  readonly rsaEncryptionOid?: boolean;
  /** ECDSA: BSI TR-03111 plain r‖s format instead of X9.62 DER. */
  readonly ecdsaPlain?: boolean;
  /** EC keys: write the curve as explicit ECParameters (RFC 3279 §2.3.5) in the SPKI. */
  readonly explicitParameters?: boolean;
  /** Salt source for PSS with a differing MGF1 hash (default: crypto.randomBytes). */
  readonly random?: (length: number) => Buffer;
}

/** A SigningKey over a Node key pair. */
export function nodeSigningKey(pair: KeyPair, spec: SignatureSpec): SigningKey {
  const type = pair.privateKey.asymmetricKeyType;
  const plainSpki = pair.publicKey.export({ type: 'spki', format: 'der' });
  if (type === 'rsa') {
    const pss = spec.padding === 'pss';
    const saltLength = spec.saltLength ?? HASH_LENGTH[spec.hash];
    const mgf1Hash = spec.mgf1Hash ?? spec.hash;
    const scheme: SignatureScheme = pss
      ? { kind: 'rsa-pss', hash: spec.hash, pss: { hash: spec.hash, mgf1Hash, saltLength, trailerField: 1 } }
      : { kind: 'rsa-pkcs1', hash: spec.hash };
    const bits = pair.privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
    return {
      spki: plainSpki,
      signatureAlgorithm: encodeSignatureAlgorithm(scheme, { rsaEncryptionOid: spec.rsaEncryptionOid === true }),
      sign(data: Buffer): Buffer {
        if (!pss) return sign(spec.hash, data, { key: pair.privateKey, padding: constants.RSA_PKCS1_PADDING });
        if (mgf1Hash === spec.hash) return sign(spec.hash, data, { key: pair.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
        // Node cannot choose the MGF1 hash: EMSA-PSS in TypeScript, then the raw RSA operation.
        const salt = (spec.random ?? randomBytes)(saltLength);
        const em = emsaPssEncode(createHash(spec.hash).update(data).digest(), bits - 1, { hash: spec.hash, mgf1Hash, saltLength }, salt);
        const k = Math.ceil(bits / 8);
        return privateEncrypt({ key: pair.privateKey, padding: constants.RSA_NO_PADDING }, Buffer.concat([Buffer.alloc(k - em.length), em]));
      },
    };
  }
  if (type === 'ec') {
    const curveName = pair.privateKey.asymmetricKeyDetails?.namedCurve ?? '';
    const curve = curveByName(curveName);
    if (spec.explicitParameters === true && !curve) throw new InvalidArgumentError('curve', 'a curve of the named-curve table', curveName);
    const plain = spec.ecdsaPlain === true;
    return {
      spki: spec.explicitParameters === true && curve ? explicitEcSpki(plainSpki, curve) : plainSpki,
      signatureAlgorithm: encodeSignatureAlgorithm({ kind: 'ecdsa', hash: spec.hash, encoding: plain ? 'plain' : 'der' }),
      sign: (data: Buffer): Buffer => sign(spec.hash, data, { key: pair.privateKey, dsaEncoding: plain ? 'ieee-p1363' : 'der' }),
    };
  }
  throw new InvalidArgumentError('key', 'an RSA or EC key', type);
}

/** Re-encodes a named-curve EC SPKI with explicit ECParameters (SEC 1 §C.2, version 1, with cofactor). */
export function explicitEcSpki(namedSpki: Buffer, curve: CurveSpec): Buffer {
  const k = decodeSpki(namedSpki);
  if (k.kind !== 'ec') throw new InvalidArgumentError('spki', 'an EC key', k.kind);
  const p = curveParameters(curve);
  const params = der.seq(
    der.int(1),
    der.seq(der.oid(EC_OIDS.primeField), der.int(p.p)),
    der.seq(der.octets(p.a), der.octets(p.b)),
    der.octets(Buffer.concat([Buffer.from([0x04]), p.gx, p.gy])),
    der.int(p.n),
    der.int(p.h),
  );
  return der.seq(der.seq(der.oid(EC_OIDS.ecPublicKey), params), der.bits(k.point));
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value (without the unused-bits octet). */
export function keyIdentifier(spki: Buffer): Buffer {
  const parts = children(parseSingle(spki, 'SubjectPublicKeyInfo'), 'SubjectPublicKeyInfo');
  const bitString = parts[parts.length - 1];
  if (bitString?.tag !== T.BIT_STRING) throw new InvalidArgumentError('spki', 'a SubjectPublicKeyInfo', spki);
  return createHash('sha1').update(bitString.value.subarray(1)).digest();
}

// ---- extensions (RFC 5280 §4.2, ICAO 9303-12 §7.1.1) ----

const extension = (oid: string, critical: boolean, value: Buffer): Buffer =>
  der.seq(der.oid(oid), ...(critical ? [der.bool(true)] : []), der.octets(value));

export const ext = {
  raw: extension,
  basicConstraints: (ca: boolean, pathLength?: number): Buffer =>
    extension(EXTENSION_OIDS.basicConstraints, true, der.seq(...(ca ? [der.bool(true)] : []), ...(pathLength !== undefined ? [der.int(pathLength)] : []))),
  keyUsage(usages: readonly KeyUsage[]): Buffer {
    const bits = usages.map((u) => KEY_USAGE_BITS.indexOf(u));
    const last = Math.max(...bits);
    const bytes = Buffer.alloc(Math.floor(last / 8) + 1);
    for (const b of bits) bytes[b >> 3] = bytes[b >> 3]! | (0x80 >> (b & 7));
    const unused = 7 - (last % 8);
    return extension(EXTENSION_OIDS.keyUsage, true, encode(T.BIT_STRING, [Buffer.from([unused]), bytes]));
  },
  subjectKeyIdentifier: (id: Buffer): Buffer => extension(EXTENSION_OIDS.subjectKeyIdentifier, false, der.octets(id)),
  authorityKeyIdentifier: (id: Buffer): Buffer => extension(EXTENSION_OIDS.authorityKeyIdentifier, false, der.seq(der.implicit(0, id))),
  privateKeyUsagePeriod(notBefore: Date, notAfter: Date): Buffer {
    const gt = (d: Date): Buffer => Buffer.from(d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z', 'latin1');
    return extension(EXTENSION_OIDS.privateKeyUsagePeriod, false, der.seq(encode(ctxPrimitive(0), gt(notBefore)), encode(ctxPrimitive(1), gt(notAfter))));
  },
  documentTypeList: (types: readonly string[]): Buffer =>
    extension(EXTENSION_OIDS.documentTypeList, false, der.seq(der.int(0), der.set(...types.map((d) => der.printable(d))))),
  crlDistributionPoints: (uris: readonly string[]): Buffer =>
    extension(
      EXTENSION_OIDS.crlDistributionPoints,
      false,
      der.seq(...uris.map((u) => der.seq(der.explicit(0, der.explicit(0, encode(ctxPrimitive(6), Buffer.from(u, 'latin1'))))))),
    ),
  extKeyUsage: (oids: readonly string[]): Buffer => extension(EXTENSION_OIDS.extKeyUsage, false, der.seq(...oids.map((o) => der.oid(o)))),
};

// ---- certificates ----

export interface CertificateSpec {
  readonly serialNumber: bigint;
  /** Issuer Name as attributes or as DER (copied from the issuer certificate's subject). */
  readonly issuer: NameSpec | Buffer;
  readonly subject: NameSpec | Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo of the subject. */
  readonly subjectPublicKey: Buffer;
  /** Encoded Extension elements (see `ext`). */
  readonly extensions: readonly Buffer[];
}

/** A v3 certificate signed by `issuerKey` (RFC 5280 §4.1). */
export function buildCertificate(spec: CertificateSpec, issuerKey: SigningKey): Buffer {
  const name = (n: NameSpec | Buffer): Buffer => (Buffer.isBuffer(n) ? n : encodeName(n));
  const tbs = der.seq(
    der.explicit(0, der.int(2)),
    der.int(spec.serialNumber),
    issuerKey.signatureAlgorithm,
    name(spec.issuer),
    der.seq(der.time(spec.notBefore), der.time(spec.notAfter)),
    name(spec.subject),
    spec.subjectPublicKey,
    ...(spec.extensions.length > 0 ? [der.explicit(3, der.seq(...spec.extensions))] : []),
  );
  return der.seq(tbs, issuerKey.signatureAlgorithm, der.bits(issuerKey.sign(tbs)));
}

export interface CscaSpec {
  readonly key: SigningKey;
  readonly subject: NameSpec;
  readonly serialNumber: bigint;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly crlUri?: string;
}

/** A self-signed CSCA certificate: CA with path length 0, keyCertSign + cRLSign (9303-12 Table 6). */
export function buildCsca(spec: CscaSpec): Buffer {
  const kid = keyIdentifier(spec.key.spki);
  return buildCertificate(
    {
      serialNumber: spec.serialNumber,
      issuer: spec.subject,
      subject: spec.subject,
      notBefore: spec.notBefore,
      notAfter: spec.notAfter,
      subjectPublicKey: spec.key.spki,
      extensions: [
        ext.authorityKeyIdentifier(kid),
        ext.subjectKeyIdentifier(kid),
        ext.keyUsage(['keyCertSign', 'cRLSign']),
        ext.basicConstraints(true, 0),
        ...(spec.crlUri !== undefined ? [ext.crlDistributionPoints([spec.crlUri])] : []),
      ],
    },
    spec.key,
  );
}

export interface SignerCertificateSpec {
  /** DER SubjectPublicKeyInfo of the signer (a SigningKey's `spki`). */
  readonly subjectPublicKey: Buffer;
  readonly subject: NameSpec;
  readonly serialNumber: bigint;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The issuing CSCA's certificate (its subject becomes the issuer) and key. */
  readonly issuerCertificate: Buffer;
  readonly issuerKey: SigningKey;
  /** Private key usage period (default: none). */
  readonly privateKeyUsage?: { readonly notBefore: Date; readonly notAfter: Date };
  /** Document types this signer may sign (default ["P"]); ICAO 9303-12 §7.1.1.3. */
  readonly documentTypes?: readonly string[];
  readonly crlUri?: string;
  /** Extra encoded extensions. */
  readonly extraExtensions?: readonly Buffer[];
}

function signerCertificate(spec: SignerCertificateSpec, profile: Buffer[]): Buffer {
  const issuer = decodeCertificate(spec.issuerCertificate, 'issuer certificate');
  const aki = issuer.extensions.subjectKeyIdentifier ?? keyIdentifier(issuer.subjectPublicKeyInfo.raw);
  return buildCertificate(
    {
      serialNumber: spec.serialNumber,
      issuer: issuer.subject.raw,
      subject: spec.subject,
      notBefore: spec.notBefore,
      notAfter: spec.notAfter,
      subjectPublicKey: spec.subjectPublicKey,
      extensions: [
        ext.authorityKeyIdentifier(aki),
        ext.subjectKeyIdentifier(keyIdentifier(spec.subjectPublicKey)),
        ext.keyUsage(['digitalSignature']),
        ...(spec.privateKeyUsage ? [ext.privateKeyUsagePeriod(spec.privateKeyUsage.notBefore, spec.privateKeyUsage.notAfter)] : []),
        ...profile,
        ...(spec.crlUri !== undefined ? [ext.crlDistributionPoints([spec.crlUri])] : []),
        ...(spec.extraExtensions ?? []),
      ],
    },
    spec.issuerKey,
  );
}

/** A document signer certificate (ICAO 9303-12 Table 6): digitalSignature, AKI/SKI, document type list. */
export function buildDocumentSigner(spec: SignerCertificateSpec): Buffer {
  return signerCertificate(spec, [ext.documentTypeList(spec.documentTypes ?? ['P'])]);
}

/** A master list signer certificate: digitalSignature and extKeyUsage id-icao-cscaMasterListSigningKey. */
export function buildMasterListSigner(spec: SignerCertificateSpec): Buffer {
  return signerCertificate(spec, [ext.extKeyUsage([ICAO_OIDS.cscaMasterListSigningKey])]);
}

// ---- CRLs (RFC 5280 §5) ----

export interface CrlSpec {
  readonly issuerCertificate: Buffer;
  readonly issuerKey: SigningKey;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly crlNumber?: bigint;
  readonly revoked?: readonly { readonly serialNumber: bigint | Buffer; readonly revocationDate: Date; readonly reason?: CrlReason }[];
}

export function buildCrl(spec: CrlSpec): Buffer {
  const issuer = decodeCertificate(spec.issuerCertificate, 'issuer certificate');
  const ski = issuer.extensions.subjectKeyIdentifier ?? keyIdentifier(issuer.subjectPublicKeyInfo.raw);
  const entries = (spec.revoked ?? []).map((r) =>
    der.seq(
      der.int(r.serialNumber),
      der.time(r.revocationDate),
      ...(r.reason !== undefined
        ? [der.seq(der.seq(der.oid(EXTENSION_OIDS.crlReason), der.octets(encode(0x0a, Buffer.from([CRL_REASONS.indexOf(r.reason)])))))]
        : []),
    ),
  );
  const crlExtensions = [
    der.seq(der.oid(EXTENSION_OIDS.authorityKeyIdentifier), der.octets(der.seq(der.implicit(0, ski)))),
    ...(spec.crlNumber !== undefined ? [der.seq(der.oid(EXTENSION_OIDS.crlNumber), der.octets(der.int(spec.crlNumber)))] : []),
  ];
  const tbs = der.seq(
    der.int(1),
    spec.issuerKey.signatureAlgorithm,
    issuer.subject.raw,
    der.time(spec.thisUpdate),
    ...(spec.nextUpdate ? [der.time(spec.nextUpdate)] : []),
    ...(entries.length > 0 ? [der.seq(...entries)] : []),
    der.explicit(0, der.seq(...crlExtensions)),
  );
  return der.seq(tbs, spec.issuerKey.signatureAlgorithm, der.bits(spec.issuerKey.sign(tbs)));
}
