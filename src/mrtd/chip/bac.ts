// Basic Access Control, chip side (ICAO 9303-11 §4.3): GET CHALLENGE, then EXTERNAL
// AUTHENTICATE checks the terminal's cryptogram and answers with the chip's. The mirror image
// of ../access/bac.ts; draws RND.IC (8 bytes) then K.IC (16 bytes).
import type { MrtdNative } from '../../native/mrtd.js';
import { equalsConstantTime } from '../../util/bytes.js';
import { StatusWord, type CommandApdu, type ResponseApdu } from '../apdu.js';
import { bacKeys } from '../access/bac.js';
import type { RandomSource } from '../card.js';
import { deriveSessionKeys, pad, type SessionKeys } from '../sm/keys.js';

const status = (sw: number): ResponseApdu => ({ data: Buffer.alloc(0), sw });

export class BacChip {
  readonly #kEnc: Buffer;
  readonly #kMac: Buffer;
  readonly #native: MrtdNative;
  readonly #random: RandomSource;
  #rndIc: Buffer | undefined;

  constructor(mrzInformation: string, deps: { native: MrtdNative; random: RandomSource }) {
    const k = bacKeys(mrzInformation);
    this.#kEnc = k.kEnc;
    this.#kMac = k.kMac;
    this.#native = deps.native;
    this.#random = deps.random;
  }

  getChallenge(c: CommandApdu): ResponseApdu {
    if (c.ne !== 8) return status(StatusWord.WRONG_LENGTH);
    this.#rndIc = this.#random(8);
    return { data: this.#rndIc, sw: StatusWord.OK };
  }

  externalAuthenticate(c: CommandApdu): { response: ResponseApdu; session?: SessionKeys } {
    const rndIc = this.#rndIc;
    this.#rndIc = undefined; // a challenge is good for one attempt
    const data = c.data ?? Buffer.alloc(0);
    if (!rndIc) return { response: status(StatusWord.CONDITIONS_NOT_SATISFIED) };
    if (data.length !== 40) return { response: status(StatusWord.WRONG_LENGTH) };
    const eIfd = data.subarray(0, 32);
    if (!equalsConstantTime(this.#native.retailMac(this.#kMac, pad(eIfd, 8)), data.subarray(32))) {
      return { response: status(StatusWord.AUTHENTICATION_FAILED) };
    }
    const s = this.#native.tdesCbc(this.#kEnc, Buffer.alloc(8), eIfd, false);
    const rndIfd = s.subarray(0, 8);
    if (!equalsConstantTime(s.subarray(8, 16), rndIc)) return { response: status(StatusWord.AUTHENTICATION_FAILED) };
    const kIfd = s.subarray(16, 32);
    const kIc = this.#random(16);
    const eIc = this.#native.tdesCbc(this.#kEnc, Buffer.alloc(8), Buffer.concat([rndIc, rndIfd, kIc]), true);
    const mIc = this.#native.retailMac(this.#kMac, pad(eIc, 8));
    const seed = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) seed[i] = kIfd[i]! ^ kIc[i]!;
    const session = deriveSessionKeys(seed, '3DES', Buffer.concat([rndIc.subarray(4), rndIfd.subarray(4)]));
    return { response: { data: Buffer.concat([eIc, mIc]), sw: StatusWord.OK }, session };
  }
}
