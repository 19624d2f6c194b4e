// The link model on a fake clock: latency per exchange and both directions at the bit rate,
// waited in the right order (command before the chip sees it, response after), and aborts.
import t from 'tap';
import fc from 'fast-check';
import { AbortedError, InvalidArgumentError } from '../../src/errors.js';
import {
  chipAtr,
  exchangeMs,
  INSTANT_LINK,
  LINK_PRESETS,
  LinkedChip,
  realSleep,
  transferMs,
  validateLinkModel,
  type ChipLike,
  type Sleep,
} from '../../src/mrtd/chip/link.js';
import { contactlessAtr } from '../../src/mrtd/atr.js';

/** A clock that only moves when slept on, recording every sleep. */
class FakeClock {
  now = 0;
  readonly sleeps: number[] = [];
  readonly sleep: Sleep = (ms, signal) => {
    if (signal?.aborted) return Promise.reject(new AbortedError('link'));
    this.sleeps.push(ms);
    this.now += ms;
    return Promise.resolve();
  };
}

const echo = (log: string[], clock: FakeClock): ChipLike => ({
  process: (c) => {
    log.push(`chip at ${clock.now.toFixed(3)}`);
    return Promise.resolve(Buffer.concat([c, Buffer.from([0x90, 0x00])]));
  },
});

t.test('one exchange costs latency + (command + response bytes) * 8 / bit rate', async (t) => {
  const clock = new FakeClock();
  const log: string[] = [];
  // 106 kbit/s of ISO/IEC 14443-2 (fc/128 = 105.9375 kbit/s), 10 ms latency.
  const model = { latencyMs: 10, bitRateKbps: 13_560 / 128 };
  const linked = new LinkedChip(echo(log, clock), model, clock.sleep);
  const cmd = Buffer.alloc(100);
  const r = await linked.exchange(cmd);
  t.equal(r.length, 102);
  const perByte = 8 / (13_560 / 128); // ms per byte at 105.9375 kbit/s
  t.equal(clock.sleeps.length, 2, 'one wait before the chip answers, one after');
  t.ok(Math.abs(clock.sleeps[0]! - (10 + 100 * perByte)) < 1e-9, 'command travels with the latency');
  t.ok(Math.abs(clock.sleeps[1]! - 102 * perByte) < 1e-9, 'response travels back');
  t.same(log, [`chip at ${(10 + 100 * perByte).toFixed(3)}`], 'the chip sees the command only after it arrived');
  t.ok(Math.abs(clock.now - exchangeMs(model, 100, 102)) < 1e-9, 'total equals exchangeMs');
});

t.test('a DG2-sized read at 424 kbit/s: figures a reader of the code can check by hand', async (t) => {
  // 65536 data bytes + SW = 65538 bytes back, 7 bytes out: (65545 * 8) / 423.75 kbit/s.
  const m = LINK_PRESETS.iso14443_424;
  t.ok(Math.abs(exchangeMs(m, 7, 65538) - (m.latencyMs + (65545 * 8) / 423.75)) < 1e-9);
  t.equal(transferMs(INSTANT_LINK, 65538), 0, 'Infinity bit rate: bytes cost nothing');
  t.equal(exchangeMs({ latencyMs: 3, bitRateKbps: Infinity }, 10, 10), 3);
});

t.test('exchange time is additive in bytes and monotonic', async () => {
  fc.assert(
    fc.property(fc.nat(65544), fc.nat(65538), fc.double({ min: 1, max: 10_000, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (c, r, kbps, lat) => {
      const m = { latencyMs: lat, bitRateKbps: kbps };
      const total = exchangeMs(m, c, r);
      return Math.abs(total - (lat + transferMs(m, c) + transferMs(m, r))) < 1e-6 && exchangeMs(m, c + 1, r) > total;
    }),
  );
});

t.test('an abort during the wait cuts the exchange off', async (t) => {
  const clock = new FakeClock();
  const log: string[] = [];
  const linked = new LinkedChip(echo(log, clock), { latencyMs: 5, bitRateKbps: 106 }, clock.sleep);
  const ac = new AbortController();
  ac.abort();
  await t.rejects(linked.exchange(Buffer.alloc(4), ac.signal), AbortedError);
  t.same(log, [], 'the chip never saw it');
});

t.test('the real sleep waits and aborts', async (t) => {
  const t0 = performance.now();
  await realSleep(20);
  t.ok(performance.now() - t0 >= 15, 'waited about 20 ms');
  await realSleep(0);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 10);
  await t.rejects(realSleep(10_000, ac.signal), AbortedError);
  await t.rejects(realSleep(0, ac.signal), AbortedError, 'already aborted, even for zero');
});

t.test('models are validated', async (t) => {
  t.throws(() => validateLinkModel({ latencyMs: -1, bitRateKbps: 106 }), InvalidArgumentError);
  t.throws(() => validateLinkModel({ latencyMs: 0, bitRateKbps: 0 }), InvalidArgumentError);
  t.throws(() => validateLinkModel({ latencyMs: NaN, bitRateKbps: 106 }), InvalidArgumentError);
  t.throws(() => new LinkedChip({ process: () => Promise.resolve(Buffer.alloc(2)) }, { latencyMs: 0, bitRateKbps: NaN }), InvalidArgumentError);
  t.same(validateLinkModel(INSTANT_LINK), INSTANT_LINK);
});

t.test('chipAtr: the chip\'s own, else built from its historical bytes, else empty ones', async (t) => {
  const own = Buffer.from('3B8480010000900095', 'hex');
  const process = (): Promise<Buffer> => Promise.resolve(Buffer.from([0x90, 0]));
  t.same(chipAtr({ process, atr: own }), own);
  const hist = Buffer.from('8073844140', 'hex');
  t.same(chipAtr({ process, historicalBytes: hist }), contactlessAtr(hist));
  // "ISO 14443 Type B without historical bytes" (pcsc-tools smartcard_list.txt: 3B 80 80 01 01).
  t.same(chipAtr({ process }), Buffer.from('3B80800101', 'hex'));
});
