// Secure messaging, ICAO 9303-11 §9.8 (ISO/IEC 7816-4 §10): protecting command APDUs and
// unprotecting responses, and the chip's mirror image of both. 3DES (CBC with IV 0, retail
// MAC) and AES (CBC with IV = E(KS_enc, SSC), CMAC truncated to 8 bytes). The send sequence
// counter is incremented before every command and before every response, on both sides.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { ParseError } from '../../errors.js';
import type { MrtdNative } from '../../native/mrtd.js';
import { equalsConstantTime } from '../../util/bytes.js';
import { encodeCommand, type CommandApdu, type ResponseApdu } from '../apdu.js';
import { MrtdError } from '../errors.js';
import { encode, encodeLength, parseAll, type Tlv } from '../tlv.js';
import { blockLength, checkSessionKeys, incrementSsc, pad, unpad, type SessionKeys } from './keys.js';

const MAC_LENGTH = 8;
const CLA_SM = 0x0c;

/** The Le byte(s) of DO97 for an expected length (ISO/IEC 7816-4: 00 / 0000 mean the maximum). */
function le(ne: number, extended: boolean): Buffer {
  if (!extended) return Buffer.from([ne === 256 ? 0 : ne]);
  return ne === 65536 ? Buffer.from([0, 0]) : Buffer.from([ne >> 8, ne & 0xff]);
}

function neFromLe(b: Buffer): number {
  if (b.length === 1) return b[0] === 0 ? 256 : b[0]!;
  if (b.length === 2) {
    const v = (b[0]! << 8) | b[1]!;
    return v === 0 ? 65536 : v;
  }
  throw new ParseError('DO97', `Le of ${b.length} bytes`);
}

export class SmCodec {
  readonly #k: SessionKeys;
  readonly #native: MrtdNative;
  #ssc: Buffer;

  constructor(keys: SessionKeys, native: MrtdNative) {
    this.#k = checkSessionKeys(keys);
    this.#native = native;
    this.#ssc = Buffer.from(keys.ssc);
  }

  get cipher(): SessionKeys['cipher'] {
    return this.#k.cipher;
  }

  /** The current send sequence counter (a copy). */
  get ssc(): Buffer {
    return Buffer.from(this.#ssc);
  }

  #block(): number {
    return blockLength(this.#k.cipher);
  }

  #mac(data: Buffer): Buffer {
    const m = pad(Buffer.concat([this.#ssc, data]), this.#block());
    return this.#k.cipher === '3DES'
      ? this.#native.retailMac(this.#k.ksMac, m)
      : this.#native.aesCmac(this.#k.ksMac, m).subarray(0, MAC_LENGTH);
  }

  #iv(): Buffer {
    if (this.#k.cipher === '3DES') return Buffer.alloc(8);
    const e = createCipheriv(`aes-${this.#k.ksEnc.length * 8}-ecb`, this.#k.ksEnc, null).setAutoPadding(false);
    return Buffer.concat([e.update(this.#ssc), e.final()]);
  }

  #crypt(data: Buffer, encrypt: boolean): Buffer {
    const iv = this.#iv();
    if (this.#k.cipher === '3DES') return this.#native.tdesCbc(this.#k.ksEnc, iv, data, encrypt);
    const alg = `aes-${this.#k.ksEnc.length * 8}-cbc`;
    const c = encrypt ? createCipheriv(alg, this.#k.ksEnc, iv) : createDecipheriv(alg, this.#k.ksEnc, iv);
    c.setAutoPadding(false);
    return Buffer.concat([c.update(data), c.final()]);
  }

  /** Terminal side: protects a command. */
  wrapCommand(c: CommandApdu): Buffer {
    this.#ssc = incrementSsc(this.#ssc);
    const cla = c.cla | CLA_SM;
    const header = Buffer.from([cla, c.ins, c.p1, c.p2]);
    const dos: Buffer[] = [];
    if (c.data && c.data.length > 0) {
      const enc = this.#crypt(pad(c.data, this.#block()), true);
      // Odd INS (e.g. READ BINARY B1) carries BER-TLV data: DO85 without the padding indicator.
      dos.push((c.ins & 1) === 1 ? encode(0x85, enc) : encode(0x87, [Buffer.from([0x01]), enc]));
    }
    const plainExtended = (c.ne ?? 0) > 256 || (c.data?.length ?? 0) > 255 || c.extended === true;
    if (c.ne !== undefined) dos.push(encode(0x97, le(c.ne, plainExtended)));
    const body = Buffer.concat(dos);
    const mac = this.#mac(Buffer.concat([pad(header, this.#block()), body]));
    const data = Buffer.concat([body, encode(0x8e, mac)]);
    // The protected command always asks for a response (its DOs): Le = 00, or 0000 when extended.
    const extended = plainExtended || data.length > 255;
    return encodeCommand({ cla, ins: c.ins, p1: c.p1, p2: c.p2, data, ne: extended ? 65536 : 256, extended });
  }

  /** Terminal side: checks and decrypts a protected response. Throws SM_MAC_INVALID / SM_MALFORMED. */
  unwrapResponse(r: ResponseApdu): ResponseApdu {
    this.#ssc = incrementSsc(this.#ssc);
    let dos: Tlv[];
    try {
      dos = parseAll(r.data, 'SM response');
    } catch (e) {
      throw new MrtdError('SM_MALFORMED', 'SM', 'response data objects do not parse', r.sw, { cause: e });
    }
    const find = (tag: number): Tlv | undefined => dos.find((d) => d.tag === tag);
    const do87 = find(0x87) ?? find(0x85);
    const do99 = find(0x99);
    const do8e = find(0x8e);
    if (!do8e || !do99) throw new MrtdError('SM_MALFORMED', 'SM', `response lacks ${do8e ? 'DO99' : 'DO8E'}`, r.sw);
    if (do99.value.length !== 2) throw new MrtdError('SM_MALFORMED', 'SM', 'DO99 is not 2 bytes', r.sw);
    const macInput = Buffer.concat([do87?.raw ?? Buffer.alloc(0), do99.raw]);
    if (!equalsConstantTime(this.#mac(macInput), do8e.value)) throw new MrtdError('SM_MAC_INVALID', 'SM', 'response MAC does not verify', r.sw);
    const sw = (do99.value[0]! << 8) | do99.value[1]!;
    if (!do87) return { data: Buffer.alloc(0), sw };
    return { data: this.#decryptDo(do87, 'response'), sw };
  }

  #decryptDo(d: Tlv, what: string): Buffer {
    let enc = d.value;
    if (d.tag === 0x87) {
      if (enc[0] !== 0x01) throw new MrtdError('SM_MALFORMED', 'SM', `${what} DO87 padding indicator is not 01`);
      enc = enc.subarray(1);
    }
    if (enc.length === 0 || enc.length % this.#block() !== 0) throw new MrtdError('SM_MALFORMED', 'SM', `${what} cryptogram length`);
    const plain = unpad(this.#crypt(enc, false));
    if (!plain) throw new MrtdError('SM_MALFORMED', 'SM', `${what} padding`);
    return plain;
  }

  /** Advances the counter for a response that arrived unprotected (an error status). */
  skipResponse(): void {
    this.#ssc = incrementSsc(this.#ssc);
  }

  /** Chip side: checks and decrypts a protected command. Throws SM_MAC_INVALID / SM_MALFORMED. */
  unwrapCommand(c: CommandApdu): CommandApdu {
    this.#ssc = incrementSsc(this.#ssc);
    if ((c.cla & CLA_SM) !== CLA_SM) throw new MrtdError('SM_MALFORMED', 'SM', 'command is not protected');
    let dos: Tlv[];
    try {
      dos = parseAll(c.data ?? Buffer.alloc(0), 'SM command');
    } catch (e) {
      throw new MrtdError('SM_MALFORMED', 'SM', 'command data objects do not parse', undefined, { cause: e });
    }
    const find = (tag: number): Tlv | undefined => dos.find((d) => d.tag === tag);
    const doData = find(0x87) ?? find(0x85);
    const do97 = find(0x97);
    const do8e = find(0x8e);
    if (!do8e) throw new MrtdError('SM_MALFORMED', 'SM', 'command lacks DO8E');
    const header = Buffer.from([c.cla, c.ins, c.p1, c.p2]);
    const macInput = Buffer.concat([pad(header, this.#block()), doData?.raw ?? Buffer.alloc(0), do97?.raw ?? Buffer.alloc(0)]);
    if (!equalsConstantTime(this.#mac(macInput), do8e.value)) throw new MrtdError('SM_MAC_INVALID', 'SM', 'command MAC does not verify');
    const plain: { cla: number; ins: number; p1: number; p2: number; data?: Buffer; ne?: number } = {
      cla: c.cla & ~CLA_SM & 0xff,
      ins: c.ins,
      p1: c.p1,
      p2: c.p2,
    };
    if (doData) plain.data = this.#decryptDo(doData, 'command');
    if (do97) plain.ne = neFromLe(do97.value);
    return plain;
  }

  /** Chip side: protects a response. */
  wrapResponse(r: ResponseApdu): ResponseApdu {
    this.#ssc = incrementSsc(this.#ssc);
    const do87 = r.data.length > 0 ? encode(0x87, [Buffer.from([0x01]), this.#crypt(pad(r.data, this.#block()), true)]) : Buffer.alloc(0);
    const do99 = encode(0x99, Buffer.from([r.sw >> 8, r.sw & 0xff]));
    const mac = this.#mac(Buffer.concat([do87, do99]));
    // The trailer repeats DO99's status (ISO/IEC 7816-4 §10.2.3); the terminal trusts DO99.
    return { data: Buffer.concat([do87, do99, encode(0x8e, mac)]), sw: r.sw };
  }
}

/** Bytes that secure messaging adds around `n` bytes of response data (for sizing reads). */
export function smResponseOverhead(n: number, block: number): number {
  const enc = n === 0 ? 0 : Math.floor(n / block + 1) * block;
  const do87 = enc === 0 ? 0 : 1 + encodeLength(enc + 1).length + enc + 1;
  return do87 + 4 /* DO99 */ + 10 /* DO8E */;
}
