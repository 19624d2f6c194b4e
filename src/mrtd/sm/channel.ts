// A secure channel as the terminal sees it: a Transceiver that takes plain command APDUs and
// returns plain responses, protecting both directions with an SmCodec (ICAO 9303-11 §9.8).
// The first response whose MAC fails ends the channel: every later call throws
// SESSION_CLOSED, because a chip (or a man in the middle) that sends one bad MAC cannot be
// trusted with the rest of the session.
import type { MrtdNative } from '../../native/mrtd.js';
import { parseCommand, parseResponse, encodeResponse, StatusWord, type CommandApdu, type OpOptions, type Transceiver } from '../apdu.js';
import { MrtdError, isMrtdError } from '../errors.js';
import { SmCodec } from './codec.js';
import type { SessionKeys } from './keys.js';

const CLA_CHAIN = 0x10;
const GENERAL_AUTHENTICATE = 0x86;
/**
 * Plain data per chained link: 223 bytes pad to 224, which with DO87's header (4), DO97 (3)
 * and DO8E (10) is 241 bytes — within a short APDU's 255 for 3DES and AES alike.
 */
export const SHORT_CHAIN_CHUNK = 223;

/** Status words a chip sends unprotected when it rejects secure messaging (and ends it). */
const SM_REJECTED = new Set<number>([StatusWord.SM_DATA_OBJECTS_MISSING, StatusWord.SM_DATA_OBJECTS_INCORRECT]);

export class SecureChannel implements Transceiver {
  readonly #raw: Transceiver;
  readonly #codec: SmCodec;
  #closed: string | undefined;
  #verified = 0;
  #chunk: number | undefined;

  constructor(raw: Transceiver, keys: SessionKeys, native: MrtdNative) {
    this.#raw = raw;
    this.#codec = new SmCodec(keys, native);
  }

  get keys(): { cipher: SessionKeys['cipher']; ssc: Buffer } {
    return { cipher: this.#codec.cipher, ssc: this.#codec.ssc };
  }

  /**
   * How many responses came back protected with a MAC that verified under this channel's keys.
   * An unprotected status word proves nothing about the keys; chip authentication counts as
   * done only once this is above zero (ICAO 9303-11 §6.2: the chip proves it holds the private
   * key by answering under the new session keys).
   */
  get verifiedResponses(): number {
    return this.#verified;
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /**
   * For chips without extended-length APDUs: plain command data longer than fits one short
   * protected APDU goes as a chain (ISO/IEC 7816-4 §5.3.3, CLA bit 0x10 on all but the last),
   * each link protected on its own. GENERAL AUTHENTICATE is never chained here: PACE and
   * CA use the chaining bit to mark their protocol steps.
   */
  chainLongCommands(enabled: boolean): void {
    this.#chunk = enabled ? SHORT_CHAIN_CHUNK : undefined;
  }

  /** Ends the channel (e.g. when chip authentication replaces it with new keys). */
  close(reason: string): void {
    this.#closed ??= reason;
  }

  async transceive(command: Buffer, options?: OpOptions): Promise<Buffer> {
    const c = parseCommand(command);
    const data = c.data ?? Buffer.alloc(0);
    if (this.#chunk === undefined || data.length <= this.#chunk || c.ins === GENERAL_AUTHENTICATE) return this.#exchange(c, options);
    // All links but the last must be acknowledged with 9000, under a MAC that verifies.
    for (let at = 0; at + this.#chunk < data.length; at += this.#chunk) {
      const link = parseResponse(await this.#exchange({ cla: c.cla | CLA_CHAIN, ins: c.ins, p1: c.p1, p2: c.p2, data: data.subarray(at, at + this.#chunk) }, options));
      if (link.sw !== (StatusWord.OK as number)) return encodeResponse(link);
    }
    const last = data.subarray(Math.floor((data.length - 1) / this.#chunk) * this.#chunk);
    return this.#exchange({ ...c, data: last, extended: false }, options);
  }

  async #exchange(c: CommandApdu, options?: OpOptions): Promise<Buffer> {
    if (this.#closed !== undefined) throw new MrtdError('SESSION_CLOSED', 'SM', `secure channel closed: ${this.#closed}`);
    const protectedCommand = this.#codec.wrapCommand(c);
    const raw = parseResponse(await this.#raw.transceive(protectedCommand, options));
    if (raw.data.length === 0 && raw.sw !== (StatusWord.OK as number)) {
      // An unprotected error status: the chip refused the command before (or instead of)
      // secure messaging. 6987/6988 mean the chip has ended the session.
      if (SM_REJECTED.has(raw.sw)) this.close('chip rejected secure messaging');
      // Keep the counter in step with a chip that counted the response it did not protect.
      this.#codec.skipResponse();
      return encodeResponse(raw);
    }
    try {
      const plain = this.#codec.unwrapResponse(raw);
      this.#verified++;
      return encodeResponse(plain);
    } catch (e) {
      if (isMrtdError(e)) this.close(e.code);
      throw e;
    }
  }
}
