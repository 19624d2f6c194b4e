// Object identifiers used by the document PKI. Each group names the standard that assigns it.

/** Hash functions: NIST CSOR (2.16.840.1.101.3.4.2.x) and OIW (SHA-1). */
export const HASH_OIDS = {
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

export type HashName = keyof typeof HASH_OIDS;

export const HASH_NAMES: readonly HashName[] = ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

/** Output length in bytes of each hash (FIPS 180-4). */
export const HASH_LENGTH: Readonly<Record<HashName, number>> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

export function hashNameFromOid(oid: string): HashName | undefined {
  return HASH_NAMES.find((h) => HASH_OIDS[h] === oid);
}

/** RSA (PKCS #1, RFC 8017 Appendix C; RFC 4055 for PSS). */
export const RSA_OIDS = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  mgf1: '1.2.840.113549.1.1.8',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  sha224WithRSAEncryption: '1.2.840.113549.1.1.14',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
} as const;

/** PKCS #1 v1.5 signature OIDs by hash. */
export const RSA_PKCS1_BY_HASH: Readonly<Record<HashName, string>> = {
  sha1: RSA_OIDS.sha1WithRSAEncryption,
  sha224: RSA_OIDS.sha224WithRSAEncryption,
  sha256: RSA_OIDS.sha256WithRSAEncryption,
  sha384: RSA_OIDS.sha384WithRSAEncryption,
  sha512: RSA_OIDS.sha512WithRSAEncryption,
};

/** Elliptic curves (ANSI X9.62 / RFC 5480, RFC 5758 for ecdsa-with-SHA2). */
export const EC_OIDS = {
  ecPublicKey: '1.2.840.10045.2.1',
  primeField: '1.2.840.10045.1.1',
  characteristicTwoField: '1.2.840.10045.1.2',
} as const;

/** ECDSA with an X9.62 DER-encoded Ecdsa-Sig-Value, by hash (RFC 5758 §3.2, RFC 3279 §2.2.3). */
export const ECDSA_BY_HASH: Readonly<Record<HashName, string>> = {
  sha1: '1.2.840.10045.4.1',
  sha224: '1.2.840.10045.4.3.1',
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
  sha512: '1.2.840.10045.4.3.4',
};

/** ECDSA with the plain r‖s signature format (BSI TR-03111 §5.2.1, ecdsa-plain-signatures 0.4.0.127.0.7.1.1.4.1). */
export const ECDSA_PLAIN_BY_HASH: Readonly<Record<HashName, string>> = {
  sha1: '0.4.0.127.0.7.1.1.4.1.1',
  sha224: '0.4.0.127.0.7.1.1.4.1.2',
  sha256: '0.4.0.127.0.7.1.1.4.1.3',
  sha384: '0.4.0.127.0.7.1.1.4.1.4',
  sha512: '0.4.0.127.0.7.1.1.4.1.5',
};

/** X.520 attribute types (RFC 5280 Appendix A.1). */
export const ATTRIBUTE_OIDS = {
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  serialNumber: '2.5.4.5',
  country: '2.5.4.6',
  locality: '2.5.4.7',
  stateOrProvince: '2.5.4.8',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  title: '2.5.4.12',
  givenName: '2.5.4.42',
  emailAddress: '1.2.840.113549.1.9.1',
} as const;

/** Short names for printing distinguished names (RFC 4514 §3). */
export const ATTRIBUTE_SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** Certificate and CRL extensions (RFC 5280 §4.2, §5.2, §5.3; ICAO 9303-12 §7.1.1). */
export const EXTENSION_OIDS = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  privateKeyUsagePeriod: '2.5.29.16',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  /** ICAO 9303-12 §7.1.1.3: id-icao-mrtd-security-extensions-documentTypeList. */
  documentTypeList: '2.23.136.1.1.6.2',
  /** ICAO 9303-12 §7.1.1.2: name change of a CSCA. */
  nameChange: '2.23.136.1.1.6.1',
} as const;

/** CMS (RFC 5652 §14) and PKCS #9 attributes (RFC 5652 §11). */
export const CMS_OIDS = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
} as const;

/** ICAO content types (9303-10 §4.6.2, 9303-12 §9) and BSI TR-03110-3 id-SecurityObject. */
export const ICAO_OIDS = {
  ldsSecurityObject: '2.23.136.1.1.1',
  cscaMasterList: '2.23.136.1.1.2',
  cscaMasterListSigningKey: '2.23.136.1.1.3',
  deviationList: '2.23.136.1.1.7',
  securityObject: '0.4.0.127.0.7.3.2.1',
} as const;
