// The benchmark's baseline: files read the way JMRTD reads them by default — SELECT by file
// identifier, READ BINARY of the first 8 bytes for the length, then blocks of 223 bytes (its
// default maximum, chosen so that a 3DES- or AES-protected answer fits a short APDU), odd INS
// beyond offset 32767. Same inspection otherwise, so only the reading strategy differs.
import { StatusWord, type OpOptions, type Transceiver } from '../src/mrtd/apdu.js';
import { send } from '../src/mrtd/card.js';
import { MrtdError } from '../src/mrtd/errors.js';
import type { LdsFileInfo } from '../src/mrtd/lds/files.js';
import type { FileReaderFactory, LdsFileReader, ReadStats } from '../src/mrtd/inspection/read-file.js';
import { encode, readHeader, readTlv } from '../src/mrtd/tlv.js';

export const BASELINE_BLOCK = 223;
const HEADER_PROBE = 8;

class BaselineReader implements LdsFileReader {
  readonly stats: ReadStats = { reads: 0, blockFailures: 0 };
  readonly blockSize = BASELINE_BLOCK;
  readonly #card: Transceiver;
  constructor(card: Transceiver) {
    this.#card = card;
  }

  async read(file: LdsFileInfo, options?: OpOptions): Promise<Buffer | undefined> {
    const fid = Buffer.from([file.fid >> 8, file.fid & 0xff]);
    const sel = await send(this.#card, { cla: 0, ins: 0xa4, p1: 0x02, p2: 0x0c, data: fid }, `SELECT.${file.name}`, options);
    if (sel.sw === (StatusWord.FILE_NOT_FOUND as number)) return undefined;
    if (sel.sw !== (StatusWord.OK as number)) throw new MrtdError('STATUS', 'SELECT', file.name, sel.sw);
    const first = await this.#at(file, 0, HEADER_PROBE, options);
    const h = readHeader(first, 0, file.name);
    const total = h.headerLength + (h.length ?? 0);
    const chunks = [first.subarray(0, Math.min(first.length, total))];
    let have = chunks[0]!.length;
    while (have < total) {
      const part = await this.#at(file, have, Math.min(BASELINE_BLOCK, total - have), options);
      if (part.length === 0) throw new MrtdError('PROTOCOL', 'READ', `${file.name} ended early`);
      chunks.push(part);
      have += part.length;
    }
    return Buffer.concat(chunks);
  }

  async #at(file: LdsFileInfo, offset: number, ne: number, options?: OpOptions): Promise<Buffer> {
    this.stats.reads++;
    const apdu = offset <= 0x7fff
      ? { cla: 0, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, ne }
      : { cla: 0, ins: 0xb1, p1: 0, p2: 0, data: encode(0x54, Buffer.from([offset >> 16, (offset >> 8) & 0xff, offset & 0xff])), ne: ne + 4 };
    const r = await send(this.#card, apdu, `READ.${file.name}`, options);
    if (r.sw !== (StatusWord.OK as number) && r.sw !== (StatusWord.END_OF_FILE_WARNING as number)) throw new MrtdError('STATUS', 'READ', file.name, r.sw);
    return apdu.ins === 0xb1 ? readTlv(r.data, 0, 'DO53').value : r.data;
  }
}

export const baselineReader: FileReaderFactory = (card) => new BaselineReader(card);
