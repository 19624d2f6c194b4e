// The scripted chip of `kioskctl conformance replay` (CONFORMANCE.md §3): it answers
// unprotected SELECTs and READ BINARYs of the files it holds, and every other command must
// equal the next scripted exchange, whose response it returns. A command that differs ends
// the replay with both commands in the error.
import { KioskError } from '../../errors.js';
import { toHex } from '../../util/bytes.js';
import { encodeResponse, parseCommand, StatusWord, type Transceiver } from '../apdu.js';
import { EMRTD_AID, LDS_FILES } from '../lds/files.js';

export interface Exchange {
  readonly command: Buffer;
  readonly response: Buffer;
}

export class ReplayMismatchError extends KioskError {
  readonly code = 'REPLAY_MISMATCH';
  constructor(
    readonly index: number,
    readonly expected: string | undefined,
    readonly actual: string,
  ) {
    super(`exchange ${index}: the reader sent ${actual}, the script expects ${expected ?? 'nothing more'}`);
  }
}

export class ScriptedChip implements Transceiver {
  readonly #files: ReadonlyMap<string, Buffer>;
  readonly #exchanges: readonly Exchange[];
  #next = 0;
  #selected: Buffer | undefined;

  constructor(files: ReadonlyMap<string, Buffer>, exchanges: readonly Exchange[]) {
    this.#files = files;
    this.#exchanges = exchanges;
  }

  /** True when every scripted exchange was used. */
  get finished(): boolean {
    return this.#next === this.#exchanges.length;
  }

  transceive(command: Buffer): Promise<Buffer> {
    return Promise.resolve(this.#answer(command));
  }

  #answer(command: Buffer): Buffer {
    const c = parseCommand(command);
    if (c.cla === 0x00 && c.ins === 0xa4) {
      const data = c.data ?? Buffer.alloc(0);
      if (c.p1 === 0x04 && data.equals(EMRTD_AID)) return ok();
      if ((c.p1 === 0x00 && (data.length === 0 || data.equals(Buffer.from('3F00', 'hex')))) || c.p1 === 0x03) return ok();
      if (c.p1 === 0x02 || c.p1 === 0x00) {
        const name = nameOf(data);
        const file = name && this.#files.get(name);
        if (file) {
          this.#selected = file;
          return ok();
        }
        return status(StatusWord.FILE_NOT_FOUND);
      }
    }
    if (c.cla === 0x00 && c.ins === 0xb0) {
      let file = this.#selected;
      let offset = ((c.p1 & 0x7f) << 8) | c.p2;
      if (c.p1 & 0x80) {
        // Short EF identifier in P1 bits 1-5, offset in P2.
        const name = LDS_FILES.find((f) => f.sfi === (c.p1 & 0x1f) && this.#files.has(f.name))?.name;
        file = name ? this.#files.get(name) : undefined;
        this.#selected = file;
        offset = c.p2;
      }
      if (!file) return status(StatusWord.FILE_NOT_FOUND);
      if (offset > file.length) return status(StatusWord.WRONG_P1P2_OFFSET);
      const chunk = file.subarray(offset, offset + (c.ne ?? 256));
      return encodeResponse({ data: chunk, sw: chunk.length < (c.ne ?? 256) ? StatusWord.END_OF_FILE_WARNING : StatusWord.OK });
    }
    const want = this.#exchanges[this.#next];
    if (!want?.command.equals(command)) {
      throw new ReplayMismatchError(this.#next, want && toHex(want.command), toHex(command));
    }
    this.#next++;
    return want.response;
  }
}

const ok = (): Buffer => encodeResponse({ data: Buffer.alloc(0), sw: StatusWord.OK });
const status = (sw: number): Buffer => encodeResponse({ data: Buffer.alloc(0), sw });

function nameOf(fid: Buffer): string | undefined {
  if (fid.length !== 2) return undefined;
  const id = fid.readUInt16BE(0);
  return LDS_FILES.find((f) => f.fid === id)?.name;
}
