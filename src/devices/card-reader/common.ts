// Pieces both card-reader implementations share: deciding extended-length support, waiting
// for a card, and a bounded wait for one-off reader operations (connect, disconnect).
import { AbortedError, errorSummary, InvalidArgumentError, ParseError, TimeoutError } from '../../errors.js';
import { atrCardCapabilities, parseAtr } from '../../mrtd/atr.js';
import type { CardPresentEvent, CardReader, ConnectOptions, ExtendedLengthSupport } from './contract.js';

export interface ExtendedLengthInputs {
  /** The reader's configuration: when set, it decides. */
  readonly configured?: boolean | undefined;
  /** What the discovery table knows of the reader model; `false` means it cannot. */
  readonly readerModel?: boolean | undefined;
  readonly atr: Buffer;
  /** Used when nobody states anything. */
  readonly fallback: boolean;
}

/**
 * Configuration first; then a reader known not to pass extended APDUs; then the card's own
 * statement in its ATR (ISO/IEC 7816-4 §8.1.1.2.7, third software function table, b7); then
 * the fallback. A reader known to support them does not make a card support them, so a
 * positive reader entry only matters through the card's statement.
 */
export function resolveExtendedLength(i: ExtendedLengthInputs): ExtendedLengthSupport {
  if (i.configured !== undefined) return { supported: i.configured, source: 'config' };
  if (i.readerModel === false) return { supported: false, source: 'reader' };
  const stated = atrExtendedLength(i.atr);
  if (stated !== undefined) return { supported: stated, source: 'atr' };
  return { supported: i.fallback, source: 'default' };
}

/** The card's extended-length statement in its ATR, or undefined when it states none. */
export function atrExtendedLength(atr: Buffer): boolean | undefined {
  try {
    return atrCardCapabilities(parseAtr(atr))?.extendedLength;
  } catch (e) {
    if (e instanceof ParseError) return undefined;
    throw e;
  }
}

/** Resolves when `reader` has a card, at once if it has one already. */
export function waitForCard(reader: CardReader, options: ConnectOptions | undefined, defaultTimeoutMs: number): Promise<CardPresentEvent> {
  const atr = reader.atr;
  const name = reader.name;
  if (reader.state === 'cardPresent' && atr && name !== undefined) return Promise.resolve({ reader: name, atr });
  const what = `reader=${name ?? 'none'} step=waitForCard`;
  return boundedWait(
    (signal) =>
      new Promise<CardPresentEvent>((resolve) => {
        const onCard = (e: CardPresentEvent): void => {
          signal.removeEventListener('abort', onAbort);
          resolve(e);
        };
        const onAbort = (): void => {
          reader.events.off('cardPresent', onCard);
        };
        reader.events.once('cardPresent', onCard);
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    { signal: options?.signal, timeoutMs: options?.timeoutMs ?? defaultTimeoutMs, describe: () => what },
  );
}

export interface BoundedWaitOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs: number;
  readonly describe: () => string;
}

/**
 * Runs `fn` and settles with its outcome, or with a TimeoutError / AbortedError if those
 * come first; `fn`'s signal aborts when the wait gives up so it can clean up.
 */
export function boundedWait<T>(fn: (signal: AbortSignal) => Promise<T>, o: BoundedWaitOptions): Promise<T> {
  if (!Number.isFinite(o.timeoutMs) || o.timeoutMs <= 0) {
    return Promise.reject(new InvalidArgumentError('timeoutMs', 'a finite number > 0', o.timeoutMs));
  }
  if (o.signal?.aborted) return Promise.reject(new AbortedError(o.describe(), { cause: o.signal.reason }));
  const inner = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const settle = (f: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = (): void => {
      settle(() => {
        const e = new AbortedError(o.describe(), { cause: o.signal?.reason });
        inner.abort(e);
        reject(e);
      });
    };
    const timer = setTimeout(() => {
      settle(() => {
        const e = new TimeoutError(o.timeoutMs, o.describe());
        inner.abort(e);
        reject(e);
      });
    }, o.timeoutMs);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    fn(inner.signal).then(
      (v) => {
        settle(() => {
          resolve(v);
        });
      },
      (e: unknown) => {
        settle(() => {
          reject(asError(e));
        });
      },
    );
  });
}

/** Checks a command APDU's size before it reaches a transport (ISO/IEC 7816-3 §12.1). */
export function checkCommand(command: unknown): asserts command is Buffer {
  if (!Buffer.isBuffer(command)) throw new InvalidArgumentError('command', 'a Buffer', command);
  // 4 header bytes + 3 Lc bytes + 65535 data bytes + 2 Le bytes is the largest extended case 4.
  if (command.length < 4 || command.length > 4 + 3 + 65535 + 2) {
    throw new InvalidArgumentError('command', 'a command APDU of 4..65544 bytes', command);
  }
}

/** A thrown value as an Error (promise rejections carry Errors only). */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(errorSummary(e));
}
