// The virtual-passport generator behind `kioskctl mrtd make-passport` (CONFORMANCE.md §3):
// a passport folder whose files are built by the engine's own encoders and signed by a test
// PKI (CSCA → document signer) that it keeps in a folder, creating it when missing, with the
// CSCA certificate in `<pki>/trust/` for the reader's trust store.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import { der } from '../asn1.js';
import { encode } from '../tlv.js';
import type { ChipQuirks } from '../chip/config.js';
import { encodeEfCom } from '../lds/com.js';
import { encodeDg1 } from '../lds/dg1.js';
import { dg2FromImage, encodeDg2 } from '../lds/dg2.js';
import { encodeDg15 } from '../lds/dg15.js';
import { dataGroupTag, type DataGroupNumber } from '../lds/files.js';
import { keyAgreementProtocolOid, OID, type Cipher, type KeyAgreement, type Mapping } from '../lds/oids.js';
import { encodeDg14, encodeSecurityInfos, type SecurityInfo } from '../lds/security-infos.js';
import { parseSubjectPublicKeyInfo } from '../lds/spki.js';
import { parseMrz } from '../mrz.js';
import { buildCsca, buildDocumentSigner, generateKeyPair, nodeSigningKey, type KeyPair, type SignatureSpec } from '../pki/builder.js';
import { buildCardSecurity, buildSod } from '../pki/builder-cms.js';
import { alpha2ForIssuingState } from '../pki/countries.js';
import type { HashName } from '../pki/oids.js';
import { parseSingle } from '../tlv.js';
import { curveNameOfParameter } from '../params/domains.js';
import { dhKey, ecKey, rsaKey, type ChipKey } from './keys.js';
import { padToBytes, syntheticPortrait } from './portrait.js';

export interface PaceOption {
  readonly keyAgreement: KeyAgreement;
  readonly mapping: Mapping;
  readonly cipher: Cipher;
  /** Standardized domain parameter id (ICAO 9303-11 Table 6). */
  readonly parameterId: number;
}

export interface MakePassportOptions {
  readonly outDir: string;
  readonly mrz: string;
  readonly photo?: Buffer;
  readonly pkiDir?: string;
  readonly can?: string;
  readonly bac: boolean;
  readonly pace?: PaceOption;
  readonly aa?: 'rsa' | 'ecdsa';
  readonly ca?: 'ecdh' | 'dh';
  /** The Chip Authentication cipher (3DES means CA version 1 with MSE:Set KAT). Default AES-128. */
  readonly caCipher?: Cipher;
  readonly dg2Format: 'ISO19794-5' | 'ISO39794-5';
  /** Grow the portrait so that DG2 has about this many bytes (benchmarks). */
  readonly dg2Bytes?: number;
  readonly hash: HashName;
  readonly signer: 'ecdsa' | 'rsa' | 'rsa-pss';
  /** Publish EC keys with explicit curve parameters (as many issuing states do). */
  readonly explicitParameters: boolean;
  readonly quirks: Partial<ChipQuirks>;
  /** Extra issuing-state mapping for the CSCA's country (e.g. UTO → UT). */
  readonly extraStates: Readonly<Record<string, string>>;
}

export interface MakePassportDeps {
  readonly now: () => Date;
}

export interface MakePassportResult {
  readonly folder: string;
  readonly files: Record<string, number>;
  readonly trust: string;
  readonly pki: string;
  readonly protocols: string[];
}

const YEAR = 365 * 24 * 3600 * 1000;

interface Party {
  readonly certificate: Buffer;
  readonly pair: KeyPair;
}

function signatureSpec(kind: MakePassportOptions['signer'], hash: HashName): SignatureSpec {
  return kind === 'rsa-pss' ? { hash, padding: 'pss', saltLength: 32 } : kind === 'rsa' ? { hash, padding: 'pkcs1' } : { hash };
}

const keySpec = (kind: MakePassportOptions['signer'], bits: number) =>
  kind === 'ecdsa' ? ({ type: 'ec', curve: 'brainpoolP256r1' } as const) : ({ type: 'rsa', bits } as const);

async function loadParty(dir: string, name: string): Promise<Party | undefined> {
  const cert = join(dir, `${name}.der`);
  const key = join(dir, `${name}.key.pem`);
  if (!existsSync(cert) || !existsSync(key)) return undefined;
  const privateKey = createPrivateKey(await readFile(key));
  return { certificate: await readFile(cert), pair: { privateKey, publicKey: createPublicKey(privateKey) } };
}

async function saveParty(dir: string, name: string, p: Party): Promise<void> {
  await writeFile(join(dir, `${name}.der`), p.certificate);
  await writeFile(join(dir, `${name}.key.pem`), p.pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}

/** The test PKI in `dir`: reuses the CSCA and document signer found there, else makes them. */
export async function testPki(dir: string, country: string, o: Pick<MakePassportOptions, 'signer' | 'hash'>, now: Date): Promise<{ csca: Party; ds: Party; trustDir: string }> {
  await mkdir(join(dir, 'trust'), { recursive: true });
  const spec = signatureSpec(o.signer, o.hash);
  let csca = await loadParty(dir, `csca-${country}`);
  if (!csca) {
    const pair = generateKeyPair(keySpec(o.signer, 3072));
    const certificate = buildCsca({
      key: nodeSigningKey(pair, spec),
      subject: [['country', country], ['organization', 'Test Government'], ['commonName', `Test CSCA ${country}`]],
      serialNumber: BigInt(now.getTime()),
      notBefore: new Date(now.getTime() - YEAR),
      notAfter: new Date(now.getTime() + 15 * YEAR),
    });
    csca = { certificate, pair };
    await saveParty(dir, `csca-${country}`, csca);
  }
  await writeFile(join(dir, 'trust', `csca-${country}.der`), csca.certificate);
  let ds = await loadParty(dir, `ds-${country}`);
  if (!ds) {
    const pair = generateKeyPair(keySpec(o.signer, 2048));
    const certificate = buildDocumentSigner({
      subjectPublicKey: nodeSigningKey(pair, spec).spki,
      subject: [['country', country], ['organization', 'Test Government'], ['commonName', `Test DS ${country}`]],
      serialNumber: BigInt(now.getTime()) + 1n,
      notBefore: new Date(now.getTime() - YEAR),
      notAfter: new Date(now.getTime() + 11 * YEAR),
      issuerCertificate: csca.certificate,
      issuerKey: nodeSigningKey(csca.pair, spec),
    });
    ds = { certificate, pair };
    await saveParty(dir, `ds-${country}`, ds);
  }
  return { csca, ds, trustDir: join(dir, 'trust') };
}

const spkiOf = (der: Buffer) => parseSubjectPublicKeyInfo(parseSingle(der, 'SubjectPublicKeyInfo'), 'SubjectPublicKeyInfo');

/** ISO/IEC 7816-4 §12.7.1 extended length information for EF.ATR/INFO. */
function atrInfo(q: Partial<ChipQuirks>): Buffer {
  const maxCommand = q.maxCommandBytes ?? 65535;
  const maxResponse = q.maxResponseBytes ?? 65536;
  return encode(0x7f66, [der.int(maxCommand), der.int(maxResponse)]);
}

export async function makePassport(o: MakePassportOptions, deps: MakePassportDeps): Promise<MakePassportResult> {
  const mrz = parseMrz(o.mrz);
  if (!mrz.valid) throw new InvalidArgumentError('--mrz', 'an MRZ whose check digits hold', 'invalid check digits');
  const country = alpha2ForIssuingState(mrz.issuer, o.extraStates);
  if (!country) throw new InvalidArgumentError('--mrz', 'an issuing state with a known country code', 'unknown state');
  const pkiDir = o.pkiDir ?? join(o.outDir, 'pki');
  const now = deps.now();
  const { ds, trustDir } = await testPki(pkiDir, country, o, now);
  const protocols: string[] = [];
  const chip: Record<string, unknown> = { mrz: mrz.lines.join('\n'), bac: o.bac };
  if (o.can) chip.can = o.can;

  const files = new Map<string, Buffer>();
  const dgs = new Map<DataGroupNumber, Buffer>();
  dgs.set(1, encodeDg1(mrz));
  let photo = o.photo ?? syntheticPortrait({ seed: Buffer.from(mrz.documentNumber, 'latin1').reduce((a, c) => a + c, 0) });
  if (o.dg2Bytes !== undefined) {
    const overhead = encodeDg2(dg2FromImage(photo, o.dg2Format)).length - photo.length;
    if (o.dg2Bytes - overhead > photo.length) photo = padToBytes(photo, o.dg2Bytes - overhead);
  }
  dgs.set(2, encodeDg2(dg2FromImage(photo, o.dg2Format)));

  const dg14: SecurityInfo[] = [];
  if (o.ca) {
    const key: ChipKey = o.ca === 'ecdh' ? ecKey('brainpoolP256r1', o.explicitParameters) : dhKey(2);
    const ka: KeyAgreement = o.ca === 'ecdh' ? 'ECDH' : 'DH';
    const cipher = o.caCipher ?? 'AES-128';
    const suite = { protocol: 'CA' as const, keyAgreement: ka, cipher, mac: cipher === '3DES' ? ('CBC' as const) : ('CMAC' as const) };
    const caOid = keyAgreementProtocolOid(suite)!;
    dg14.push({ type: 'ChipAuthenticationInfo', protocol: caOid, suite, version: 1, keyId: 1 });
    dg14.push({ type: 'ChipAuthenticationPublicKeyInfo', protocol: ka === 'ECDH' ? OID.idPK_ECDH : OID.idPK_DH, keyAgreement: ka, publicKey: spkiOf(key.spki), keyId: 1 });
    chip.chipAuthentication = [{ keyId: 1, privateKeyPem: key.privateKeyPem }];
    protocols.push(`CA-${ka}-${cipher}`);
  }
  if (o.aa) {
    // RSA-2048 signatures do not fit a short protected response: short-only chips get 1024 bits,
    // as such chips in the field have.
    const key = o.aa === 'rsa' ? rsaKey(o.quirks.extendedLength === false ? 1024 : 2048) : ecKey('brainpoolP256r1', o.explicitParameters);
    dgs.set(15, encodeDg15(key.spki));
    if (o.aa === 'ecdsa') dg14.push({ type: 'ActiveAuthenticationInfo', protocol: OID.aaProtocolObject, version: 1, signatureAlgorithm: OID.ecdsaPlainSHA256 });
    chip.activeAuthentication = { privateKeyPem: key.privateKeyPem };
    protocols.push(`AA-${o.aa.toUpperCase()}`);
  }
  if (o.pace) {
    const suite = { protocol: 'PACE' as const, keyAgreement: o.pace.keyAgreement, mapping: o.pace.mapping, cipher: o.pace.cipher, mac: o.pace.cipher === '3DES' ? ('CBC' as const) : ('CMAC' as const) };
    const oid = keyAgreementProtocolOid(suite);
    if (!oid) throw new InvalidArgumentError('--pace', 'a defined PACE suite', `${o.pace.keyAgreement}-${o.pace.mapping}-${o.pace.cipher}`);
    const paceInfo: SecurityInfo = { type: 'PACEInfo', protocol: oid, suite, version: 2, parameterId: o.pace.parameterId };
    files.set('EF.CardAccess', encodeSecurityInfos([paceInfo], { sort: true }));
    dg14.push(paceInfo);
    const cardSecurity: SecurityInfo[] = [paceInfo];
    if (o.pace.mapping === 'CAM') {
      const key = ecKey(curveNameForParameter(o.pace.parameterId), false);
      chip.paceCamPrivateKeyPem = key.privateKeyPem;
      // ICAO 9303-11 §9.2.1: the static key's keyId is the PACEInfo's parameterId.
      cardSecurity.push({ type: 'ChipAuthenticationPublicKeyInfo', protocol: OID.idPK_ECDH, keyAgreement: 'ECDH', publicKey: spkiOf(key.spki), keyId: o.pace.parameterId });
    }
    files.set(
      'EF.CardSecurity',
      buildCardSecurity({ securityInfos: encodeSecurityInfos(cardSecurity, { sort: true }), signerCertificate: ds.certificate, signerKey: nodeSigningKey(ds.pair, signatureSpec(o.signer, o.hash)), digest: o.hash, signingTime: now }),
    );
    protocols.push(`PACE-${o.pace.keyAgreement}-${o.pace.mapping}-${o.pace.cipher}`);
  }
  if (dg14.length > 0) dgs.set(14, encodeDg14({ securityInfos: dg14 }, { sort: true }));

  files.set('EF.COM', encodeEfCom({ ldsVersion: '0107', unicodeVersion: '040000', tags: [...dgs.keys()].sort((a, b) => a - b).map((n) => dataGroupTag(n)) }));
  files.set('EF.SOD', buildSod({ dataGroups: dgs, signerCertificate: ds.certificate, signerKey: nodeSigningKey(ds.pair, signatureSpec(o.signer, o.hash)), digest: o.hash, signingTime: now }));
  for (const [n, bytes] of dgs) files.set(`DG${n}`, bytes);
  if (o.quirks.extendedLength) files.set('EF.ATR', atrInfo(o.quirks));
  chip.quirks = o.quirks;

  await mkdir(o.outDir, { recursive: true });
  for (const [name, bytes] of files) await writeFile(join(o.outDir, name), bytes);
  await writeFile(join(o.outDir, 'chip.json'), JSON.stringify(chip, null, 2) + '\n', { mode: 0o600 });
  return {
    folder: o.outDir,
    files: Object.fromEntries([...files].map(([k, v]) => [k, v.length])),
    trust: trustDir,
    pki: pkiDir,
    protocols,
  };
}

/** The curve of a standardized EC parameter id, for the PACE-CAM static key. */
function curveNameForParameter(id: number): string {
  const n = curveNameOfParameter(id);
  if (!n) throw new InvalidArgumentError('PACE parameter id', 'an EC parameter id 8-18 for PACE-CAM', id);
  return n;
}
