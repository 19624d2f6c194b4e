// The kiosk's error taxonomy (STYLE.md P5/P6). Behaviour branches on these classes and their
// guards, never on message text. Messages never carry personal data: they name the step, the
// file or the status word, not the values read.

/** Who can act on an error: the applicant (retry, re-place the document) or a technician. */
export type Audience = 'applicant' | 'technician';

export abstract class KioskError extends Error {
  abstract readonly code: string;
  /** True when repeating the same operation may succeed (a transient link or device fault). */
  readonly retryable: boolean = false;
  readonly audience: Audience = 'technician';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bytes from outside (a chip, a file, a peer) that do not parse. */
export class ParseError extends KioskError {
  readonly code = 'PARSE';
  /** What was being parsed, e.g. "DG1", "EF.SOD", "TLV". */
  readonly what: string;
  readonly offset: number | undefined;
  constructor(what: string, detail: string, offset?: number) {
    super(`${what}: ${detail}${offset === undefined ? '' : ` at offset ${offset}`}`);
    this.what = what;
    this.offset = offset;
  }
}

/** An argument or option outside what the function accepts (a programming or config error). */
export class InvalidArgumentError extends KioskError {
  readonly code = 'INVALID_ARGUMENT';
  constructor(name: string, expected: string, actual: unknown) {
    super(`Expected ${expected} for ${name} but received ${describe(actual)}`);
  }
}

/** An operation that did not complete within its time limit; the message names device and step. */
export class TimeoutError extends KioskError {
  readonly code = 'TIMEOUT';
  override readonly retryable = true;
  readonly timeoutMs: number;
  constructor(timeoutMs: number, what: string) {
    super(`Timeout after ${timeoutMs}ms [${what}]`);
    this.timeoutMs = timeoutMs;
  }
}

/** The operation was cancelled through its AbortSignal (e.g. the applicant walked away). */
export class AbortedError extends KioskError {
  readonly code = 'ABORTED';
  constructor(what: string, options?: { cause?: unknown }) {
    super(`Aborted [${what}]`, options);
  }
}

/** A device was removed or stopped answering at the transport level (hot-unplug, card removed). */
export class DeviceGoneError extends KioskError {
  readonly code = 'DEVICE_GONE';
  override readonly retryable = true;
  override readonly audience = 'applicant';
  constructor(device: string, detail: string, options?: { cause?: unknown }) {
    super(`${device}: ${detail}`, options);
  }
}

/** A native addon failed; carries the library's own code (e.g. an OpenSSL reason). */
export class NativeError extends KioskError {
  readonly code = 'NATIVE';
  readonly nativeCode: string;
  constructor(operation: string, nativeCode: string, detail: string) {
    super(`${operation}: ${nativeCode} ${detail}`);
    this.nativeCode = nativeCode;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Buffer.isBuffer(v)) return `Buffer(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  const t = typeof v;
  if (t === 'string') return `string(${(v as string).length})`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${t} ${v.toString()}`;
  if (v === undefined) return 'undefined';
  return t;
}

export const isKioskError = (e: unknown): e is KioskError => e instanceof KioskError;
export const isParseError = (e: unknown): e is ParseError => e instanceof ParseError;
export const isTimeoutError = (e: unknown): e is TimeoutError => e instanceof TimeoutError;
export const isAbortedError = (e: unknown): e is AbortedError => e instanceof AbortedError;
export const isDeviceGoneError = (e: unknown): e is DeviceGoneError => e instanceof DeviceGoneError;
export const isRetryable = (e: unknown): boolean => e instanceof KioskError && e.retryable;

/** A short, data-free description of any thrown value, for logs and reports. */
export function errorSummary(e: unknown): string {
  if (e instanceof KioskError) return `${e.code}: ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return 'non-error thrown';
}
