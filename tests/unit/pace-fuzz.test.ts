// Property tests (fast-check): random and mutated chip answers fed to the terminal sides of
// PACE, Chip Authentication and Active Authentication end in a result or a typed MrtdError /
// ParseError — never another exception or a hang; random commands fed to the chip sides of
// PACE, CA and AA always get a status word.
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { ParseError } from '../../src/errors.js';
import { MrtdNative } from '../../src/native/mrtd.js';
import { performPace } from '../../src/mrtd/access/pace.js';
import { performChipAuthentication } from '../../src/mrtd/auth/ca.js';
import { performActiveAuthentication } from '../../src/mrtd/auth/aa.js';
import { scriptedRandom, systemRandom } from '../../src/mrtd/card.js';
import { AaChip } from '../../src/mrtd/chip/aa.js';
import { CaChip } from '../../src/mrtd/chip/ca.js';
import { PaceChip } from '../../src/mrtd/chip/pace.js';
import { parsePrivateKey } from '../../src/mrtd/chip/private-keys.js';
import { encodeResponse, parseCommand, type CommandApdu, type Transceiver } from '../../src/mrtd/apdu.js';
import { MrtdError } from '../../src/mrtd/errors.js';
import { keyAgreementProtocol, OID } from '../../src/mrtd/lds/oids.js';
import { parseDg14, type PaceInfo } from '../../src/mrtd/lds/security-infos.js';
import { parseSubjectPublicKeyInfo } from '../../src/mrtd/lds/spki.js';
import { SecureChannel } from '../../src/mrtd/sm/channel.js';
import { SmCodec } from '../../src/mrtd/sm/codec.js';
import { parseSingle } from '../../src/mrtd/tlv.js';
import { fromHex } from '../../src/util/bytes.js';

const native = new MrtdNative();
const RUNS = 150;
const typed = (e: unknown): boolean => e instanceof MrtdError || e instanceof ParseError;

const g1 = JSON.parse(readFileSync(new URL('../fixtures/mrtd/examples/pace-G1.json', import.meta.url), 'utf8')) as { access: { mrz: string }; random: string[]; exchanges: { command: string; response: string }[] };
const g1Responses = g1.exchanges.map((e) => fromHex(e.response));
const g1Info = { protocol: `${OID.idPACE_ECDH_GM}.2`, parameterId: 13 };

/** A mutation of a byte string: flip, truncate, extend, replace a range, or entirely random. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 20 }) }),
  fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 300 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(b: Buffer, m: Mutation): Buffer {
  switch (m.kind) {
    case 'flip': {
      if (b.length === 0) return b;
      const c = Buffer.from(b);
      c[m.at % c.length]! ^= 1 << m.bit;
      return c;
    }
    case 'truncate':
      return b.subarray(0, m.at % (b.length + 1));
    case 'extend':
      return Buffer.concat([b, m.bytes]);
    case 'replace': {
      const c = Buffer.from(b);
      Buffer.from(m.bytes).copy(c, b.length === 0 ? 0 : m.at % b.length);
      return c;
    }
    case 'random':
      return Buffer.from(m.bytes);
  }
}

async function settles(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch (e) {
    return typed(e);
  }
}

t.test('PACE terminal: mutated G.1 answers end typed', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 4 }), mutation, async (step, m) => {
      let i = 0;
      const card: Transceiver = { transceive: () => Promise.resolve(i === step ? mutate(g1Responses[i++]!, m) : g1Responses[i++] ?? Buffer.from('6F00', 'hex')) };
      return settles(performPace(card, { kind: 'MRZ', mrzInformation: g1.access.mrz }, g1Info, { native, random: scriptedRandom(g1.random.map((h) => fromHex(h))) }));
    }),
    { numRuns: RUNS },
  );
  t.pass('every run settled with a result or a typed error');
});

t.test('PACE terminal: random answers for every mapping end typed', async (t) => {
  const suites = [`${OID.idPACE_ECDH_GM}.2`, `${OID.idPACE_ECDH_IM}.3`, `${OID.idPACE_ECDH_CAM}.4`, `${OID.idPACE_DH_GM}.1`, `${OID.idPACE_DH_IM}.2`];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...suites), fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 6 }), async (oid, answers) => {
      let i = 0;
      const card: Transceiver = { transceive: () => Promise.resolve(Buffer.from(answers[i++ % answers.length]!)) };
      return settles(performPace(card, { kind: 'CAN', can: '123456' }, { protocol: oid, parameterId: oid.includes('.4.1.') || oid.includes('.4.3.') ? 0 : 13 }, { native, random: systemRandom }));
    }),
    { numRuns: RUNS },
  );
  t.pass();
});

t.test('PACE terminal: a chip whose real answers are mutated at one step ends typed (all mappings)', async (t) => {
  const camKey = parsePrivateKey(generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }), native);
  const suites = [`${OID.idPACE_ECDH_GM}.1`, `${OID.idPACE_ECDH_IM}.2`, `${OID.idPACE_ECDH_CAM}.2`, `${OID.idPACE_DH_IM}.4`];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...suites), fc.integer({ min: 0, max: 4 }), mutation, async (oid, step, m) => {
      const id = oid.includes('.4.3.') ? 0 : 13;
      const info: PaceInfo = { type: 'PACEInfo', protocol: oid, suite: keyAgreementProtocol(oid)!, version: 2, parameterId: id };
      const chip = new PaceChip({ securityInfos: [info], can: '123456', camKey }, { native, random: systemRandom });
      let i = 0;
      const card: Transceiver = {
        transceive: (c) => {
          const r = encodeResponse(chip.handle(parseCommand(c)).response);
          return Promise.resolve(i++ === step ? mutate(r, m) : r);
        },
      };
      return settles(performPace(card, { kind: 'CAN', can: '123456' }, info, { native, random: systemRandom }));
    }),
    { numRuns: RUNS },
  );
  t.pass();
});

t.test('CA terminal: mutated answers inside valid secure messaging end typed', async (t) => {
  const at = (JSON.parse(readFileSync(new URL('../fixtures/mrtd/ca-transcripts.json', import.meta.url), 'utf8')) as Record<string, { dg14: string }>).AT_ecdh_aes128!;
  const infos = parseDg14(fromHex(at.dg14)).securityInfos;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom<'auto' | 'kat' | 'at'>('auto', 'kat', 'at'), fc.array(fc.uint8Array({ maxLength: 80 }), { minLength: 1, maxLength: 3 }), fc.constantFrom(0x9000, 0x6a80, 0x6300), async (command, answers, sw) => {
      const keys = { cipher: 'AES-128' as const, ksEnc: Buffer.alloc(16, 1), ksMac: Buffer.alloc(16, 2), ssc: Buffer.alloc(16) };
      const chipSide = new SmCodec(keys, native);
      let i = 0;
      const raw: Transceiver = {
        transceive: (c) => {
          chipSide.unwrapCommand(parseCommand(c));
          return Promise.resolve(encodeResponse(chipSide.wrapResponse({ data: Buffer.from(answers[i++ % answers.length]!), sw })));
        },
      };
      return settles(performChipAuthentication(raw, new SecureChannel(raw, keys, native), infos, { native, random: systemRandom }, { command }));
    }),
    { numRuns: RUNS },
  );
  t.pass();
});

t.test('AA terminal: random signatures are a negative result or a typed error', async (t) => {
  const keys = ['rsa', 'ec'].map((k) => {
    const pair = k === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 1024 }) : generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' });
    return parseSubjectPublicKeyInfo(parseSingle(pair.publicKey.export({ type: 'spki', format: 'der' })), 'DG15');
  });
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...keys), fc.uint8Array({ maxLength: 300 }), async (spki, sig) => {
      try {
        const r = await performActiveAuthentication({ transceive: () => Promise.resolve(encodeResponse({ data: Buffer.from(sig), sw: 0x9000 })) }, spki, undefined, { native, random: systemRandom });
        return !r.verified;
      } catch (e) {
        return typed(e);
      }
    }),
    { numRuns: RUNS },
  );
  t.pass();
});

t.test('chip sides: random commands always get a status word', async (t) => {
  const ec = parsePrivateKey(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }), native);
  const rsa = parsePrivateKey(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }), native);
  const infos: PaceInfo[] = [`${OID.idPACE_ECDH_GM}.2`, `${OID.idPACE_DH_IM}.1`, `${OID.idPACE_ECDH_CAM}.2`].map((oid) => ({ type: 'PACEInfo', protocol: oid, suite: keyAgreementProtocol(oid)!, version: 2, parameterId: oid.includes('.4.3.') ? 0 : 12 }));
  const pace = new PaceChip({ securityInfos: infos, mrzInformation: 'L898902C3674081221204159', can: '1', camKey: ec }, { native, random: systemRandom });
  const ca = new CaChip({ securityInfos: [], keys: [{ key: ec }] }, { native, random: systemRandom });
  const aa = new AaChip({ key: rsa }, { native, random: systemRandom });
  const mse = Buffer.from('800A04007F00070202040202830101840C', 'hex');
  const command = fc.record({
    cla: fc.constantFrom(0x00, 0x10),
    ins: fc.constantFrom(0x22, 0x86, 0x88),
    p1: fc.constantFrom(0x41, 0xc1, 0x00),
    p2: fc.constantFrom(0xa4, 0xa6, 0x00),
    data: fc.oneof(fc.uint8Array({ maxLength: 150 }).map((b) => Buffer.from(b)), fc.constant(mse), fc.uint8Array({ maxLength: 70 }).map((b) => Buffer.concat([Buffer.from([0x7c, b.length + 2, 0x81, b.length]), b]))),
  });
  fc.assert(
    fc.property(fc.array(command, { minLength: 1, maxLength: 6 }), (cmds) => {
      for (const c of cmds as CommandApdu[]) {
        for (const chip of [pace, ca, aa]) {
          const r = chip.handle(c);
          if (!Number.isInteger(r.response.sw)) return false;
        }
      }
      return true;
    }),
    { numRuns: RUNS },
  );
  t.pass();
});

t.test('chip.json private keys: random and mutated PKCS #8 end in a key or a typed error', async (t) => {
  const valid = [
    generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' }).privateKey.export({ type: 'pkcs8', format: 'der' }),
    generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'der' }),
  ];
  fc.assert(
    fc.property(fc.constantFrom(...valid), mutation, (der, m) => {
      try {
        parsePrivateKey(mutate(der, m), native);
        return true;
      } catch (e) {
        return typed(e);
      }
    }),
    { numRuns: RUNS },
  );
  t.throws(() => parsePrivateKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', native), ParseError);
});
