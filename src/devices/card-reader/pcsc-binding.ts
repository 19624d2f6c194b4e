// The part of the `pcsclite` npm binding the PC/SC reader uses, as our own interface so a
// test can pass a fake (STYLE.md P2), plus the PC/SC constants and the mapping of PC/SC
// return codes to the kiosk's error classes (STYLE.md P5).
//
// pcsclite is a Nan addon over libpcsclite. Its transmits, connects and disconnects run on
// the libuv thread pool (uv_queue_work), and reader status is watched by one native thread
// per reader that reports through uv_async (STYLE.md P4), so nothing here blocks the event
// loop. Its errors are plain Errors whose message ends in "(0x8010xxxx)": the code is read
// from there.
import { createRequire } from 'node:module';
import { DeviceGoneError, NativeError } from '../../errors.js';

export interface PcscStatus {
  readonly state: number;
  readonly atr?: Buffer;
}

type Callback<T> = (err: Error | null | undefined, value: T) => void;

/** One reader as the binding exposes it (an EventEmitter: "status", "end", "error"). */
export interface PcscReaderHandle {
  readonly name: string;
  readonly connected: boolean;
  on(event: 'status', listener: (status: PcscStatus) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  connect(options: { share_mode: number; protocol: number }, cb: Callback<number>): void;
  disconnect(disposition: number, cb: (err: Error | null | undefined) => void): void;
  transmit(data: Buffer, maxResponseLength: number, protocol: number, cb: Callback<Buffer>): void;
  close(): void;
}

/** A PC/SC context (SCardEstablishContext) watching the reader list: "reader", "error". */
export interface PcscContext {
  on(event: 'reader', listener: (reader: PcscReaderHandle) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  close(): void;
}

/** The binding's export: each call establishes a context; it throws when pcscd is absent. */
export type PcscBinding = () => PcscContext;

/** Loads the real binding (CommonJS, hence createRequire). Only the composition root calls it. */
export function loadPcscliteBinding(): PcscBinding {
  const require = createRequire(import.meta.url);
  return require('pcsclite') as PcscBinding;
}

/** pcsclite.h / winscard constants (pcsc-lite 1.9, identical in PC/SC Part 5). */
export const SCARD = {
  SHARE_EXCLUSIVE: 0x0001,
  PROTOCOL_T0: 0x0001,
  PROTOCOL_T1: 0x0002,
  LEAVE_CARD: 0x0000,
  RESET_CARD: 0x0001,
  UNPOWER_CARD: 0x0002,
  STATE_CHANGED: 0x0002,
  STATE_UNAVAILABLE: 0x0008,
  STATE_EMPTY: 0x0010,
  STATE_PRESENT: 0x0020,
  STATE_EXCLUSIVE: 0x0080,
  STATE_INUSE: 0x0100,
  STATE_MUTE: 0x0200,
} as const;

/**
 * Receive buffer for SCardTransmit: the largest response APDU, 65536 data bytes plus SW1 SW2
 * (ISO/IEC 7816-4 §5.1, Ne = 65536). pcsc-lite accepts up to MAX_BUFFER_SIZE_EXTENDED (65548).
 */
export const MAX_RESPONSE_LENGTH = 65536 + 2;

/** PC/SC return codes by name (pcsclite.h). */
const CODES: Readonly<Record<number, string>> = {
  0x80100001: 'SCARD_F_INTERNAL_ERROR',
  0x80100002: 'SCARD_E_CANCELLED',
  0x80100003: 'SCARD_E_INVALID_HANDLE',
  0x80100004: 'SCARD_E_INVALID_PARAMETER',
  0x80100008: 'SCARD_E_INSUFFICIENT_BUFFER',
  0x80100009: 'SCARD_E_UNKNOWN_READER',
  0x8010000a: 'SCARD_E_TIMEOUT',
  0x8010000b: 'SCARD_E_SHARING_VIOLATION',
  0x8010000c: 'SCARD_E_NO_SMARTCARD',
  0x8010000f: 'SCARD_E_PROTO_MISMATCH',
  0x80100010: 'SCARD_E_NOT_READY',
  0x80100013: 'SCARD_F_COMM_ERROR',
  0x80100016: 'SCARD_E_NOT_TRANSACTED',
  0x80100017: 'SCARD_E_READER_UNAVAILABLE',
  0x8010001d: 'SCARD_E_NO_SERVICE',
  0x8010001e: 'SCARD_E_SERVICE_STOPPED',
  0x8010002e: 'SCARD_E_NO_READERS_AVAILABLE',
  0x80100065: 'SCARD_W_UNSUPPORTED_CARD',
  0x80100066: 'SCARD_W_UNRESPONSIVE_CARD',
  0x80100067: 'SCARD_W_UNPOWERED_CARD',
  0x80100068: 'SCARD_W_RESET_CARD',
  0x80100069: 'SCARD_W_REMOVED_CARD',
};

/**
 * Codes that mean the card, the reader or pcscd went away, or the contactless link broke
 * mid-command: the card session is over and the caller reconnects (DeviceGoneError).
 * SCARD_E_NOT_TRANSACTED is what CCID readers report when the card leaves the field during an
 * exchange; SCARD_W_RESET_CARD means someone reset the card, which also ends the session.
 */
const GONE = new Set([
  'SCARD_E_INVALID_HANDLE',
  'SCARD_E_UNKNOWN_READER',
  'SCARD_E_NO_SMARTCARD',
  'SCARD_F_COMM_ERROR',
  'SCARD_E_NOT_TRANSACTED',
  'SCARD_E_READER_UNAVAILABLE',
  'SCARD_E_NO_SERVICE',
  'SCARD_E_SERVICE_STOPPED',
  'SCARD_E_NO_READERS_AVAILABLE',
  'SCARD_W_UNRESPONSIVE_CARD',
  'SCARD_W_UNPOWERED_CARD',
  'SCARD_W_RESET_CARD',
  'SCARD_W_REMOVED_CARD',
]);

/** The PC/SC code in a pcsclite error message ("… (0x80100069)"), by name. */
export function pcscCodeOf(e: unknown): string | undefined {
  const m = e instanceof Error ? /\(0x([0-9a-fA-F]{8})\)\s*$/.exec(e.message) : null;
  if (!m) return undefined;
  const n = Number.parseInt(m[1]!, 16);
  return CODES[n] ?? `SCARD_0x${m[1]!.toUpperCase()}`;
}

/** Turns a pcsclite failure of `operation` into DeviceGoneError or NativeError. */
export function pcscError(reader: string, operation: string, e: unknown): DeviceGoneError | NativeError {
  const code = pcscCodeOf(e) ?? 'UNKNOWN';
  if (GONE.has(code)) return new DeviceGoneError(reader, `${operation}: ${code}`, { cause: e });
  const err = new NativeError(operation, code, `[reader=${reader}]`);
  return err;
}
