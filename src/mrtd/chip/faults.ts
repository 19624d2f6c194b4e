// A broken chip on purpose: FaultyChip wraps any chip (the virtual chip, a scripted chip, another
// FaultyChip) and injects the faults of a declarative list (./fault-list.ts) into the exchange,
// so that a technician can watch the kiosk deal with a hostile or damaged document, and the
// hostile-chip tests can drive the engine through every failure the "Bad input" requirement
// names: silence, wrong status words, bad MACs, changed, cut or random answers, oversized and
// malformed TLV, slow answers, and a card leaving the field.
//
// Where faults land:
// - on the wire, for what a reader can see go wrong (silence, status, corrupt-mac, truncate,
//   garbage, slow, remove): the wrapper acts on the command and response bytes;
// - in the chip's plain answer, before secure messaging protects it, for a chip whose content
//   is wrong but whose keys are right (oversize-length, malformed-tlv, and corrupt-data,
//   status or truncate with level "plain"): the wrapped chip must offer `filterNextResponse`
//   (the virtual chip does). A chip that does not gets the change on the wire instead, where
//   under secure messaging it shows as a MAC failure.
//
// Triggers are recognised on the wire, so they work for any chip: the INS byte is in the clear
// under secure messaging (ICAO 9303-11 §9.8.4 protects the header only by the MAC), and the
// file a READ BINARY reads is known from its short EF identifier (P1 bit 8, ISO/IEC 7816-4
// §11.3.3, as the engine reads every file) or from an unprotected SELECT by file identifier.
import { setTimeout as delay } from 'node:timers/promises';
import { DeviceGoneError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import { encodeResponse, parseCommand, parseResponse, type ResponseApdu } from '../apdu.js';
import { systemRandom, type RandomSource } from '../card.js';
import { LDS_FILES, type LdsFileName } from '../lds/files.js';
import { parseFaults, type Fault, type FaultAction, type MalformedForm } from './fault-list.js';
import { chipAtr, type ChipLike } from './link.js';
import type { ResponseFilter } from './virtual-chip.js';

const NS = 'kiosk:mrtd:faults';

const INS_SELECT = 0xa4;
const INS_READ_BINARY = 0xb0;
const INS_READ_BINARY_ODD = 0xb1;
const CLA_SM = 0x0c;
/** DO8E, the cryptographic checksum of a protected response (ICAO 9303-11 §9.8.5). */
const TAG_MAC = 0x8e;
/** The injection record keeps this many entries (a fault with a large count must not grow it without end). */
const MAX_RECORDED = 1000;

/** A chip that lets a fault change its plain answer before secure messaging protects it. */
export interface ResponseFilterHost {
  filterNextResponse(filter: ResponseFilter): void;
}

function filterHostOf(chip: ChipLike): ResponseFilterHost | undefined {
  const host = chip as ChipLike & Partial<ResponseFilterHost>;
  return typeof host.filterNextResponse === 'function' ? (host as ResponseFilterHost) : undefined;
}

/** One fault that was injected: which command it hit and what it did (no data). */
export interface Injection {
  /** The command's number since power-up (1-based). */
  readonly apdu: number;
  readonly ins: number;
  readonly file: LdsFileName | undefined;
  readonly fault: FaultAction['fault'];
  /** 'wire' or 'plain'; 'none' when the answer had nothing the fault could change. */
  readonly landed: 'wire' | 'plain' | 'none';
}

export interface FaultyChipOptions {
  /** Random bytes for `garbage`. */
  readonly random?: RandomSource;
  /** How `slow` waits (injectable so that tests can use a fake clock). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called when a `remove` fault takes the card out of the field (e.g. the simulated reader's `remove`). */
  readonly onRemove?: () => void;
  readonly logger?: Logger;
}

interface PendingSilence {
  readonly reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class FaultyChip implements ChipLike, ResponseFilterHost {
  readonly #inner: ChipLike;
  readonly #faults: readonly Fault[];
  readonly #random: RandomSource;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #onRemove: (() => void) | undefined;
  readonly #logger: Logger;
  readonly #injections: Injection[] = [];
  readonly #pending = new Set<PendingSilence>();
  // Since power-up: commands seen, per INS, and READ BINARYs per file.
  #apdus = 0;
  readonly #byIns = new Map<number, number>();
  readonly #byFile = new Map<LdsFileName, number>();
  #app: 'MF' | 'eMRTD' = 'MF';
  #file: LdsFileName | undefined;
  /** Set by `silence` (the report delay) or `remove`; both last until power-up. */
  #mute: { reportAfterMs: number | null } | undefined;
  #gone = false;
  #ownFilter: ResponseFilter | undefined;

  /** `faults` is validated here (parseFaults), whether it came from chip.json or from code. */
  constructor(inner: ChipLike, faults: unknown, options: FaultyChipOptions = {}) {
    this.#inner = inner;
    this.#faults = parseFaults(faults);
    this.#random = options.random ?? systemRandom;
    this.#sleep = options.sleep ?? ((ms) => delay(ms));
    this.#onRemove = options.onRemove;
    this.#logger = options.logger ?? silentLogger;
  }

  /** The wrapped chip's ATR (its own, or the one a reader builds from its historical bytes). */
  get atr(): Buffer {
    return chipAtr(this.#inner);
  }

  get historicalBytes(): Buffer {
    return this.#inner.historicalBytes ?? Buffer.alloc(0);
  }

  /** The faults injected since construction, in order (at most 1000). */
  get injections(): readonly Injection[] {
    return [...this.#injections];
  }

  /**
   * Power cycle: a silent chip's pending commands end (the field went off under them), a
   * removed card is back, the trigger counters start again (so every session of the same
   * chip breaks at the same point), and the wrapped chip resets.
   */
  reset(): void {
    for (const p of this.#pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new DeviceGoneError('chip', 'powered off during a command'));
    }
    this.#pending.clear();
    this.#mute = undefined;
    this.#gone = false;
    this.#apdus = 0;
    this.#byIns.clear();
    this.#byFile.clear();
    this.#app = 'MF';
    this.#file = undefined;
    this.#ownFilter = undefined;
    this.#inner.reset?.();
  }

  filterNextResponse(filter: ResponseFilter): void {
    const host = filterHostOf(this.#inner);
    if (host) host.filterNextResponse(filter);
    else this.#ownFilter = filter;
  }

  async process(command: Buffer): Promise<Buffer> {
    if (this.#gone) throw new DeviceGoneError('chip', 'card left the field');
    if (this.#mute) return this.#silence(this.#mute.reportAfterMs);
    const n = ++this.#apdus;
    const ins = command.length >= 2 ? command[1]! : -1;
    this.#byIns.set(ins, (this.#byIns.get(ins) ?? 0) + 1);
    const file = this.#track(command);
    if (file) this.#byFile.set(file, (this.#byFile.get(file) ?? 0) + 1);
    const fault = this.#faults.find((f) => this.#hits(f, n, ins, file));
    if (!fault) return this.#forward(command);
    const record = (landed: Injection['landed']): void => {
      if (this.#injections.length < MAX_RECORDED) this.#injections.push({ apdu: n, ins, file, fault: fault.fault, landed });
      // The fault's kind and place only: never the bytes.
      this.#logger.debug(NS, 'fault injected', { fault: fault.fault, apdu: n, ins, file, landed });
    };
    switch (fault.fault) {
      case 'silence':
        record('wire');
        this.#mute = { reportAfterMs: fault.reportAfterMs };
        return this.#silence(fault.reportAfterMs);
      case 'remove': {
        record('wire');
        this.#gone = true;
        const onRemove = this.#onRemove;
        // After this command has failed: the reader's removal closes the channel the command came on.
        if (onRemove) queueMicrotask(onRemove);
        throw new DeviceGoneError('chip', 'card left the field');
      }
      case 'slow':
        record('wire');
        await this.#sleep(fault.ms);
        return this.#forward(command);
      case 'status':
        if (fault.level === 'wire') {
          record('wire');
          return encodeResponse({ data: Buffer.alloc(0), sw: fault.sw });
        }
        return this.#plain(command, record, () => ({ data: Buffer.alloc(0), sw: fault.sw }));
      case 'corrupt-data':
        if (fault.level === 'wire') return this.#wire(command, record, (r) => flipData(r));
        return this.#plain(command, record, (r) => withData(r, flipMiddle(r.data)));
      case 'truncate':
        if (fault.level === 'wire') return this.#wire(command, record, (r) => (r.length === 0 ? undefined : r.subarray(0, fault.keep ?? Math.floor(r.length / 2))));
        return this.#plain(command, record, (r) => withData(r, r.data.length === 0 ? undefined : r.data.subarray(0, fault.keep ?? Math.floor(r.data.length / 2))));
      case 'corrupt-mac':
        return this.#wire(command, record, (r) => flipMac(r));
      case 'garbage':
        return this.#wire(command, record, (r) => this.#random(fault.length ?? r.length));
      case 'oversize-length':
        return this.#plain(command, record, (r) => withData(r, withLength(r.data, fault.length)));
      case 'malformed-tlv':
        return this.#plain(command, record, (r) => withData(r, malformed(r.data, fault.form)));
    }
  }

  #hits(f: Fault, n: number, ins: number, file: LdsFileName | undefined): boolean {
    const a = f.after;
    let position: number;
    if ('apdus' in a) position = n - a.apdus;
    else if ('ins' in a) position = a.ins === ins ? (this.#byIns.get(ins) ?? 0) - a.nth + 1 : 0;
    else position = a.file === file ? (this.#byFile.get(file) ?? 0) - a.block + 1 : 0;
    return position >= 1 && position <= f.count;
  }

  /** The LDS file a command reads, following SELECTs and short EF identifiers (see the header). */
  #track(command: Buffer): LdsFileName | undefined {
    if (command.length < 4) return undefined;
    const cla = command[0]!;
    const ins = command[1]!;
    const p1 = command[2]!;
    const secured = (cla & CLA_SM) === CLA_SM;
    if (ins === INS_SELECT) {
      this.#file = undefined;
      if (p1 === 0x04) this.#app = 'eMRTD';
      else if (!secured && (p1 === 0x00 || p1 === 0x02)) {
        let data: Buffer | undefined;
        try {
          data = parseCommand(command).data;
        } catch {
          return undefined;
        }
        if (!data || data.length === 0 || (data.length === 2 && data.readUInt16BE(0) === 0x3f00)) this.#app = 'MF';
        else if (data.length === 2) {
          const fid = data.readUInt16BE(0);
          this.#file = LDS_FILES.find((f) => f.fid === fid && f.location === this.#app)?.name;
        }
      }
      return undefined;
    }
    if (ins === INS_READ_BINARY && (p1 & 0x80) !== 0) {
      const sfi = p1 & 0x1f;
      this.#file = LDS_FILES.find((f) => f.sfi === sfi && f.location === this.#app)?.name;
    }
    return ins === INS_READ_BINARY || ins === INS_READ_BINARY_ODD ? this.#file : undefined;
  }

  async #forward(command: Buffer): Promise<Buffer> {
    const r = await this.#inner.process(command);
    const own = this.#ownFilter;
    this.#ownFilter = undefined;
    if (!own) return r;
    return applyToWire(r, own) ?? r;
  }

  /** Forwards the command and changes the response bytes; `change` returns undefined when it has nothing to change. */
  async #wire(command: Buffer, record: (l: Injection['landed']) => void, change: (r: Buffer) => Buffer | undefined): Promise<Buffer> {
    const r = await this.#forward(command);
    const out = change(r);
    record(out ? 'wire' : 'none');
    return out ?? r;
  }

  /**
   * Changes the chip's plain answer (before secure messaging) when the chip allows it, else the
   * wire bytes. `change` returns undefined when the answer has nothing it could change.
   */
  async #plain(command: Buffer, record: (l: Injection['landed']) => void, change: Change): Promise<Buffer> {
    const host = filterHostOf(this.#inner);
    if (host) {
      const seen = { changed: false };
      host.filterNextResponse((r) => {
        const out = change(r);
        seen.changed = out !== undefined;
        return out ?? r;
      });
      const r = await this.#forward(command);
      record(seen.changed ? 'plain' : 'none');
      return r;
    }
    const r = await this.#forward(command);
    const out = applyToWire(r, change);
    record(out ? 'wire' : 'none');
    return out ?? r;
  }

  /** A command that gets no answer: pending until power-off or until the reader reports the mute card. */
  #silence(reportAfterMs: number | null): Promise<Buffer> {
    return new Promise<Buffer>((_resolve, reject) => {
      const entry: PendingSilence = { reject, timer: undefined };
      if (reportAfterMs !== null) {
        entry.timer = setTimeout(() => {
          this.#pending.delete(entry);
          reject(new DeviceGoneError('chip', 'mute card: no answer within the frame waiting time'));
        }, reportAfterMs);
        // The wait must not keep the process alive by itself (a kiosk shutting down, a test ending).
        entry.timer.unref();
      }
      this.#pending.add(entry);
    });
  }
}

/** A change to a plain answer; undefined when there is nothing it could change. */
type Change = (r: ResponseApdu) => ResponseApdu | undefined;

function applyToWire(r: Buffer, change: Change): Buffer | undefined {
  let parsed: ResponseApdu;
  try {
    parsed = parseResponse(r);
  } catch {
    return undefined;
  }
  const out = change(parsed);
  return out ? encodeResponse(out) : undefined;
}

function withData(r: ResponseApdu, data: Buffer | undefined): ResponseApdu | undefined {
  return data ? { data, sw: r.sw } : undefined;
}

/** Flips the lowest bit of the middle byte; undefined when there is no byte. */
function flipMiddle(b: Buffer): Buffer | undefined {
  if (b.length === 0) return undefined;
  const out = Buffer.from(b);
  const i = Math.floor(b.length / 2);
  out[i] = out[i]! ^ 0x01;
  return out;
}

function flipData(r: Buffer): Buffer | undefined {
  if (r.length <= 2) return undefined;
  const data = flipMiddle(r.subarray(0, r.length - 2))!;
  return Buffer.concat([data, r.subarray(r.length - 2)]);
}

/** Flips a bit of DO8E's first value byte in a protected response; undefined when it has none. */
function flipMac(r: Buffer): Buffer | undefined {
  if (r.length <= 2) return undefined;
  const data = r.subarray(0, r.length - 2);
  let p = 0;
  // The response data objects are 87/85, 99, 8E with lengths of up to 3 bytes (§9.8.5).
  while (p + 2 <= data.length) {
    const tag = data[p]!;
    const h = lengthAt(data, p + 1);
    if (!h) return undefined;
    const start = p + 1 + h.bytes;
    if (start + h.length > data.length) return undefined;
    if (tag === TAG_MAC && h.length > 0) {
      const out = Buffer.from(r);
      out[start] = out[start]! ^ 0x01;
      return out;
    }
    p = start + h.length;
  }
  return undefined;
}

function lengthAt(b: Buffer, p: number): { length: number; bytes: number } | undefined {
  if (p >= b.length) return undefined;
  const first = b[p]!;
  if (first < 0x80) return { length: first, bytes: 1 };
  const n = first & 0x7f;
  if (n === 0 || n > 4 || p + 1 + n > b.length) return undefined;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + b[p + 1 + i]!;
  return { length, bytes: 1 + n };
}

/**
 * Where the BER-TLV header at `p` has its tag end and its length field end (tags of up to 4
 * bytes), clipped to the data so that a fault lands on any answer of 2 bytes or more, TLV or
 * not; undefined when fewer than 2 bytes are left.
 */
function headerAt(d: Buffer, p: number): { tagEnd: number; lengthEnd: number } | undefined {
  if (p + 2 > d.length) return undefined;
  let q = p + 1;
  if ((d[p]! & 0x1f) === 0x1f) {
    // Subsequent tag bytes: bit 8 set means another one follows.
    while (q < p + 3 && q < d.length - 1 && (d[q]! & 0x80) !== 0) q++;
    q++;
  }
  q = Math.min(q, d.length - 1);
  const first = d[q]!;
  const n = first <= 0x80 ? 0 : first & 0x7f;
  return { tagEnd: q, lengthEnd: Math.min(q + 1 + n, d.length) };
}

/**
 * Replaces the first TLV's length field with `84 xx xx xx xx`, keeping the answer's size (the
 * bytes after the new header move, the surplus at the end is dropped) so that the block still
 * fits what the terminal asked for.
 */
function withLength(d: Buffer, length: number): Buffer | undefined {
  const h = headerAt(d, 0);
  if (!h) return undefined;
  const len = Buffer.alloc(5);
  len[0] = 0x84;
  len.writeUInt32BE(length, 1);
  return keepSize(d, Buffer.concat([d.subarray(0, h.tagEnd), len, d.subarray(h.lengthEnd)]));
}

function keepSize(original: Buffer, changed: Buffer): Buffer {
  return changed.length > original.length ? changed.subarray(0, Math.max(original.length, 1)) : changed;
}

function malformed(d: Buffer, form: MalformedForm): Buffer | undefined {
  if (form === 'bad-tag') {
    if (d.length === 0) return undefined;
    const out = Buffer.from(d);
    out[0] = 0x00;
    return out;
  }
  const h = headerAt(d, 0);
  if (!h) return undefined;
  switch (form) {
    case 'long-length': {
      // 85 and the same length in five bytes: one more than the 4 any TLV reader needs to accept.
      const five = Buffer.alloc(6);
      five[0] = 0x85;
      five.writeUIntBE(lengthAt(d, h.tagEnd)?.length ?? 0, 1, 5);
      return keepSize(d, Buffer.concat([d.subarray(0, h.tagEnd), five, d.subarray(h.lengthEnd)]));
    }
    case 'indefinite': {
      const out = Buffer.concat([d.subarray(0, h.tagEnd), Buffer.from([0x80]), d.subarray(h.lengthEnd)]);
      // Indefinite lengths are for constructed elements only: keep the tag's constructed bit so
      // that the fault is "no end-of-contents", not "wrong form".
      out[0] = out[0]! | 0x20;
      return out;
    }
    case 'inner-overrun': {
      const inner = headerAt(d, h.lengthEnd);
      if (!inner) return undefined;
      const claim = Buffer.from([0x84, 0xff, 0xff, 0xff, 0xf0]);
      return keepSize(d, Buffer.concat([d.subarray(0, inner.tagEnd), claim, d.subarray(inner.lengthEnd)]));
    }
  }
}
