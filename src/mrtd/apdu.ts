// ISO/IEC 7816-4 command and response APDUs: encoding in short and extended form, parsing of
// all seven command cases (the virtual chip's side), status words, and the one capability
// every protocol uses to talk to a card: `transceive`.
import { ParseError, InvalidArgumentError } from '../errors.js';

/** Status words the engine distinguishes (SW1SW2 as a number). Others are kept numerically. */
export enum StatusWord {
  OK = 0x9000,
  END_OF_FILE_WARNING = 0x6282, // fewer bytes than Ne: end of file reached
  WRONG_LENGTH = 0x6700,
  SM_DATA_OBJECTS_MISSING = 0x6987,
  SM_DATA_OBJECTS_INCORRECT = 0x6988,
  SECURITY_STATUS_NOT_SATISFIED = 0x6982,
  AUTHENTICATION_METHOD_BLOCKED = 0x6983,
  REFERENCE_DATA_NOT_USABLE = 0x6984,
  CONDITIONS_NOT_SATISFIED = 0x6985,
  COMMAND_NOT_ALLOWED = 0x6986,
  INCORRECT_DATA = 0x6a80,
  FUNCTION_NOT_SUPPORTED = 0x6a81,
  FILE_NOT_FOUND = 0x6a82,
  INCORRECT_P1P2 = 0x6a86,
  REFERENCED_DATA_NOT_FOUND = 0x6a88,
  WRONG_P1P2_OFFSET = 0x6b00, // offset beyond the end of the file
  INS_NOT_SUPPORTED = 0x6d00,
  CLA_NOT_SUPPORTED = 0x6e00,
  NO_PRECISE_DIAGNOSIS = 0x6f00,
  AUTHENTICATION_FAILED = 0x6300,
}

export const swName = (sw: number): string => StatusWord[sw] ?? `SW_${sw.toString(16).toUpperCase().padStart(4, '0')}`;
export const swHex = (sw: number): string => sw.toString(16).toUpperCase().padStart(4, '0');

export interface CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  /** Command data (Nc = length); absent or empty for cases 1 and 2. */
  readonly data?: Buffer;
  /** Ne: the maximum number of response bytes expected, 1..65536; absent when none (cases 1, 3). */
  readonly ne?: number;
  /** Force the extended form even when the short form would do. */
  readonly extended?: boolean;
}

export interface ResponseApdu {
  readonly data: Buffer;
  readonly sw: number;
}

export const SHORT_NE_MAX = 256;
export const EXTENDED_NE_MAX = 65536;

function checkByte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new InvalidArgumentError(name, 'a byte', v);
}

/** True when the APDU needs the extended form. */
export function needsExtended(c: CommandApdu): boolean {
  return c.extended === true || (c.data?.length ?? 0) > 255 || (c.ne ?? 0) > SHORT_NE_MAX;
}

export function encodeCommand(c: CommandApdu): Buffer {
  checkByte('cla', c.cla);
  checkByte('ins', c.ins);
  checkByte('p1', c.p1);
  checkByte('p2', c.p2);
  const nc = c.data?.length ?? 0;
  if (nc > 65535) throw new InvalidArgumentError('data', 'at most 65535 bytes', c.data);
  if (c.ne !== undefined && (!Number.isInteger(c.ne) || c.ne < 1 || c.ne > EXTENDED_NE_MAX)) {
    throw new InvalidArgumentError('ne', 'an integer 1..65536', c.ne);
  }
  const head = Buffer.from([c.cla, c.ins, c.p1, c.p2]);
  const parts: Buffer[] = [head];
  if (!needsExtended(c)) {
    if (nc > 0) parts.push(Buffer.from([nc]), c.data!);
    if (c.ne !== undefined) parts.push(Buffer.from([c.ne === 256 ? 0 : c.ne]));
  } else {
    if (nc > 0) parts.push(Buffer.from([0, nc >> 8, nc & 0xff]), c.data!);
    if (c.ne !== undefined) {
      const le = c.ne === 65536 ? 0 : c.ne;
      parts.push(nc > 0 ? Buffer.from([le >> 8, le & 0xff]) : Buffer.from([0, le >> 8, le & 0xff]));
    }
  }
  return Buffer.concat(parts);
}

/** Parses a command APDU in any of the ISO 7816-3 cases (1, 2S, 3S, 4S, 2E, 3E, 4E). */
export function parseCommand(b: Buffer): CommandApdu & { extended: boolean } {
  const what = 'command APDU';
  if (b.length < 4) throw new ParseError(what, `${b.length} bytes, at least 4 needed`);
  const base = { cla: b[0]!, ins: b[1]!, p1: b[2]!, p2: b[3]! };
  const body = b.subarray(4);
  if (body.length === 0) return { ...base, extended: false };
  if (body.length === 1) return { ...base, ne: body[0] === 0 ? 256 : body[0]!, extended: false };
  if (body[0] !== 0) {
    const nc = body[0]!;
    if (body.length === 1 + nc) return { ...base, data: body.subarray(1, 1 + nc), extended: false };
    if (body.length === 2 + nc) {
      const le = body[1 + nc]!;
      return { ...base, data: body.subarray(1, 1 + nc), ne: le === 0 ? 256 : le, extended: false };
    }
    throw new ParseError(what, `Lc ${nc} does not match ${body.length - 1} bytes`);
  }
  // Extended: body[0] == 0.
  if (body.length === 3) {
    const le = (body[1]! << 8) | body[2]!;
    return { ...base, ne: le === 0 ? 65536 : le, extended: true };
  }
  if (body.length < 4) throw new ParseError(what, 'truncated extended length');
  const nc = (body[1]! << 8) | body[2]!;
  if (nc === 0) throw new ParseError(what, 'extended Lc of zero');
  if (body.length === 3 + nc) return { ...base, data: body.subarray(3, 3 + nc), extended: true };
  if (body.length === 5 + nc) {
    const le = (body[3 + nc]! << 8) | body[4 + nc]!;
    return { ...base, data: body.subarray(3, 3 + nc), ne: le === 0 ? 65536 : le, extended: true };
  }
  throw new ParseError(what, `extended Lc ${nc} does not match ${body.length - 3} bytes`);
}

export function parseResponse(b: Buffer): ResponseApdu {
  if (b.length < 2) throw new ParseError('response APDU', `${b.length} bytes, at least 2 needed`);
  return { data: b.subarray(0, b.length - 2), sw: (b[b.length - 2]! << 8) | b[b.length - 1]! };
}

export function encodeResponse(r: ResponseApdu): Buffer {
  return Buffer.concat([r.data, Buffer.from([r.sw >> 8, r.sw & 0xff])]);
}

/** Options every card operation takes (STYLE.md P8). */
export interface OpOptions {
  readonly signal?: AbortSignal;
  /** Per-APDU time limit; the transport names the reader and the step in its timeout error. */
  readonly timeoutMs?: number;
  /** The protocol step, for timeout and error messages (e.g. "PACE.mapNonce"). */
  readonly step?: string;
}

/** The one capability protocols use to talk to a card (STYLE.md P7). */
export interface Transceiver {
  /** Sends a command APDU's bytes and resolves with the response APDU's bytes (data || SW). */
  transceive(command: Buffer, options?: OpOptions): Promise<Buffer>;
}

/** What a chip's link looks like from above, for statistics in the report. */
export interface LinkStats {
  apdus: number;
  bytesOut: number;
  bytesIn: number;
}

/** Wraps a transceiver and counts APDUs and bytes in both directions. */
export class CountingTransceiver implements Transceiver {
  readonly stats: LinkStats = { apdus: 0, bytesOut: 0, bytesIn: 0 };
  readonly #inner: Transceiver;
  constructor(inner: Transceiver) {
    this.#inner = inner;
  }
  async transceive(command: Buffer, options?: OpOptions): Promise<Buffer> {
    this.stats.apdus++;
    this.stats.bytesOut += command.length;
    const r = await this.#inner.transceive(command, options);
    this.stats.bytesIn += r.length;
    return r;
  }
}
