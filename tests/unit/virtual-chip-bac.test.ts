// The virtual chip in process: BAC, secure messaging, file reading with every quirk, and the
// access rules a real eMRTD enforces.
import t from 'tap';
import { createHash } from 'node:crypto';
import { MrtdNative } from '../../src/native/mrtd.js';
import { VirtualChip } from '../../src/mrtd/chip/virtual-chip.js';
import { DEFAULT_QUIRKS, type ChipQuirks } from '../../src/mrtd/chip/config.js';
import { performBac } from '../../src/mrtd/access/bac.js';
import { systemRandom } from '../../src/mrtd/card.js';
import { FileReader, plainBlockFor } from '../../src/mrtd/inspection/read-file.js';
import { ldsFile } from '../../src/mrtd/lds/files.js';
import { encode } from '../../src/mrtd/tlv.js';
import { CountingTransceiver, encodeCommand, parseResponse, type Transceiver } from '../../src/mrtd/apdu.js';

const native = new MrtdNative();
const MRZ = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10';
const bigDg2 = encode(0x75, Buffer.from(Array.from({ length: 70000 }, (_, i) => createHash('md5').update(String(i)).digest()[0]!)));

function chip(quirks: Partial<ChipQuirks>, extra: Record<string, Buffer> = {}) {
  const files = new Map<string, Buffer>([
    ['EF.COM', encode(0x60, Buffer.from('5F0104303130375F36063034303030305C026175', 'hex'))],
    ['DG1', encode(0x61, encode(0x5f1f, Buffer.from(MRZ.replace('\n', ''))))],
    ['DG2', bigDg2],
    ['EF.SOD', encode(0x77, Buffer.alloc(10))],
    ...Object.entries(extra),
  ]);
  const config = { mrz: MRZ, can: undefined, bac: true, activeAuthentication: undefined, chipAuthentication: [], paceCamPrivateKeyPem: undefined, terminalAuthentication: undefined, quirks: { ...DEFAULT_QUIRKS, ...quirks } };
  const c = new VirtualChip({ files, config }, { native, random: systemRandom });
  const link: Transceiver = { transceive: (cmd) => c.process(cmd) };
  return { chip: c, link };
}

const mrzInfo = 'L898902C3674081221204159';
const selectApp = encodeCommand({ cla: 0, ins: 0xa4, p1: 0x04, p2: 0x0c, data: Buffer.from('A0000002471001', 'hex') });
const dg2File = ldsFile('DG2');

t.test('BAC then read every file, for each block-size regime', async (t) => {
  for (const quirks of [
    { extendedLength: true, maxResponseBytes: 65536 },
    { extendedLength: true, maxResponseBytes: 1500 },
    { extendedLength: true, maxResponseBytes: 231 },
    { extendedLength: false, maxResponseBytes: 256 },
    { extendedLength: false, maxResponseBytes: 256, endOfFile: '9000' as const },
    { extendedLength: false, maxResponseBytes: 256, endOfFile: '6B00' as const },
  ]) {
    const { link } = chip(quirks);
    const counted = new CountingTransceiver(link);
    t.equal(parseResponse(await counted.transceive(selectApp)).sw, 0x9000);
    const bac = await performBac(counted, mrzInfo, { native, random: systemRandom });
    const reader = new FileReader(bac.channel, { extendedLength: quirks.extendedLength, smBlock: 8 });
    const dg1 = await reader.read(ldsFile('DG1'));
    t.equal(dg1?.length, 93, `DG1 ${JSON.stringify(quirks)}`);
    const dg2 = await reader.read(dg2File);
    t.ok(dg2?.equals(bigDg2), `DG2 of ${bigDg2.length} bytes intact ${JSON.stringify(quirks)}`);
    t.equal(await reader.read(ldsFile('DG11')), undefined, 'absent file');
    t.ok(counted.stats.apdus < (quirks.extendedLength && quirks.maxResponseBytes > 60000 ? 12 : 500), `${counted.stats.apdus} APDUs`);
  }
});

t.test('an indefinite-length file is read to its end-of-contents and kept intact', async (t) => {
  // DG11 as some chips write it: 6B 80 ... 00 00 (BER indefinite form, ISO/IEC 8825-1 §8.1.3.6).
  const inner = Buffer.concat(Array.from({ length: 40 }, (_, i) => encode(0x5f0e, Buffer.alloc(20, 0x41 + (i % 26)))));
  const dg11 = Buffer.concat([Buffer.from([0x6b, 0x80]), inner, Buffer.from([0, 0])]);
  for (const extendedLength of [true, false]) {
    const { link } = chip({ extendedLength, maxResponseBytes: extendedLength ? 65536 : 256 }, { DG11: dg11 });
    await link.transceive(selectApp);
    const bac = await performBac(link, mrzInfo, { native, random: systemRandom });
    const reader = new FileReader(bac.channel, { extendedLength, smBlock: 8 });
    const got = await reader.read(ldsFile('DG11'));
    t.ok(got?.equals(dg11), `${dg11.length} bytes intact (extended length ${extendedLength})`);
  }
});

t.test('the block size for short protected reads fits 256 bytes', async (t) => {
  t.equal(plainBlockFor(256, 8, true), 231);
  t.equal(plainBlockFor(256, 16, true), 223);
  t.equal(plainBlockFor(256, 8, false), 256);
});

t.test('access rules: no reading without a session; a plain command ends the session', async (t) => {
  const { link } = chip({});
  await link.transceive(selectApp);
  const plainRead = encodeCommand({ cla: 0, ins: 0xb0, p1: 0x81, p2: 0, ne: 4 });
  t.equal(parseResponse(await link.transceive(plainRead)).sw, 0x6982);
  const bac = await performBac(link, mrzInfo, { native, random: systemRandom });
  t.equal(parseResponse(await bac.channel.transceive(plainRead)).sw, 0x9000);
  t.equal(parseResponse(await link.transceive(plainRead)).sw, 0x6987, 'plain command inside SM');
  t.equal(parseResponse(await bac.channel.transceive(plainRead)).sw, 0x6987, 'the chip no longer speaks secure messaging');
  t.ok(bac.channel.closed, 'and the terminal closed the channel');
});

t.test('a wrong MRZ is refused with 6300', async (t) => {
  const { link } = chip({});
  await t.rejects(performBac(link, 'L898902C3674081221204158', { native, random: systemRandom }), { code: 'AUTH_FAILED', sw: 0x6300 });
});

t.test('hostile commands get status words, never exceptions', async (t) => {
  const { chip: c } = chip({});
  for (const hex of ['', '00', '00A4', '0CB0000000', '00B0', 'FFFFFFFF05', '00B1000003540201', '0C84000008']) {
    const r = parseResponse(await c.process(Buffer.from(hex, 'hex')));
    t.ok(r.sw !== 0x9000 || hex === '', `${hex || '(empty)'} → ${r.sw.toString(16)}`);
  }
});
