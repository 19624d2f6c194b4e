// The real PC/SC stack end to end: a private pcscd (its own mount namespace, socket and vpcd
// port, so this file can run beside others), a test chip served through vpcd, and the kiosk's
// PC/SC reader over the pcsclite binding. Short and extended APDUs up to the largest response
// vpcd can frame, one APDU at a time, timeouts and aborts that name reader, INS and step, and
// the card leaving the field in the middle of a command.
import t from 'tap';
import { once } from 'node:events';
import { DeviceGoneError, TimeoutError, AbortedError } from '../../src/errors.js';
import { encodeCommand, encodeResponse, parseCommand, parseResponse, StatusWord } from '../../src/mrtd/apdu.js';
import { contactlessAtr, emrtdHistoricalBytes } from '../../src/mrtd/atr.js';
import type { ChipLike } from '../../src/mrtd/chip/link.js';
import { VpcdCard } from '../../src/mrtd/chip/vpcd.js';
import { PcscCardReader } from '../../src/devices/card-reader/pcsc.js';
import { loadPcscliteBinding } from '../../src/devices/card-reader/pcsc-binding.js';
import type { CardChannel } from '../../src/devices/card-reader/contract.js';
import { Pcscd } from '../../src/platform/pcscd.js';
import { platformPaths } from '../../src/platform/paths.js';

/** A chip that reads a patterned "file", echoes data, and can be told to hold its answer. */
class TestChip implements ChipLike {
  readonly historicalBytes = emrtdHistoricalBytes({ extendedLength: true, commandChaining: false });
  resets = 0;
  busy = 0;
  maxBusy = 0;
  seen: number[] = [];
  #hold: Promise<void> | undefined;
  #release: (() => void) | undefined;

  reset(): void {
    this.resets++;
  }

  /** The next commands wait until `release()`. */
  hold(): void {
    this.#hold = new Promise((r) => (this.#release = r));
  }

  release(): void {
    this.#release?.();
    this.#hold = undefined;
  }

  async process(command: Buffer): Promise<Buffer> {
    this.busy++;
    this.maxBusy = Math.max(this.maxBusy, this.busy);
    try {
      const c = parseCommand(command);
      this.seen.push(c.ins);
      if (this.#hold) await this.#hold;
      if (c.ins === 0xb0) {
        const offset = (c.p1 << 8) | c.p2;
        const n = c.ne ?? 0;
        const data = Buffer.alloc(n);
        for (let i = 0; i < n; i++) data[i] = (offset + i) & 0xff;
        return encodeResponse({ data, sw: StatusWord.OK });
      }
      if (c.ins === 0xda) return encodeResponse({ data: c.data ?? Buffer.alloc(0), sw: StatusWord.OK });
      return encodeResponse({ data: Buffer.alloc(0), sw: StatusWord.INS_NOT_SUPPORTED });
    } finally {
      this.busy--;
    }
  }
}

const paths = platformPaths(process.env);
const pcscd = new Pcscd({ paths, mode: 'private' });
const chip = new TestChip();
const life = new AbortController();
let card: VpcdCard;
let reader: PcscCardReader;

t.before(async () => {
  await pcscd.start();
  card = new VpcdCard({ chip, host: paths.vpcdHost, port: pcscd.vpcdPort });
  reader = new PcscCardReader({
    binding: loadPcscliteBinding(),
    socketPath: pcscd.socketPath,
    readerName: new RegExp(`^${pcscd.readerName(0)}$`),
    retryDelayMs: 200,
  });
  await card.start(life.signal);
  const attached = once(reader.events, 'readerAttached');
  await reader.start(life.signal);
  await attached;
});

// Teardown runs even when a test fails; each step is guarded so the next still runs.
t.teardown(async () => {
  life.abort();
  chip.release();
  for (const step of [() => reader.stop(), () => card.stop(), () => pcscd.stop()]) {
    try {
      await step();
    } catch (e) {
      t.comment(`teardown: ${String(e)}`);
    }
  }
});

const readBinary = (offset: number, ne: number): Buffer => encodeCommand({ cla: 0, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, ne });

async function connected(): Promise<CardChannel> {
  if (reader.state !== 'cardPresent') {
    const present = reader.waitForCard({ timeoutMs: 5000 });
    await card.insert({ timeoutMs: 5000 });
    await present;
  }
  return reader.connect({ timeoutMs: 5000 });
}

t.test('the card appears with the contactless ATR built from its historical bytes', async (t) => {
  const present = reader.waitForCard({ timeoutMs: 5000 });
  await card.insert({ timeoutMs: 5000 });
  const e = await present;
  t.equal(e.reader, 'Virtual PCD 00 00');
  t.same(e.atr, contactlessAtr(chip.historicalBytes), 'pcscd reports the ATR vpcd was given');
  const ch = await reader.connect({ timeoutMs: 5000 });
  t.same(ch.extendedLength, { supported: true, source: 'atr' }, 'extended length read from the card capabilities');
  t.ok(chip.resets >= 1, 'power-on reset the chip');
});

t.test('short APDUs', async (t) => {
  const ch = await connected();
  const r = parseResponse(await ch.transceive(readBinary(0x0102, 32), { step: 'READ.COM' }));
  t.equal(r.sw, StatusWord.OK);
  t.equal(r.data.length, 32);
  t.equal(r.data[0], 0x02, 'data starts at the offset');
  const full = parseResponse(await ch.transceive(readBinary(0, 256)));
  t.equal(full.data.length, 256, 'Le = 00 gives 256 bytes');
  const nope = parseResponse(await ch.transceive(Buffer.from([0x00, 0x77, 0x00, 0x00])));
  t.equal(nope.sw, StatusWord.INS_NOT_SUPPORTED, 'case 1 APDU, status word passed through');
});

t.test('extended APDUs, up to the largest response vpcd can frame', async (t) => {
  const ch = await connected();
  for (const ne of [257, 1024, 4096, 32768, 65533]) {
    const r = parseResponse(await ch.transceive(readBinary(0, ne), { step: `READ.${ne}`, timeoutMs: 10_000 }));
    t.equal(r.sw, StatusWord.OK, `Ne=${ne}: 9000`);
    t.equal(r.data.length, ne, `Ne=${ne}: all bytes arrive`);
    t.equal(r.data[ne - 1], (ne - 1) & 0xff, `Ne=${ne}: last byte intact`);
  }
  const data = Buffer.alloc(4000, 0x5a);
  const echo = parseResponse(await ch.transceive(encodeCommand({ cla: 0, ins: 0xda, p1: 0, p2: 0, data, ne: 4000 })));
  t.same(echo.data, data, 'extended Lc and Le both ways');
});

t.test('concurrent callers are served one APDU at a time, in order', async (t) => {
  const ch = await connected();
  chip.maxBusy = 0;
  chip.seen = [];
  const calls = Array.from({ length: 12 }, (_, i) => ch.transceive(readBinary(i, 8 + i)));
  const results = (await Promise.all(calls)).map(parseResponse);
  t.same(results.map((r) => r.data.length), Array.from({ length: 12 }, (_, i) => 8 + i), 'each caller gets its own answer');
  t.equal(chip.maxBusy, 1, 'never two commands at the chip');
});

t.test('a timeout names reader, INS and step; the late answer is dropped', async (t) => {
  const ch = await connected();
  chip.hold();
  const err = await ch.transceive(readBinary(0, 16), { timeoutMs: 300, step: 'READ.DG2' }).catch((e: unknown) => e);
  t.type(err, TimeoutError);
  t.equal((err as Error).message, 'Timeout after 300ms [reader=Virtual PCD 00 00 ins=0xB0 step=READ.DG2]');
  const next = ch.transceive(readBinary(0x10, 4), { timeoutMs: 5000 });
  chip.release();
  const r = parseResponse(await next);
  t.equal(r.data[0], 0x10, 'the next command gets its own answer, not the late one');
});

t.test('abort: in flight and queued', async (t) => {
  const ch = await connected();
  chip.hold();
  chip.seen = [];
  const ac = new AbortController();
  const first = ch.transceive(readBinary(0, 4), { signal: ac.signal, step: 'PACE.mapNonce' }).catch((e: unknown) => e);
  const second = ch.transceive(Buffer.from([0x00, 0x84, 0x00, 0x00, 0x08]), { signal: ac.signal }).catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 100));
  ac.abort();
  t.type(await first, AbortedError);
  t.type(await second, AbortedError);
  chip.release();
  const r = parseResponse(await ch.transceive(readBinary(0, 2)));
  t.equal(r.sw, StatusWord.OK, 'the channel still works');
  t.notOk(chip.seen.includes(0x84), 'the queued command never reached the chip');
});

t.test('the card leaves the field in the middle of a command: DeviceGoneError', async (t) => {
  const ch = await connected();
  chip.hold();
  const removed = once(reader.events, 'cardRemoved');
  const pending = ch.transceive(readBinary(0, 64), { timeoutMs: 5000, step: 'READ.DG1' }).catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 100));
  await card.remove();
  const err = await pending;
  t.type(err, DeviceGoneError, `got ${String(err)}`);
  await removed;
  t.equal(ch.open, false, 'the channel is closed');
  t.type(await ch.transceive(readBinary(0, 1)).catch((e: unknown) => e), DeviceGoneError, 'later calls fail the same way');
  chip.release();
  t.equal(reader.state, 'empty');
  await t.rejects(reader.connect({ timeoutMs: 1000 }), DeviceGoneError, 'no card to connect to');
  const again = await connected();
  t.equal(parseResponse(await again.transceive(readBinary(0, 4))).sw, StatusWord.OK, 'a new card session works');
});

t.test('disconnect unpowers the card and a new connect works', async (t) => {
  const ch = await connected();
  await ch.disconnect();
  t.equal(ch.open, false);
  t.type(await ch.transceive(readBinary(0, 1)).catch((e: unknown) => e), DeviceGoneError);
  const ch2 = await reader.connect({ timeoutMs: 5000 });
  t.not(ch2, ch, 'a fresh channel');
  t.equal(parseResponse(await ch2.transceive(readBinary(0, 4))).sw, StatusWord.OK);
});
