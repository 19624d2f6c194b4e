// CMS SignedData on the issuing side (RFC 5652 §5): EF.SOD (ICAO 9303-10 §4.6.2), EF.CardSecurity
// (BSI TR-03110-3 §A.1.2) and CSCA master lists (ICAO 9303-12 §9), signed with a SigningKey.
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../../errors.js';
import { der, T } from '../asn1.js';
import { encode } from '../tlv.js';
import { encodeDigestAlgorithm } from './algorithm.js';
import { keyIdentifier, type SigningKey } from './builder.js';
import type { DataGroupNumber } from '../lds/files.js';
import { encodeLdsSecurityObject } from '../lds/sod-content.js';
import { encodeMasterListContent } from './master-list.js';
import { CMS_OIDS, HASH_OIDS, ICAO_OIDS, type HashName } from './oids.js';
import { decodeCertificate } from './x509.js';

export interface SignerSpec {
  /** DER certificate of the signer and its key. */
  readonly signerCertificate: Buffer;
  readonly signerKey: SigningKey;
  /** digestAlgorithm of the SignerInfo (hash of eContent and, for rsaEncryption/id-ecPublicKey, of the signed attributes). */
  readonly digest: HashName;
  /** How the SignerInfo names its certificate (default issuerAndSerialNumber, as ICAO 9303-10 §4.6.2.2 recommends). */
  readonly sid?: 'issuerAndSerialNumber' | 'subjectKeyIdentifier';
  readonly signingTime?: Date;
  /** Certificates to carry (default: the signer's). */
  readonly certificates?: readonly Buffer[];
  readonly crls?: readonly Buffer[];
  /** Extra encoded Attribute elements for signedAttrs. */
  readonly extraSignedAttributes?: readonly Buffer[];
}

export interface SignedDataSpec extends SignerSpec {
  readonly eContentType: string;
  readonly eContent: Buffer;
}

const attribute = (oid: string, value: Buffer): Buffer => der.seq(der.oid(oid), der.set(value));

/** A ContentInfo holding SignedData with one signer and signed attributes. */
export function buildSignedData(spec: SignedDataSpec): Buffer {
  const cert = decodeCertificate(spec.signerCertificate, 'signer certificate');
  const useSki = spec.sid === 'subjectKeyIdentifier';
  const sid = useSki
    ? der.implicit(0, cert.extensions.subjectKeyIdentifier ?? keyIdentifier(cert.subjectPublicKeyInfo.raw))
    : der.seq(cert.issuer.raw, der.int(cert.serialNumber));
  const digest = createHash(spec.digest).update(spec.eContent).digest();
  const attrs = der.set(
    attribute(CMS_OIDS.contentType, der.oid(spec.eContentType)),
    ...(spec.signingTime ? [attribute(CMS_OIDS.signingTime, der.time(spec.signingTime))] : []),
    attribute(CMS_OIDS.messageDigest, der.octets(digest)),
    ...(spec.extraSignedAttributes ?? []),
  );
  // RFC 5652 §5.4: the signature covers the DER SET OF; the SignerInfo carries it as [0] IMPLICIT.
  const signature = spec.signerKey.sign(attrs);
  const signedAttrs = Buffer.from(attrs);
  signedAttrs[0] = 0xa0;
  const signerInfo = der.seq(
    der.int(useSki ? 3 : 1),
    sid,
    encodeDigestAlgorithm(spec.digest),
    signedAttrs,
    spec.signerKey.signatureAlgorithm,
    der.octets(signature),
  );
  const certificates = spec.certificates ?? [spec.signerCertificate];
  // RFC 5652 §5.1: version 3 because eContentType is not id-data (or the sid is a key identifier).
  const version = spec.eContentType !== CMS_OIDS.data || useSki ? 3 : 1;
  const signedData = der.seq(
    der.int(version),
    der.set(encodeDigestAlgorithm(spec.digest)),
    der.seq(der.oid(spec.eContentType), der.explicit(0, der.octets(spec.eContent))),
    ...(certificates.length > 0 ? [encode(0xa0, certificates)] : []),
    ...(spec.crls && spec.crls.length > 0 ? [encode(0xa1, spec.crls)] : []),
    der.set(signerInfo),
  );
  return der.seq(der.oid(CMS_OIDS.signedData), der.explicit(0, signedData));
}

export interface SodSpec extends SignerSpec {
  /** Data group files as written to the chip, by number. */
  readonly dataGroups: ReadonlyMap<number, Buffer>;
  /** Hash for the LDSSecurityObject (default: the signer's digest). */
  readonly ldsHash?: HashName;
  /** Present → LDSSecurityObject version 1 (LDS 1.8). */
  readonly ldsVersionInfo?: { readonly ldsVersion: string; readonly unicodeVersion: string };
}

/** EF.SOD: tag 77 around the SignedData over an LDSSecurityObject (ICAO 9303-10 §4.6.2). */
export function buildSod(spec: SodSpec): Buffer {
  const hash = spec.ldsHash ?? spec.digest;
  const dataGroupHashes = [...spec.dataGroups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([n, bytes]) => {
      if (!Number.isInteger(n) || n < 1 || n > 16) throw new InvalidArgumentError('dataGroups', 'data group numbers 1 to 16', n);
      return { dataGroup: n as DataGroupNumber, hash: createHash(hash).update(bytes).digest() };
    });
  // RFC 5754 §2: SHA-2 AlgorithmIdentifiers are generated with absent parameters.
  const lds = encodeLdsSecurityObject({
    hashAlgorithm: { algorithm: HASH_OIDS[hash] },
    dataGroupHashes,
    ...(spec.ldsVersionInfo ? { ldsVersionInfo: spec.ldsVersionInfo } : {}),
  });
  return encode(0x77, buildSignedData({ ...spec, eContentType: ICAO_OIDS.ldsSecurityObject, eContent: lds }));
}

/** EF.CardSecurity: SignedData over SecurityInfos (a DER SET), eContentType id-SecurityObject (TR-03110-3 §A.1.2). */
export function buildCardSecurity(spec: SignerSpec & { readonly securityInfos: Buffer }): Buffer {
  if (spec.securityInfos[0] !== T.SET) throw new InvalidArgumentError('securityInfos', 'a DER SET', spec.securityInfos);
  return buildSignedData({ ...spec, eContentType: ICAO_OIDS.securityObject, eContent: spec.securityInfos });
}

/** A CSCA master list (ICAO 9303-12 §9) listing `cscaCertificates`. */
export function buildMasterList(spec: SignerSpec & { readonly cscaCertificates: readonly Buffer[] }): Buffer {
  return buildSignedData({ ...spec, eContentType: ICAO_OIDS.cscaMasterList, eContent: encodeMasterListContent(spec.cscaCertificates) });
}
