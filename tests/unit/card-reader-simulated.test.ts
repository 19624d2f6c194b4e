// The simulated card reader against the card-reader contract: events for cards and reader,
// channels that carry APDUs one at a time over the link model, timeouts and aborts that name
// reader, INS and step, and a card taken away (or the reader unplugged) mid-command.
import t from 'tap';
import { AbortedError, DeviceGoneError, TimeoutError } from '../../src/errors.js';
import { encodeCommand, encodeResponse, parseCommand, parseResponse, StatusWord } from '../../src/mrtd/apdu.js';
import { contactlessAtr, emrtdHistoricalBytes } from '../../src/mrtd/atr.js';
import type { ChipLike, Sleep } from '../../src/mrtd/chip/link.js';
import { SimulatedCardReader } from '../../src/devices/card-reader/simulated.js';
import type { CardReaderEvents } from '../../src/devices/card-reader/contract.js';

class TestChip implements ChipLike {
  readonly historicalBytes: Buffer;
  resets = 0;
  seen: number[] = [];
  busy = 0;
  maxBusy = 0;
  #hold: Promise<void> | undefined;
  #release: (() => void) | undefined;
  constructor(extendedLength: boolean | undefined) {
    this.historicalBytes = extendedLength === undefined ? Buffer.alloc(0) : emrtdHistoricalBytes({ extendedLength, commandChaining: false });
  }
  reset(): void {
    this.resets++;
  }
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
      return encodeResponse({ data: Buffer.alloc(c.ne ?? 0, c.ins), sw: StatusWord.OK });
    } finally {
      this.busy--;
    }
  }
}

function recorder(reader: SimulatedCardReader): string[] {
  const log: string[] = [];
  for (const name of ['readerAttached', 'readerDetached', 'cardPresent', 'cardRemoved'] as const satisfies readonly (keyof CardReaderEvents)[]) {
    reader.events.on(name, (e: { reader: string }) => log.push(`${name} ${e.reader}`));
  }
  return log;
}

const get = (ne: number): Buffer => encodeCommand({ cla: 0, ins: 0x84, p1: 0, p2: 0, ne });
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

t.test('lifecycle and events: constructors do nothing, start reports what is there', async (t) => {
  const reader = new SimulatedCardReader({ name: 'Sim 00 00' });
  const log = recorder(reader);
  const chip = new TestChip(true);
  reader.insert(chip);
  t.equal(reader.state, 'stopped');
  t.equal(reader.name, undefined);
  t.same(log, [], 'nothing before start');
  const life = new AbortController();
  await reader.start(life.signal);
  t.same(log, ['readerAttached Sim 00 00', 'cardPresent Sim 00 00']);
  t.equal(reader.state, 'cardPresent');
  t.same(reader.atr, contactlessAtr(chip.historicalBytes));
  reader.remove();
  t.equal(reader.state, 'empty');
  t.equal(reader.atr, undefined);
  reader.detach();
  t.equal(reader.state, 'noReader');
  reader.insert(chip);
  t.equal(log.filter((l) => l.startsWith('cardPresent')).length, 1, 'no card event while unplugged');
  reader.attach();
  t.same(log.slice(-2), ['readerAttached Sim 00 00', 'cardPresent Sim 00 00'], 'the card in the field is reported on re-plug');
  life.abort();
  await flush();
  t.equal(reader.state, 'stopped', 'aborting the start signal stops it');
});

t.test('a channel carries APDUs one at a time and knows about extended length', async (t) => {
  const reader = new SimulatedCardReader();
  const chip = new TestChip(true);
  await reader.start(new AbortController().signal);
  reader.insert(chip);
  t.ok(chip.resets >= 1, 'entering the field resets the chip');
  const ch = await reader.connect();
  t.same(ch.extendedLength, { supported: true, source: 'atr' });
  t.equal(await reader.connect(), ch, 'one channel per card');
  const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => ch.transceive(get(i + 1))));
  t.same(rs.map((r) => parseResponse(r).data.length), [1, 2, 3, 4, 5, 6, 7, 8]);
  t.equal(chip.maxBusy, 1);
  await t.rejects(ch.transceive(Buffer.from([0x00, 0x84])), { name: 'InvalidArgumentError' }, 'too short to be an APDU');
  await reader.stop();
});

t.test('extended length from configuration, or the fallback when the card says nothing', async (t) => {
  const cfg = new SimulatedCardReader({ extendedLength: false });
  await cfg.start(new AbortController().signal);
  cfg.insert(new TestChip(true));
  t.same((await cfg.connect()).extendedLength, { supported: false, source: 'config' });
  const silent = new SimulatedCardReader({ extendedLengthFallback: true });
  await silent.start(new AbortController().signal);
  silent.insert(new TestChip(undefined));
  t.same((await silent.connect()).extendedLength, { supported: true, source: 'default' });
});

t.test('no card, not started: connect fails with DeviceGoneError; waitForCard waits', async (t) => {
  const reader = new SimulatedCardReader({ name: 'R' });
  await t.rejects(reader.connect(), { name: 'DeviceGoneError', message: 'R: reader not started' });
  await reader.start(new AbortController().signal);
  await t.rejects(reader.connect(), { name: 'DeviceGoneError', message: 'R: no card in the field' });
  const waiting = reader.waitForCard({ timeoutMs: 1000 });
  setTimeout(() => reader.insert(new TestChip(true)), 10);
  t.equal((await waiting).reader, 'R');
  t.equal((await reader.waitForCard()).reader, 'R', 'at once when a card is there');
  reader.remove();
  const e = await reader.waitForCard({ timeoutMs: 30 }).catch((x: unknown) => x);
  t.type(e, TimeoutError);
  t.equal((e as Error).message, 'Timeout after 30ms [reader=R step=waitForCard]');
  t.equal(reader.events.listenerCount('cardPresent'), 0, 'the wait removed its listener');
});

t.test('timeout and abort name reader, INS and step', async (t) => {
  const reader = new SimulatedCardReader({ name: 'ACS ACR1252' });
  const chip = new TestChip(true);
  await reader.start(new AbortController().signal);
  reader.insert(chip);
  const ch = await reader.connect();
  chip.hold();
  const e = await ch.transceive(get(8), { timeoutMs: 40, step: 'BAC.getChallenge' }).catch((x: unknown) => x);
  t.type(e, TimeoutError);
  t.equal((e as Error).message, 'Timeout after 40ms [reader=ACS ACR1252 ins=0x84 step=BAC.getChallenge]');
  const ac = new AbortController();
  const queued = ch.transceive(encodeCommand({ cla: 0, ins: 0xb0, p1: 0, p2: 0, ne: 4 }), { signal: ac.signal, step: 'READ.DG1' });
  ac.abort();
  const a = await queued.catch((x: unknown) => x);
  t.type(a, AbortedError);
  t.equal((a as Error).message, 'Aborted [reader=ACS ACR1252 ins=0xB0 step=READ.DG1]');
  chip.release();
  t.equal(parseResponse(await ch.transceive(get(2))).sw, StatusWord.OK);
  t.notOk(chip.seen.includes(0xb0), 'the aborted command never reached the chip');
});

t.test('the card leaves mid-command, or the reader is unplugged: DeviceGoneError', async (t) => {
  const reader = new SimulatedCardReader({ name: 'R' });
  const log = recorder(reader);
  const chip = new TestChip(true);
  await reader.start(new AbortController().signal);
  reader.insert(chip);
  let ch = await reader.connect();
  chip.hold();
  const pending = ch.transceive(get(4), { step: 'READ.DG2' });
  const queued = ch.transceive(get(4));
  await flush();
  reader.remove();
  await t.rejects(pending, { name: 'DeviceGoneError', message: 'R: card removed' });
  await t.rejects(queued, DeviceGoneError);
  t.equal(ch.open, false);
  t.equal(log.at(-1), 'cardRemoved R');
  chip.release();

  reader.insert(chip);
  ch = await reader.connect();
  chip.hold();
  const p2 = ch.transceive(get(4));
  await flush();
  reader.detach();
  await t.rejects(p2, { name: 'DeviceGoneError', message: 'R: reader unplugged' });
  t.same(log.slice(-2), ['cardRemoved R', 'readerDetached R']);
  chip.release();
});

t.test('disconnect ends the channel and unpowers the card', async (t) => {
  const reader = new SimulatedCardReader();
  const chip = new TestChip(true);
  await reader.start(new AbortController().signal);
  reader.insert(chip);
  const ch = await reader.connect();
  const before = chip.resets;
  await ch.disconnect();
  await ch.disconnect();
  t.equal(chip.resets, before + 1, 'one power cycle');
  await t.rejects(ch.transceive(get(1)), DeviceGoneError);
  const again = await reader.connect();
  t.not(again, ch);
  t.equal(parseResponse(await again.transceive(get(1))).sw, StatusWord.OK);
});

t.test('the link model is applied to every exchange through the injected sleep', async (t) => {
  const slept: number[] = [];
  const sleep: Sleep = (ms) => {
    slept.push(ms);
    return Promise.resolve();
  };
  const reader = new SimulatedCardReader({ link: { latencyMs: 4, bitRateKbps: 8 }, sleep });
  await reader.start(new AbortController().signal);
  reader.insert(new TestChip(true));
  const ch = await reader.connect();
  await ch.transceive(get(6)); // 5 bytes out, 6 + 2 back; 8 kbit/s = 1 ms per byte
  t.same(slept, [4 + 5, 8]);
});

t.test('stop does not hang on a chip that never answers (bounded by disconnectMs)', async (t) => {
  const reader = new SimulatedCardReader();
  const chip = new TestChip(true);
  await reader.start(new AbortController().signal);
  reader.insert(chip);
  const ch = await reader.connect();
  chip.hold();
  const pending = ch.transceive(get(1)).catch((e: unknown) => e);
  await flush();
  const t0 = Date.now();
  await reader.stop();
  t.ok(Date.now() - t0 < 2500, 'stopped within the disconnect bound');
  t.type(await pending, DeviceGoneError);
  chip.release();
});
