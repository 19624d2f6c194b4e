// Structured, namespaced, injectable logging (STYLE.md P14). Loggers are passed in through
// constructors; nothing here is a module-level singleton.
//
// Personal data never reaches a log line. Values wrapped in `Sensitive` print as
// "[redacted]" wherever they end up (template strings, JSON, util.inspect), and the formatter
// additionally blanks anything in a message or field that looks like MRZ text, so that a
// mistake elsewhere does not leak a document number.
import { inspect } from 'node:util';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Fields of a log line: plain values only. Anything else is printed as its type name. */
export type LogFields = Record<string, string | number | boolean | null | undefined | Sensitive<unknown>>;

export interface Logger {
  /** `message` may be a function so that expensive messages are only built when printed. */
  log(level: Level, ns: string, message: string | (() => string), fields?: LogFields): void;
  debug(ns: string, message: string | (() => string), fields?: LogFields): void;
  info(ns: string, message: string | (() => string), fields?: LogFields): void;
  warn(ns: string, message: string | (() => string), fields?: LogFields): void;
  error(ns: string, message: string | (() => string), fields?: LogFields): void;
}

const REDACTED = '[redacted]';

/** A box for personal data (MRZ, names, dates, images, templates, keys) that refuses to print. */
export class Sensitive<T> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  /** The value itself, for code that needs it; the name makes every use easy to find. */
  reveal(): T {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

// A run of 20 or more MRZ characters with at least one filler or digit: no ordinary log text
// looks like that, every MRZ line and MRZ-information string does.
const MRZ_LIKE = /[A-Z0-9<]{20,}/g;
const hasMrzShape = (s: string): boolean => /[<0-9]/.test(s) && /[A-Z]/.test(s);

/** Blanks MRZ-shaped runs; exported for the redaction test. */
export function redact(text: string): string {
  return text.replace(MRZ_LIKE, (m) => (hasMrzShape(m) ? REDACTED : m));
}

function formatField(v: LogFields[string]): string {
  if (v instanceof Sensitive) return REDACTED;
  if (typeof v === 'string') return JSON.stringify(redact(v));
  return String(v);
}

export interface LineLoggerOptions {
  level?: Level;
  /** Where lines go; standard error by default (standard output carries command results). */
  write?: (line: string) => void;
  /** Clock for timestamps; injectable for tests. */
  now?: () => Date;
}

/** Writes one line per event: `time level ns message key=value ...`. */
export class LineLogger implements Logger {
  readonly #min: number;
  readonly #write: (line: string) => void;
  readonly #now: () => Date;
  constructor(options: LineLoggerOptions = {}) {
    this.#min = LEVELS[options.level ?? 'info'];
    this.#write = options.write ?? ((line) => process.stderr.write(line + '\n'));
    this.#now = options.now ?? (() => new Date());
  }
  log(level: Level, ns: string, message: string | (() => string), fields?: LogFields): void {
    if (LEVELS[level] < this.#min) return;
    const text = redact(typeof message === 'function' ? message() : message);
    const kv = fields
      ? Object.entries(fields)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => ` ${k}=${formatField(v)}`)
          .join('')
      : '';
    this.#write(`${this.#now().toISOString()} ${level} ${ns} ${text}${kv}`);
  }
  debug(ns: string, m: string | (() => string), f?: LogFields): void {
    this.log('debug', ns, m, f);
  }
  info(ns: string, m: string | (() => string), f?: LogFields): void {
    this.log('info', ns, m, f);
  }
  warn(ns: string, m: string | (() => string), f?: LogFields): void {
    this.log('warn', ns, m, f);
  }
  error(ns: string, m: string | (() => string), f?: LogFields): void {
    this.log('error', ns, m, f);
  }
}

/** A logger that drops everything (for library users who pass none). */
export const silentLogger: Logger = new LineLogger({ level: 'error', write: () => undefined });
