// Chip Authentication terminal ↔ virtual chip: ECDH and DH keys, every cipher, Set KAT and
// Set AT, TR-03110's version 2 (nonce and token), several keys with keyIds, a DG14 without
// ChipAuthenticationInfo, after BAC and after PACE; and the failures: a chip whose private key
// does not match DG14 (the next command fails, so CA is not proven), refused commands and
// invalid keys.
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { MrtdNative } from '../../src/native/mrtd.js';
import { performBac } from '../../src/mrtd/access/bac.js';
import { performPace } from '../../src/mrtd/access/pace.js';
import { performChipAuthentication, type CaOptions } from '../../src/mrtd/auth/ca.js';
import { systemRandom } from '../../src/mrtd/card.js';
import { CaChip } from '../../src/mrtd/chip/ca.js';
import { DEFAULT_QUIRKS } from '../../src/mrtd/chip/config.js';
import { encodeDhPrivateKey, encodeDhPublicKeyInfo, parsePrivateKey } from '../../src/mrtd/chip/private-keys.js';
import { createChipProtocols } from '../../src/mrtd/chip/protocols.js';
import { VirtualChip } from '../../src/mrtd/chip/virtual-chip.js';
import { encodeCommand, parseResponse, type Transceiver } from '../../src/mrtd/apdu.js';
import { keyAgreementProtocol, keyAgreementProtocolOid, OID, type Cipher } from '../../src/mrtd/lds/oids.js';
import { encodeCardAccess, encodeDg14, type SecurityInfo } from '../../src/mrtd/lds/security-infos.js';
import { parseSubjectPublicKeyInfo, type SubjectPublicKeyInfo } from '../../src/mrtd/lds/spki.js';
import { standardDomain } from '../../src/mrtd/params/domains.js';
import { encodePem } from '../../src/mrtd/pki/pem.js';
import { encode, parseSingle } from '../../src/mrtd/tlv.js';
import { bigintFromBytes, bigintToBytes } from '../../src/util/bytes.js';

const native = new MrtdNative();
const MRZ = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10';
const MRZ_INFO = 'L898902C3674081221204159';
const DG1 = encode(0x61, encode(0x5f1f, Buffer.from(MRZ.replace('\n', ''))));

interface Key {
  readonly pem: string;
  readonly spki: SubjectPublicKeyInfo;
  readonly ka: 'ECDH' | 'DH';
}

function ecKey(curve: string): Key {
  const pair = generateKeyPairSync('ec', { namedCurve: curve });
  const der = pair.publicKey.export({ type: 'spki', format: 'der' });
  return { pem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, spki: parseSubjectPublicKeyInfo(parseSingle(der), 'SPKI'), ka: 'ECDH' };
}

function dhKey(id: number): Key {
  const d = standardDomain(id)!;
  if (d.kind !== 'DH') throw new Error('DH');
  const x = bigintToBytes((bigintFromBytes(systemRandom(d.group.q!.length)) % (bigintFromBytes(d.group.q!) - 2n)) + 2n);
  const y = native.modExp(d.group.g, x, d.group.p);
  return { pem: encodePem('PRIVATE KEY', encodeDhPrivateKey(d.group, x)), spki: parseSubjectPublicKeyInfo(parseSingle(encodeDhPublicKeyInfo(d.group, y)), 'SPKI'), ka: 'DH' };
}

const caInfo = (ka: 'ECDH' | 'DH', cipher: Cipher, version = 1, keyId?: number): SecurityInfo => {
  const oid = keyAgreementProtocolOid({ protocol: 'CA', keyAgreement: ka, cipher, mac: cipher === '3DES' ? 'CBC' : 'CMAC' })!;
  return { type: 'ChipAuthenticationInfo', protocol: oid, suite: keyAgreementProtocol(oid)!, version, ...(keyId === undefined ? {} : { keyId }) };
};
const pkInfo = (k: Key, keyId?: number): SecurityInfo => ({
  type: 'ChipAuthenticationPublicKeyInfo', protocol: k.ka === 'ECDH' ? OID.idPK_ECDH : OID.idPK_DH, keyAgreement: k.ka, publicKey: k.spki, ...(keyId === undefined ? {} : { keyId }),
});

function chip(dg14: readonly SecurityInfo[], keys: readonly { keyId?: number; pem: string }[], extraFiles: [string, Buffer][] = []): Transceiver {
  const files = new Map<string, Buffer>([['EF.COM', encode(0x60, Buffer.from('5F0104303130375F36063034303030305C026175', 'hex'))], ['DG1', DG1], ['DG14', encodeDg14({ securityInfos: dg14 })], ...extraFiles]);
  const config = {
    mrz: MRZ, can: '123456', bac: true, activeAuthentication: undefined,
    chipAuthentication: keys.map((k) => ({ keyId: k.keyId, privateKeyPem: k.pem })),
    paceCamPrivateKeyPem: undefined, terminalAuthentication: undefined, quirks: { ...DEFAULT_QUIRKS, extendedLength: true, maxResponseBytes: 1000 },
  };
  const passport = { files, config };
  const c = new VirtualChip(passport, { native, random: systemRandom, protocols: createChipProtocols(passport, { native, random: systemRandom }) });
  return { transceive: (b) => c.process(b) };
}

const selectApp = encodeCommand({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: Buffer.from('A0000002471001', 'hex') });
const selectDg1 = encodeCommand({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: Buffer.from('0101', 'hex') });

async function caAfterBac(link: Transceiver, dg14: readonly SecurityInfo[], options: CaOptions = {}) {
  await link.transceive(selectApp);
  const bac = await performBac(link, MRZ_INFO, { native, random: systemRandom });
  const ca = await performChipAuthentication(link, bac.channel, dg14, { native, random: systemRandom }, options);
  const sw = parseResponse(await ca.channel.transceive(selectDg1)).sw;
  return { bac, ca, sw };
}

const keys = {
  bp256: ecKey('brainpoolP256r1'),
  p256: ecKey('prime256v1'),
  p384: ecKey('secp384r1'),
  bp512: ecKey('brainpoolP512r1'),
  dh0: dhKey(0),
  dh2: dhKey(2),
};

t.test('every key × every cipher: CA completes and the next protected command succeeds', async (t) => {
  for (const [name, k] of Object.entries(keys)) {
    for (const cipher of ['3DES', 'AES-128', 'AES-192', 'AES-256'] as const) {
      const dg14 = [caInfo(k.ka, cipher), pkInfo(k)];
      const { ca, sw, bac } = await caAfterBac(chip(dg14, [{ pem: k.pem }]), dg14);
      t.equal(sw, 0x9000, `${name} ${cipher}`);
      t.equal(ca.cipher, cipher);
      t.equal(ca.command, cipher === '3DES' ? 'KAT' : 'AT');
      t.equal(ca.keyAgreement, k.ka);
      t.ok(bac.channel.closed);
      t.same(ca.keys.ssc, Buffer.alloc(cipher === '3DES' ? 8 : 16).fill(0));
    }
  }
});

t.test('3DES through Set AT, version 2, keyIds, and a DG14 without ChipAuthenticationInfo', async (t) => {
  const k = keys.bp256;
  let dg14 = [caInfo('ECDH', '3DES'), pkInfo(k)];
  let r = await caAfterBac(chip(dg14, [{ pem: k.pem }]), dg14, { command: 'at' });
  t.equal(r.sw, 0x9000);
  t.equal(r.ca.command, 'AT');
  dg14 = [caInfo('ECDH', 'AES-256', 2), pkInfo(k)];
  r = await caAfterBac(chip(dg14, [{ pem: k.pem }]), dg14);
  t.equal(r.sw, 0x9000);
  t.equal(r.ca.version2, true, 'nonce and token checked');
  dg14 = [pkInfo(keys.dh0)];
  r = await caAfterBac(chip(dg14, [{ pem: keys.dh0.pem }]), dg14);
  t.equal(r.sw, 0x9000);
  t.equal(r.ca.inferred, true);
  t.equal(r.ca.command, 'KAT');
  // Two keys: the terminal names the key with DO84.
  dg14 = [caInfo('ECDH', 'AES-128', 1, 7), pkInfo(keys.p256, 7), caInfo('DH', 'AES-128', 1, 9), pkInfo(keys.dh2, 9)];
  const link = chip(dg14, [{ keyId: 7, pem: keys.p256.pem }, { keyId: 9, pem: keys.dh2.pem }]);
  r = await caAfterBac(link, dg14, { keyId: 9 });
  t.equal(r.sw, 0x9000);
  t.equal(r.ca.keyId, 9);
  t.equal(r.ca.keyAgreement, 'DH');
});

t.test('CA after PACE (AES secure messaging before, 3DES after)', async (t) => {
  const k = keys.p384;
  const dg14 = [caInfo('ECDH', '3DES'), pkInfo(k)];
  const paceOid = `${OID.idPACE_ECDH_GM}.4`;
  const link = chip(dg14, [{ pem: k.pem }], [['EF.CardAccess', encodeCardAccess([{ type: 'PACEInfo', protocol: paceOid, suite: keyAgreementProtocol(paceOid)!, version: 2, parameterId: 13 }])]]);
  const pace = await performPace(link, { kind: 'MRZ', mrzInformation: MRZ_INFO }, { protocol: paceOid, parameterId: 13 }, { native, random: systemRandom });
  t.equal(parseResponse(await pace.channel.transceive(selectApp)).sw, 0x9000);
  const ca = await performChipAuthentication(link, pace.channel, dg14, { native, random: systemRandom });
  t.equal(ca.cipher, '3DES');
  t.equal(parseResponse(await ca.channel.transceive(selectDg1)).sw, 0x9000);
});

t.test('a chip without the DG14 private key: CA is not proven by the next command', async (t) => {
  const dg14 = [caInfo('ECDH', 'AES-128'), pkInfo(keys.bp256)];
  const other = ecKey('brainpoolP256r1');
  const { sw, ca } = await caAfterBac(chip(dg14, [{ pem: other.pem }]), dg14);
  t.not(sw, 0x9000, 'the chip cannot check the MAC and ends secure messaging');
  t.equal(ca.channel.closed, true);
});

t.test('refusals and invalid data', async (t) => {
  const k = keys.bp256;
  // The chip offers AES only: Set KAT (3DES) is refused, and there is no fallback for AES.
  const dg14 = [caInfo('ECDH', 'AES-128'), pkInfo(k)];
  const link = chip(dg14, [{ pem: k.pem }]);
  await link.transceive(selectApp);
  const bac = await performBac(link, MRZ_INFO, { native, random: systemRandom });
  const claimed = [caInfo('ECDH', '3DES'), pkInfo(k)];
  await t.rejects(performChipAuthentication(link, bac.channel, claimed, { native, random: systemRandom }, { command: 'kat' }), { code: 'STATUS', step: 'CA', sw: 0x6985 });
  t.equal(bac.channel.closed, false, 'a refused CA leaves the old channel working');
  t.equal(parseResponse(await bac.channel.transceive(selectDg1)).sw, 0x9000);
  await t.rejects(performChipAuthentication(link, bac.channel, dg14, { native, random: systemRandom }, { command: 'kat' }), { code: 'UNSUPPORTED' });
  // The chip side refuses invalid terminal keys and unknown references.
  const c = new CaChip({ securityInfos: dg14, keys: [{ key: parsePrivateKey(k.pem, native) }] }, { native, random: systemRandom });
  t.equal(c.mseSetKat({ cla: 0, ins: 0x22, p1: 0x41, p2: 0xa6, data: Buffer.concat([Buffer.from([0x91, 0x41, 0x04]), Buffer.alloc(64, 1)]) }).response.sw, 0x6985, 'AES-only chip: no 3DES');
  const oid = Buffer.from('800A04007F00070202030202', 'hex'); // DO80 id-CA-ECDH-AES-CBC-CMAC-128
  t.equal(c.mseSetAt({ cla: 0, ins: 0x22, p1: 0x41, p2: 0xa4, data: oid }).response.sw, 0x9000);
  t.equal(c.generalAuthenticate({ cla: 0, ins: 0x86, p1: 0, p2: 0, data: Buffer.concat([Buffer.from([0x7c, 0x43, 0x80, 0x41, 0x04]), Buffer.alloc(64, 1)]) }).response.sw, 0x6a80, 'point off the curve');
  t.equal(c.generalAuthenticate({ cla: 0, ins: 0x86, p1: 0, p2: 0, data: Buffer.from('7C00', 'hex') }).response.sw, 0x6985, 'no MSE before');
  t.equal(c.mseSetAt({ cla: 0, ins: 0x22, p1: 0x41, p2: 0xa4, data: Buffer.concat([oid, Buffer.from('840105', 'hex')]) }).response.sw, 0x6a88, 'unknown key reference');
});
