// One request in flight per channel (STYLE.md P8): a serial queue with a limit of 1, where
// every call has a timeout and an AbortSignal, and a timeout says what it waited for.
//
// INVARIANTS
// 1. At most one operation runs at a time.
// 2. The slot is released only when the running operation's own promise settles, even if its
//    caller already gave up (timeout, abort, close): a transport call that cannot be cancelled
//    (SCardTransmit) is never overlapped by the next one.
// 3. Every caller's promise settles exactly once: with the operation's outcome, or with a
//    TimeoutError, an AbortedError or the queue's close error, whichever comes first. When the
//    caller gives up first, the operation's signal aborts, and its late outcome is dropped.
// 4. A call whose signal is already aborted, or that times out or aborts while queued, never
//    runs.
// 5. The timeout counts from the call, so it includes the wait for the slot.
import { AbortedError, errorSummary, InvalidArgumentError, TimeoutError } from '../../errors.js';
import type { OpOptions } from '../../mrtd/apdu.js';

export interface QueueRunOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs: number;
  /** The bracketed part of timeout and abort messages, e.g. `reader=X ins=0xB0 step=Y`. */
  readonly describe: () => string;
}

/** Timer functions, injectable so that a test can drive time itself. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => {
    clearTimeout(h as ReturnType<typeof setTimeout>);
  },
};

interface Entry {
  readonly fn: (signal: AbortSignal) => Promise<unknown>;
  readonly controller: AbortController;
  settled: boolean;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

export class SerialQueue {
  readonly #timers: Timers;
  readonly #waiting: Entry[] = [];
  #running: Promise<void> | undefined;
  #current: Entry | undefined;
  #closed: (() => Error) | undefined;

  constructor(timers: Timers = realTimers) {
    this.#timers = timers;
  }

  /** True while an operation runs (its caller may already have given up). */
  get busy(): boolean {
    return this.#running !== undefined;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  run<T>(fn: (signal: AbortSignal) => Promise<T>, options: QueueRunOptions): Promise<T> {
    const { signal, timeoutMs, describe } = options;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      return Promise.reject(new InvalidArgumentError('timeoutMs', 'a finite number > 0', timeoutMs));
    }
    if (this.#closed) return Promise.reject(this.#closed());
    if (signal?.aborted) return Promise.reject(new AbortedError(describe(), { cause: signal.reason }));
    return new Promise<T>((resolve, reject) => {
      const controller = new AbortController();
      const finish = (): void => {
        entry.settled = true;
        this.#timers.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const giveUp = (error: Error): void => {
        if (entry.settled) return;
        finish();
        const i = this.#waiting.indexOf(entry);
        if (i >= 0) this.#waiting.splice(i, 1);
        controller.abort(error);
        reject(error);
      };
      const onAbort = (): void => {
        giveUp(new AbortedError(describe(), { cause: signal?.reason }));
      };
      const entry: Entry = {
        fn,
        controller,
        settled: false,
        resolve: (v) => {
          if (entry.settled) return;
          finish();
          resolve(v as T);
        },
        reject: (e) => {
          if (entry.settled) return;
          finish();
          reject(e instanceof Error ? e : new Error(errorSummary(e)));
        },
      };
      const timer = this.#timers.setTimeout(() => {
        giveUp(new TimeoutError(timeoutMs, describe()));
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(entry);
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#running) return;
    const next = this.#waiting.shift();
    if (!next) return;
    this.#current = next;
    // The operation is started synchronously so that a caller who gave up can never be run
    // (invariant 4); its outcome goes to the caller only if the caller is still waiting.
    let p: Promise<unknown>;
    try {
      p = next.fn(next.controller.signal);
    } catch (e) {
      p = Promise.reject(e instanceof Error ? e : new Error(errorSummary(e)));
    }
    this.#running = p.then(
      (v) => {
        next.resolve(v);
      },
      (e: unknown) => {
        next.reject(e);
      },
    ).finally(() => {
      this.#running = undefined;
      this.#current = undefined;
      this.#pump();
    });
  }

  /**
   * Closes the queue: queued calls and the running call's caller fail with `error()`, the
   * running operation's signal aborts, and later calls fail at once. Idempotent.
   */
  close(error: () => Error): void {
    if (this.#closed) return;
    this.#closed = error;
    for (const e of this.#waiting.splice(0)) {
      e.controller.abort();
      e.reject(error());
    }
    if (this.#current) {
      this.#current.controller.abort();
      this.#current.reject(error());
    }
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Resolves once no operation runs (a late, uncancellable transport call has returned). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }
}

/** The bracketed description of an APDU call: `reader=… ins=0xB0 step=…`. */
export function describeApdu(reader: string, command: Buffer, options: OpOptions | undefined): string {
  const ins = command.length >= 2 ? `0x${command[1]!.toString(16).toUpperCase().padStart(2, '0')}` : 'none';
  return `reader=${reader} ins=${ins}${options?.step ? ` step=${options.step}` : ''}`;
}
