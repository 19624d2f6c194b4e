// A whole test PKI in one call: a CSCA and a document signer under it (ICAO 9303-12 §7),
// for the virtual-passport generator (`kioskctl mrtd make-passport --pki DIR`) and tests.
import { buildCsca, buildDocumentSigner, generateKeyPair, nodeSigningKey, type KeyPair, type KeySpec, type SignatureSpec, type SigningKey } from './builder.js';
import type { NameSpec } from './name.js';

export interface PkiParty {
  readonly certificate: Buffer;
  readonly key: SigningKey;
  readonly keyPair: KeyPair;
}

export interface DocumentPki {
  readonly csca: PkiParty;
  readonly ds: PkiParty;
}

export interface Period {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface DocumentPkiSpec {
  /** ISO 3166-1 alpha-2 country for both certificates' C attribute. */
  readonly country: string;
  readonly organization?: string;
  readonly cscaKey: KeySpec | KeyPair;
  readonly cscaSignature: SignatureSpec;
  readonly cscaValidity: Period;
  readonly cscaSerial?: bigint;
  readonly dsKey: KeySpec | KeyPair;
  readonly dsSignature: SignatureSpec;
  readonly dsValidity: Period;
  readonly dsSerial?: bigint;
  readonly dsPrivateKeyUsage?: Period;
  readonly cscaCommonName?: string;
  readonly dsCommonName?: string;
}

const isKeyPair = (k: KeySpec | KeyPair): k is KeyPair => 'privateKey' in k;

export function createDocumentPki(spec: DocumentPkiSpec): DocumentPki {
  const org = spec.organization ?? 'Test Government';
  const cscaPair = isKeyPair(spec.cscaKey) ? spec.cscaKey : generateKeyPair(spec.cscaKey);
  const dsPair = isKeyPair(spec.dsKey) ? spec.dsKey : generateKeyPair(spec.dsKey);
  const cscaKey = nodeSigningKey(cscaPair, spec.cscaSignature);
  const dsKey = nodeSigningKey(dsPair, spec.dsSignature);
  const cscaSubject: NameSpec = [
    ['country', spec.country],
    ['organization', org],
    ['commonName', spec.cscaCommonName ?? `CSCA ${spec.country}`],
  ];
  const csca = buildCsca({
    key: cscaKey,
    subject: cscaSubject,
    serialNumber: spec.cscaSerial ?? 1n,
    notBefore: spec.cscaValidity.notBefore,
    notAfter: spec.cscaValidity.notAfter,
  });
  const ds = buildDocumentSigner({
    subjectPublicKey: dsKey.spki,
    subject: [
      ['country', spec.country],
      ['organization', org],
      ['commonName', spec.dsCommonName ?? `DS ${spec.country} 01`],
    ],
    serialNumber: spec.dsSerial ?? 0x1001n,
    notBefore: spec.dsValidity.notBefore,
    notAfter: spec.dsValidity.notAfter,
    issuerCertificate: csca,
    issuerKey: cscaKey,
    ...(spec.dsPrivateKeyUsage ? { privateKeyUsage: spec.dsPrivateKeyUsage } : {}),
  });
  return { csca: { certificate: csca, key: cscaKey, keyPair: cscaPair }, ds: { certificate: ds, key: dsKey, keyPair: dsPair } };
}
