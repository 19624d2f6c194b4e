// Object identifiers of the eMRTD protocols and what each means, as data. Sources:
// BSI TR-03110-3 v2.21 Appendix A.1.1 (bsi-de 0.4.0.127.0.7: id-PK, id-TA, id-CA, id-PACE),
// ICAO 9303-11 §9.2 / §9.5 (PACE, PACE-CAM, AA) and §9.5.1 Table 6 (standardized domain
// parameters), ICAO 9303-10 §4.6.2 (LDS security object), BSI TR-03111 §5.2.1 (ECDSA plain
// signatures), RFC 5114 (MODP groups), RFC 5639 (Brainpool), SEC 2 / FIPS 186 (NIST curves).

export type KeyAgreement = 'ECDH' | 'DH';
export type Mapping = 'GM' | 'IM' | 'CAM';
export type Cipher = '3DES' | 'AES-128' | 'AES-192' | 'AES-256';
export type MacKind = 'CBC' | 'CMAC';
export type HashName = 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** A PACE or Chip Authentication protocol OID with its cipher suite (TR-03110-3 A.1.1.1/A.1.1.2). */
export interface KeyAgreementProtocolInfo {
  readonly protocol: 'PACE' | 'CA';
  readonly keyAgreement: KeyAgreement;
  /** PACE only: generic mapping, integrated mapping, chip authentication mapping. */
  readonly mapping?: Mapping;
  readonly cipher: Cipher;
  readonly mac: MacKind;
}

/** A Terminal Authentication signature algorithm OID (TR-03110-3 A.1.1.3). */
export interface TerminalAuthenticationProtocolInfo {
  readonly protocol: 'TA';
  /** Undefined for the bare id-TA used in TerminalAuthenticationInfo. */
  readonly signature?: 'RSA-v1.5' | 'RSA-PSS' | 'ECDSA';
  readonly hash?: HashName;
}

export type ProtocolInfo = KeyAgreementProtocolInfo | TerminalAuthenticationProtocolInfo;

const BSI = '0.4.0.127.0.7';
const ICAO = '2.23.136.1.1';

/** Named OIDs used by the LDS and the access protocols. */
export const OID = {
  bsiDe: BSI,
  idPK: `${BSI}.2.2.1`,
  idPK_DH: `${BSI}.2.2.1.1`,
  idPK_ECDH: `${BSI}.2.2.1.2`,
  idTA: `${BSI}.2.2.2`,
  idCA: `${BSI}.2.2.3`,
  idCA_DH: `${BSI}.2.2.3.1`,
  idCA_ECDH: `${BSI}.2.2.3.2`,
  idPACE: `${BSI}.2.2.4`,
  idPACE_DH_GM: `${BSI}.2.2.4.1`,
  idPACE_ECDH_GM: `${BSI}.2.2.4.2`,
  idPACE_DH_IM: `${BSI}.2.2.4.3`,
  idPACE_ECDH_IM: `${BSI}.2.2.4.4`,
  idPACE_ECDH_CAM: `${BSI}.2.2.4.6`,
  idRI: `${BSI}.2.2.5`,
  idCI: `${BSI}.2.2.6`,
  idEIDSecurity: `${BSI}.2.2.7`,
  idPT: `${BSI}.2.2.8`,
  standardizedDomainParameters: `${BSI}.1.2`,
  ecdsaPlainSignatures: `${BSI}.1.1.4.1`,
  ecdsaPlainSHA1: `${BSI}.1.1.4.1.1`,
  ecdsaPlainSHA224: `${BSI}.1.1.4.1.2`,
  ecdsaPlainSHA256: `${BSI}.1.1.4.1.3`,
  ecdsaPlainSHA384: `${BSI}.1.1.4.1.4`,
  ecdsaPlainSHA512: `${BSI}.1.1.4.1.5`,
  ecdsaPlainRIPEMD160: `${BSI}.1.1.4.1.6`,
  // ICAO 9303-10 §4.6.2, 9303-11 §6.1 and §9.2, 9303-12 §6–7.
  ldsSecurityObject: `${ICAO}.1`,
  cscaMasterList: `${ICAO}.2`,
  cscaMasterListSigningKey: `${ICAO}.3`,
  documentTypeList: `${ICAO}.4`,
  aaProtocolObject: `${ICAO}.5`,
  extensions: `${ICAO}.6`,
  deviationList: `${ICAO}.7`,
  deviationListSigningKey: `${ICAO}.8`,
  efDir: `${ICAO}.13`,
  // Hashes (NIST CSOR, OIW).
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  // Keys and signatures (RFC 3279, RFC 4055, RFC 5480, RFC 5758).
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  sha224WithRSAEncryption: '1.2.840.113549.1.1.14',
  ecPublicKey: '1.2.840.10045.2.1',
  primeField: '1.2.840.10045.1.1',
  ecdsaWithSHA1: '1.2.840.10045.4.1',
  ecdsaWithSHA224: '1.2.840.10045.4.3.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  dhPublicNumber: '1.2.840.10046.2.1',
  dsa: '1.2.840.10040.4.1',
} as const;

const CIPHER_SUFFIX: readonly (readonly [number, Cipher, MacKind])[] = [
  [1, '3DES', 'CBC'],
  [2, 'AES-128', 'CMAC'],
  [3, 'AES-192', 'CMAC'],
  [4, 'AES-256', 'CMAC'],
];

/** The base OIDs of PACE mappings and CA key agreements, without a cipher suffix. */
const PACE_BASES: readonly (readonly [string, KeyAgreement, Mapping])[] = [
  [OID.idPACE_DH_GM, 'DH', 'GM'],
  [OID.idPACE_ECDH_GM, 'ECDH', 'GM'],
  [OID.idPACE_DH_IM, 'DH', 'IM'],
  [OID.idPACE_ECDH_IM, 'ECDH', 'IM'],
  [OID.idPACE_ECDH_CAM, 'ECDH', 'CAM'],
];
const CA_BASES: readonly (readonly [string, KeyAgreement])[] = [
  [OID.idCA_DH, 'DH'],
  [OID.idCA_ECDH, 'ECDH'],
];

function buildProtocolTable(): ReadonlyMap<string, ProtocolInfo> {
  const m = new Map<string, ProtocolInfo>();
  for (const [base, keyAgreement, mapping] of PACE_BASES) {
    for (const [n, cipher, mac] of CIPHER_SUFFIX) {
      // PACE-CAM is defined with AES only (ICAO 9303-11 §9.2.1, TR-03110-3 A.1.1.1).
      if (mapping === 'CAM' && cipher === '3DES') continue;
      m.set(`${base}.${n}`, { protocol: 'PACE', keyAgreement, mapping, cipher, mac });
    }
  }
  for (const [base, keyAgreement] of CA_BASES) {
    for (const [n, cipher, mac] of CIPHER_SUFFIX) m.set(`${base}.${n}`, { protocol: 'CA', keyAgreement, cipher, mac });
  }
  m.set(OID.idTA, { protocol: 'TA' });
  const rsa: readonly (readonly [number, 'RSA-v1.5' | 'RSA-PSS', HashName])[] = [
    [1, 'RSA-v1.5', 'SHA-1'], [2, 'RSA-v1.5', 'SHA-256'], [3, 'RSA-PSS', 'SHA-1'],
    [4, 'RSA-PSS', 'SHA-256'], [5, 'RSA-v1.5', 'SHA-512'], [6, 'RSA-PSS', 'SHA-512'],
  ];
  for (const [n, signature, hash] of rsa) m.set(`${OID.idTA}.1.${n}`, { protocol: 'TA', signature, hash });
  const ecdsa: readonly HashName[] = ['SHA-1', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512'];
  ecdsa.forEach((hash, i) => m.set(`${OID.idTA}.2.${i + 1}`, { protocol: 'TA', signature: 'ECDSA', hash }));
  return m;
}

/** Every PACE, PACE-CAM, CA and TA protocol OID and its meaning. */
export const PROTOCOL_OIDS: ReadonlyMap<string, ProtocolInfo> = buildProtocolTable();

export const protocolInfo = (oid: string): ProtocolInfo | undefined => PROTOCOL_OIDS.get(oid);

/** PACE / CA protocol OID with a cipher suite (used in PACEInfo and ChipAuthenticationInfo). */
export function keyAgreementProtocol(oid: string): KeyAgreementProtocolInfo | undefined {
  const p = PROTOCOL_OIDS.get(oid);
  return p && p.protocol !== 'TA' ? p : undefined;
}

/** The OID of a PACE or CA cipher suite (inverse of `keyAgreementProtocol`). */
export function keyAgreementProtocolOid(p: KeyAgreementProtocolInfo): string | undefined {
  for (const [oid, q] of PROTOCOL_OIDS) {
    if (q.protocol === p.protocol && q.keyAgreement === p.keyAgreement && q.mapping === p.mapping && q.cipher === p.cipher) return oid;
  }
  return undefined;
}

/** Base OIDs of PACE domain parameters (PACEDomainParameterInfo) → key agreement and mapping. */
export function paceDomainParameterProtocol(oid: string): { keyAgreement: KeyAgreement; mapping: Mapping } | undefined {
  const b = PACE_BASES.find(([o]) => o === oid);
  return b ? { keyAgreement: b[1], mapping: b[2] } : undefined;
}

/** Base OIDs of CA domain parameters (ChipAuthenticationDomainParameterInfo). */
export function caDomainParameterProtocol(oid: string): KeyAgreement | undefined {
  return CA_BASES.find(([o]) => o === oid)?.[1];
}

/** id-PK-DH / id-PK-ECDH (ChipAuthenticationPublicKeyInfo). */
export function publicKeyProtocol(oid: string): KeyAgreement | undefined {
  return oid === OID.idPK_DH ? 'DH' : oid === OID.idPK_ECDH ? 'ECDH' : undefined;
}

export const HASH_OIDS: ReadonlyMap<string, { readonly name: HashName; readonly length: number }> = new Map([
  [OID.sha1, { name: 'SHA-1', length: 20 }],
  [OID.sha224, { name: 'SHA-224', length: 28 }],
  [OID.sha256, { name: 'SHA-256', length: 32 }],
  [OID.sha384, { name: 'SHA-384', length: 48 }],
  [OID.sha512, { name: 'SHA-512', length: 64 }],
]);

export interface StandardizedDomainParameters {
  readonly id: number;
  readonly name: string;
  readonly kind: 'MODP' | 'EC';
  /** The curve's name as OpenSSL knows it (EC only). */
  readonly curve?: string;
  /** The named-curve OID (EC only). */
  readonly curveOid?: string;
}

/** ICAO 9303-11 §9.5.1 Table 6 = BSI TR-03110-3 Table 4; ids 3–7 and 19–31 are reserved. */
export const STANDARDIZED_DOMAIN_PARAMETERS: ReadonlyMap<number, StandardizedDomainParameters> = new Map(
  (
    [
      [0, '1024-bit MODP Group with 160-bit Prime Order Subgroup (RFC 5114 §2.1)', 'MODP'],
      [1, '2048-bit MODP Group with 224-bit Prime Order Subgroup (RFC 5114 §2.2)', 'MODP'],
      [2, '2048-bit MODP Group with 256-bit Prime Order Subgroup (RFC 5114 §2.3)', 'MODP'],
      [8, 'NIST P-192 (secp192r1)', 'EC', 'prime192v1', '1.2.840.10045.3.1.1'],
      [9, 'BrainpoolP192r1', 'EC', 'brainpoolP192r1', '1.3.36.3.3.2.8.1.1.3'],
      [10, 'NIST P-224 (secp224r1)', 'EC', 'secp224r1', '1.3.132.0.33'],
      [11, 'BrainpoolP224r1', 'EC', 'brainpoolP224r1', '1.3.36.3.3.2.8.1.1.5'],
      [12, 'NIST P-256 (secp256r1)', 'EC', 'prime256v1', '1.2.840.10045.3.1.7'],
      [13, 'BrainpoolP256r1', 'EC', 'brainpoolP256r1', '1.3.36.3.3.2.8.1.1.7'],
      [14, 'BrainpoolP320r1', 'EC', 'brainpoolP320r1', '1.3.36.3.3.2.8.1.1.9'],
      [15, 'NIST P-384 (secp384r1)', 'EC', 'secp384r1', '1.3.132.0.34'],
      [16, 'BrainpoolP384r1', 'EC', 'brainpoolP384r1', '1.3.36.3.3.2.8.1.1.11'],
      [17, 'BrainpoolP512r1', 'EC', 'brainpoolP512r1', '1.3.36.3.3.2.8.1.1.13'],
      [18, 'NIST P-521 (secp521r1)', 'EC', 'secp521r1', '1.3.132.0.35'],
    ] as const
  ).map(([id, name, kind, curve, curveOid]): [number, StandardizedDomainParameters] => [
    id,
    curve === undefined ? { id, name, kind } : { id, name, kind, curve, curveOid },
  ]),
);

/** A readable name for any OID this module knows; undefined otherwise. */
export function oidName(oid: string): string | undefined {
  for (const [k, v] of Object.entries(OID)) if (v === oid) return k;
  const p = PROTOCOL_OIDS.get(oid);
  if (!p) return undefined;
  if (p.protocol === 'TA') return p.signature ? `id-TA-${p.signature}-${p.hash ?? ''}` : 'id-TA';
  const mapping = p.mapping ? `-${p.mapping}` : '';
  const suite = p.cipher === '3DES' ? '3DES-CBC-CBC' : `AES-CBC-CMAC-${p.cipher.slice(4)}`;
  return `id-${p.protocol}-${p.keyAgreement}${mapping}-${suite}`;
}
