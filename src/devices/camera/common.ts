// Pieces both face-camera implementations share: the frame hub, which runs one frame loop while
// anybody wants frames and hands each frame to every open stream and grab, with a bounded
// buffer per consumer (the oldest frame dropped and counted when a consumer is slow).
//
// INVARIANTS
// 1. One read in flight at a time: the loop awaits each read before the next.
// 2. The loop runs only while a stream or grab is open; it stops after the last one closes
//    (after its read in flight returns), and the next consumer starts it again with
//    `fresh = true`, so that the implementation can drop frames buffered while nobody read.
// 3. No consumer holds more than its buffer size of frames; nothing else buffers frames.
// 4. A read error ends the loop and every open consumer with that error (once each); a closed
//    hub (camera gone or stopped) fails every consumer at once and every later one at once.
// 5. `end()` (a recording played to its end) completes every stream (done) and fails grabs.
import { AbortedError, DeviceGoneError, errorSummary, InvalidArgumentError, TimeoutError } from '../../errors.js';
import type { Image } from '../../document/image.js';
import type { Timers } from '../card-reader/serial-queue.js';
import { describeStep } from '../video/common.js';
import { DEFAULT_TIMEOUTS, MAX_STREAM_BUFFER, type Frame, type FrameStream, type FrameStreamOptions, type GrabOptions } from './contract.js';

/**
 * Reads one frame. `fresh` is true for the first read after the loop (re)starts. Resolves with
 * undefined at the end of a recording (simulated cameras that do not loop).
 */
export type ReadFrame = (signal: AbortSignal, fresh: boolean) => Promise<Image | undefined>;

export interface FrameHubOptions {
  readonly device: string;
  readonly read: ReadFrame;
  readonly now: () => Date;
  readonly timers: Timers;
}

export class FrameHub {
  readonly #o: FrameHubOptions;
  readonly #consumers = new Set<FrameConsumer>();
  #loop: Promise<void> | undefined;
  #controller: AbortController | undefined;
  #closed: (() => Error) | undefined;
  #sequence = 0;

  constructor(options: FrameHubOptions) {
    this.#o = options;
  }

  /** Whether a frame loop runs (a read may be in flight). */
  get running(): boolean {
    return this.#loop !== undefined;
  }

  get consumers(): number {
    return this.#consumers.size;
  }

  /** A stream of the frames read from now on. */
  frames(options: FrameStreamOptions = {}): FrameStream {
    const buffer = options.buffer ?? 1;
    if (!Number.isInteger(buffer) || buffer < 1 || buffer > MAX_STREAM_BUFFER) throw new InvalidArgumentError('buffer', `an integer 1..${MAX_STREAM_BUFFER}`, buffer);
    const timeoutMs = options.frameTimeoutMs ?? DEFAULT_TIMEOUTS.frameMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new InvalidArgumentError('frameTimeoutMs', 'a finite number > 0', timeoutMs);
    return this.#open({ buffer, timeoutMs, signal: options.signal, step: 'frames' });
  }

  /** The next frame read after the call. */
  async grab(options: GrabOptions = {}): Promise<Frame> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUTS.grabMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new InvalidArgumentError('timeoutMs', 'a finite number > 0', timeoutMs);
    const c = this.#open({ buffer: 1, timeoutMs, signal: options.signal, step: 'grab' });
    try {
      const r = await c.next();
      if (r.done === true) throw new DeviceGoneError(this.#o.device, 'end of the recording');
      return r.value;
    } finally {
      c.close();
    }
  }

  /** Fails every consumer, now and later, with `error()`, and stops the loop. Idempotent. */
  close(error: () => Error): void {
    if (this.#closed) return;
    this.#closed = error;
    this.#controller?.abort();
    for (const c of [...this.#consumers]) c.fail(error());
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Ends every open stream (done) and fails open grabs: the recording has ended. */
  end(): void {
    for (const c of [...this.#consumers]) c.end();
  }

  /** Resolves once no read is in flight. */
  async idle(): Promise<void> {
    while (this.#loop) await this.#loop;
  }

  /** Called by consumers as they close. */
  remove(c: FrameConsumer): void {
    this.#consumers.delete(c);
    if (this.#consumers.size === 0) this.#controller?.abort();
  }

  #open(o: ConsumerOptions): FrameConsumer {
    const c = new FrameConsumer(this, this.#o.device, o, this.#o.timers);
    const closed = this.#closed;
    if (closed) {
      c.fail(closed());
      return c;
    }
    // A consumer whose signal had already aborted is over before it starts.
    if (c.over) return c;
    this.#consumers.add(c);
    this.#ensureLoop();
    return c;
  }

  /** Starts the loop when consumers wait and none runs; a loop that ends re-checks (invariant 2). */
  #ensureLoop(): void {
    if (this.#loop || this.#closed || this.#consumers.size === 0) return;
    this.#loop = this.#run().finally(() => {
      this.#loop = undefined;
      // A consumer that came while the loop was winding down starts the next one.
      this.#ensureLoop();
    });
  }

  async #run(): Promise<void> {
    const controller = new AbortController();
    this.#controller = controller;
    // A function, not a condition: the state changes across the awaits below.
    const stopped = (): boolean => this.#closed !== undefined || controller.signal.aborted;
    let fresh = true;
    try {
      while (this.#consumers.size > 0 && !stopped()) {
        let image: Image | undefined;
        try {
          image = await this.#o.read(controller.signal, fresh);
        } catch (e) {
          // Aborted because the last consumer left (one that came since restarts the loop).
          if (stopped()) return;
          const error = e instanceof Error ? e : new Error(errorSummary(e));
          for (const c of [...this.#consumers]) c.fail(error);
          return;
        }
        fresh = false;
        if (stopped()) return;
        if (image === undefined) {
          this.end();
          return;
        }
        const frame: Frame = { image, capturedAt: this.#o.now(), sequence: ++this.#sequence, device: this.#o.device };
        for (const c of [...this.#consumers]) c.push(frame);
      }
    } finally {
      if (this.#controller === controller) this.#controller = undefined;
    }
  }
}

interface ConsumerOptions {
  readonly buffer: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly step: string;
}

interface Waiter {
  resolve(r: IteratorResult<Frame>): void;
  reject(e: Error): void;
  timer: unknown;
}

/** One stream or grab: a bounded buffer and at most one waiting next(). */
class FrameConsumer implements FrameStream {
  readonly #hub: FrameHub;
  readonly #device: string;
  readonly #o: ConsumerOptions;
  readonly #timers: Timers;
  readonly #buffer: Frame[] = [];
  #waiter: Waiter | undefined;
  /** Set once the consumer is over: an error still to report, or plain done. */
  #error: Error | undefined;
  #done = false;
  #dropped = 0;
  #delivered = 0;
  readonly #onAbort = (): void => {
    this.fail(new AbortedError(describeStep(this.#device, this.#o.step), { cause: this.#o.signal?.reason }), true);
  };

  constructor(hub: FrameHub, device: string, o: ConsumerOptions, timers: Timers) {
    this.#hub = hub;
    this.#device = device;
    this.#o = o;
    this.#timers = timers;
    if (o.signal?.aborted) this.#onAbort();
    else o.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** True once the consumer has ended (closed, failed, aborted or at the recording's end). */
  get over(): boolean {
    return this.#done;
  }

  get delivered(): number {
    return this.#delivered;
  }

  push(frame: Frame): void {
    if (this.#done) return;
    const w = this.#waiter;
    if (w) {
      this.#settle();
      this.#delivered++;
      w.resolve({ value: frame, done: false });
      return;
    }
    this.#buffer.push(frame);
    if (this.#buffer.length > this.#o.buffer) {
      this.#buffer.shift();
      this.#dropped++;
    }
  }

  /**
   * Ends the consumer with `error`: a waiting next() rejects now, otherwise the next one does,
   * after the frames still buffered (taken before the failure) unless `discard` (an abort: the
   * consumer wants no more frames).
   */
  fail(error: Error, discard = false): void {
    if (this.#done) return;
    this.#finish();
    if (discard) this.#buffer.length = 0;
    const w = this.#waiter;
    if (w) {
      this.#settle();
      w.reject(error);
    } else this.#error = error;
  }

  /** Ends the consumer quietly (end of a recording). */
  end(): void {
    if (this.#done) return;
    this.#finish();
    const w = this.#waiter;
    if (w) {
      this.#settle();
      w.resolve({ value: undefined, done: true });
    }
  }

  close(): void {
    this.end();
    // Frames still buffered are not delivered after close.
    this.#buffer.length = 0;
  }

  next(): Promise<IteratorResult<Frame>> {
    const frame = this.#buffer.shift();
    if (frame) {
      this.#delivered++;
      return Promise.resolve({ value: frame, done: false });
    }
    if (this.#error) {
      const e = this.#error;
      this.#error = undefined;
      return Promise.reject(e);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    if (this.#waiter) return Promise.reject(new InvalidArgumentError('next()', 'one call at a time on a frame stream', 'a second call'));
    return new Promise((resolve, reject) => {
      const timer = this.#timers.setTimeout(() => {
        this.#waiter = undefined;
        reject(new TimeoutError(this.#o.timeoutMs, describeStep(this.#device, this.#o.step)));
      }, this.#o.timeoutMs);
      this.#waiter = { resolve, reject, timer };
    });
  }

  return(): Promise<IteratorResult<Frame>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #settle(): void {
    const w = this.#waiter;
    if (!w) return;
    this.#timers.clearTimeout(w.timer);
    this.#waiter = undefined;
  }

  #finish(): void {
    this.#done = true;
    this.#o.signal?.removeEventListener('abort', this.#onAbort);
    this.#hub.remove(this);
  }
}

/** A stream that fails its first next() with `error` (a camera that is absent). */
export function failedStream(error: Error): FrameStream {
  let pending: Error | undefined = error;
  const stream: FrameStream = {
    dropped: 0,
    delivered: 0,
    close: () => {
      pending = undefined;
    },
    next: () => {
      const e = pending;
      pending = undefined;
      return e ? Promise.reject(e) : Promise.resolve({ value: undefined, done: true });
    },
    return: () => {
      pending = undefined;
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}
