// The virtual chip's side of vsmartcard's vpcd: it makes an in-process chip appear as a card
// in pcscd's "Virtual PCD" reader, so the real PC/SC stack (pcscd, libpcsclite, the pcsclite
// binding, the kiosk's PC/SC reader) runs against it.
//
// Protocol (vsmartcard vpcd, as shipped in Debian's vsmartcard-vpcd): the card side is a TCP
// client of vpcd (127.0.0.1:35963 for "Virtual PCD 00 00"). Every message in both directions
// is a 2-byte big-endian length and that many bytes. A 1-byte message from vpcd is a control
// code: 0x00 power off, 0x01 power on, 0x02 reset, 0x04 get ATR (answered with the ATR,
// framed the same way). A longer message is a command APDU, answered with the response APDU.
// Connecting is inserting the card; closing the connection is taking it out of the field.
import { EventEmitter } from 'node:events';
import { connect as netConnect } from 'node:net';
import { AbortedError, errorSummary, InvalidArgumentError, TimeoutError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import { encodeResponse, StatusWord } from '../apdu.js';
import { chipAtr, INSTANT_LINK, LinkedChip, realSleep, type ChipLike, type LinkModel, type Sleep } from './link.js';
import { stopOnAbort } from '../../util/abort.js';

const NS = 'kiosk:mrtd:vpcd';

export const VPCD_CONTROL = {
  POWER_OFF: 0x00,
  POWER_ON: 0x01,
  RESET: 0x02,
  GET_ATR: 0x04,
} as const;

/** The 2-byte length prefix caps every message, so a response APDU too, at 65535 bytes. */
export const VPCD_MAX_MESSAGE = 0xffff;

/**
 * How often to try reaching vpcd while the card is "in the field" but vpcd does not listen
 * (pcscd not started yet, or restarting). Half a second keeps a restart's gap short.
 */
export const VPCD_RETRY_MS = 500;

/** Prefixes a payload with its 2-byte big-endian length. */
export function vpcdFrame(payload: Buffer): Buffer {
  if (payload.length > VPCD_MAX_MESSAGE) throw new InvalidArgumentError('payload', `at most ${VPCD_MAX_MESSAGE} bytes`, payload);
  const head = Buffer.alloc(2);
  head.writeUInt16BE(payload.length, 0);
  return Buffer.concat([head, payload]);
}

/** Reassembles vpcd messages from a TCP byte stream. Holds at most one partial message. */
export class VpcdFramer {
  #buffer: Buffer = Buffer.alloc(0);

  /** Adds received bytes; returns every message completed by them, in order. */
  push(chunk: Buffer): Buffer[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const out: Buffer[] = [];
    while (this.#buffer.length >= 2) {
      const n = this.#buffer.readUInt16BE(0);
      if (this.#buffer.length < 2 + n) break;
      // Copy: the socket's chunk may be reused, and the chip may keep the command.
      out.push(Buffer.from(this.#buffer.subarray(2, 2 + n)));
      this.#buffer = this.#buffer.subarray(2 + n);
    }
    return out;
  }

  /** Bytes held for a message not yet complete. */
  get pending(): number {
    return this.#buffer.length;
  }
}

export interface VpcdCardEvents {
  /** The TCP connection to vpcd is up: pcscd sees a card. */
  connected: [];
  /** The connection closed (card taken out, or vpcd/pcscd went away). */
  disconnected: [];
  /** vpcd powered the card on or off (SCardConnect / SCardDisconnect with unpower). */
  power: [on: boolean];
}

/** What VpcdCard uses of a `net.Socket` (so a test can pass its own). */
export interface VpcdSocket {
  readonly connecting: boolean;
  readonly destroyed: boolean;
  readonly writable: boolean;
  setNoDelay(noDelay: boolean): unknown;
  write(data: Buffer): boolean;
  destroy(): unknown;
  on(event: 'connect' | 'close', listener: () => void): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
}

export interface VpcdCardOptions {
  readonly chip: ChipLike;
  /** vpcd's host and slot port (src/platform/paths.ts: vpcdHost, vpcdPort). */
  readonly host: string;
  readonly port: number;
  /** Latency and bit rate applied to every APDU (the chip's side of the field). */
  readonly link?: LinkModel;
  readonly sleep?: Sleep;
  readonly retryDelayMs?: number;
  /** Opens the TCP connection; injectable so a test can put its own transport in. */
  readonly connect?: (host: string, port: number) => VpcdSocket;
  readonly logger?: Logger;
}

export class VpcdCard {
  readonly events = new EventEmitter<VpcdCardEvents>();
  readonly #o: VpcdCardOptions;
  readonly #linked: LinkedChip;
  readonly #logger: Logger;
  #started = false;
  #inserted = false;
  #socket: VpcdSocket | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #exchange: AbortController | undefined;
  #powered = false;
  #onStop: (() => void) | undefined;

  constructor(options: VpcdCardOptions) {
    this.#o = options;
    this.#linked = new LinkedChip(options.chip, options.link ?? INSTANT_LINK, options.sleep ?? realSleep);
    this.#logger = options.logger ?? silentLogger;
  }

  /** The card is meant to be in the field (it reconnects while this is true). */
  get inserted(): boolean {
    return this.#inserted;
  }

  /** The connection to vpcd is up. */
  get connected(): boolean {
    return this.#socket !== undefined && !this.#socket.connecting && !this.#socket.destroyed;
  }

  get powered(): boolean {
    return this.#powered;
  }

  get atr(): Buffer {
    return chipAtr(this.#o.chip);
  }

  start(signal: AbortSignal): Promise<void> {
    if (this.#started) return Promise.resolve();
    this.#started = true;
    this.#onStop = stopOnAbort(signal, () => this.stop());
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    await this.remove();
    this.#started = false;
    this.#onStop?.();
    this.#onStop = undefined;
  }

  /**
   * Puts the card in the field: connects to vpcd, retrying until it listens. Resolves once
   * connected; a timeout or abort rejects the wait but leaves the card inserted and retrying.
   */
  insert(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    if (!this.#started) return Promise.reject(new InvalidArgumentError('VpcdCard', 'start() before insert()', 'stopped'));
    if (!this.#inserted) {
      this.#inserted = true;
      this.#open();
    }
    if (this.connected) return Promise.resolve();
    const what = `vpcd=${this.#o.host}:${this.#o.port} step=insert`;
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.events.off('connected', onConnected);
      };
      const onConnected = (): void => {
        done();
        resolve();
      };
      const onAbort = (): void => {
        done();
        reject(new AbortedError(what, { cause: options.signal?.reason }));
      };
      const ms = options.timeoutMs;
      const timer =
        ms === undefined
          ? undefined
          : setTimeout(() => {
              done();
              reject(new TimeoutError(ms, what));
            }, ms);
      this.events.on('connected', onConnected);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) onAbort();
    });
  }

  /** Takes the card out of the field: the connection closes at once, mid-command or not. */
  async remove(): Promise<void> {
    this.#inserted = false;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#exchange?.abort();
    const s = this.#socket;
    if (s && !s.destroyed) {
      const closed = new Promise<void>((resolve) => s.once('close', () => {
        resolve();
      }));
      s.destroy();
      await closed;
    }
  }

  #open(): void {
    if (!this.#inserted || this.#socket) return;
    const s = (this.#o.connect ?? ((host, port) => netConnect({ host, port })))(this.#o.host, this.#o.port);
    this.#socket = s;
    const framer = new VpcdFramer();
    const exchange = new AbortController();
    // Messages of one connection are handled one at a time, in order. A chip still busy with
    // a command when the card left the field does not hold up the next connection's messages.
    let work: Promise<void> = Promise.resolve();
    this.#exchange = exchange;
    s.setNoDelay(true);
    let up = false;
    s.on('connect', () => {
      up = true;
      this.#logger.debug(NS, 'card in the field', { port: this.#o.port });
      this.events.emit('connected');
    });
    s.on('data', (chunk) => {
      for (const message of framer.push(chunk)) {
        // A failure is logged and does not stop the chain.
        work = work
          .then(() => this.#handle(s, message, exchange.signal))
          .catch((e: unknown) => {
            this.#logger.error(NS, 'vpcd message handling failed', { error: errorSummary(e) });
          });
      }
    });
    s.on('error', (e) => {
      // ECONNREFUSED while pcscd is down is expected; the close handler retries.
      this.#logger.debug(NS, 'vpcd connection error', { port: this.#o.port, error: errorSummary(e) });
    });
    s.on('close', () => {
      exchange.abort();
      if (this.#socket === s) this.#socket = undefined;
      if (this.#powered) this.#setPower(false);
      if (up) this.events.emit('disconnected');
      if (this.#inserted && !this.#retry) {
        this.#retry = setTimeout(() => {
          this.#retry = undefined;
          this.#open();
        }, this.#o.retryDelayMs ?? VPCD_RETRY_MS);
      }
    });
  }

  async #handle(s: VpcdSocket, message: Buffer, signal: AbortSignal): Promise<void> {
    if (s.destroyed) return;
    if (message.length === 0) {
      this.#logger.warn(NS, 'empty vpcd message ignored');
      return;
    }
    if (message.length === 1) {
      this.#control(s, message[0]!);
      return;
    }
    let response: Buffer;
    try {
      response = await this.#linked.exchange(message, signal);
    } catch (e) {
      if (e instanceof AbortedError || signal.aborted) return; // the card left the field mid-command
      // A chip answers everything; an exception is a bug in the chip object, reported as 6F00.
      this.#logger.error(NS, 'chip failed to answer', { error: errorSummary(e) });
      response = encodeResponse({ data: Buffer.alloc(0), sw: StatusWord.NO_PRECISE_DIAGNOSIS });
    }
    if (response.length > VPCD_MAX_MESSAGE) {
      this.#logger.warn(NS, 'response longer than a vpcd message; answered 6F00', { bytes: response.length });
      response = encodeResponse({ data: Buffer.alloc(0), sw: StatusWord.NO_PRECISE_DIAGNOSIS });
    }
    if (s.writable && !signal.aborted) s.write(vpcdFrame(response));
  }

  #control(s: VpcdSocket, code: number): void {
    switch (code) {
      case VPCD_CONTROL.POWER_OFF:
        this.#o.chip.reset?.();
        this.#setPower(false);
        return;
      case VPCD_CONTROL.POWER_ON:
        this.#o.chip.reset?.();
        this.#setPower(true);
        return;
      case VPCD_CONTROL.RESET:
        this.#o.chip.reset?.();
        return;
      case VPCD_CONTROL.GET_ATR:
        s.write(vpcdFrame(this.atr));
        return;
      default:
        this.#logger.warn(NS, 'unknown vpcd control code ignored', { code });
    }
  }

  #setPower(on: boolean): void {
    this.#powered = on;
    this.events.emit('power', on);
  }
}
