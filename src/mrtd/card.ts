// Sending commands: encode, transceive, parse, and turn unexpected status words into
// MrtdErrors that name the protocol step. Also the injectable random source every protocol
// draws from (STYLE.md P7), so that a whole run can be replayed from a transcript.
import { randomBytes } from 'node:crypto';
import { encodeCommand, parseResponse, StatusWord, type CommandApdu, type OpOptions, type ResponseApdu, type Transceiver } from './apdu.js';
import { MrtdError, type MrtdErrorCode, type MrtdStep } from './errors.js';

/** Draws `n` random bytes. Protocols draw in a documented order and size (CONFORMANCE.md). */
export type RandomSource = (n: number) => Buffer;

export const systemRandom: RandomSource = (n) => randomBytes(n);

/** A random source that replays given values in order; each draw must match its size. */
export function scriptedRandom(values: readonly Buffer[]): RandomSource {
  let i = 0;
  return (n) => {
    const v = values[i++];
    if (!v) throw new MrtdError('PROTOCOL', 'CHIP', `scripted random source exhausted at draw ${i} (${n} bytes)`);
    if (v.length !== n) throw new MrtdError('PROTOCOL', 'CHIP', `scripted random draw ${i} has ${v.length} bytes, the protocol draws ${n}`);
    return v;
  };
}

export async function send(card: Transceiver, apdu: CommandApdu, step: string, options?: OpOptions): Promise<ResponseApdu> {
  return parseResponse(await card.transceive(encodeCommand(apdu), { ...options, step }));
}

/** Sends and requires 9000; anything else is an MrtdError with `code` (default STATUS). */
export async function sendOk(
  card: Transceiver,
  apdu: CommandApdu,
  step: MrtdStep,
  what: string,
  options?: OpOptions,
  code: MrtdErrorCode = 'STATUS',
): Promise<Buffer> {
  const r = await send(card, apdu, `${step}.${what}`, options);
  if (r.sw !== (StatusWord.OK as number)) throw new MrtdError(code, step, `${what} refused`, r.sw);
  return r.data;
}
