// Active Authentication, chip side (ICAO 9303-11 §6.1): INTERNAL AUTHENTICATE signs the
// terminal's 8-byte RND.IFD with chip.json's private key.
// - RSA: ISO/IEC 9796-2 scheme 1, partial recovery (§6.1.2.2, Appendix F): M1 is a nonce of
//   the full capacity drawn from the chip's random source, F = 6A || M1 || H(M1 || RND.IFD)
//   || trailer, σ = F^d mod n; SHA-1 uses the implicit trailer BC, the others xxCC.
// - ECDSA over H(RND.IFD), answered in the plain r||s format of TR-03111 (§6.1.2.3); the hash
//   is the one DG14's ActiveAuthenticationInfo announces.
import { createHash } from 'node:crypto';
import type { MrtdNative } from '../../native/mrtd.js';
import { ParseError } from '../../errors.js';
import { StatusWord, type CommandApdu } from '../apdu.js';
import type { RandomSource } from '../card.js';
import { der } from '../asn1.js';
import { HASH_LENGTH, type HashName } from '../pki/oids.js';
import { aaSignatureHash, AA_CHALLENGE_BYTES } from '../auth/aa.js';
import type { ChipPrivateKey } from './private-keys.js';
import type { HandlerResult } from './virtual-chip.js';

export interface AaChipConfig {
  readonly key: ChipPrivateKey;
  /** RSA: the hash of the signature (default SHA-1, as Appendix F and most issued chips). */
  readonly rsaHash?: HashName;
  /** ECDSA: DG14's ActiveAuthenticationInfo signatureAlgorithm OID (default SHA-256). */
  readonly signatureAlgorithm?: string;
  /** ECDSA answer format: 'plain' r||s (TR-03111, the default) or X9.62 'der'. */
  readonly ecdsaEncoding?: 'plain' | 'der';
}

const status = (sw: number): HandlerResult => ({ response: { data: Buffer.alloc(0), sw } });

export class AaChip {
  readonly #config: AaChipConfig;
  readonly #native: MrtdNative;
  readonly #random: RandomSource;
  readonly #hash: HashName;

  constructor(config: AaChipConfig, deps: { native: MrtdNative; random: RandomSource }) {
    if (config.key.kind === 'DH') throw new ParseError('active authentication key', 'a DH key cannot sign');
    if (config.key.kind === 'RSA' && config.key.bits % 8 !== 0) throw new ParseError('active authentication key', 'RSA modulus length is not a multiple of 8 bits');
    const h = config.key.kind === 'RSA' ? (config.rsaHash ?? 'sha1') : config.signatureAlgorithm === undefined ? 'sha256' : aaSignatureHash(config.signatureAlgorithm);
    if (!h) throw new ParseError('ActiveAuthenticationInfo', 'unknown signature algorithm');
    this.#hash = h;
    this.#config = config;
    this.#native = deps.native;
    this.#random = deps.random;
  }

  /** INTERNAL AUTHENTICATE (0088 0000, data RND.IFD). */
  internalAuthenticate(c: CommandApdu): HandlerResult {
    if (c.p1 !== 0 || c.p2 !== 0) return status(StatusWord.INCORRECT_P1P2);
    const m2 = c.data ?? Buffer.alloc(0);
    if (m2.length !== AA_CHALLENGE_BYTES) return status(StatusWord.WRONG_LENGTH);
    const key = this.#config.key;
    if (key.kind === 'RSA') {
      const implicit = this.#hash === 'sha1';
      const capacity = this.#native.iso9796Capacity(key.bits, HASH_LENGTH[this.#hash], implicit);
      const m1 = this.#random(capacity);
      const digest = createHash(this.#hash).update(m1).update(m2).digest();
      const f = this.#native.iso9796Encode(key.bits, m1, digest, this.#hash, implicit, true);
      return { response: { data: this.#native.modExp(f, key.privateExponent, key.modulus, true), sw: StatusWord.OK } };
    }
    if (key.kind === 'DH') return status(StatusWord.CONDITIONS_NOT_SATISFIED);
    const { r, s } = this.#native.ecdsaSign(key.domain.curve, key.privateKey, createHash(this.#hash).update(m2).digest());
    const sig = this.#config.ecdsaEncoding === 'der' ? der.seq(der.int(r), der.int(s)) : Buffer.concat([r, s]);
    return { response: { data: sig, sw: StatusWord.OK } };
  }

  handle(c: CommandApdu): HandlerResult {
    return c.ins === 0x88 ? this.internalAuthenticate(c) : status(StatusWord.INS_NOT_SUPPORTED);
  }
}
