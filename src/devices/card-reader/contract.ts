// The card-reader device class (STYLE.md P1): one contract that the PC/SC reader (./pcsc.ts)
// and the simulated reader (./simulated.ts) both implement, with a typed event map. The visit
// machine and the chip engine see only this.
//
// A reader reports cards arriving and leaving; `connect()` gives a card channel, which is the
// `Transceiver` every protocol talks through (STYLE.md P7). On a channel at most one APDU is
// in flight (STYLE.md P8); every call takes an AbortSignal and a timeout, and a timeout error
// names the reader, the INS byte and the protocol step. A card or reader that goes away in
// the middle of a command ends it with a DeviceGoneError.
import type { EventEmitter } from 'node:events';
import type { OpOptions, Transceiver } from '../../mrtd/apdu.js';

export interface CardPresentEvent {
  readonly reader: string;
  readonly atr: Buffer;
}

export interface CardRemovedEvent {
  readonly reader: string;
}

export interface ReaderEvent {
  readonly reader: string;
}

/** A fault the reader reports and recovers from by itself (pcscd restarting, ...). */
export interface ReaderFaultEvent {
  readonly reader: string | undefined;
  readonly error: Error;
}

/** The typed event map (Node's generic EventEmitter). */
export interface CardReaderEvents {
  /** A card entered the field, or was there when the reader appeared. */
  cardPresent: [event: CardPresentEvent];
  /** The card left the field (also sent before `readerDetached` when a card was present). */
  cardRemoved: [event: CardRemovedEvent];
  /** The reader appeared: at start, after hot-plug, or when pcscd came back. */
  readerAttached: [event: ReaderEvent];
  /** The reader disappeared: unplugged, or pcscd went away. */
  readerDetached: [event: ReaderEvent];
  /** Not named "error" on purpose: an unhandled "error" event would throw. */
  fault: [event: ReaderFaultEvent];
}

export type CardReaderEmitter = EventEmitter<CardReaderEvents>;

/** Where the reader is; `stopped` before `start()` and after `stop()`. */
export type ReaderState = 'stopped' | 'noReader' | 'empty' | 'cardPresent';

/** Whether extended-length APDUs (Nc > 255 or Ne > 256) can be used, and who says so. */
export interface ExtendedLengthSupport {
  readonly supported: boolean;
  /**
   * - `config`: the reader's configuration overrides everything;
   * - `reader`: the reader model is known not to pass extended APDUs (discovery table);
   * - `atr`: the card states it in its ATR's card capabilities (ISO/IEC 7816-4 §8.1.1.2.7);
   * - `default`: nobody said, the reader's configured default applies.
   */
  readonly source: 'config' | 'reader' | 'atr' | 'default';
}

export interface CardChannel extends Transceiver {
  /** The reader's name, as in timeout messages. */
  readonly reader: string;
  readonly atr: Buffer;
  readonly extendedLength: ExtendedLengthSupport;
  /** False once disconnected or after the card or reader went away. */
  readonly open: boolean;
  /**
   * Sends one command APDU and resolves with the response APDU (data || SW1 SW2). Calls wait
   * their turn: one APDU at a time. Rejects with TimeoutError, AbortedError (the signal), or
   * DeviceGoneError (card or reader gone; the channel is then closed).
   */
  transceive(command: Buffer, options?: OpOptions): Promise<Buffer>;
  /** Releases the card; commands still queued fail with DeviceGoneError. Never throws. */
  disconnect(): Promise<void>;
}

export interface ConnectOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export interface CardReader {
  /** The attached reader's name; undefined while there is none. */
  readonly name: string | undefined;
  readonly state: ReaderState;
  /** The present card's ATR, if any. */
  readonly atr: Buffer | undefined;
  readonly events: CardReaderEmitter;
  /**
   * Begins watching for the reader and cards. Constructors do nothing (STYLE.md P13); this
   * resolves once watching has begun, not when a reader or card appears. Aborting `signal`
   * stops the reader as `stop()` does.
   */
  start(signal: AbortSignal): Promise<void>;
  /** Stops watching; open channels are closed and their pending calls fail. Never throws. */
  stop(): Promise<void>;
  /** Resolves when a card is present (at once if one is); rejects on timeout or abort. */
  waitForCard(options?: ConnectOptions): Promise<CardPresentEvent>;
  /** Opens a channel to the present card; DeviceGoneError when there is none. */
  connect(options?: ConnectOptions): Promise<CardChannel>;
}

/** Timeouts used when a caller gives none; named so that every wait has a stated reason. */
export const DEFAULT_TIMEOUTS = {
  /**
   * Per APDU. ISO/IEC 14443-4 lets a chip extend its frame waiting time (S(WTX)) many times;
   * RSA Active Authentication and Chip Authentication on slow chips take a few seconds.
   */
  transceiveMs: 5000,
  /** SCardConnect powers the card and reads the ATS: well under a second on real readers. */
  connectMs: 3000,
  /** Releasing the card must not hang a visit's end; after this the channel is dropped. */
  disconnectMs: 2000,
} as const;
