// Errors of the chip engine (STYLE.md P5): they carry the status word and the protocol step.
import { KioskError } from '../errors.js';
import { swHex, swName } from './apdu.js';

export type MrtdStep =
  | 'SELECT' | 'READ' | 'BAC' | 'PACE' | 'CA' | 'AA' | 'TA' | 'SM' | 'PA' | 'MRZ' | 'LDS' | 'CHIP';

export type MrtdErrorCode =
  | 'STATUS'            // the chip answered with an unexpected status word
  | 'SM_MAC_INVALID'    // a response's MAC did not verify; the session is over
  | 'SM_MALFORMED'      // a secure-messaging response lacks or garbles its data objects
  | 'AUTH_FAILED'       // the chip or terminal authentication token did not match
  | 'PROTOCOL'          // the chip broke the protocol (bad point, wrong length, wrong tag)
  | 'UNSUPPORTED'       // the chip offers something this engine does not implement
  | 'FILE_TOO_LARGE'    // a file declares more bytes than the engine's limit
  | 'SESSION_CLOSED';   // the secure channel was ended by an earlier failure

export class MrtdError extends KioskError {
  readonly code: MrtdErrorCode;
  readonly step: MrtdStep;
  readonly sw: number | undefined;
  constructor(code: MrtdErrorCode, step: MrtdStep, detail: string, sw?: number, options?: { cause?: unknown }) {
    super(`${code} [${step}] ${detail}${sw === undefined ? '' : ` (SW ${swHex(sw)} ${swName(sw)})`}`, options);
    this.code = code;
    this.step = step;
    this.sw = sw;
  }
}

export const isMrtdError = (e: unknown): e is MrtdError => e instanceof MrtdError;
