// Active Authentication terminal ↔ chip side: RSA 1024 and 2048 with every hash (implicit
// trailer for SHA-1, explicit for the others), ECDSA on P-256, brainpoolP256r1 and P-384 with
// plain r||s and DER answers and with TR-03111 and X9.62 algorithm OIDs; tampered signatures
// and wrong challenges are `verified: false`, refusals are errors.
import t from 'tap';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { MrtdNative } from '../../src/native/mrtd.js';
import { performActiveAuthentication, aaSignatureHash } from '../../src/mrtd/auth/aa.js';
import { systemRandom } from '../../src/mrtd/card.js';
import { AaChip, type AaChipConfig } from '../../src/mrtd/chip/aa.js';
import { parsePrivateKey } from '../../src/mrtd/chip/private-keys.js';
import { encodeResponse, parseCommand, parseResponse, type Transceiver } from '../../src/mrtd/apdu.js';
import { OID } from '../../src/mrtd/lds/oids.js';
import type { ActiveAuthenticationInfo } from '../../src/mrtd/lds/security-infos.js';
import { parseSubjectPublicKeyInfo } from '../../src/mrtd/lds/spki.js';
import { ECDSA_BY_HASH, ECDSA_PLAIN_BY_HASH, HASH_NAMES, type HashName } from '../../src/mrtd/pki/oids.js';
import { parseSingle } from '../../src/mrtd/tlv.js';

const native = new MrtdNative();
const ctx = { native, random: systemRandom };

function keyPair(kind: 'rsa' | 'ec', param: number | string) {
  const pair = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: param as number }) : generateKeyPairSync('ec', { namedCurve: param as string });
  const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  return { key: parsePrivateKey(pem, native), spki: parseSubjectPublicKeyInfo(parseSingle(createPublicKey(pem).export({ type: 'spki', format: 'der' })), 'DG15') };
}

function link(config: AaChipConfig, tamper?: (sig: Buffer) => Buffer): Transceiver {
  const chip = new AaChip(config, { native, random: systemRandom });
  return {
    transceive: (c) => {
      const r = chip.handle(parseCommand(c)).response;
      return Promise.resolve(encodeResponse(tamper && r.sw === 0x9000 ? { data: tamper(r.data), sw: r.sw } : r));
    },
  };
}
const aaInfo = (signatureAlgorithm: string): ActiveAuthenticationInfo => ({ type: 'ActiveAuthenticationInfo', protocol: OID.aaProtocolObject, version: 1, signatureAlgorithm });
const flip = (b: Buffer): Buffer => {
  const c = Buffer.from(b);
  c[c.length >> 1]! ^= 0x04;
  return c;
};

t.test('RSA (ISO/IEC 9796-2 scheme 1) with every hash', async (t) => {
  for (const bits of [1024, 2048]) {
    const { key, spki } = keyPair('rsa', bits);
    for (const hash of HASH_NAMES) {
      const r = await performActiveAuthentication(link({ key, rsaHash: hash }), spki, undefined, ctx);
      t.equal(r.verified, true, `RSA-${bits} ${hash}`);
      t.equal(r.algorithm, `RSA-ISO9796-2-${hash.toUpperCase()}`);
      t.equal(r.challenge.length, 8);
      const bad = await performActiveAuthentication(link({ key, rsaHash: hash }, flip), spki, undefined, ctx);
      t.equal(bad.verified, false, `RSA-${bits} ${hash} tampered`);
      t.ok(bad.failure);
    }
  }
});

t.test('ECDSA, plain and DER, with TR-03111 and X9.62 OIDs', async (t) => {
  for (const curve of ['prime256v1', 'brainpoolP256r1', 'secp384r1']) {
    const { key, spki } = keyPair('ec', curve);
    for (const hash of ['sha224', 'sha256', 'sha384', 'sha512'] as HashName[]) {
      for (const encoding of ['plain', 'der'] as const) {
        for (const oid of [ECDSA_PLAIN_BY_HASH[hash], ECDSA_BY_HASH[hash]]) {
          t.equal(aaSignatureHash(oid), hash);
          const config = { key, signatureAlgorithm: oid, ecdsaEncoding: encoding };
          const r = await performActiveAuthentication(link(config), spki, aaInfo(oid), ctx);
          t.equal(r.verified, true, `${curve} ${hash} ${encoding} ${oid}`);
          t.equal(r.algorithm, `ECDSA-${hash.toUpperCase()}`);
        }
        const bad = await performActiveAuthentication(link({ key, signatureAlgorithm: ECDSA_PLAIN_BY_HASH[hash], ecdsaEncoding: encoding }, flip), spki, aaInfo(ECDSA_PLAIN_BY_HASH[hash]), ctx);
        t.equal(bad.verified, false, `${curve} ${hash} ${encoding} tampered`);
      }
    }
    // Without ActiveAuthenticationInfo the terminal tries the likely hash first, then the others.
    const r = await performActiveAuthentication(link({ key, signatureAlgorithm: ECDSA_PLAIN_BY_HASH.sha384 }), spki, undefined, ctx);
    t.equal(r.verified, true);
    t.equal(r.algorithm, 'ECDSA-SHA384');
    // The announced hash must be the one used.
    const wrong = await performActiveAuthentication(link({ key, signatureAlgorithm: ECDSA_PLAIN_BY_HASH.sha384 }), spki, aaInfo(ECDSA_PLAIN_BY_HASH.sha256), ctx);
    t.equal(wrong.verified, false);
  }
});

t.test('a signature over another challenge, garbage, and refusals', async (t) => {
  const { key, spki } = keyPair('ec', 'prime256v1');
  const replay: Transceiver = {
    transceive: (c) => {
      const cmd = parseCommand(c);
      const other = { ...cmd, data: Buffer.alloc(8, 0x42) };
      return Promise.resolve(encodeResponse(new AaChip({ key }, { native, random: systemRandom }).handle(other).response));
    },
  };
  t.equal((await performActiveAuthentication(replay, spki, undefined, ctx)).verified, false);
  for (const data of [Buffer.alloc(0), Buffer.alloc(3), Buffer.alloc(64, 0xff), Buffer.from('3006020100020100', 'hex')]) {
    const r = await performActiveAuthentication({ transceive: () => Promise.resolve(encodeResponse({ data, sw: 0x9000 })) }, spki, undefined, ctx);
    t.equal(r.verified, false);
  }
  const rsa = keyPair('rsa', 1024);
  for (const data of [Buffer.alloc(0), Buffer.alloc(128, 0xff), Buffer.alloc(129, 1), Buffer.alloc(128, 0)]) {
    const r = await performActiveAuthentication({ transceive: () => Promise.resolve(encodeResponse({ data, sw: 0x9000 })) }, rsa.spki, undefined, ctx);
    t.equal(r.verified, false);
  }
  await t.rejects(performActiveAuthentication({ transceive: () => Promise.resolve(Buffer.from('6982', 'hex')) }, spki, undefined, ctx), { code: 'STATUS', step: 'AA', sw: 0x6982 });
  // The chip wants exactly 8 bytes.
  const chip = new AaChip({ key }, { native, random: systemRandom });
  t.equal(chip.handle({ cla: 0, ins: 0x88, p1: 0, p2: 0, data: Buffer.alloc(7) }).response.sw, 0x6700);
  t.equal(parseResponse(encodeResponse(chip.handle({ cla: 0, ins: 0x88, p1: 0, p2: 0, data: Buffer.alloc(8) }).response)).sw, 0x9000);
});
