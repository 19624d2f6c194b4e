// The fault list (chip.json `faults`) and the FaultyChip wrapper: validation of every field,
// triggers, each fault's effect on the bytes, faults under secure messaging through the virtual
// chip's plain-answer hook, and the secure channel's count of verified responses that the
// inspection's chip authentication rests on.
import t from 'tap';
import fc from 'fast-check';
import { MrtdNative } from '../../src/native/mrtd.js';
import { DeviceGoneError } from '../../src/errors.js';
import { LineLogger } from '../../src/log.js';
import { FaultListError, MUTE_CARD_REPORT_MS, parseFaults } from '../../src/mrtd/chip/fault-list.js';
import { FaultyChip } from '../../src/mrtd/chip/faults.js';
import { ChipConfigError, DEFAULT_QUIRKS, parseChipConfig } from '../../src/mrtd/chip/config.js';
import { chipAtr, type ChipLike } from '../../src/mrtd/chip/link.js';
import { VirtualChip } from '../../src/mrtd/chip/virtual-chip.js';
import { performBac } from '../../src/mrtd/access/bac.js';
import { systemRandom } from '../../src/mrtd/card.js';
import { FileReader } from '../../src/mrtd/inspection/read-file.js';
import { ldsFile } from '../../src/mrtd/lds/files.js';
import { SmCodec } from '../../src/mrtd/sm/codec.js';
import { kdf } from '../../src/mrtd/sm/keys.js';
import { encode, readHeader, readTlv } from '../../src/mrtd/tlv.js';
import { encodeCommand, encodeResponse, parseResponse, type Transceiver } from '../../src/mrtd/apdu.js';
import { ParseError } from '../../src/errors.js';

const native = new MrtdNative();

t.test('parseFaults fills in the defaults and takes hex or numbers', async (t) => {
  const f = parseFaults([
    { after: { apdus: 0 }, fault: 'silence' },
    { after: { ins: 'B0', nth: 3 }, fault: 'status', sw: '6A82', count: 2 },
    { after: { ins: 0x88 }, fault: 'status', sw: 0x6f00, level: 'plain' },
    { after: { file: 'DG2' }, fault: 'oversize-length' },
    { after: { file: 'EF.SOD', block: 2 }, fault: 'malformed-tlv', form: 'indefinite' },
    { after: { apdus: 5 }, fault: 'slow', ms: 20 },
    { after: { apdus: 5 }, fault: 'silence', reportAfterMs: null },
    { after: { apdus: 1 }, fault: 'corrupt-data' },
    { after: { apdus: 1 }, fault: 'truncate', keep: 3 },
  ]);
  t.same(f[0], { fault: 'silence', reportAfterMs: MUTE_CARD_REPORT_MS, after: { apdus: 0 }, count: 1 });
  t.same(f[1], { fault: 'status', sw: 0x6a82, level: 'wire', after: { ins: 0xb0, nth: 3 }, count: 2 });
  t.same(f[2], { fault: 'status', sw: 0x6f00, level: 'plain', after: { ins: 0x88, nth: 1 }, count: 1 });
  t.same(f[3], { fault: 'oversize-length', length: 0x7fffffff, after: { file: 'DG2', block: 1 }, count: 1 });
  t.same(f[4], { fault: 'malformed-tlv', form: 'indefinite', after: { file: 'EF.SOD', block: 2 }, count: 1 });
  t.same(f[5], { fault: 'slow', ms: 20, after: { apdus: 5 }, count: 1 });
  t.same(f[6], { fault: 'silence', reportAfterMs: null, after: { apdus: 5 }, count: 1 });
  t.same(f[7], { fault: 'corrupt-data', level: 'plain', after: { apdus: 1 }, count: 1 });
  t.same(f[8], { fault: 'truncate', keep: 3, level: 'wire', after: { apdus: 1 }, count: 1 });
  t.same(parseFaults([]), []);
});

t.test('parseFaults refuses every malformed field by name, never with its value', async (t) => {
  const cases: [unknown, string][] = [
    [{}, 'faults'],
    ['silence', 'faults'],
    [Array.from({ length: 65 }, () => ({ after: { apdus: 1 }, fault: 'remove' })), 'faults'],
    [[null], 'faults[0]'],
    [[{ after: { apdus: 1 } }], 'faults[0].fault'],
    [[{ after: { apdus: 1 }, fault: 'explode' }], 'faults[0].fault'],
    [[{ fault: 'remove' }], 'faults[0].after'],
    [[{ after: {}, fault: 'remove' }], 'faults[0].after'],
    [[{ after: { apdus: 1, ins: 2 }, fault: 'remove' }], 'faults[0].after'],
    [[{ after: { apdus: -1 }, fault: 'remove' }], 'faults[0].after.apdus'],
    [[{ after: { apdus: 1.5 }, fault: 'remove' }], 'faults[0].after.apdus'],
    [[{ after: { apdus: 1, nth: 2 }, fault: 'remove' }], 'faults[0].after.nth'],
    [[{ after: { ins: 'XYZ' }, fault: 'remove' }], 'faults[0].after.ins'],
    [[{ after: { ins: 256 }, fault: 'remove' }], 'faults[0].after.ins'],
    [[{ after: { ins: 0xb0, nth: 0 }, fault: 'remove' }], 'faults[0].after.nth'],
    [[{ after: { file: 'DG17' }, fault: 'remove' }], 'faults[0].after.file'],
    [[{ after: { file: 'DG2', block: 0 }, fault: 'remove' }], 'faults[0].after.block'],
    [[{ after: { file: 'DG2', blocks: 2 }, fault: 'remove' }], 'faults[0].after.blocks'],
    [[{ after: { apdus: 1 }, fault: 'remove', count: 2 }], 'faults[0].count'],
    [[{ after: { apdus: 1 }, fault: 'silence', count: 2 }], 'faults[0].count'],
    [[{ after: { apdus: 1 }, fault: 'silence', reportAfterMs: 0 }], 'faults[0].reportAfterMs'],
    [[{ after: { apdus: 1 }, fault: 'status' }], 'faults[0].sw'],
    [[{ after: { apdus: 1 }, fault: 'status', sw: '6000' }], 'faults[0].sw'],
    [[{ after: { apdus: 1 }, fault: 'status', sw: 'ZZZZ' }], 'faults[0].sw'],
    [[{ after: { apdus: 1 }, fault: 'status', sw: '6A82', level: 'air' }], 'faults[0].level'],
    [[{ after: { apdus: 1 }, fault: 'corrupt-mac', level: 'plain' }], 'faults[0].level'],
    [[{ after: { apdus: 1 }, fault: 'truncate', keep: 70000 }], 'faults[0].keep'],
    [[{ after: { apdus: 1 }, fault: 'garbage', length: -1 }], 'faults[0].length'],
    [[{ after: { apdus: 1 }, fault: 'oversize-length', length: 2 ** 32 }], 'faults[0].length'],
    [[{ after: { apdus: 1 }, fault: 'malformed-tlv', form: 'weird' }], 'faults[0].form'],
    [[{ after: { apdus: 1 }, fault: 'slow' }], 'faults[0].ms'],
    [[{ after: { apdus: 1 }, fault: 'slow', ms: 60001 }], 'faults[0].ms'],
    [[{ after: { apdus: 1 }, fault: 'slow', ms: 5, sw: '6A82' }], 'faults[0].sw'],
    [[{ after: { apdus: 1 }, fault: 'remove' }, { after: { apdus: 1 }, fault: 'remove', typo: 1 }], 'faults[1].typo'],
  ];
  for (const [value, field] of cases) {
    try {
      parseFaults(value);
      t.fail(`accepted ${JSON.stringify(value).slice(0, 60)}`);
    } catch (e) {
      t.ok(e instanceof FaultListError, `${field}: a FaultListError`);
      t.equal((e as FaultListError).field, field, `names ${field}`);
      t.notMatch((e as Error).message, /ZZZZ|XYZ|weird|explode/, 'no value in the message');
    }
  }
});

t.test('parseFaults on anything yields a fault list or a FaultListError', async (t) => {
  const entry = fc.record(
    {
      after: fc.oneof(fc.record({ apdus: fc.integer({ min: -2, max: 100 }) }), fc.record({ ins: fc.oneof(fc.integer({ min: -1, max: 300 }), fc.string({ maxLength: 3 })), nth: fc.integer({ min: -1, max: 5 }) }, { requiredKeys: ['ins'] }), fc.record({ file: fc.constantFrom('DG1', 'DG2', 'EF.SOD', 'XX'), block: fc.integer({ min: 0, max: 3 }) }, { requiredKeys: ['file'] }), fc.anything()),
      fault: fc.oneof(fc.constantFrom('silence', 'remove', 'status', 'corrupt-mac', 'corrupt-data', 'truncate', 'garbage', 'oversize-length', 'malformed-tlv', 'slow'), fc.anything()),
      sw: fc.oneof(fc.constantFrom('6A82', '9000', '6000'), fc.integer({ min: -1, max: 0x10000 })),
      ms: fc.integer({ min: -1, max: 70000 }),
      count: fc.integer({ min: 0, max: 3 }),
      level: fc.constantFrom('wire', 'plain', 'x'),
    },
    { requiredKeys: ['after', 'fault'] },
  );
  fc.assert(
    fc.property(fc.oneof(fc.array(entry, { maxLength: 4 }), fc.anything()), (v) => {
      try {
        const out = parseFaults(v);
        return Array.isArray(out) && out.every((f) => f.count >= 1);
      } catch (e) {
        return e instanceof FaultListError;
      }
    }),
    { numRuns: 2000 },
  );
  t.pass('2000 generated lists');
});

const MRZ = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10';

t.test('chip.json carries the fault list; its errors are ChipConfigErrors naming the field', async (t) => {
  const cfg = parseChipConfig(JSON.stringify({ mrz: MRZ, faults: [{ after: { file: 'DG2', block: 3 }, fault: 'silence' }] }));
  t.same(cfg.faults, [{ fault: 'silence', reportAfterMs: MUTE_CARD_REPORT_MS, after: { file: 'DG2', block: 3 }, count: 1 }]);
  t.equal(parseChipConfig(JSON.stringify({ mrz: MRZ })).faults, undefined, 'absent for a sound chip');
  t.throws(() => parseChipConfig(JSON.stringify({ mrz: MRZ, faults: [{ after: { apdus: 1 }, fault: 'status', sw: 'ZZZZ' }] })), ChipConfigError);
  try {
    parseChipConfig(JSON.stringify({ mrz: MRZ, faults: [{ after: { apdus: 1 }, fault: 'status', sw: 'ZZZZ' }] }));
  } catch (e) {
    t.match((e as Error).message, /^chip\.json: faults\[0\]\.sw: /);
    t.notMatch((e as Error).message, /ZZZZ/);
  }
  t.throws(() => parseChipConfig(JSON.stringify({ mrz: MRZ, faults: 'all' })), ChipConfigError);
});

/** A chip that answers every command with [INS, n] 9000 (n counts commands since reset) and records what it saw. */
class EchoChip implements ChipLike {
  seen: Buffer[] = [];
  resets = 0;
  readonly historicalBytes = Buffer.from([0x80, 0x73, 0xa0, 0x00, 0x80]);
  answer: (c: Buffer) => Buffer = (c) => Buffer.from([c[1]!, this.seen.length, 0x90, 0x00]);
  process(command: Buffer): Promise<Buffer> {
    this.seen.push(command);
    return Promise.resolve(this.answer(command));
  }
  reset(): void {
    this.seen = [];
    this.resets++;
  }
}

const cmd = (ins: number, p1 = 0, p2 = 0, data?: Buffer): Buffer => encodeCommand({ cla: 0, ins, p1, p2, ...(data ? { data } : {}), ne: 256 });
const sw = (r: Buffer): number => r.readUInt16BE(r.length - 2);
const SELECT_APP = cmd(0xa4, 0x04, 0x0c, Buffer.from('A0000002471001', 'hex'));

t.test('triggers: after N APDUs for `count` commands, the nth of an INS, the kth block of a file', async (t) => {
  const inner = new EchoChip();
  const chip = new FaultyChip(inner, [
    { after: { apdus: 2 }, fault: 'status', sw: '6F01', count: 2 },
    { after: { ins: 'B0', nth: 2 }, fault: 'status', sw: '6F02' },
  ]);
  const sws: number[] = [];
  for (let i = 0; i < 6; i++) sws.push(sw(await chip.process(cmd(i === 5 ? 0xb0 : 0x84))));
  t.same(sws.map((s) => s.toString(16)), ['9000', '9000', '6f01', '6f01', '9000', '9000'], 'APDUs 3 and 4');
  t.equal(inner.seen.length, 4, 'a wire status answers instead of the chip');
  t.equal(sw(await chip.process(cmd(0xb0))), 0x6f02, 'the second READ BINARY');
  t.same(chip.injections.map((i) => [i.apdu, i.fault, i.landed]), [[3, 'status', 'wire'], [4, 'status', 'wire'], [7, 'status', 'wire']]);

  // Files: by short EF identifier in the selected application, then by offset; SFI 01 is EF.ATR/INFO in the MF and DG1 in the eMRTD application.
  const files = new FaultyChip(new EchoChip(), [
    { after: { file: 'DG1' }, fault: 'status', sw: '6F03' },
    { after: { file: 'DG2', block: 2 }, fault: 'status', sw: '6F04' },
  ]);
  t.equal(sw(await files.process(cmd(0xb0, 0x81, 0))), 0x9000, 'SFI 1 in the MF is EF.ATR/INFO');
  t.equal(sw(await files.process(SELECT_APP)), 0x9000);
  t.equal(sw(await files.process(cmd(0xb0, 0x81, 0))), 0x6f03, 'SFI 1 in the application is DG1');
  t.equal(sw(await files.process(cmd(0xb0, 0x82, 0))), 0x9000, 'DG2 block 1');
  t.equal(sw(await files.process(cmd(0xb0, 0x00, 0xe0))), 0x6f04, 'DG2 block 2, by offset');
  t.equal(sw(await files.process(cmd(0xa4, 0x02, 0x0c, Buffer.from([0x01, 0x02])))), 0x9000, 'SELECT DG2 by file identifier');
  t.equal(sw(await files.process(cmd(0xb0, 0x01, 0xc0))), 0x9000, 'DG2 block 3');
  t.same(files.injections.map((i) => i.file), ['DG1', 'DG2']);

  // A power cycle restarts the counters: every session of the chip breaks at the same point.
  files.reset();
  await files.process(SELECT_APP);
  t.equal(sw(await files.process(cmd(0xb0, 0x81, 0))), 0x6f03, 'again after reset');
});

t.test('silence: pending until the mute card is reported or the field goes off; the chip stays mute', async (t) => {
  const inner = new EchoChip();
  const chip = new FaultyChip(inner, [{ after: { apdus: 1 }, fault: 'silence', reportAfterMs: 30 }]);
  // The chip's own timer does not keep a process alive (a reader's timeout does, in real use).
  const keepAlive = setTimeout(() => undefined, 5000);
  t.teardown(() => clearTimeout(keepAlive));
  t.equal(sw(await chip.process(cmd(0x84))), 0x9000);
  const started = Date.now();
  await t.rejects(chip.process(cmd(0x84)), DeviceGoneError, 'reported as a mute card');
  t.ok(Date.now() - started >= 25, 'after reportAfterMs');
  await t.rejects(chip.process(cmd(0x84)), DeviceGoneError, 'still mute');
  t.equal(inner.seen.length, 1, 'the chip saw none of the silent commands');

  const forever = new FaultyChip(new EchoChip(), [{ after: { apdus: 0 }, fault: 'silence', reportAfterMs: null }]);
  let settled = false;
  const pending = forever.process(cmd(0x84)).finally(() => {
    settled = true;
  });
  await new Promise((r) => setTimeout(r, 20));
  t.notOk(settled, 'no answer');
  forever.reset();
  await t.rejects(pending, DeviceGoneError, 'power-off ends the pending command');
  const again = forever.process(cmd(0x84));
  forever.reset();
  await t.rejects(again, DeviceGoneError, 'the next session falls silent at the same point');
});

t.test('remove: DeviceGoneError for this and every later command; onRemove runs once; power-up brings it back', async (t) => {
  let removed = 0;
  const chip = new FaultyChip(new EchoChip(), [{ after: { ins: 0xb0 }, fault: 'remove' }], { onRemove: () => removed++ });
  t.equal(sw(await chip.process(cmd(0x84))), 0x9000);
  await t.rejects(chip.process(cmd(0xb0)), DeviceGoneError);
  await t.rejects(chip.process(cmd(0x84)), DeviceGoneError);
  t.equal(removed, 1);
  chip.reset();
  t.equal(sw(await chip.process(cmd(0x84))), 0x9000);
});

t.test('slow waits through the injected sleep, then answers', async (t) => {
  const waits: number[] = [];
  const chip = new FaultyChip(new EchoChip(), [{ after: { apdus: 0 }, fault: 'slow', ms: 1234, count: 2 }], { sleep: async (ms) => void waits.push(ms) });
  t.equal(sw(await chip.process(cmd(0x84))), 0x9000);
  await chip.process(cmd(0x84));
  await chip.process(cmd(0x84));
  t.same(waits, [1234, 1234]);
});

t.test('corrupt-mac flips a bit of DO8E: the terminal refuses the response; unprotected answers have nothing to corrupt', async (t) => {
  const keys = { cipher: 'AES-128' as const, ksEnc: kdf(Buffer.from('e'), 1, 'AES-128'), ksMac: kdf(Buffer.from('m'), 2, 'AES-128'), ssc: Buffer.alloc(16) };
  const chipSide = new SmCodec(keys, native);
  const inner = new EchoChip();
  inner.answer = () => encodeResponse(chipSide.wrapResponse({ data: Buffer.from('plain data'), sw: 0x9000 }));
  const chip = new FaultyChip(inner, [{ after: { apdus: 1 }, fault: 'corrupt-mac' }]);
  const terminal = new SmCodec(keys, native);
  const ok = await chip.process(cmd(0xb0));
  t.equal(terminal.unwrapResponse(parseResponse(ok)).data.toString(), 'plain data', 'sound first');
  const bad = await chip.process(cmd(0xb0));
  t.equal(bad.length, ok.length);
  t.notSame(bad, ok);
  t.throws(() => terminal.unwrapResponse(parseResponse(bad)), { code: 'SM_MAC_INVALID' });

  const plain = new FaultyChip(new EchoChip(), [{ after: { apdus: 0 }, fault: 'corrupt-mac' }]);
  t.same(await plain.process(cmd(0x84)), Buffer.from([0x84, 1, 0x90, 0x00]), 'unchanged');
  t.equal(plain.injections[0]?.landed, 'none');
});

t.test('corrupt-data, truncate and garbage change the wire bytes as described', async (t) => {
  const data = Buffer.from('0123456789abcdef');
  const inner = new EchoChip();
  inner.answer = () => Buffer.concat([data, Buffer.from([0x90, 0x00])]);
  const chip = new FaultyChip(
    inner,
    [
      { after: { apdus: 0 }, fault: 'corrupt-data', level: 'wire' },
      { after: { apdus: 1 }, fault: 'truncate', keep: 5 },
      { after: { apdus: 2 }, fault: 'truncate' },
      { after: { apdus: 3 }, fault: 'garbage', length: 7 },
      { after: { apdus: 4 }, fault: 'truncate', level: 'plain', keep: 4 },
    ],
    { random: (n) => Buffer.alloc(n, 0xa5) },
  );
  const flipped = await chip.process(cmd(0xb0));
  t.equal(flipped[8], data[8]! ^ 1, 'the middle data byte, lowest bit');
  t.equal(sw(flipped), 0x9000);
  t.same(await chip.process(cmd(0xb0)), data.subarray(0, 5), 'cut to 5 bytes, status word gone');
  t.equal((await chip.process(cmd(0xb0))).length, 9, 'default: half');
  t.same(await chip.process(cmd(0xb0)), Buffer.alloc(7, 0xa5), 'random bytes');
  const short = await chip.process(cmd(0xb0));
  t.same(short, Buffer.from([0x30, 0x31, 0x32, 0x33, 0x90, 0x00]), 'plain level without a host: data cut, status kept');
});

t.test('oversize-length and malformed-tlv rewrite the first TLV header', async (t) => {
  const file = encode(0x75, encode(0x7f61, Buffer.alloc(300, 7)));
  const block = file.subarray(0, 200);
  const answer = async (fault: object): Promise<Buffer> => {
    const inner = new EchoChip();
    inner.answer = () => Buffer.concat([block, Buffer.from([0x90, 0x00])]);
    const r = parseResponse(await new FaultyChip(inner, [{ after: { apdus: 0 }, ...fault }]).process(cmd(0xb0, 0x82)));
    // 'indefinite' drops the length bytes (80 replaces 82 xx xx); the others keep the size.
    t.equal(r.data.length, block.length - ((fault as { form?: string }).form === 'indefinite' ? 2 : 0), `${JSON.stringify(fault)}: size`);
    return r.data;
  };
  const big = await answer({ fault: 'oversize-length' });
  t.same(big.subarray(0, 6), Buffer.from('7584' + '7fffffff', 'hex'));
  t.equal(readHeader(big, 0).length, 0x7fffffff, 'declares 2 GiB');
  t.equal(readHeader(await answer({ fault: 'oversize-length', length: 0xfffffff0 }), 0).length, 0xfffffff0);
  const badTag = await answer({ fault: 'malformed-tlv', form: 'bad-tag' });
  t.throws(() => readHeader(badTag, 0), ParseError, 'bad tag');
  const longLength = await answer({ fault: 'malformed-tlv', form: 'long-length' });
  t.same(longLength.subarray(0, 2), Buffer.from([0x75, 0x85]));
  t.throws(() => readHeader(longLength, 0), ParseError, '5 length bytes');
  const indefinite = await answer({ fault: 'malformed-tlv', form: 'indefinite' });
  t.equal(readHeader(indefinite, 0).length, undefined, 'indefinite form');
  t.throws(() => readTlv(indefinite, 0), ParseError, 'no end-of-contents');
  const overrun = await answer({ fault: 'malformed-tlv', form: 'inner-overrun' });
  const outer = readHeader(overrun, 0);
  t.equal(outer.length, file.length - 4, 'the outer header is intact');
  t.throws(() => readTlv(overrun, outer.headerLength), ParseError, 'the inner element overruns');
});

/** A BAC chip serving DG1, with a FaultyChip in front; the terminal side through a secure channel. */
async function bacSession(faults: unknown) {
  const dg1 = encode(0x61, encode(0x5f1f, Buffer.from(MRZ.replace('\n', ''))));
  const files = new Map<string, Buffer>([
    ['EF.COM', encode(0x60, Buffer.from('5F0104303130375F36063034303030305C026175', 'hex'))],
    ['DG1', dg1],
    ['EF.SOD', encode(0x77, Buffer.alloc(10))],
  ]);
  const config = { mrz: MRZ, can: undefined, bac: true, activeAuthentication: undefined, chipAuthentication: [], paceCamPrivateKeyPem: undefined, terminalAuthentication: undefined, quirks: DEFAULT_QUIRKS };
  const virtual = new VirtualChip({ files, config }, { native, random: systemRandom });
  const lines: string[] = [];
  const chip = new FaultyChip(virtual, faults, { logger: new LineLogger({ level: 'debug', write: (l) => lines.push(l) }) });
  const link: Transceiver = { transceive: (c) => chip.process(c) };
  await link.transceive(SELECT_APP);
  const bac = await performBac(link, 'L898902C3674081221204159', { native, random: systemRandom });
  return { dg1, chip, channel: bac.channel, reader: new FileReader(bac.channel, { extendedLength: false, smBlock: 8 }), lines, virtual };
}

t.test('plain-level faults land under a valid MAC through the virtual chip; wire-level ones break the MAC', async (t) => {
  const corrupt = await bacSession([{ after: { file: 'DG1' }, fault: 'corrupt-data' }]);
  const got = await corrupt.reader.read(ldsFile('DG1'));
  t.equal(got?.length, corrupt.dg1.length, 'read through');
  t.equal([...got!].filter((b, i) => b !== corrupt.dg1[i]).length, 1, 'one byte differs, and the MAC verified');
  t.equal(corrupt.chip.injections[0]?.landed, 'plain');
  t.equal(corrupt.channel.verifiedResponses, 1, 'the secure channel counts the verified response');

  const huge = await bacSession([{ after: { file: 'DG1' }, fault: 'oversize-length' }]);
  await t.rejects(huge.reader.read(ldsFile('DG1')), { name: 'MrtdError', code: 'FILE_TOO_LARGE' }, 'refused before reading on');
  t.equal(huge.chip.injections.length, 1);

  const absent = await bacSession([{ after: { file: 'DG1' }, fault: 'status', sw: '6A82', level: 'plain' }]);
  t.equal(await absent.reader.read(ldsFile('DG1')), undefined, 'a protected 6A82: absent');
  t.equal(absent.channel.verifiedResponses, 1, 'a protected status word verifies too');

  const wire = await bacSession([{ after: { file: 'DG1' }, fault: 'corrupt-data', level: 'wire' }]);
  await t.rejects(wire.reader.read(ldsFile('DG1')), { code: 'SM_MAC_INVALID' });
  t.equal(wire.channel.verifiedResponses, 0);

  const refused = await bacSession([{ after: { file: 'DG1' }, fault: 'status', sw: '6A82' }]);
  t.equal(await refused.reader.read(ldsFile('DG1')), undefined, 'an unprotected 6A82: absent too');
  t.equal(refused.channel.verifiedResponses, 0, 'but it proves nothing about the keys');

  for (const s of [corrupt, huge, absent, wire, refused]) {
    const log = s.lines.join('\n');
    t.match(log, /fault injected/);
    t.notMatch(log, /ERIKSSON|L898902C|740812|[0-9A-F]{16}/i, 'the log names the fault, not the data');
  }
});

t.test('the virtual chip applies a response filter to the next command only', async (t) => {
  const s = await bacSession([]);
  s.virtual.filterNextResponse((r) => ({ data: r.data, sw: 0x6282 }));
  const read16 = (p1: number): Buffer => encodeCommand({ cla: 0, ins: 0xb0, p1, p2: 0, ne: 16 });
  const first = await s.channel.transceive(read16(0x81));
  t.equal(sw(first), 0x6282, 'filtered (and protected: the MAC verified)');
  t.equal(s.channel.verifiedResponses, 1);
  const second = await s.channel.transceive(read16(0x00));
  t.equal(sw(second), 0x9000, 'not filtered');
});

t.test('the wrapper keeps the chip\'s ATR and passes power cycles on', async (t) => {
  const inner = new EchoChip();
  const chip = new FaultyChip(inner, []);
  t.same(chip.atr, chipAtr(inner));
  t.same(chip.historicalBytes, inner.historicalBytes);
  chip.reset();
  t.equal(inner.resets, 1);
  t.throws(() => new FaultyChip(inner, [{ fault: 'nope' }]), FaultListError, 'the list is validated at construction');
  // A round trip of the stored form: what parseFaults returns is itself a valid fault list.
  const list = parseFaults([
    { after: { file: 'DG2', block: 2 }, fault: 'garbage', length: 3, count: 4 },
    { after: { ins: 0xb0, nth: 2 }, fault: 'silence', reportAfterMs: null },
    { after: { apdus: 3 }, fault: 'remove' },
    { after: { apdus: 3 }, fault: 'status', sw: '6982', level: 'plain' },
  ]);
  t.same(parseFaults(JSON.parse(JSON.stringify(list))), list);
});
