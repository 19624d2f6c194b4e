// The virtual card's side of vpcd over an injected socket: message framing (2-byte length),
// control codes (power, reset, ATR), APDUs answered through the link model, the frame-size
// limit, a chip that throws, removal mid-command, and reconnecting when vpcd goes away.
import t from 'tap';
import fc from 'fast-check';
import { EventEmitter } from 'node:events';
import { InvalidArgumentError } from '../../src/errors.js';
import { encodeResponse, parseCommand, StatusWord } from '../../src/mrtd/apdu.js';
import { contactlessAtr, emrtdHistoricalBytes } from '../../src/mrtd/atr.js';
import type { ChipLike, Sleep } from '../../src/mrtd/chip/link.js';
import { VPCD_CONTROL, VpcdCard, vpcdFrame, VpcdFramer, type VpcdSocket } from '../../src/mrtd/chip/vpcd.js';

/** vpcd's end of the connection, as the card sees it. */
class FakeSocket extends EventEmitter implements VpcdSocket {
  connecting = true;
  destroyed = false;
  written: Buffer[] = [];
  get writable(): boolean {
    return !this.destroyed && !this.connecting;
  }
  setNoDelay(): this {
    return this;
  }
  write(data: Buffer): boolean {
    this.written.push(Buffer.from(data));
    return true;
  }
  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    setImmediate(() => this.emit('close'));
    return this;
  }
  accept(): void {
    this.connecting = false;
    this.emit('connect');
  }
  refuse(): void {
    this.emit('error', new Error('connect ECONNREFUSED'));
    this.destroy();
  }
  /** vpcd sends one message. */
  send(payload: Buffer): void {
    this.emit('data', vpcdFrame(payload));
  }
  /** Messages the card wrote back, unframed. */
  replies(): Buffer[] {
    const f = new VpcdFramer();
    return this.written.flatMap((w) => f.push(w));
  }
}

class TestChip implements ChipLike {
  readonly historicalBytes = emrtdHistoricalBytes({ extendedLength: true, commandChaining: false });
  resets = 0;
  answer: (c: Buffer) => Promise<Buffer> = (c) => Promise.resolve(encodeResponse({ data: Buffer.from([parseCommand(c).ins]), sw: StatusWord.OK }));
  reset(): void {
    this.resets++;
  }
  process(c: Buffer): Promise<Buffer> {
    return this.answer(c);
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
async function settle(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await tick();
}

function rig(options: { sleep?: Sleep } = {}) {
  const sockets: FakeSocket[] = [];
  const chip = new TestChip();
  const card = new VpcdCard({
    chip,
    host: '127.0.0.1',
    port: 35963,
    retryDelayMs: 5,
    connect: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    ...(options.sleep ? { link: { latencyMs: 7, bitRateKbps: 8 }, sleep: options.sleep } : {}),
  });
  return { sockets, chip, card };
}

t.test('framing: 2-byte big-endian length, split and joined across TCP chunks', async (t) => {
  t.same(vpcdFrame(Buffer.from([0x04])), Buffer.from([0x00, 0x01, 0x04]));
  t.same(vpcdFrame(Buffer.alloc(0x0102)).subarray(0, 2), Buffer.from([0x01, 0x02]));
  t.throws(() => vpcdFrame(Buffer.alloc(65536)), InvalidArgumentError, 'the length field holds at most 65535');
  const f = new VpcdFramer();
  const stream = Buffer.concat([vpcdFrame(Buffer.from([1])), vpcdFrame(Buffer.from('00a4040c', 'hex')), vpcdFrame(Buffer.alloc(0))]);
  t.same(f.push(stream.subarray(0, 1)), []);
  t.same(f.push(stream.subarray(1, 5)), [Buffer.from([1])]);
  t.equal(f.pending, 2);
  t.same(f.push(stream.subarray(5)), [Buffer.from('00a4040c', 'hex'), Buffer.alloc(0)]);
  t.equal(f.pending, 0);
});

t.test('property: any split of a message stream gives back the same messages', async () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), fc.array(fc.nat(400), { maxLength: 10 }), (msgs, cuts) => {
      const stream = Buffer.concat(msgs.map((m) => vpcdFrame(Buffer.from(m))));
      const f = new VpcdFramer();
      const out: Buffer[] = [];
      let at = 0;
      for (const c of [...cuts, stream.length]) {
        const end = Math.min(stream.length, at + c);
        out.push(...f.push(stream.subarray(at, end)));
        at = end;
      }
      out.push(...f.push(stream.subarray(at)));
      return out.length === msgs.length && out.every((o, i) => o.equals(Buffer.from(msgs[i]!))) && f.pending === 0;
    }),
  );
});

t.test('insert connects; control codes: ATR, power on/off, reset', async (t) => {
  const { sockets, chip, card } = rig();
  await t.rejects(card.insert(), InvalidArgumentError, 'start() first');
  await card.start(new AbortController().signal);
  const inserted = card.insert({ timeoutMs: 1000 });
  sockets[0]!.accept();
  await inserted;
  t.ok(card.connected);
  const s = sockets[0]!;
  s.send(Buffer.from([VPCD_CONTROL.GET_ATR]));
  s.send(Buffer.from([VPCD_CONTROL.POWER_ON]));
  await settle();
  t.same(s.replies(), [contactlessAtr(chip.historicalBytes)], 'the ATR, framed; power on needs no answer');
  t.ok(card.powered);
  t.equal(chip.resets, 1, 'power on resets the chip');
  s.send(Buffer.from([VPCD_CONTROL.RESET]));
  s.send(Buffer.from([VPCD_CONTROL.POWER_OFF]));
  s.send(Buffer.from([0x7f]));
  s.send(Buffer.alloc(0));
  await settle();
  t.equal(chip.resets, 3);
  t.notOk(card.powered);
  t.equal(s.replies().length, 1, 'unknown codes and empty messages get no answer');
  await card.stop();
});

t.test('APDUs are answered in order, through the link model', async (t) => {
  const slept: number[] = [];
  const { sockets, card } = rig({ sleep: (ms) => (slept.push(ms), Promise.resolve()) });
  await card.start(new AbortController().signal);
  const inserted = card.insert();
  sockets[0]!.accept();
  await inserted;
  const s = sockets[0]!;
  s.send(Buffer.from('0084000008', 'hex'));
  s.send(Buffer.from('00b0000004', 'hex'));
  await settle(10);
  t.same(s.replies(), [Buffer.from('849000', 'hex'), Buffer.from('b09000', 'hex')]);
  t.same(slept, [7 + 5, 3, 7 + 5, 3], 'latency + 5 bytes out, 3 bytes back, at 1 ms a byte');
  await card.stop();
});

t.test('a chip that throws, or answers more than a frame holds, gets 6F00', async (t) => {
  const { sockets, chip, card } = rig();
  await card.start(new AbortController().signal);
  const inserted = card.insert();
  sockets[0]!.accept();
  await inserted;
  const s = sockets[0]!;
  chip.answer = () => Promise.reject(new Error('bug'));
  s.send(Buffer.from('0084000008', 'hex'));
  await settle();
  chip.answer = () => Promise.resolve(Buffer.alloc(65536));
  s.send(Buffer.from('00b0000000', 'hex'));
  await settle();
  t.same(s.replies(), [Buffer.from('6f00', 'hex'), Buffer.from('6f00', 'hex')]);
  await card.stop();
});

t.test('remove mid-command: the connection closes at once and the late answer is dropped', async (t) => {
  const { sockets, chip, card } = rig();
  await card.start(new AbortController().signal);
  const inserted = card.insert();
  sockets[0]!.accept();
  await inserted;
  const s = sockets[0]!;
  let release!: () => void;
  chip.answer = () =>
    new Promise((r) => {
      release = () => r(Buffer.from([0x90, 0x00]));
    });
  const disconnected = new Promise<void>((r) => card.events.once('disconnected', () => r()));
  s.send(Buffer.from('0084000008', 'hex'));
  await settle();
  await card.remove();
  await disconnected;
  release();
  await settle();
  t.same(s.replies(), [], 'nothing written after the card left');
  t.notOk(card.inserted);
  await settle();
  t.equal(sockets.length, 1, 'a removed card does not reconnect');
});

t.test('vpcd not listening, or going away: the inserted card keeps trying', async (t) => {
  const { sockets, card } = rig();
  await card.start(new AbortController().signal);
  const inserted = card.insert({ timeoutMs: 2000 });
  sockets[0]!.refuse();
  await t.resolves(
    (async () => {
      while (sockets.length < 2) await tick();
    })(),
  );
  sockets[1]!.accept();
  await inserted;
  // pcscd restarts: vpcd's end closes; the card comes back by itself.
  sockets[1]!.destroy();
  while (sockets.length < 3) await tick();
  const back = new Promise<void>((r) => card.events.once('connected', () => r()));
  sockets[2]!.accept();
  await back;
  t.ok(card.connected);
  const e = await card.insert({ timeoutMs: 1 });
  t.equal(e, undefined, 'insert on a connected card resolves at once');
  await card.stop();
  t.notOk(card.inserted);
});

t.test('an insert that cannot connect times out but keeps the card inserted', async (t) => {
  const { sockets, card } = rig();
  await card.start(new AbortController().signal);
  const p = card.insert({ timeoutMs: 20 });
  sockets[0]!.refuse();
  await t.rejects(p, { name: 'TimeoutError', message: 'Timeout after 20ms [vpcd=127.0.0.1:35963 step=insert]' });
  t.ok(card.inserted);
  const ac = new AbortController();
  const p2 = card.insert({ signal: ac.signal });
  ac.abort();
  await t.rejects(p2, { name: 'AbortedError' });
  await card.stop();
});
