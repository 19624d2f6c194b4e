// Secure messaging against ICAO 9303-11 Appendix D.4 and the conformance cases, and the
// terminal and chip codecs against each other for every cipher, short and extended.
import t from 'tap';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { MrtdNative } from '../../src/native/mrtd.js';
import { SmCodec } from '../../src/mrtd/sm/codec.js';
import { SecureChannel } from '../../src/mrtd/sm/channel.js';
import { kdf, type SmCipher } from '../../src/mrtd/sm/keys.js';
import { encodeCommand, encodeResponse, parseCommand, parseResponse, type Transceiver } from '../../src/mrtd/apdu.js';
import { MrtdError } from '../../src/mrtd/errors.js';
import { fromHex, toHex } from '../../src/util/bytes.js';

const native = new MrtdNative();
interface SmCase { name: string; cipher: '3des' | 'aes'; ksEnc: string; ksMac: string; ssc: string; wrap?: string; unwrap?: string; expect: Record<string, string> }
const cases = JSON.parse(readFileSync(new URL('../fixtures/mrtd/examples/sm-cases.json', import.meta.url), 'utf8')) as SmCase[];

t.test('ICAO 9303-11 D.4 cases: wrap commands and unwrap responses', async (t) => {
  for (const c of cases) {
    const keys = { cipher: (c.cipher === '3des' ? '3DES' : 'AES-128') as SmCipher, ksEnc: fromHex(c.ksEnc), ksMac: fromHex(c.ksMac), ssc: fromHex(c.ssc) };
    const codec = new SmCodec(keys, native);
    if (c.wrap) {
      t.equal(toHex(codec.wrapCommand(parseCommand(fromHex(c.wrap)))), c.expect.apdu, c.name);
    } else {
      const r = codec.unwrapResponse(parseResponse(fromHex(c.unwrap!)));
      t.equal(toHex(r.data), c.expect.data, `${c.name}: data`);
      t.equal(r.sw.toString(16), c.expect.sw, `${c.name}: sw`);
    }
    t.equal(toHex(codec.ssc), c.expect.ssc, `${c.name}: ssc`);
  }
});

function pair(cipher: SmCipher) {
  const len = cipher === '3DES' ? 8 : 16;
  const keys = { cipher, ksEnc: kdf(Buffer.from('enc'), 1, cipher), ksMac: kdf(Buffer.from('mac'), 2, cipher), ssc: Buffer.alloc(len, 0xfe) };
  return { terminal: new SmCodec(keys, native), chip: new SmCodec(keys, native), keys };
}

t.test('terminal and chip agree for every cipher, short and extended APDUs', async (t) => {
  for (const cipher of ['3DES', 'AES-128', 'AES-192', 'AES-256'] as const) {
    const { terminal, chip } = pair(cipher);
    fc.assert(fc.property(
      fc.record({ ins: fc.constantFrom(0xb0, 0xb1, 0xa4, 0x86, 0x22), data: fc.uint8Array({ maxLength: 700 }), ne: fc.option(fc.integer({ min: 1, max: 65536 }), { nil: undefined }), reply: fc.uint8Array({ maxLength: 1200 }) }),
      ({ ins, data, ne, reply }) => {
        const plain = { cla: 0, ins, p1: 1, p2: 2, ...(data.length ? { data: Buffer.from(data) } : {}), ...(ne === undefined ? {} : { ne }) };
        const wire = terminal.wrapCommand(plain);
        const seen = chip.unwrapCommand(parseCommand(wire));
        const sameData = Buffer.compare(seen.data ?? Buffer.alloc(0), Buffer.from(data)) === 0;
        const resp = chip.wrapResponse({ data: Buffer.from(reply), sw: 0x9000 });
        const back = terminal.unwrapResponse(parseResponse(encodeResponse(resp)));
        return seen.ins === ins && sameData && seen.ne === ne && back.data.equals(Buffer.from(reply)) && back.sw === 0x9000 && terminal.ssc.equals(chip.ssc);
      },
    ), { numRuns: 60 });
  }
  t.pass('round trips held');
});

t.test('a response with a bad MAC ends the channel', async (t) => {
  const { chip, keys } = pair('AES-128');
  let tamper = false;
  const link: Transceiver = {
    transceive: async (cmd) => {
      chip.unwrapCommand(parseCommand(cmd));
      const r = encodeResponse(chip.wrapResponse({ data: Buffer.from('hello'), sw: 0x9000 }));
      if (tamper) r[5]! ^= 1;
      return r;
    },
  };
  const channel = new SecureChannel(link, keys, native);
  const ok = parseResponse(await channel.transceive(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 5 })));
  t.equal(ok.data.toString(), 'hello');
  tamper = true;
  await t.rejects(channel.transceive(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 5 })), { code: 'SM_MAC_INVALID' });
  t.ok(channel.closed);
  await t.rejects(channel.transceive(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 5 })), { code: 'SESSION_CLOSED' });
});

t.test('hostile responses: random bytes give SM errors, never anything else', async (t) => {
  const { terminal } = pair('3DES');
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
    try {
      terminal.unwrapResponse({ data: Buffer.from(bytes), sw: 0x9000 });
      return false; // a random response cannot carry a valid MAC
    } catch (e) {
      return e instanceof MrtdError && (e.code === 'SM_MAC_INVALID' || e.code === 'SM_MALFORMED');
    }
  }), { numRuns: 500 });
  t.pass('typed errors only');
});

t.test('long commands go as a chain of protected short APDUs when asked', async (t) => {
  const { chip, keys } = pair('3DES');
  const links: { cla: number; bytes: number; extended: boolean }[] = [];
  let assembled = Buffer.alloc(0);
  const link: Transceiver = {
    transceive: async (cmd) => {
      const c = parseCommand(cmd);
      links.push({ cla: c.cla, bytes: cmd.length, extended: c.extended });
      const plain = chip.unwrapCommand(c);
      assembled = Buffer.concat([assembled, plain.data ?? Buffer.alloc(0)]);
      return encodeResponse(chip.wrapResponse({ data: Buffer.alloc(0), sw: 0x9000 }));
    },
  };
  const channel = new SecureChannel(link, keys, native);
  const data = Buffer.from(Array.from({ length: 600 }, (_, i) => i & 0xff));
  channel.chainLongCommands(true);
  const r = parseResponse(await channel.transceive(encodeCommand({ cla: 0, ins: 0x22, p1: 0x41, p2: 0xa6, data })));
  t.equal(r.sw, 0x9000);
  t.same(links.map((l) => l.cla), [0x1c, 0x1c, 0x0c], 'two chained links (CLA 1C) and a last one (0C)');
  t.ok(links.every((l) => !l.extended && l.bytes <= 261), 'every link a short APDU');
  t.ok(assembled.equals(data), 'the chip reassembles the data');
  links.length = 0;
  channel.chainLongCommands(false);
  await channel.transceive(encodeCommand({ cla: 0, ins: 0x22, p1: 0x41, p2: 0xa6, data }));
  t.same(links.map((l) => l.extended), [true], 'without chaining: one extended APDU');
});
