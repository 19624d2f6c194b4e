// Basic Access Control, terminal side (ICAO 9303-11 §4.3 and Appendix D): keys from the MRZ
// information, GET CHALLENGE, mutual authentication with EXTERNAL AUTHENTICATE, session keys
// and the send sequence counter. Randomness: RND.IFD (8 bytes), then K.IFD (16 bytes).
import { createHash } from 'node:crypto';
import type { MrtdNative } from '../../native/mrtd.js';
import { equalsConstantTime } from '../../util/bytes.js';
import type { OpOptions, Transceiver } from '../apdu.js';
import { sendOk, type RandomSource } from '../card.js';
import { MrtdError } from '../errors.js';
import { SecureChannel } from '../sm/channel.js';
import { deriveSessionKeys, KDF_ENC, KDF_MAC, kdf, pad, type SessionKeys } from '../sm/keys.js';

export interface BacResult {
  readonly protocol: 'BAC';
  readonly keys: SessionKeys;
  readonly channel: SecureChannel;
}

/** The document basic access keys K_enc, K_mac from the MRZ information (§9.7.2). */
export function bacKeys(mrzInformation: string): { kEnc: Buffer; kMac: Buffer; kSeed: Buffer } {
  const kSeed = createHash('sha1').update(mrzInformation, 'latin1').digest().subarray(0, 16);
  return { kSeed, kEnc: kdf(kSeed, KDF_ENC, '3DES'), kMac: kdf(kSeed, KDF_MAC, '3DES') };
}

export async function performBac(
  card: Transceiver,
  mrzInformation: string,
  ctx: { native: MrtdNative; random: RandomSource },
  options?: OpOptions,
): Promise<BacResult> {
  const { kEnc, kMac } = bacKeys(mrzInformation);
  const rndIc = await sendOk(card, { cla: 0x00, ins: 0x84, p1: 0, p2: 0, ne: 8 }, 'BAC', 'getChallenge', options);
  if (rndIc.length !== 8) throw new MrtdError('PROTOCOL', 'BAC', `challenge of ${rndIc.length} bytes`);
  const rndIfd = ctx.random(8);
  const kIfd = ctx.random(16);
  const s = Buffer.concat([rndIfd, rndIc, kIfd]);
  const eIfd = ctx.native.tdesCbc(kEnc, Buffer.alloc(8), s, true);
  const mIfd = ctx.native.retailMac(kMac, pad(eIfd, 8));
  const resp = await sendOk(
    card,
    { cla: 0x00, ins: 0x82, p1: 0, p2: 0, data: Buffer.concat([eIfd, mIfd]), ne: 40 },
    'BAC',
    'externalAuthenticate',
    options,
    'AUTH_FAILED',
  );
  if (resp.length !== 40) throw new MrtdError('PROTOCOL', 'BAC', `EXTERNAL AUTHENTICATE answer of ${resp.length} bytes`);
  const eIc = resp.subarray(0, 32);
  if (!equalsConstantTime(ctx.native.retailMac(kMac, pad(eIc, 8)), resp.subarray(32))) {
    throw new MrtdError('AUTH_FAILED', 'BAC', 'chip cryptogram MAC does not verify');
  }
  const r = ctx.native.tdesCbc(kEnc, Buffer.alloc(8), eIc, false);
  if (!equalsConstantTime(r.subarray(0, 8), rndIc) || !equalsConstantTime(r.subarray(8, 16), rndIfd)) {
    throw new MrtdError('AUTH_FAILED', 'BAC', 'chip did not return the challenges');
  }
  const kIc = r.subarray(16, 32);
  const seed = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) seed[i] = kIfd[i]! ^ kIc[i]!;
  const ssc = Buffer.concat([rndIc.subarray(4), rndIfd.subarray(4)]);
  const keys = deriveSessionKeys(seed, '3DES', ssc);
  return { protocol: 'BAC', keys, channel: new SecureChannel(card, keys, ctx.native) };
}
