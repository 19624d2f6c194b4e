// The PC/SC reader over a fake pcsclite binding (STYLE.md P2: the binding is injected, no
// module mocking): reader selection from the discovery table, card events from reader status
// words, hot-plug, pcscd absent or going away, PC/SC errors mapped to DeviceGoneError and
// NativeError, and the transmit receive size for extended responses.
import t from 'tap';
import { EventEmitter } from 'node:events';
import { DeviceGoneError, NativeError, TimeoutError } from '../../src/errors.js';
import { PcscCardReader } from '../../src/devices/card-reader/pcsc.js';
import { MAX_RESPONSE_LENGTH, pcscCodeOf, pcscError, SCARD, type PcscBinding, type PcscContext, type PcscReaderHandle, type PcscStatus } from '../../src/devices/card-reader/pcsc-binding.js';
import type { CardReaderEvents } from '../../src/devices/card-reader/contract.js';

const ACR1252 = 'ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00';
const ACR1252_SAM = 'ACS ACR1252 Dual Reader [ACR1252 Dual Reader SAM] 00 01';
const ACR122U = 'ACS ACR122U PICC Interface 00 00';
const VPCD = 'Virtual PCD 00 00';
// "Dutch Biometric Passport" (pcsc-tools smartcard_list.txt): states extended length.
const DUTCH = Buffer.from('3B8580018073842140' + '12', 'hex');
const pcscErr = (fn: string, text: string, code: number): Error => new Error(`${fn} error: ${text}.(0x${code.toString(16).padStart(8, '0')})`);

type Reply = { err: Error } | { data: Buffer } | 'never';

class FakeHandle extends EventEmitter implements PcscReaderHandle {
  connected = false;
  closed = false;
  /** pcsclite emits status, error and end holding the reader's mutex, which close() takes. */
  locked = 0;
  closedWhileLocked = false;
  readonly transmits: { data: Buffer; max: number; protocol: number }[] = [];
  readonly disconnects: number[] = [];
  connectReply: Reply = { data: Buffer.alloc(0) };
  replies: Reply[] = [];
  constructor(readonly name: string) {
    super();
  }
  status(state: number, atr?: Buffer): void {
    const s: PcscStatus = atr ? { state, atr } : { state };
    this.emitLocked('status', s);
  }
  emitLocked(event: string, ...args: unknown[]): void {
    this.locked++;
    try {
      this.emit(event, ...args);
    } finally {
      this.locked--;
    }
  }
  connect(options: { share_mode: number; protocol: number }, cb: (err: Error | null | undefined, p: number) => void): void {
    t.equal(options.share_mode, SCARD.SHARE_EXCLUSIVE, 'exclusive: the kiosk owns the card');
    const r = this.connectReply;
    if (r === 'never') return;
    setImmediate(() => {
      if ('err' in r) cb(r.err, 0);
      else {
        this.connected = true;
        cb(null, SCARD.PROTOCOL_T1);
      }
    });
  }
  disconnect(disposition: number, cb: (err: Error | null | undefined) => void): void {
    this.disconnects.push(disposition);
    setImmediate(() => {
      this.connected = false;
      cb(null);
    });
  }
  transmit(data: Buffer, max: number, protocol: number, cb: (err: Error | null | undefined, r: Buffer) => void): void {
    this.transmits.push({ data, max, protocol });
    const r = this.replies.shift() ?? { data: Buffer.from([0x90, 0x00]) };
    if (r === 'never') return;
    setImmediate(() => {
      if ('err' in r) cb(r.err, Buffer.alloc(0));
      else cb(null, r.data);
    });
  }
  close(): void {
    if (this.locked > 0) this.closedWhileLocked = true;
    this.closed = true;
  }
}

class FakeContext extends EventEmitter implements PcscContext {
  closed = false;
  readonly handles = new Map<string, FakeHandle>();
  close(): void {
    this.closed = true;
  }
  plug(name: string): FakeHandle {
    const h = new FakeHandle(name);
    this.handles.set(name, h);
    this.emit('reader', h);
    return h;
  }
  unplug(name: string): void {
    this.handles.get(name)?.emitLocked('end');
  }
}

/** pcscd as the binding sees it: up or down, and the contexts it handed out. */
class FakePcscd {
  up = true;
  readonly contexts: FakeContext[] = [];
  readers: string[] = [];
  readonly binding: PcscBinding = () => {
    if (!this.up) throw pcscErr('SCardEstablishContext', 'Service not available', 0x8010001d);
    const c = new FakeContext();
    this.contexts.push(c);
    // The real binding reports readers on the next tick.
    setImmediate(() => {
      for (const r of this.readers) c.plug(r);
    });
    return c;
  };
  get last(): FakeContext {
    return this.contexts.at(-1)!;
  }
}

function recorder(reader: PcscCardReader): string[] {
  const log: string[] = [];
  for (const name of ['readerAttached', 'readerDetached', 'cardPresent', 'cardRemoved'] as const satisfies readonly (keyof CardReaderEvents)[]) {
    reader.events.on(name, (e: { reader: string }) => log.push(`${name} ${e.reader}`));
  }
  return log;
}

const until = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 2));
  }
};
const PRESENT = SCARD.STATE_PRESENT | SCARD.STATE_CHANGED;

async function started(readers: string[], options: Partial<ConstructorParameters<typeof PcscCardReader>[0]> = {}) {
  const pcscd = new FakePcscd();
  pcscd.readers = readers;
  const reader = new PcscCardReader({ binding: pcscd.binding, retryDelayMs: 5, ...options });
  const log = recorder(reader);
  const life = new AbortController();
  await reader.start(life.signal);
  await until(() => reader.name !== undefined || readers.length === 0);
  return { pcscd, reader, log, life };
}

t.test('the discovery table picks the preferred physical reader, never a SAM slot or vpcd', async (t) => {
  const { reader, log } = await started([VPCD, ACR1252_SAM, ACR122U, ACR1252]);
  await until(() => log.length > 0);
  t.equal(reader.name, ACR1252);
  t.same(log, [`readerAttached ${ACR1252}`]);
  t.equal(reader.state, 'empty');
  await reader.stop();
});

t.test('a configured pattern picks vpcd', async (t) => {
  const { reader } = await started([ACR1252, VPCD], { readerName: /^Virtual PCD 00 00$/ });
  t.equal(reader.name, VPCD);
  await reader.stop();
});

t.test('card events from status words, including a quick remove and re-insert', async (t) => {
  const { pcscd, reader, log } = await started([ACR1252]);
  const h = pcscd.last.handles.get(ACR1252)!;
  h.status(SCARD.STATE_EMPTY);
  h.status(PRESENT | (1 << 16), DUTCH);
  t.equal(reader.state, 'cardPresent');
  t.same(reader.atr, DUTCH);
  h.status(PRESENT | SCARD.STATE_INUSE | SCARD.STATE_EXCLUSIVE | (1 << 16), DUTCH);
  t.equal(log.filter((l) => l.startsWith('cardPresent')).length, 1, 'in-use bits are not a new card');
  h.status(PRESENT | (3 << 16), DUTCH);
  t.same(log.slice(-2), [`cardRemoved ${ACR1252}`, `cardPresent ${ACR1252}`], 'event counter moved: out and in again');
  h.status(PRESENT | SCARD.STATE_MUTE | (4 << 16), DUTCH);
  t.equal(reader.state, 'empty', 'a mute card is no card');
  h.status(SCARD.STATE_EMPTY | (5 << 16));
  t.equal(log.at(-1), `cardRemoved ${ACR1252}`);
  await reader.stop();
});

t.test('connect and transmit: extended receive buffer, protocol, extended-length decision', async (t) => {
  const { pcscd, reader } = await started([ACR1252]);
  const h = pcscd.last.handles.get(ACR1252)!;
  h.status(PRESENT, DUTCH);
  const ch = await reader.connect();
  t.same(ch.extendedLength, { supported: true, source: 'atr' });
  t.same(ch.atr, DUTCH);
  h.replies.push({ data: Buffer.from('0102039000', 'hex') });
  const r = await ch.transceive(Buffer.from('00B0000003', 'hex'));
  t.same(r, Buffer.from('0102039000', 'hex'));
  t.equal(h.transmits[0]!.max, MAX_RESPONSE_LENGTH);
  t.equal(MAX_RESPONSE_LENGTH, 65538, '65536 data bytes and SW1 SW2');
  t.equal(h.transmits[0]!.protocol, SCARD.PROTOCOL_T1);
  await ch.disconnect();
  t.same(h.disconnects, [SCARD.UNPOWER_CARD]);
  await reader.stop();
});

t.test('an ACR122U cannot carry extended APDUs whatever the card says', async (t) => {
  const { pcscd, reader } = await started([ACR122U]);
  pcscd.last.handles.get(ACR122U)!.status(PRESENT, DUTCH);
  t.same((await reader.connect()).extendedLength, { supported: false, source: 'reader' });
  await reader.stop();
});

t.test('PC/SC errors: card gone ends the channel for everyone; others are NativeErrors', async (t) => {
  const { pcscd, reader } = await started([ACR1252]);
  const h = pcscd.last.handles.get(ACR1252)!;
  h.status(PRESENT, DUTCH);
  let ch = await reader.connect();
  h.replies.push({ err: pcscErr('SCardTransmit', 'Invalid parameter given', 0x80100004) });
  const e1 = await ch.transceive(Buffer.from('00B0000001', 'hex')).catch((x: unknown) => x);
  t.type(e1, NativeError);
  t.equal((e1 as NativeError).nativeCode, 'SCARD_E_INVALID_PARAMETER');
  t.ok(ch.open, 'a bad parameter does not end the session');

  h.replies.push({ err: pcscErr('SCardTransmit', 'Card was removed', 0x80100069) }, 'never');
  const p1 = ch.transceive(Buffer.from('00B0000001', 'hex'), { step: 'READ.DG2' });
  const p2 = ch.transceive(Buffer.from('00B0000002', 'hex'));
  const e2 = await p1.catch((x: unknown) => x);
  t.type(e2, DeviceGoneError);
  t.match((e2 as Error).message, /SCARD_W_REMOVED_CARD/);
  t.equal(await p2.catch((x: unknown) => x), e2, 'the queued caller gets the same error');
  t.notOk(ch.open);
  await until(() => h.disconnects.length === 1);
  t.same(h.disconnects, [SCARD.LEAVE_CARD], 'the handle is released');
  t.equal(h.transmits.length, 2, 'the queued command was never sent');

  ch = await reader.connect();
  h.replies = [{ data: Buffer.alloc(0) }];
  await t.rejects(ch.transceive(Buffer.from('00B0000001', 'hex')), { name: 'DeviceGoneError', message: /without a status word/ }, 'vpcd-style empty answer');
  await reader.stop();
});

t.test('connect failures: sharing violation, timeout (a late success is released)', async (t) => {
  const { pcscd, reader } = await started([ACR1252]);
  const h = pcscd.last.handles.get(ACR1252)!;
  await t.rejects(reader.connect(), { name: 'DeviceGoneError', message: /no card/ });
  h.status(PRESENT, DUTCH);
  h.connectReply = { err: pcscErr('SCardConnect', 'Sharing violation', 0x8010000b) };
  await t.rejects(reader.connect(), { name: 'NativeError', nativeCode: 'SCARD_E_SHARING_VIOLATION' });
  h.connectReply = 'never';
  const e = await reader.connect({ timeoutMs: 20 }).catch((x: unknown) => x);
  t.type(e, TimeoutError);
  t.equal((e as Error).message, `Timeout after 20ms [reader=${ACR1252} step=connect]`);
  await reader.stop();
});

t.test('pcscd absent at start: faults, retries, then the reader appears', async (t) => {
  const pcscd = new FakePcscd();
  pcscd.up = false;
  pcscd.readers = [ACR1252];
  const reader = new PcscCardReader({ binding: pcscd.binding, retryDelayMs: 5 });
  const faults: string[] = [];
  reader.events.on('fault', (f) => faults.push(f.error.message));
  await reader.start(new AbortController().signal);
  t.equal(reader.state, 'noReader');
  await until(() => faults.length >= 2);
  t.match(faults[0], /Service not available/);
  pcscd.up = true;
  await until(() => reader.name === ACR1252);
  t.equal(pcscd.contexts.length, 1);
  await reader.stop();
});

t.test('pcscd goes away: card and reader detached, channel gone, a new context later', async (t) => {
  const { pcscd, reader, log } = await started([ACR1252]);
  const ctx = pcscd.last;
  ctx.handles.get(ACR1252)!.status(PRESENT, DUTCH);
  const ch = await reader.connect();
  ctx.handles.get(ACR1252)!.replies.push('never');
  const pending = ch.transceive(Buffer.from('0084000008', 'hex')).catch((e: unknown) => e);
  pcscd.up = false;
  ctx.emit('error', pcscErr('SCardGetStatusChange', 'RPC transport error', 0x80100013));
  await new Promise((r) => setImmediate(r));
  t.ok(ctx.closed, 'the dead context is closed');
  t.ok(ctx.handles.get(ACR1252)!.closed, 'and its reader handles');
  t.same(log.slice(-2), [`cardRemoved ${ACR1252}`, `readerDetached ${ACR1252}`]);
  t.type(await pending, DeviceGoneError);
  t.equal(reader.state, 'noReader');
  await new Promise((r) => setTimeout(r, 20));
  pcscd.up = true;
  await until(() => reader.name === ACR1252);
  t.ok(pcscd.contexts.length >= 2);
  t.equal(log.at(-1), `readerAttached ${ACR1252}`);
  await reader.stop();
});

t.test('hot-plug: the chosen reader leaves, another matching one takes over', async (t) => {
  const { pcscd, reader, log } = await started([ACR1252, ACR122U]);
  t.equal(reader.name, ACR1252);
  pcscd.last.unplug(ACR1252);
  t.equal(reader.name, ACR122U, 'the other one at once');
  t.same(log.slice(-2), [`readerDetached ${ACR1252}`, `readerAttached ${ACR122U}`]);
  const h = pcscd.last.plug(ACR1252);
  await new Promise((r) => setImmediate(r));
  t.equal(reader.name, ACR122U, 'a returning reader does not displace the one in use');
  t.notOk(h.closed);
  await reader.stop();
});

t.test('stop: quiet, releases the card, closes handles and the context', async (t) => {
  const { pcscd, reader, log } = await started([ACR1252]);
  const h = pcscd.last.handles.get(ACR1252)!;
  h.status(PRESENT, DUTCH);
  await reader.connect();
  const before = log.length;
  await reader.stop();
  t.equal(log.length, before, 'no events on stop');
  t.same(h.disconnects, [SCARD.UNPOWER_CARD]);
  t.ok(h.closed);
  t.ok(pcscd.last.closed);
  t.equal(reader.state, 'stopped');
  await reader.stop();
});

t.test('binding objects are never closed from inside their own callbacks (pcsclite would deadlock)', async (t) => {
  const { pcscd, reader } = await started([ACR1252, ACR122U]);
  const h = pcscd.last.handles.get(ACR1252)!;
  h.status(PRESENT, DUTCH);
  // A listener that stops the reader when the card goes: all inside the "status" callback.
  const stopped = new Promise<void>((resolve) => {
    reader.events.once('cardRemoved', () => {
      void reader.stop().then(resolve);
    });
  });
  h.status(SCARD.STATE_EMPTY | (1 << 16));
  await stopped;
  t.ok(h.closed);
  t.notOk(h.closedWhileLocked, 'close() ran after the callback returned');
  const { pcscd: p2 } = await started([ACR1252, ACR122U]);
  const h2 = p2.last.handles.get(ACR1252)!;
  p2.last.unplug(ACR1252);
  await new Promise((r) => setImmediate(r));
  t.ok(h2.closed);
  t.notOk(h2.closedWhileLocked, 'an unplugged reader is closed after its "end" callback');
});

t.test('PC/SC codes from pcsclite messages', async (t) => {
  t.equal(pcscCodeOf(new Error('SCardTransmit error: Card was removed.(0x80100069)')), 'SCARD_W_REMOVED_CARD');
  t.equal(pcscCodeOf(new Error('SCardConnect error: x.(0x801000ff)')), 'SCARD_0x801000FF');
  t.equal(pcscCodeOf(new Error('no code here')), undefined);
  t.equal(pcscCodeOf('not an error'), undefined);
  t.type(pcscError('R', 'SCardTransmit', pcscErr('SCardTransmit', 'Transaction failed', 0x80100016)), DeviceGoneError);
  const n = pcscError('R', 'SCardTransmit', new Error('weird'));
  t.type(n, NativeError);
  t.equal(n.message, 'SCardTransmit: UNKNOWN [reader=R]');
});
