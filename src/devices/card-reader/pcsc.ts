// The PC/SC card reader: the card-reader contract over pcscd through the `pcsclite` binding.
//
// One PC/SC context watches the reader list; the reader to use is chosen by a configured name
// pattern or from the discovery table (./discovery.ts), and re-chosen when readers come and
// go (hot-plug). When pcscd goes away (restart, crash) the context reports an error: the
// reader is reported detached and a new context is tried every `retryDelayMs` until pcscd
// answers again. Cards are seen through the binding's per-reader status thread.
//
// A channel is an exclusive SCardConnect to the card (the kiosk owns the card for the whole
// visit). Transmits go through a serial queue (one APDU in flight, ./serial-queue.ts) and run
// on the libuv thread pool, with a receive buffer for the largest extended response.
import { EventEmitter } from 'node:events';
import { DeviceGoneError, errorSummary } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import type { OpOptions } from '../../mrtd/apdu.js';
import { asError, boundedWait, checkCommand, resolveExtendedLength, waitForCard } from './common.js';
import {
  DEFAULT_TIMEOUTS,
  type CardChannel,
  type CardPresentEvent,
  type CardReader,
  type CardReaderEvents,
  type ConnectOptions,
  type ExtendedLengthSupport,
  type ReaderState,
} from './contract.js';
import { selectReader, type ReaderModel, type ReaderSelection } from './discovery.js';
import { MAX_RESPONSE_LENGTH, pcscError, SCARD, type PcscBinding, type PcscContext, type PcscReaderHandle, type PcscStatus } from './pcsc-binding.js';
import { describeApdu, SerialQueue, type Timers } from './serial-queue.js';
import { stopOnAbort } from '../../util/abort.js';

const NS = 'kiosk:dev:pcsc';

/**
 * How often to try reaching pcscd again after it went away. systemd restarts pcscd (or
 * socket-activates it) within a second; one SCardEstablishContext a second costs nothing.
 */
export const PCSCD_RETRY_MS = 1000;

export interface PcscReaderOptions {
  /** The pcsclite binding (loadPcscliteBinding() in the composition root, a fake in tests). */
  readonly binding: PcscBinding;
  /** Only readers whose name matches; without it, the discovery table's preferred reader. */
  readonly readerName?: RegExp;
  readonly table?: readonly ReaderModel[];
  /** Configured extended-length support: overrides reader table and ATR. */
  readonly extendedLength?: boolean;
  /** Extended-length support when nobody states it; false by default. */
  readonly extendedLengthFallback?: boolean;
  /**
   * pcscd's client socket. libpcsclite reads PCSCLITE_CSOCK_NAME once per process, at its
   * first use; when this is given, `start()` sets that variable before the first context.
   */
  readonly socketPath?: string;
  readonly retryDelayMs?: number;
  readonly timers?: Timers;
  readonly logger?: Logger;
}

interface Watched {
  readonly handle: PcscReaderHandle;
  present: boolean;
  counter: number;
  atr: Buffer | undefined;
}

export class PcscCardReader implements CardReader {
  readonly events = new EventEmitter<CardReaderEvents>();
  readonly #o: PcscReaderOptions;
  readonly #logger: Logger;
  readonly #watched = new Map<string, Watched>();
  #started = false;
  #context: PcscContext | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #selected: ReaderSelection | undefined;
  #channel: PcscChannel | undefined;
  #onStop: (() => void) | undefined;
  #closing = 0;

  constructor(options: PcscReaderOptions) {
    this.#o = options;
    this.#logger = options.logger ?? silentLogger;
  }

  get name(): string | undefined {
    return this.#selected?.name;
  }

  get state(): ReaderState {
    if (!this.#started) return 'stopped';
    const w = this.#current();
    if (!w) return 'noReader';
    return w.present ? 'cardPresent' : 'empty';
  }

  get atr(): Buffer | undefined {
    const w = this.#current();
    return w?.present ? w.atr : undefined;
  }

  start(signal: AbortSignal): Promise<void> {
    if (this.#started) return Promise.resolve();
    this.#started = true;
    this.#onStop = stopOnAbort(signal, () => this.stop());
    if (signal.aborted) return Promise.resolve();
    if (this.#o.socketPath !== undefined) process.env.PCSCLITE_CSOCK_NAME = this.#o.socketPath;
    this.#openContext();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#onStop?.();
    this.#onStop = undefined;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
    const ch = this.#channel;
    this.#channel = undefined;
    if (ch) await ch.disconnect();
    this.#closeContext();
    this.#selected = undefined;
    // Let the deferred closes run, so nothing of the binding is left holding the loop open.
    while (this.#closing > 0) await new Promise((r) => setImmediate(r));
  }

  waitForCard(options?: ConnectOptions): Promise<CardPresentEvent> {
    return waitForCard(this, options, DEFAULT_TIMEOUTS.connectMs);
  }

  connect(options?: ConnectOptions): Promise<CardChannel> {
    const sel = this.#selected;
    const name = sel?.name ?? 'none';
    const describe = (): string => `reader=${name} step=connect`;
    return boundedWait(
      async (signal) => {
        const w = this.#current();
        if (!this.#started || !sel || !w) throw new DeviceGoneError(name, 'no reader attached');
        if (!w.present || !w.atr) throw new DeviceGoneError(name, 'no card in the field');
        if (this.#channel?.open) return this.#channel;
        const handle = w.handle;
        // A channel lost to a removal may have left the binding's handle marked connected;
        // its connect() would then silently do nothing.
        if (handle.connected) await disconnectHandle(handle, SCARD.LEAVE_CARD).catch(() => undefined);
        const protocol = await new Promise<number>((resolve, reject) => {
          handle.connect({ share_mode: SCARD.SHARE_EXCLUSIVE, protocol: SCARD.PROTOCOL_T0 | SCARD.PROTOCOL_T1 }, (err, p) => {
            if (err) {
              reject(pcscError(name, 'SCardConnect', err));
              return;
            }
            if (signal.aborted) {
              // The caller gave up (timeout, abort) while SCardConnect ran: release the card.
              void disconnectHandle(handle, SCARD.LEAVE_CARD).catch(() => undefined);
              reject(new DeviceGoneError(name, 'connect abandoned'));
              return;
            }
            // pcsclite calls back without a protocol when its handle was already connected.
            if (typeof p !== 'number') {
              reject(new DeviceGoneError(name, 'reader handle in an unknown state'));
              return;
            }
            resolve(p);
          });
        });
        const ext = resolveExtendedLength({
          configured: this.#o.extendedLength,
          readerModel: sel.model?.extendedLength,
          atr: w.atr,
          fallback: this.#o.extendedLengthFallback ?? false,
        });
        const ch = new PcscChannel(name, w.atr, ext, handle, protocol, this.#o.timers, this.#logger);
        this.#channel = ch;
        this.#logger.info(NS, 'card connected', { reader: name, protocol: protocol === SCARD.PROTOCOL_T1 ? 'T=1' : 'T=0', extendedLength: ext.supported });
        return ch;
      },
      { signal: options?.signal, timeoutMs: options?.timeoutMs ?? DEFAULT_TIMEOUTS.connectMs, describe },
    );
  }

  #current(): Watched | undefined {
    return this.#selected ? this.#watched.get(this.#selected.name) : undefined;
  }

  #openContext(): void {
    if (!this.#started) return;
    let ctx: PcscContext;
    try {
      ctx = this.#o.binding();
    } catch (e) {
      // pcscd is not (yet) there: SCardEstablishContext failed with SCARD_E_NO_SERVICE.
      this.#fault(e);
      this.#scheduleRetry();
      return;
    }
    this.#context = ctx;
    ctx.on('error', (e) => {
      if (this.#context !== ctx) return;
      // The context's watcher thread has ended (pcscd went away): start over with a new one.
      this.#fault(e);
      this.#closeContext();
      this.#scheduleRetry();
    });
    ctx.on('reader', (handle) => {
      if (this.#context !== ctx) {
        this.#closeSoon(() => {
          handle.close();
        }, handle.name);
        return;
      }
      this.#watch(handle);
    });
  }

  #scheduleRetry(): void {
    if (!this.#started || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#openContext();
    }, this.#o.retryDelayMs ?? PCSCD_RETRY_MS);
  }

  #closeContext(): void {
    const ctx = this.#context;
    this.#context = undefined;
    for (const name of [...this.#watched.keys()]) this.#unwatch(name, 'pcscd context closed');
    if (ctx) {
      this.#closeSoon(() => {
        ctx.close();
      }, undefined);
    }
  }

  /**
   * Closes a binding object on the next turn of the event loop, never from inside one of its
   * callbacks: pcsclite emits a reader's "status", "error" and "end" while holding that
   * reader's mutex, which its close() takes again (a self-deadlock of the JS thread).
   */
  #closeSoon(close: () => void, reader: string | undefined): void {
    this.#closing++;
    setImmediate(() => {
      this.#closing--;
      try {
        close();
      } catch (e) {
        this.#logger.debug(NS, 'closing a PC/SC object failed', { reader, error: errorSummary(e) });
      }
    });
  }

  #watch(handle: PcscReaderHandle): void {
    const name = handle.name;
    const w: Watched = { handle, present: false, counter: -1, atr: undefined };
    this.#watched.set(name, w);
    this.#logger.debug(NS, 'reader seen', { reader: name });
    // A listener stays on for good: an "error" without one would throw.
    handle.on('error', (e) => {
      if (this.#watched.get(name) === w) this.#fault(e, name);
    });
    handle.on('end', () => {
      if (this.#watched.get(name) === w) this.#unwatch(name, 'reader removed');
    });
    handle.on('status', (s) => {
      if (this.#watched.get(name) === w) this.#status(name, w, s);
    });
    // The binding reports the readers present at start one by one in the same tick: choose
    // once they are all known, so the table's preference decides, not their order.
    queueMicrotask(() => {
      this.#reselect();
    });
  }

  #unwatch(name: string, why: string): void {
    const w = this.#watched.get(name);
    if (!w) return;
    this.#watched.delete(name);
    if (this.#selected?.name === name) {
      this.#dropChannel(why);
      this.#selected = undefined;
      // stop() detaches quietly; a reader lost while running is reported.
      if (this.#started) {
        if (w.present) this.events.emit('cardRemoved', { reader: name });
        this.#logger.info(NS, 'reader detached', { reader: name, why });
        this.events.emit('readerDetached', { reader: name });
      }
    }
    this.#closeSoon(() => {
      w.handle.close();
    }, name);
    this.#reselect();
  }

  #reselect(): void {
    if (!this.#started || this.#selected) return;
    const sel = selectReader([...this.#watched.keys()], { pattern: this.#o.readerName, table: this.#o.table });
    if (!sel) return;
    this.#selected = sel;
    this.#logger.info(NS, 'reader attached', { reader: sel.name, model: sel.model?.id ?? 'unlisted' });
    this.events.emit('readerAttached', { reader: sel.name });
    const w = this.#watched.get(sel.name);
    if (w?.present && w.atr) this.events.emit('cardPresent', { reader: sel.name, atr: w.atr });
  }

  #status(name: string, w: Watched, s: PcscStatus): void {
    // pcsc-lite keeps a card event counter in the upper 16 bits of dwEventState: a changed
    // counter with a card present means it was taken away and put back in between.
    const counter = s.state >>> 16;
    const present = (s.state & SCARD.STATE_PRESENT) !== 0 && (s.state & SCARD.STATE_MUTE) === 0;
    const selected = this.#selected?.name === name;
    if (w.present && (!present || counter !== w.counter)) {
      w.present = false;
      w.atr = undefined;
      if (selected) {
        this.#dropChannel('card removed');
        this.events.emit('cardRemoved', { reader: name });
      }
    }
    w.counter = counter;
    if (present && !w.present && s.atr && s.atr.length > 0) {
      w.present = true;
      w.atr = Buffer.from(s.atr);
      if (selected) this.events.emit('cardPresent', { reader: name, atr: w.atr });
    }
  }

  #dropChannel(why: string): void {
    const ch = this.#channel;
    this.#channel = undefined;
    if (ch) void ch.gone(why);
  }

  #fault(e: unknown, reader?: string): void {
    const error = e instanceof Error ? e : new Error(errorSummary(e));
    this.#logger.warn(NS, 'PC/SC fault', { reader, error: errorSummary(e) });
    this.events.emit('fault', { reader, error });
  }
}

function disconnectHandle(handle: PcscReaderHandle, disposition: number): Promise<void> {
  return new Promise((resolve, reject) => {
    handle.disconnect(disposition, (err) => {
      if (err) reject(err);
      else resolve();
    });
  });
}

class PcscChannel implements CardChannel {
  readonly reader: string;
  readonly atr: Buffer;
  readonly extendedLength: ExtendedLengthSupport;
  readonly #handle: PcscReaderHandle;
  readonly #protocol: number;
  readonly #queue: SerialQueue;
  readonly #logger: Logger;
  #released: Promise<void> | undefined;

  constructor(reader: string, atr: Buffer, ext: ExtendedLengthSupport, handle: PcscReaderHandle, protocol: number, timers: Timers | undefined, logger: Logger) {
    this.reader = reader;
    this.atr = atr;
    this.extendedLength = ext;
    this.#handle = handle;
    this.#protocol = protocol;
    this.#queue = new SerialQueue(timers);
    this.#logger = logger;
  }

  get open(): boolean {
    return !this.#queue.closed;
  }

  transceive(command: Buffer, options?: OpOptions): Promise<Buffer> {
    try {
      checkCommand(command);
    } catch (e) {
      return Promise.reject(asError(e));
    }
    // SCardTransmit cannot be cancelled: the queue keeps the slot until it returns.
    return this.#queue.run(() => this.#transmit(command), {
      signal: options?.signal,
      timeoutMs: options?.timeoutMs ?? DEFAULT_TIMEOUTS.transceiveMs,
      describe: () => describeApdu(this.reader, command, options),
    });
  }

  #transmit(command: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.#handle.transmit(command, MAX_RESPONSE_LENGTH, this.#protocol, (err, response) => {
        if (err) {
          const e = pcscError(this.reader, 'SCardTransmit', err);
          // The card session is over: this caller and everyone queued get this same error.
          if (e instanceof DeviceGoneError) void this.#release(() => e, SCARD.LEAVE_CARD);
          reject(e);
          return;
        }
        // No status word: the link broke (vpcd answers an empty response when its card
        // socket closes mid-command; a real reader reports an error instead).
        if (response.length < 2) {
          const e = new DeviceGoneError(this.reader, 'response without a status word: link lost');
          void this.#release(() => e, SCARD.LEAVE_CARD);
          reject(e);
          return;
        }
        resolve(response);
      });
    });
  }

  disconnect(): Promise<void> {
    return this.#release(() => new DeviceGoneError(this.reader, 'channel disconnected'), SCARD.UNPOWER_CARD);
  }

  /** The card or reader went away: fail what is pending and release the handle. */
  gone(detail: string): Promise<void> {
    return this.#release(() => new DeviceGoneError(this.reader, detail), SCARD.LEAVE_CARD);
  }

  #release(error: () => DeviceGoneError, disposition: number): Promise<void> {
    if (this.#released) return this.#released;
    this.#queue.close(error);
    const release = async (): Promise<void> => {
      // Wait for an uncancellable transmit to return before SCardDisconnect, which would
      // otherwise queue behind it on the binding's per-reader mutex anyway.
      await this.#queue.idle();
      await disconnectHandle(this.#handle, disposition);
    };
    this.#released = boundedWait(release, {
      timeoutMs: DEFAULT_TIMEOUTS.disconnectMs,
      describe: () => `reader=${this.reader} step=disconnect`,
    }).catch((e: unknown) => {
      this.#logger.debug(NS, 'release after channel end failed', { reader: this.reader, error: errorSummary(e) });
    });
    return this.#released;
  }
}
