// The inspection's own bounds on a chip that stops answering (the "Bad input" requirement:
// timeouts per APDU and per document). Card channels enforce both themselves (STYLE.md P8),
// but the inspection takes any Transceiver, and one that ignores `timeoutMs` and `signal` (an
// in-process chip, a test transport, a reader binding with a bug) must not hang a visit. This
// wrapper is the backstop: each APDU ends at the per-APDU limit, and every APDU ends as soon as
// the document's limit passes or the caller aborts. Its timer starts just after the transport's
// own, so a transport that keeps the same limit reports first, with its more specific message
// (the reader's name).
import { AbortedError, TimeoutError } from '../../errors.js';
import type { OpOptions, Transceiver } from '../apdu.js';

export interface DocumentBounds {
  readonly apduTimeoutMs: number;
  /** The whole inspection's limit: `deadline` aborts when it passes. */
  readonly documentTimeoutMs: number;
  readonly deadline: AbortSignal;
  /** The caller's own signal (the applicant walked away), if any. */
  readonly signal?: AbortSignal | undefined;
}

export class BoundedTransceiver implements Transceiver {
  readonly #inner: Transceiver;
  readonly #bounds: DocumentBounds;

  constructor(inner: Transceiver, bounds: DocumentBounds) {
    this.#inner = inner;
    this.#bounds = bounds;
  }

  transceive(command: Buffer, options?: OpOptions): Promise<Buffer> {
    const b = this.#bounds;
    const step = options?.step ?? 'apdu';
    const ended = this.#ended(step);
    if (ended) return Promise.reject(ended);
    const apduMs = options?.timeoutMs ?? b.apduTimeoutMs;
    return new Promise<Buffer>((resolve, reject) => {
      // An object, not a `let`: the closures below change it.
      const state: { done: boolean; timer: ReturnType<typeof setTimeout> | undefined } = { done: false, timer: undefined };
      const signals = [b.deadline, ...(b.signal ? [b.signal] : [])];
      const settle = (f: () => void): void => {
        if (state.done) return;
        state.done = true;
        clearTimeout(state.timer);
        for (const s of signals) s.removeEventListener('abort', onAbort);
        f();
      };
      const onAbort = (): void => {
        settle(() => {
          reject(this.#ended(step) ?? new AbortedError(`chip step=${step}`));
        });
      };
      // Registered before the transport sees the command, so that on the document's deadline
      // this listener runs first and the error says "document" rather than a generic abort.
      for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
      let p: Promise<Buffer>;
      try {
        p = this.#inner.transceive(command, options);
      } catch (e) {
        p = Promise.reject(e instanceof Error ? e : new Error('transport threw a non-error'));
      }
      if (!state.done) {
        state.timer = setTimeout(() => {
          settle(() => {
            reject(new TimeoutError(apduMs, `chip step=${step}: no answer`));
          });
        }, apduMs);
      }
      p.then(
        (r) => {
          settle(() => {
            resolve(r);
          });
        },
        (e: unknown) => {
          settle(() => {
            reject(e instanceof Error ? e : new Error('transport rejected with a non-error'));
          });
        },
      );
    });
  }

  /** The error for an inspection that may not send any more: the document's limit passed, or the caller aborted. */
  #ended(step: string): Error | undefined {
    const b = this.#bounds;
    if (b.deadline.aborted) return new TimeoutError(b.documentTimeoutMs, `document step=${step}`);
    if (b.signal?.aborted) return new AbortedError(`chip step=${step}`, { cause: b.signal.reason });
    return undefined;
  }
}
