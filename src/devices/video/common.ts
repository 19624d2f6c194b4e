// Pieces every video device class shares (the document camera, ../document-camera/, and the face
// camera, ../camera/), real and simulated alike: the bracketed description in timeout and abort
// messages, an abortable sleep on injected timers, the start/stop lifecycle, and closing what
// feeds a device (a serial queue, a frame hub) so that pending work fails and the work in
// flight is waited for, within a bound.
import { AbortedError, DeviceGoneError } from '../../errors.js';
import { stopOnAbort } from '../../util/abort.js';
import { boundedWait } from '../card-reader/common.js';
import type { Timers } from '../card-reader/serial-queue.js';
import type { VideoDeviceState } from './contract.js';

/** `device=… step=… illumination=white,uv`: the bracketed part of timeout and abort messages. */
export function describeStep(device: string, step: string, illuminations?: readonly string[]): string {
  return `device=${device} step=${step}${illuminations ? ` illumination=${illuminations.join(',')}` : ''}`;
}

/** Waits `ms`, or rejects with AbortedError(what) when `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal | undefined, what: () => string, timers: Timers): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortedError(what(), { cause: signal.reason }));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      reject(new AbortedError(what(), { cause: signal?.reason }));
    };
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Real timers, for implementations given none. */
export const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => {
    clearTimeout(h as ReturnType<typeof setTimeout>);
  },
};

/**
 * The started/stopped state of a device (STYLE.md P13): start() binds the caller's signal so
 * that aborting it stops the device, and a stop() that waits for work in flight is shared by a
 * second stop() called meanwhile.
 */
export class Lifecycle {
  #started = false;
  #onStop: (() => void) | undefined;
  #stopping: Promise<void> | undefined;

  get started(): boolean {
    return this.#started;
  }

  /** The error for work asked of `device` while it is not attached (stopped, or absent). */
  absent(device: string): DeviceGoneError {
    return new DeviceGoneError(device, this.#started ? 'no camera attached' : 'camera not started');
  }

  /** The device's state, given whether it is attached and the class's word for absent. */
  state<A extends string>(attached: boolean, absent: A): VideoDeviceState<A> {
    if (!this.#started) return 'stopped';
    return attached ? 'attached' : absent;
  }

  /**
   * Marks the device started and binds `signal` to `stop`. Returns false when the signal had
   * already aborted (the device has then been stopped again and should not begin).
   */
  begin(signal: AbortSignal, stop: () => Promise<void>): boolean {
    this.#started = true;
    this.#onStop = stopOnAbort(signal, stop);
    return !signal.aborted;
  }

  /**
   * Marks the device stopped and runs `close` once; a stop() while that runs gets the same
   * promise, and one after it (or before any start) resolves at once.
   */
  end(close: () => Promise<void>): Promise<void> {
    if (!this.#started) return this.#stopping ?? Promise.resolve();
    this.#started = false;
    this.#onStop?.();
    this.#onStop = undefined;
    this.#stopping = close().finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }
}

/** What feeds a device's consumers: a SerialQueue or a FrameHub. */
export interface Closable {
  /** Fails every pending and later operation with `error()`. */
  close(error: () => Error): void;
  /** Resolves once nothing is in flight. */
  idle(): Promise<void>;
}

/**
 * Closes `target` and waits for its work in flight, at most `timeoutMs`: rejects with a
 * TimeoutError naming `device` and `step` past that (a native read that never returns).
 */
export async function closeAndWait(target: Closable, error: () => Error, device: string, step: string, timeoutMs: number): Promise<void> {
  target.close(error);
  await boundedWait(() => target.idle(), { timeoutMs, describe: () => describeStep(device, step) });
}
