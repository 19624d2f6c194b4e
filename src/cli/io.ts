// Output helpers of the command-line tools: JSON results on standard output, human messages on
// standard error (CONFORMANCE.md §3), and the exit-status convention: 0 when the command did
// its job (even with a negative verdict), 2 for bad arguments or unreadable input, 1 otherwise.
import { KioskError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A problem with the command line or its input files: exit status 2. */
export class UsageError extends KioskError {
  readonly code = 'USAGE';
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
};

export function json(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
