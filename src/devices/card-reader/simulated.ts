// The simulated card reader (STYLE.md P1): the same contract as the PC/SC reader, over an
// in-process chip object, with controls to put a card in the field and take it away and to
// plug and unplug the reader. It drives unit tests and runs the kiosk on a laptop; the link
// model (../../mrtd/chip/link.ts) gives it a real passport's timing.
import { EventEmitter } from 'node:events';
import { DeviceGoneError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import type { OpOptions } from '../../mrtd/apdu.js';
import { chipAtr, INSTANT_LINK, LinkedChip, realSleep, type ChipLike, type LinkModel, type Sleep } from '../../mrtd/chip/link.js';
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
import { describeApdu, SerialQueue, type Timers } from './serial-queue.js';
import { stopOnAbort } from '../../util/abort.js';

const NS = 'kiosk:dev:sim-reader';

export interface SimulatedReaderOptions {
  /** Defaults to "Simulated Reader 00 00" (shaped like a PC/SC name). */
  readonly name?: string;
  /** Latency and bit rate of the simulated field; instant by default. */
  readonly link?: LinkModel;
  /** The clock the link waits on (injectable so tests run on a fake clock). */
  readonly sleep?: Sleep;
  /** Configured extended-length support: overrides what the card's ATR states. */
  readonly extendedLength?: boolean;
  /** Extended-length support when neither configuration nor ATR says; false by default. */
  readonly extendedLengthFallback?: boolean;
  /** Whether the reader is plugged in when started; true by default. */
  readonly attached?: boolean;
  readonly timers?: Timers;
  readonly logger?: Logger;
}

export class SimulatedCardReader implements CardReader {
  readonly events = new EventEmitter<CardReaderEvents>();
  readonly #name: string;
  readonly #options: SimulatedReaderOptions;
  readonly #logger: Logger;
  #started = false;
  #attached: boolean;
  #chip: ChipLike | undefined;
  #atr: Buffer | undefined;
  #channel: SimulatedChannel | undefined;
  #onStop: (() => void) | undefined;

  constructor(options: SimulatedReaderOptions = {}) {
    this.#options = options;
    this.#name = options.name ?? 'Simulated Reader 00 00';
    this.#attached = options.attached ?? true;
    this.#logger = options.logger ?? silentLogger;
  }

  get name(): string | undefined {
    return this.#started && this.#attached ? this.#name : undefined;
  }

  get state(): ReaderState {
    if (!this.#started) return 'stopped';
    if (!this.#attached) return 'noReader';
    return this.#chip ? 'cardPresent' : 'empty';
  }

  get atr(): Buffer | undefined {
    return this.state === 'cardPresent' ? this.#atr : undefined;
  }

  start(signal: AbortSignal): Promise<void> {
    if (this.#started) return Promise.resolve();
    this.#started = true;
    this.#onStop = stopOnAbort(signal, () => this.stop());
    if (signal.aborted) return Promise.resolve();
    if (this.#attached) {
      this.events.emit('readerAttached', { reader: this.#name });
      if (this.#chip && this.#atr) this.events.emit('cardPresent', { reader: this.#name, atr: this.#atr });
    }
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#onStop?.();
    this.#onStop = undefined;
    await this.#closeChannel('reader stopped');
    this.#started = false;
  }

  /** Puts `chip` in the field (a card already there is taken away first). */
  insert(chip: ChipLike): void {
    if (this.#chip) this.remove();
    this.#chip = chip;
    this.#atr = chipAtr(chip);
    // Entering the field powers the chip up: it starts with no session (ISO/IEC 14443-3).
    chip.reset?.();
    this.#logger.debug(NS, 'card inserted', { reader: this.#name });
    if (this.#started && this.#attached) this.events.emit('cardPresent', { reader: this.#name, atr: this.#atr });
  }

  /** Takes the card out of the field; a command in progress fails with DeviceGoneError. */
  remove(): void {
    const chip = this.#chip;
    if (!chip) return;
    this.#chip = undefined;
    this.#atr = undefined;
    void this.#closeChannel('card removed');
    chip.reset?.();
    this.#logger.debug(NS, 'card removed', { reader: this.#name });
    if (this.#started && this.#attached) this.events.emit('cardRemoved', { reader: this.#name });
  }

  /** Unplugs the reader (hot-unplug): the card, if any, is gone with it. */
  detach(): void {
    if (!this.#attached) return;
    void this.#closeChannel('reader unplugged');
    const hadCard = this.#chip !== undefined;
    this.#attached = false;
    if (this.#started) {
      if (hadCard) this.events.emit('cardRemoved', { reader: this.#name });
      this.events.emit('readerDetached', { reader: this.#name });
    }
  }

  /** Plugs the reader back in; a card still in the field is reported again. */
  attach(): void {
    if (this.#attached) return;
    this.#attached = true;
    if (this.#started) {
      this.events.emit('readerAttached', { reader: this.#name });
      if (this.#chip && this.#atr) this.events.emit('cardPresent', { reader: this.#name, atr: this.#atr });
    }
  }

  waitForCard(options?: ConnectOptions): Promise<CardPresentEvent> {
    return waitForCard(this, options, DEFAULT_TIMEOUTS.connectMs);
  }

  connect(options?: ConnectOptions): Promise<CardChannel> {
    return boundedWait(
      () => {
        if (this.state !== 'cardPresent' || !this.#chip || !this.#atr) {
          return Promise.reject(new DeviceGoneError(this.#name, this.#started ? 'no card in the field' : 'reader not started'));
        }
        // One channel per card, as with PC/SC's exclusive share mode: a second connect gets it.
        if (this.#channel?.open) return Promise.resolve(this.#channel);
        const ext = resolveExtendedLength({
          configured: this.#options.extendedLength,
          atr: this.#atr,
          fallback: this.#options.extendedLengthFallback ?? false,
        });
        const linked = new LinkedChip(this.#chip, this.#options.link ?? INSTANT_LINK, this.#options.sleep ?? realSleep);
        this.#channel = new SimulatedChannel(this.#name, this.#atr, ext, linked, this.#options.timers);
        return Promise.resolve(this.#channel);
      },
      {
        signal: options?.signal,
        timeoutMs: options?.timeoutMs ?? DEFAULT_TIMEOUTS.connectMs,
        describe: () => `reader=${this.#name} step=connect`,
      },
    );
  }

  async #closeChannel(detail: string): Promise<void> {
    const ch = this.#channel;
    this.#channel = undefined;
    if (ch) await ch.gone(detail);
  }
}

class SimulatedChannel implements CardChannel {
  readonly reader: string;
  readonly atr: Buffer;
  readonly extendedLength: ExtendedLengthSupport;
  readonly #queue: SerialQueue;
  readonly #linked: LinkedChip;

  constructor(reader: string, atr: Buffer, ext: ExtendedLengthSupport, linked: LinkedChip, timers: Timers | undefined) {
    this.reader = reader;
    this.atr = atr;
    this.extendedLength = ext;
    this.#linked = linked;
    this.#queue = new SerialQueue(timers);
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
    return this.#queue.run((signal) => this.#linked.exchange(command, signal), {
      signal: options?.signal,
      timeoutMs: options?.timeoutMs ?? DEFAULT_TIMEOUTS.transceiveMs,
      describe: () => describeApdu(this.reader, command, options),
    });
  }

  async disconnect(): Promise<void> {
    if (this.#queue.closed) return;
    await this.gone('channel disconnected');
    // Releasing the card unpowers it, as the PC/SC reader's SCARD_UNPOWER_CARD does.
    this.#linked.chip.reset?.();
  }

  /**
   * Closes the channel: pending and queued calls fail with DeviceGoneError(detail). Waits for
   * a chip still working on a command, but not beyond DEFAULT_TIMEOUTS.disconnectMs.
   */
  async gone(detail: string): Promise<void> {
    this.#queue.close(() => new DeviceGoneError(this.reader, detail));
    await boundedWait(() => this.#queue.idle(), {
      timeoutMs: DEFAULT_TIMEOUTS.disconnectMs,
      describe: () => `reader=${this.reader} step=disconnect`,
    }).catch(() => undefined);
  }
}
