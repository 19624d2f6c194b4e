// Pieces both document-camera implementations share: checking the requested illuminations,
// the bracketed description in timeout messages, waiting for a document, the presence
// debouncer, and an abortable sleep.
import { AbortedError, InvalidArgumentError } from '../../errors.js';
import { boundedWait } from '../card-reader/common.js';
import type { Timers } from '../card-reader/serial-queue.js';
import { ILLUMINATIONS, type DocumentCamera, type DocumentCameraCapabilities, type Illumination, type WaitOptions } from './contract.js';

/**
 * The illuminations a capture takes, in ILLUMINATIONS order: white always, and each requested
 * one, which must be among the camera's. Throws InvalidArgumentError otherwise.
 */
export function captureIlluminations(requested: readonly Illumination[] | undefined, caps: DocumentCameraCapabilities, device: string): Illumination[] {
  const wanted = new Set<Illumination>(['white']);
  for (const i of requested ?? []) {
    if (!(ILLUMINATIONS as readonly string[]).includes(i)) throw new InvalidArgumentError('illumination', `one of ${ILLUMINATIONS.join(', ')}`, i);
    if (!caps.illuminations.includes(i)) throw new InvalidArgumentError(`illumination of ${device}`, `one of ${caps.illuminations.join(', ')}`, i);
    wanted.add(i);
  }
  return ILLUMINATIONS.filter((i) => wanted.has(i));
}

/** `device=… step=… illumination=white,uv`: the bracketed part of timeout and abort messages. */
export function describeStep(device: string, step: string, illuminations?: readonly Illumination[]): string {
  return `device=${device} step=${step}${illuminations ? ` illumination=${illuminations.join(',')}` : ''}`;
}

/** Resolves when `camera` reports a document, at once if one lies on the glass. */
export function waitForDocument(camera: DocumentCamera, options: WaitOptions | undefined, defaultTimeoutMs: number): Promise<void> {
  if (camera.capabilities.presence === 'none') {
    return Promise.reject(new InvalidArgumentError(`presence sensing of ${camera.name}`, 'sensor or image', 'none'));
  }
  if (camera.documentPresent === true) return Promise.resolve();
  return boundedWait(
    (signal) =>
      new Promise<void>((resolve) => {
        const onPlaced = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          camera.events.off('documentPlaced', onPlaced);
        };
        camera.events.once('documentPlaced', onPlaced);
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    { signal: options?.signal, timeoutMs: options?.timeoutMs ?? defaultTimeoutMs, describe: () => describeStep(camera.name, 'waitForDocument') },
  );
}

/**
 * Turns per-frame presence verdicts into state changes: a change counts once `confirm`
 * consecutive frames agree, so a hand passing over the glass or one noisy frame does not
 * send documentPlaced/documentRemoved.
 */
export class PresenceDebouncer {
  readonly #confirm: number;
  #state: boolean | undefined;
  #candidate: boolean | undefined;
  #count = 0;

  constructor(confirm: number) {
    if (!Number.isInteger(confirm) || confirm < 1) throw new InvalidArgumentError('confirmFrames', 'an integer ≥ 1', confirm);
    this.#confirm = confirm;
  }

  get state(): boolean | undefined {
    return this.#state;
  }

  /** Feeds one verdict; returns the new state when it changed, else undefined. */
  feed(present: boolean): boolean | undefined {
    if (present === this.#state) {
      this.#candidate = undefined;
      this.#count = 0;
      return undefined;
    }
    if (present === this.#candidate) this.#count++;
    else {
      this.#candidate = present;
      this.#count = 1;
    }
    if (this.#count < this.#confirm) return undefined;
    this.#state = present;
    this.#candidate = undefined;
    this.#count = 0;
    return present;
  }

  reset(): void {
    this.#state = undefined;
    this.#candidate = undefined;
    this.#count = 0;
  }
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
