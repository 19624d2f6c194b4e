// The serial queue behind every card channel (STYLE.md P8): one operation at a time, timeouts
// that say what they waited for, aborts that unwind queued and running calls, a slot that is
// only freed when the transport call really returned, and close() for a card that is gone.
import t from 'tap';
import { AbortedError, DeviceGoneError, InvalidArgumentError, TimeoutError } from '../../src/errors.js';
import { describeApdu, SerialQueue, type Timers } from '../../src/devices/card-reader/serial-queue.js';

/** A transport call the test finishes by hand. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Timers the test fires itself: `fire()` runs every timer due at the current fake time. */
class FakeTimers implements Timers {
  now = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, tm] of [...this.#timers]) {
      if (tm.at <= this.now) {
        this.#timers.delete(id);
        tm.fn();
      }
    }
  }
  get pending(): number {
    return this.#timers.size;
  }
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
const what = (): string => 'reader=R ins=0xB0 step=READ.DG2';

t.test('operations run one at a time, in call order', async (t) => {
  const q = new SerialQueue();
  const order: string[] = [];
  let running = 0;
  let most = 0;
  const op = (name: string) => async (): Promise<string> => {
    running++;
    most = Math.max(most, running);
    order.push(`start ${name}`);
    await flush();
    order.push(`end ${name}`);
    running--;
    return name;
  };
  const results = await Promise.all(['a', 'b', 'c'].map((n) => q.run(op(n), { timeoutMs: 1000, describe: what })));
  t.same(results, ['a', 'b', 'c']);
  t.equal(most, 1, 'never two at once');
  t.same(order, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
});

t.test('a timeout names what it waited for; the slot stays taken until the call returns', async (t) => {
  const timers = new FakeTimers();
  const q = new SerialQueue(timers);
  const first = deferred<string>();
  let secondStarted = false;
  const p1 = q.run(() => first.promise, { timeoutMs: 3000, describe: what });
  const p2 = q.run(
    () => {
      secondStarted = true;
      return Promise.resolve('second');
    },
    { timeoutMs: 10_000, describe: what },
  );
  timers.advance(3000);
  const e = await p1.catch((x: unknown) => x);
  t.type(e, TimeoutError);
  t.equal((e as Error).message, 'Timeout after 3000ms [reader=R ins=0xB0 step=READ.DG2]');
  t.equal((e as TimeoutError).timeoutMs, 3000);
  await flush();
  t.notOk(secondStarted, 'the next call waits for the timed-out transport call to return');
  t.ok(q.busy);
  first.resolve('late');
  t.equal(await p2, 'second', 'then it runs, and gets its own result');
  t.equal(timers.pending, 0, 'no timer left behind');
});

t.test('the timeout counts from the call, so it includes the wait in the queue', async (t) => {
  const timers = new FakeTimers();
  const q = new SerialQueue(timers);
  const first = deferred<string>();
  let ran = false;
  void q.run(() => first.promise, { timeoutMs: 10_000, describe: what });
  const queued = q.run(
    () => {
      ran = true;
      return Promise.resolve('x');
    },
    { timeoutMs: 500, describe: () => 'reader=R ins=0x84 step=BAC.getChallenge' },
  );
  timers.advance(500);
  t.equal(((await queued.catch((x: unknown) => x)) as Error).message, 'Timeout after 500ms [reader=R ins=0x84 step=BAC.getChallenge]');
  first.resolve('done');
  await flush();
  await flush();
  t.notOk(ran, 'a call that timed out while queued never runs');
  t.equal(q.waiting, 0);
});

t.test('abort: before the call, while queued, and in flight (its signal aborts too)', async (t) => {
  const q = new SerialQueue();
  const pre = new AbortController();
  pre.abort();
  await t.rejects(q.run(() => Promise.resolve(1), { signal: pre.signal, timeoutMs: 1000, describe: what }), AbortedError, 'already aborted');

  const ac = new AbortController();
  const inFlight = deferred<number>();
  let opSignal: AbortSignal | undefined;
  let queuedRan = false;
  const p1 = q.run(
    (signal) => {
      opSignal = signal;
      return inFlight.promise;
    },
    { signal: ac.signal, timeoutMs: 1000, describe: what },
  );
  const p2 = q.run(
    () => {
      queuedRan = true;
      return Promise.resolve(2);
    },
    { signal: ac.signal, timeoutMs: 1000, describe: what },
  );
  ac.abort(new Error('applicant walked away'));
  const e1 = await p1.catch((x: unknown) => x);
  t.type(e1, AbortedError);
  t.equal((e1 as Error).message, 'Aborted [reader=R ins=0xB0 step=READ.DG2]');
  t.type(await p2.catch((x: unknown) => x), AbortedError);
  t.equal(opSignal?.aborted, true, 'the running operation is told');
  inFlight.resolve(1);
  await flush();
  t.notOk(queuedRan);
  t.equal(await q.run(() => Promise.resolve(3), { timeoutMs: 1000, describe: what }), 3, 'the queue goes on');
});

t.test('close: everyone waiting gets the close error, later calls too', async (t) => {
  const q = new SerialQueue();
  const inFlight = deferred<number>();
  const p1 = q.run(() => inFlight.promise, { timeoutMs: 1000, describe: what });
  const p2 = q.run(() => Promise.resolve(2), { timeoutMs: 1000, describe: what });
  q.close(() => new DeviceGoneError('R', 'card removed'));
  q.close(() => new Error('second close is ignored'));
  await t.rejects(p1, { name: 'DeviceGoneError', message: 'R: card removed' });
  await t.rejects(p2, DeviceGoneError);
  await t.rejects(q.run(() => Promise.resolve(3), { timeoutMs: 1000, describe: what }), DeviceGoneError);
  t.ok(q.closed);
  let idle = false;
  const waiting = q.idle().then(() => (idle = true));
  await flush();
  t.notOk(idle, 'idle() waits for the uncancellable call');
  inFlight.resolve(1);
  await waiting;
  t.ok(idle);
});

t.test('failures pass through as they are; a synchronous throw becomes a rejection', async (t) => {
  const q = new SerialQueue();
  await t.rejects(q.run(() => Promise.reject(new DeviceGoneError('R', 'x')), { timeoutMs: 1000, describe: what }), DeviceGoneError);
  await t.rejects(
    q.run(
      () => {
        throw new InvalidArgumentError('command', 'a Buffer', 1);
      },
      { timeoutMs: 1000, describe: what },
    ),
    InvalidArgumentError,
  );
  await t.rejects(
    q.run(() => Promise.reject(new Error('plain')), { timeoutMs: 1000, describe: what }),
    { message: 'plain' },
  );
  await t.rejects(q.run(() => Promise.resolve(1), { timeoutMs: 0, describe: what }), InvalidArgumentError, 'a timeout is required');
  await t.rejects(q.run(() => Promise.resolve(1), { timeoutMs: Infinity, describe: what }), InvalidArgumentError);
});

t.test('describeApdu: reader, INS in hex, step', async (t) => {
  t.equal(describeApdu('ACS ACR1252', Buffer.from('0084000008', 'hex'), { step: 'BAC.getChallenge' }), 'reader=ACS ACR1252 ins=0x84 step=BAC.getChallenge');
  t.equal(describeApdu('Virtual PCD 00 00', Buffer.from('00b0000000', 'hex'), undefined), 'reader=Virtual PCD 00 00 ins=0xB0');
  t.equal(describeApdu('R', Buffer.from('0c', 'hex'), {}), 'reader=R ins=none');
});
