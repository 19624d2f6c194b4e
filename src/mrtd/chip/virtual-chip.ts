// The virtual chip: a TypeScript eMRTD that serves a virtual passport folder with the
// protocols of ICAO 9303-11 from the chip's side, and the quirks its chip.json describes.
// It is a product feature (the kiosk's simulator runs on it, over pcscd through vpcd or in
// process), so it follows the standard's access rules rather than being lenient:
// - the MF files EF.CardAccess, EF.ATR/INFO and EF.DIR are readable without access control;
//   everything in the eMRTD application, and EF.CardSecurity, needs a secure channel;
// - once secure messaging is on, an unprotected command or a bad MAC ends it (6987/6988);
// - DG3 and DG4 need Terminal Authentication, which this chip does not grant yet (6982).
import { ParseError } from '../../errors.js';
import type { MrtdNative } from '../../native/mrtd.js';
import { encodeResponse, parseCommand, StatusWord, type CommandApdu, type ResponseApdu } from '../apdu.js';
import { emrtdHistoricalBytes } from '../atr.js';
import type { RandomSource } from '../card.js';
import { isMrtdError } from '../errors.js';
import { EMRTD_AID, LDS_FILES, type LdsFileInfo } from '../lds/files.js';
import { accessMrzInformation } from '../mrz.js';
import { SmCodec } from '../sm/codec.js';
import type { SessionKeys } from '../sm/keys.js';
import { encode, readTlv } from '../tlv.js';
import { BacChip } from './bac.js';
import type { ChipQuirks } from './config.js';
import type { VirtualPassport } from './folder.js';

const INS = {
  SELECT: 0xa4,
  READ_BINARY: 0xb0,
  READ_BINARY_ODD: 0xb1,
  GET_CHALLENGE: 0x84,
  EXTERNAL_AUTHENTICATE: 0x82,
  INTERNAL_AUTHENTICATE: 0x88,
  MSE: 0x22,
  GENERAL_AUTHENTICATE: 0x86,
  GET_RESPONSE: 0xc0,
} as const;

const CLA_CHAIN = 0x10;
const CLA_SM = 0x0c;

/** How a protocol handler answers: a response, and new session keys when it established some. */
export interface HandlerResult {
  readonly response: ResponseApdu;
  readonly session?: SessionKeys;
  /** What the session now is (for access rules): set by BAC, PACE and CA. */
  readonly established?: 'BAC' | 'PACE' | 'CA';
}

/**
 * The chip-side protocols beyond BAC, plugged in by the composition (see ./protocols.ts).
 * Each gets the plain command (secure messaging already removed) and whether it came
 * protected.
 */
export interface ChipProtocolHandlers {
  mse?(c: CommandApdu, secured: boolean): HandlerResult;
  generalAuthenticate?(c: CommandApdu, secured: boolean): HandlerResult;
  internalAuthenticate?(c: CommandApdu, secured: boolean): HandlerResult;
  /** Called when the session ends (power cycle, SM failure, new access control). */
  reset?(): void;
}

const status = (sw: number): ResponseApdu => ({ data: Buffer.alloc(0), sw });

/**
 * Changes the chip's plain answer to a command before secure messaging protects it: how a
 * fault (./faults.ts) makes a chip whose content is wrong but whose keys are right.
 */
export type ResponseFilter = (response: ResponseApdu) => ResponseApdu;

/** Folder names as the LDS file table names them. */
const LDS_NAME: Readonly<Record<string, string>> = { 'EF.ATR': 'EF.ATR/INFO' };

export interface VirtualChipDeps {
  readonly native: MrtdNative;
  readonly random: RandomSource;
  readonly protocols?: ChipProtocolHandlers;
}

export class VirtualChip {
  readonly #files: ReadonlyMap<string, Buffer>;
  readonly #quirks: ChipQuirks;
  readonly #native: MrtdNative;
  readonly #bac: BacChip | undefined;
  readonly #protocols: ChipProtocolHandlers;
  #app: 'MF' | 'eMRTD' = 'MF';
  #selected: LdsFileInfo | undefined;
  #sm: SmCodec | undefined;
  #session: 'none' | 'BAC' | 'PACE' | 'CA' = 'none';
  #chain: Buffer[] = [];
  /** The rest of an answer given in pieces (quirks.getResponseChunk). */
  #pending: { data: Buffer; sw: number } | undefined;
  #filter: ResponseFilter | undefined;

  constructor(passport: VirtualPassport, deps: VirtualChipDeps) {
    this.#files = new Map([...passport.files].map(([k, v]) => [LDS_NAME[k] ?? k, v]));
    this.#quirks = passport.config.quirks;
    this.#native = deps.native;
    this.#protocols = deps.protocols ?? {};
    this.#bac = passport.config.bac ? new BacChip(accessMrzInformation(passport.config.mrz).text, deps) : undefined;
  }

  get quirks(): ChipQuirks {
    return this.#quirks;
  }

  /** The ATS historical bytes: ISO/IEC 7816-4 §8.1.1.2.7 card capabilities, extended length as configured. */
  get historicalBytes(): Buffer {
    return emrtdHistoricalBytes({ extendedLength: this.#quirks.extendedLength, commandChaining: true });
  }

  /** Power cycle: every session state goes. */
  reset(): void {
    this.#pending = undefined;
    this.#app = 'MF';
    this.#selected = undefined;
    this.#endSession();
  }

  #endSession(): void {
    this.#sm = undefined;
    this.#session = 'none';
    this.#chain = [];
    this.#protocols.reset?.();
  }

  /**
   * Applies `filter` to the plain answer to the next command only (the answer of the command's
   * handler, before secure messaging and the response-size limit). A command that never
   * reaches a handler (unparsable, or failing secure messaging) drops the filter unused.
   */
  filterNextResponse(filter: ResponseFilter): void {
    this.#filter = filter;
  }

  /** Answers one command APDU. Never throws: a chip answers everything with a status word. */
  process(command: Buffer): Promise<Buffer> {
    const filter = this.#filter;
    this.#filter = undefined;
    return Promise.resolve(encodeResponse(this.#inPieces(command, filter)));
  }

  /**
   * quirks.getResponseChunk: answers longer than the chunk go in pieces, each but the last
   * ending 61xx, the rest fetched with GET RESPONSE (ISO/IEC 7816-4 §5.3.4) — the transport
   * level, below secure messaging, as T=0 cards and some readers do it.
   */
  #inPieces(bytes: Buffer, filter: ResponseFilter | undefined): ResponseApdu {
    const chunk = this.#quirks.getResponseChunk;
    if (bytes.length >= 4 && bytes[1] === INS.GET_RESPONSE) {
      const rest = this.#pending;
      if (!rest) return status(StatusWord.CONDITIONS_NOT_SATISFIED);
      this.#pending = undefined;
      return this.#piece(rest.data, rest.sw, chunk ?? rest.data.length);
    }
    this.#pending = undefined;
    const r = this.#process(bytes, filter);
    return chunk === undefined ? r : this.#piece(r.data, r.sw, chunk);
  }

  #piece(data: Buffer, sw: number, chunk: number): ResponseApdu {
    if (data.length <= chunk) return { data, sw };
    const rest = data.subarray(chunk);
    this.#pending = { data: rest, sw };
    return { data: data.subarray(0, chunk), sw: 0x6100 | (rest.length > 255 ? 0 : rest.length) };
  }

  #process(bytes: Buffer, filter: ResponseFilter | undefined): ResponseApdu {
    let c: CommandApdu & { extended: boolean };
    try {
      c = parseCommand(bytes);
    } catch (e) {
      if (e instanceof ParseError) return status(StatusWord.WRONG_LENGTH);
      throw e;
    }
    if (c.extended && !this.#quirks.extendedLength) return status(StatusWord.WRONG_LENGTH);
    if ((c.cla & CLA_SM) === CLA_SM) return this.#secured(c, filter);
    if (this.#sm) {
      // ICAO 9303-11 §9.8.4: a plain command inside a secure session aborts the session.
      this.#endSession();
      return status(StatusWord.SM_DATA_OBJECTS_MISSING);
    }
    const r = this.#dispatch(c, false);
    return this.#limit(filter ? filter(r) : r, c);
  }

  #secured(c: CommandApdu, filter: ResponseFilter | undefined): ResponseApdu {
    const sm = this.#sm;
    if (!sm) return status(StatusWord.SM_DATA_OBJECTS_MISSING);
    let plain: CommandApdu;
    try {
      plain = sm.unwrapCommand(c);
    } catch (e) {
      if (!isMrtdError(e)) throw e;
      this.#endSession();
      return status(StatusWord.SM_DATA_OBJECTS_INCORRECT);
    }
    const answer = this.#dispatch(plain, true);
    const r = filter ? filter(answer) : answer;
    // A protocol that established new keys (chip authentication) answers under the old ones;
    // the new channel starts with the next command.
    const wrapped = sm.wrapResponse(r);
    return this.#limit(wrapped, plain);
  }

  /** Enforces the chip's response-size limit (quirks.maxResponseBytes) on what goes on the wire. */
  #limit(r: ResponseApdu, c: CommandApdu): ResponseApdu {
    if (r.data.length > this.#quirks.maxResponseBytes || (!this.#quirks.extendedLength && (c.ne ?? 0) > 256)) {
      return status(StatusWord.WRONG_LENGTH);
    }
    return r;
  }

  #adopt(result: HandlerResult): ResponseApdu {
    if (result.session) {
      this.#sm = new SmCodec(result.session, this.#native);
      this.#chain = [];
    }
    if (result.established) this.#session = result.established;
    return result.response;
  }

  #dispatch(c0: CommandApdu, secured: boolean): ResponseApdu {
    let c = c0;
    // Generic command chaining (ISO/IEC 7816-4 §5.3.3) for long commands; PACE and CA use the
    // chaining bit to mark steps of one protocol run, so GENERAL AUTHENTICATE passes through.
    if ((c.cla & CLA_CHAIN) !== 0 && c.ins !== INS.GENERAL_AUTHENTICATE) {
      this.#chain.push(c.data ?? Buffer.alloc(0));
      return status(StatusWord.OK);
    }
    if (this.#chain.length > 0 && c.ins !== INS.GENERAL_AUTHENTICATE) {
      c = { ...c, data: Buffer.concat([...this.#chain, c.data ?? Buffer.alloc(0)]) };
      this.#chain = [];
    }
    switch (c.ins) {
      case INS.SELECT:
        return this.#select(c);
      case INS.READ_BINARY:
      case INS.READ_BINARY_ODD:
        return this.#read(c, secured);
      case INS.GET_CHALLENGE:
        if (!this.#bac || secured) return status(StatusWord.INS_NOT_SUPPORTED);
        return this.#bac.getChallenge(c);
      case INS.EXTERNAL_AUTHENTICATE: {
        if (!this.#bac || secured) return status(StatusWord.SECURITY_STATUS_NOT_SATISFIED);
        const r = this.#bac.externalAuthenticate(c);
        if (r.session) this.#endSession();
        return this.#adopt({ ...r, established: r.session ? 'BAC' : undefined } as HandlerResult);
      }
      case INS.MSE:
        return this.#protocols.mse ? this.#adopt(this.#protocols.mse(c, secured)) : status(StatusWord.FUNCTION_NOT_SUPPORTED);
      case INS.GENERAL_AUTHENTICATE:
        return this.#protocols.generalAuthenticate
          ? this.#adopt(this.#protocols.generalAuthenticate(c, secured))
          : status(StatusWord.INS_NOT_SUPPORTED);
      case INS.INTERNAL_AUTHENTICATE:
        if (!secured) return status(StatusWord.SECURITY_STATUS_NOT_SATISFIED);
        return this.#protocols.internalAuthenticate
          ? this.#adopt(this.#protocols.internalAuthenticate(c, secured))
          : status(StatusWord.INS_NOT_SUPPORTED);
      default:
        return status(StatusWord.INS_NOT_SUPPORTED);
    }
  }

  #select(c: CommandApdu): ResponseApdu {
    const data = c.data ?? Buffer.alloc(0);
    if (c.p1 === 0x04) {
      if (!data.equals(EMRTD_AID)) return status(StatusWord.FILE_NOT_FOUND);
      this.#app = 'eMRTD';
      this.#selected = undefined;
      return status(StatusWord.OK);
    }
    if (c.p1 === 0x00 && (data.length === 0 || data.equals(Buffer.from([0x3f, 0x00])))) {
      this.#app = 'MF';
      this.#selected = undefined;
      return status(StatusWord.OK);
    }
    if ((c.p1 === 0x02 || c.p1 === 0x00) && data.length === 2) {
      const fid = data.readUInt16BE(0);
      const f = LDS_FILES.find((x) => x.fid === fid && x.location === this.#app);
      if (!f || !this.#files.has(f.name)) return status(StatusWord.FILE_NOT_FOUND);
      this.#selected = f;
      return status(StatusWord.OK);
    }
    return status(StatusWord.INCORRECT_P1P2);
  }

  #mayRead(f: LdsFileInfo): boolean {
    if (f.requiresTerminalAuthentication) return false;
    if (f.location === 'MF' && f.name !== 'EF.CardSecurity') return true;
    if (f.name === 'EF.CardSecurity') return this.#session === 'PACE' || this.#session === 'CA';
    return this.#session !== 'none';
  }

  #read(c: CommandApdu, secured: boolean): ResponseApdu {
    let file = this.#selected;
    let offset: number;
    if (c.ins === INS.READ_BINARY_ODD) {
      // Offset in DO54 of the command data; the answer comes in DO53 (ISO/IEC 7816-4 §11.3.3).
      let off: Buffer;
      try {
        const t = readTlv(c.data ?? Buffer.alloc(0), 0, 'READ BINARY offset');
        if (t.tag !== 0x54 || t.value.length === 0 || t.value.length > 3) return status(StatusWord.INCORRECT_DATA);
        off = t.value;
      } catch {
        return status(StatusWord.INCORRECT_DATA);
      }
      offset = off.reduce((a, b) => a * 256 + b, 0);
    } else if ((c.p1 & 0x80) !== 0) {
      const sfi = c.p1 & 0x1f;
      file = LDS_FILES.find((x) => x.sfi === sfi && x.location === this.#app && this.#files.has(x.name));
      if (!file) return status(StatusWord.FILE_NOT_FOUND);
      this.#selected = file;
      offset = c.p2;
    } else {
      offset = ((c.p1 & 0x7f) << 8) | c.p2;
    }
    if (!file) return status(StatusWord.CONDITIONS_NOT_SATISFIED);
    if (!this.#mayRead(file) || (file.location === 'eMRTD' && !secured)) return status(StatusWord.SECURITY_STATUS_NOT_SATISFIED);
    const bytes = this.#files.get(file.name)!;
    const eof = this.#quirks.endOfFile;
    if (offset > bytes.length || (offset === bytes.length && eof === '6B00')) return status(StatusWord.WRONG_P1P2_OFFSET);
    const ne = c.ne ?? 256;
    // With odd INS the answer is DO53, whose header counts against Ne.
    const room = c.ins === INS.READ_BINARY_ODD ? ne - (ne - 2 < 128 ? 2 : ne - 3 < 256 ? 3 : 4) : ne;
    if (room <= 0) return status(StatusWord.WRONG_LENGTH);
    let chunk = bytes.subarray(offset, offset + room);
    const short = chunk.length < room;
    if (c.ins === INS.READ_BINARY_ODD) chunk = encode(0x53, chunk);
    const sw = short && eof !== '9000' ? StatusWord.END_OF_FILE_WARNING : StatusWord.OK;
    return { data: chunk, sw };
  }
}
