// Reading elementary files (ICAO 9303-10 §3.10, ISO/IEC 7816-4 §11.3): the first READ
// BINARY goes by short EF identifier (no SELECT round trip), the TLV header tells the file's
// length, and the rest follows in blocks as large as the chip accepts:
// - with extended length, blocks start large and step down a ladder on 6700/6Cxx, and the
//   size that worked is kept for the rest of the session (every file benefits);
// - without it, blocks are the largest whose protected response fits 256 bytes;
// - offsets beyond 32767 use READ BINARY with odd INS (B1) and the offset in DO54;
// - odd chips: 6282 or a short last block at the end of a file, 6B00 for an offset at the
//   end, indefinite-length files (read to the end, then measured by parsing).
import { ParseError } from '../../errors.js';
import { StatusWord, type OpOptions, type Transceiver } from '../apdu.js';
import { send } from '../card.js';
import { MrtdError } from '../errors.js';
import type { LdsFileInfo } from '../lds/files.js';
import { encode, readHeader, readTlv } from '../tlv.js';

/** Files larger than this are refused (a hostile chip must not make the kiosk allocate GBs). */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

/** The largest plain block whose protected response still fits `wire` bytes. */
export function plainBlockFor(wire: number, cipherBlock: 8 | 16, secured: boolean): number {
  if (!secured) return wire;
  // DO87 = 87 L 01 E(pad(n)); pad adds 1..block bytes; L takes up to 3 bytes for large n.
  let n = wire - 18 - 2;
  while (n > 0) {
    const enc = (Math.floor(n / cipherBlock) + 1) * cipherBlock;
    const lenBytes = enc + 1 < 128 ? 1 : enc + 1 < 256 ? 2 : 3;
    if (1 + lenBytes + 1 + enc + 4 + 10 <= wire) return n;
    n--;
  }
  return 1;
}

/** Block sizes tried, largest first, when the chip takes extended-length APDUs (wire bytes). */
const EXTENDED_LADDER = [65536, 16384, 4096, 1024];
const SHORT_WIRE = 256;

export interface ReaderCapabilities {
  /** The chip (and the reader in between) take extended-length APDUs. */
  readonly extendedLength: boolean;
  /** A response limit the chip published (EF.ATR/INFO DO7F66), if known. */
  readonly maxResponseBytes?: number;
}

export interface FileReaderOptions extends ReaderCapabilities {
  /** Cipher block of the secure channel (8 for 3DES, 16 for AES); undefined when unprotected. */
  readonly smBlock: 8 | 16 | undefined;
  readonly maxFileBytes?: number;
}

export interface ReadStats {
  reads: number;
  blockFailures: number;
}

/** What the inspection needs from a file reader (the benchmark plugs in a baseline one). */
export interface LdsFileReader {
  read(file: LdsFileInfo, options?: OpOptions): Promise<Buffer | undefined>;
  readonly stats: ReadStats;
  readonly blockSize: number;
}

export type FileReaderFactory = (card: Transceiver, options: FileReaderOptions) => LdsFileReader;

/** Reads whole files through one channel, learning the chip's block size as it goes. */
export class FileReader implements LdsFileReader {
  readonly #card: Transceiver;
  readonly #o: FileReaderOptions;
  #ladder: number[];
  readonly stats: ReadStats = { reads: 0, blockFailures: 0 };

  constructor(card: Transceiver, options: FileReaderOptions) {
    this.#card = card;
    this.#o = options;
    const cap = options.maxResponseBytes;
    const wires = options.extendedLength ? [...EXTENDED_LADDER.filter((w) => cap === undefined || w <= cap), ...(cap && cap > SHORT_WIRE && !EXTENDED_LADDER.includes(cap) ? [cap] : []), SHORT_WIRE] : [Math.min(cap ?? SHORT_WIRE, SHORT_WIRE)];
    this.#ladder = [...new Set(wires)].sort((a, b) => b - a);
  }

  /** The plain block size currently in use. */
  get blockSize(): number {
    return this.#plain(this.#ladder[0]!);
  }

  #plain(wire: number): number {
    const secured = this.#o.smBlock !== undefined;
    // A short APDU's Ne tops out at 256, an extended one's at 65536.
    const limit = Math.min(wire, this.#o.extendedLength ? 65536 : 256);
    return plainBlockFor(limit, this.#o.smBlock ?? 8, secured);
  }

  /** Drops to the next smaller block after the chip refused one; false when none is left. */
  #stepDown(sw: number): boolean {
    this.stats.blockFailures++;
    if ((sw & 0xff00) === 0x6c00 && (sw & 0xff) > 0) {
      // 6Cxx: "wrong Le, xx available" — only meaningful for short reads.
      this.#ladder = [Math.min(this.#ladder[0]!, sw & 0xff)];
      return true;
    }
    if (this.#ladder.length <= 1) {
      const w = this.#ladder[0]!;
      if (w <= 64) return false;
      this.#ladder = [Math.floor(w * 0.75)];
      return true;
    }
    this.#ladder.shift();
    return true;
  }

  /**
   * Reads one file; undefined when the chip does not have it (6A82). `what` names the step for
   * errors and timeouts.
   */
  async read(file: LdsFileInfo, options?: OpOptions): Promise<Buffer | undefined> {
    const max = this.#o.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    const step = `READ.${file.name}`;
    const chunks: Buffer[] = [];
    let have = 0;
    let total: number | undefined;
    let indefinite = false;
    let first = true;
    for (;;) {
      const want = total === undefined ? this.blockSize : Math.min(this.blockSize, total - have);
      if (total !== undefined && want <= 0) break;
      const r = await this.#readAt(file, first, have, want, step, options);
      if (typeof r === 'number') {
        if (!this.#stepDown(r)) throw new MrtdError('STATUS', 'READ', `${file.name}: no block size accepted`, StatusWord.WRONG_LENGTH);
        continue;
      }
      if (r === 'absent') return undefined;
      first = false;
      chunks.push(r.data);
      have += r.data.length;
      if (have > max) throw new MrtdError('FILE_TOO_LARGE', 'READ', `${file.name} exceeds ${max} bytes`);
      if (total === undefined && !indefinite && have > 0) {
        const h = headerOf(Buffer.concat(chunks));
        if (h === 'short') {
          // Not even the header yet: keep reading.
        } else if (h.length === undefined) {
          indefinite = true;
        } else {
          total = h.headerLength + h.length;
          if (total > max) throw new MrtdError('FILE_TOO_LARGE', 'READ', `${file.name} declares ${total} bytes, more than ${max}`);
        }
      }
      if (r.end || r.data.length === 0) {
        if (total !== undefined && have < total) throw new MrtdError('PROTOCOL', 'READ', `${file.name} ends at ${have} of ${total} bytes`);
        break;
      }
      if (total !== undefined && have >= total) break;
    }
    const bytes = Buffer.concat(chunks);
    if (total !== undefined) return bytes.subarray(0, total);
    if (indefinite) {
      try {
        return readTlv(bytes, 0, file.name).raw;
      } catch (e) {
        throw new MrtdError('PROTOCOL', 'READ', `${file.name}: indefinite-length content does not end`, undefined, { cause: e });
      }
    }
    throw new MrtdError('PROTOCOL', 'READ', `${file.name}: no TLV header`);
  }

  async #readAt(
    file: LdsFileInfo,
    first: boolean,
    offset: number,
    ne: number,
    step: string,
    options?: OpOptions,
  ): Promise<{ data: Buffer; end: boolean } | 'absent' | number> {
    this.stats.reads++;
    const apdu =
      first && offset === 0
        ? { cla: 0x00, ins: 0xb0, p1: 0x80 | file.sfi, p2: 0x00, ne }
        : offset <= 0x7fff
          ? { cla: 0x00, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, ne }
          : { cla: 0x00, ins: 0xb1, p1: 0x00, p2: 0x00, data: encode(0x54, offsetBytes(offset)), ne: ne + 6 };
    const r = await send(this.#card, apdu, step, options);
    const sw = r.sw;
    if (sw === (StatusWord.FILE_NOT_FOUND as number)) {
      if (first) return 'absent';
      throw new MrtdError('STATUS', 'READ', `${file.name} vanished while reading`, sw);
    }
    // Refused for its length: the status word, for the caller to pick a smaller block.
    if (sw === (StatusWord.WRONG_LENGTH as number) || (sw & 0xff00) === 0x6c00) return sw;
    if (sw === (StatusWord.WRONG_P1P2_OFFSET as number)) return { data: Buffer.alloc(0), end: true };
    if (sw !== (StatusWord.OK as number) && sw !== (StatusWord.END_OF_FILE_WARNING as number)) {
      throw new MrtdError('STATUS', 'READ', `${file.name} at offset ${offset}`, sw);
    }
    let data = r.data;
    if (apdu.ins === 0xb1) {
      try {
        const t = readTlv(data, 0, 'DO53');
        if (t.tag !== 0x53) throw new ParseError('DO53', 'wrong tag');
        data = t.value;
      } catch (e) {
        throw new MrtdError('PROTOCOL', 'READ', `${file.name}: odd-INS answer is not DO53`, sw, { cause: e });
      }
    }
    if (data.length > apdu.ne) throw new MrtdError('PROTOCOL', 'READ', `${file.name}: ${data.length} bytes for Ne ${ne}`);
    return { data, end: sw === (StatusWord.END_OF_FILE_WARNING as number) || data.length < ne };
  }
}

function offsetBytes(offset: number): Buffer {
  return offset > 0xffff ? Buffer.from([offset >> 16, (offset >> 8) & 0xff, offset & 0xff]) : Buffer.from([offset >> 8, offset & 0xff]);
}

function headerOf(b: Buffer): { headerLength: number; length: number | undefined } | 'short' {
  try {
    return readHeader(b, 0, 'file header');
  } catch (e) {
    // Too few bytes for the header yet is expected on tiny blocks; anything else is a bad file.
    if (e instanceof ParseError && /missing|truncated/.test(e.message)) return 'short';
    throw new MrtdError('PROTOCOL', 'READ', 'file does not start with a TLV header', undefined, { cause: e });
  }
}

/** Parses EF.ATR/INFO's extended length information (ISO/IEC 7816-4 §12.7.1, DO7F66). */
export function extendedLengthInfo(atrInfo: Buffer): { maxCommand: number; maxResponse: number } | undefined {
  const find = (b: Buffer, depth: number): Buffer | undefined => {
    let p = 0;
    while (p < b.length && depth < 4) {
      let t;
      try {
        t = readTlv(b, p, 'EF.ATR/INFO');
      } catch {
        return undefined;
      }
      if (t.tag === 0x7f66) return t.value;
      if (t.constructed) {
        const inner = find(t.value, depth + 1);
        if (inner) return inner;
      }
      p += t.raw.length;
    }
    return undefined;
  };
  const v = find(atrInfo, 0);
  if (!v) return undefined;
  try {
    const a = readTlv(v, 0, 'DO7F66');
    const b = readTlv(v, a.raw.length, 'DO7F66');
    if (a.tag !== 0x02 || b.tag !== 0x02 || a.value.length > 3 || b.value.length > 3) return undefined;
    const int = (x: Buffer): number => x.reduce((s, y) => s * 256 + y, 0);
    return { maxCommand: int(a.value), maxResponse: int(b.value) };
  } catch {
    return undefined;
  }
}
