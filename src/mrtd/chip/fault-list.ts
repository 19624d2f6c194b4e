// The fault list of a broken virtual chip (./faults.ts): a declarative, validated description
// of what goes wrong and when, as chip.json's optional `faults` field carries it
// (CONFORMANCE.md §1; README "Fault injection"). Like the rest of chip.json it is hostile until
// parsed: every field is type-checked and bounded, unknown fields are refused by name, and no
// value appears in an error message.
//
// In chip.json (next to "quirks"; the first matching entry applies to a command):
//
//   "faults": [
//     { "after": { "file": "DG2", "block": 3 }, "fault": "silence" },
//     { "after": { "ins": "88" }, "fault": "status", "sw": "6982" },
//     { "after": { "file": "EF.SOD" }, "fault": "oversize-length" },
//     { "after": { "apdus": 12 }, "fault": "slow", "ms": 800, "count": 5 }
//   ]
//
// Kinds and their parameters (see FaultAction below for what each does): silence
// [reportAfterMs, default 5000, null = never], remove, status sw [level], corrupt-mac,
// corrupt-data [level, default plain], truncate [keep] [level], garbage [length],
// oversize-length [length, default 0x7FFFFFFF], malformed-tlv [form, default inner-overrun],
// slow ms. `level` is "wire" (default) or "plain" (see FaultLevel).
//
// One entry: `{ "after": TRIGGER, "fault": KIND, ...the kind's parameters, "count"?: n }`.
// Triggers (counted since the chip was last powered up; all 1-based):
// - `{ "apdus": N }`: the APDUs after the first N (N = 0: from the first one);
// - `{ "ins": "B0" | 176, "nth"?: K }`: the K-th command with that INS (default 1);
// - `{ "file": "DG2", "block"?: K }`: the K-th READ BINARY of that file (default 1: its first
//   block, which holds the file's TLV header).
// `count` (default 1) extends a fault to that many consecutive matches. `silence` and `remove`
// take no other count than 1: a chip that fell silent or left the field stays so until it is
// powered up again. What parseFaults returns is itself a valid fault list.
import { KioskError } from '../../errors.js';
import { isLdsFileName, type LdsFileName } from '../lds/files.js';

/** A fault list that does not validate; `field` names the entry and field (no values). */
export class FaultListError extends KioskError {
  readonly code = 'FAULT_LIST';
  readonly field: string;
  readonly problem: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
    this.problem = problem;
  }
}

export type FaultTrigger =
  | { readonly apdus: number }
  | { readonly ins: number; readonly nth: number }
  | { readonly file: LdsFileName; readonly block: number };

/**
 * Where a fault lands: on the wire (the bytes the reader receives, so under secure messaging a
 * changed byte is a MAC failure), or in the chip's plain answer before secure messaging
 * protects it (a chip whose content is wrong but whose keys are right).
 */
export type FaultLevel = 'wire' | 'plain';

/** How `malformed-tlv` breaks the first TLV of the answer. */
export type MalformedForm =
  | 'bad-tag' // the first tag byte becomes 00 (not a valid BER tag)
  | 'long-length' // the length field takes 5 bytes (more than any LDS file needs)
  | 'indefinite' // the outer length becomes the indefinite form (80) with no end-of-contents (the answer shrinks by the length bytes dropped)
  | 'inner-overrun'; // the first nested element claims more bytes than its parent holds

export type FaultAction =
  /**
   * Never answers; the reader times out, and so does the inspection on any transport.
   * `reportAfterMs`: when the chip's link reports the mute card (DeviceGoneError), which lets a
   * reader that waits for every exchange to end (the simulated reader's disconnect does) move
   * on. null: never, until power-off (taking the card out of the simulated reader powers it
   * off); for in-process tests of the engine's own timeouts.
   */
  | { readonly fault: 'silence'; readonly reportAfterMs: number | null }
  /** The card leaves the field: this and every later command fails with DeviceGoneError. */
  | { readonly fault: 'remove' }
  /** Answers this status word (no data) instead of the chip. */
  | { readonly fault: 'status'; readonly sw: number; readonly level: FaultLevel }
  /** Flips a bit in DO8E (the MAC) of a protected answer. */
  | { readonly fault: 'corrupt-mac' }
  /** Flips a bit in the middle of the answer's data. */
  | { readonly fault: 'corrupt-data'; readonly level: FaultLevel }
  /** Cuts the answer to `keep` bytes (default half); on the wire the status word goes too. */
  | { readonly fault: 'truncate'; readonly keep: number | undefined; readonly level: FaultLevel }
  /** Replaces the answer with `length` random bytes (default: as long as the real one). */
  | { readonly fault: 'garbage'; readonly length: number | undefined }
  /** Rewrites the first TLV length of the plain answer to `length` in the 4-byte form (84 xx xx xx xx). */
  | { readonly fault: 'oversize-length'; readonly length: number }
  | { readonly fault: 'malformed-tlv'; readonly form: MalformedForm }
  /** Answers `ms` milliseconds late. */
  | { readonly fault: 'slow'; readonly ms: number };

export type FaultKind = FaultAction['fault'];

export type Fault = FaultAction & {
  readonly after: FaultTrigger;
  /** How many consecutive matching commands the fault affects. */
  readonly count: number;
};

/** Bounds: a fault list is a technician's tool, not a way to make the simulator allocate or wait without end. */
export const FAULT_LIMITS = {
  entries: 64,
  counter: 1_000_000,
  slowMs: 60_000,
  reportAfterMs: 600_000,
  bytes: 65_538,
} as const;

/**
 * How long a silent chip leaves the reader waiting before the reader reports a mute card:
 * ISO/IEC 14443-4 §7.2 caps the frame waiting time at 4949 ms (FWI 14); a reader that hears
 * nothing within it gives up on the exchange.
 */
export const MUTE_CARD_REPORT_MS = 5000;

const KINDS: readonly FaultKind[] = ['silence', 'remove', 'status', 'corrupt-mac', 'corrupt-data', 'truncate', 'garbage', 'oversize-length', 'malformed-tlv', 'slow'];
const FORMS: readonly MalformedForm[] = ['bad-tag', 'long-length', 'indefinite', 'inner-overrun'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function only(o: Obj, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new FaultListError(`${where}.${k}`, 'unknown field');
}

function int(o: Obj, k: string, min: number, max: number, where: string): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new FaultListError(`${where}.${k}`, `must be an integer from ${min} to ${max}`);
  return v;
}

/** A byte-valued field given as a number or as hex digits ("B0", "6A82"). */
function hexOrInt(o: Obj, k: string, digits: 2 | 4, where: string): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  const max = digits === 2 ? 0xff : 0xffff;
  if (typeof v === 'string') {
    if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(v)) throw new FaultListError(`${where}.${k}`, `must be ${digits} hex digits or an integer from 0 to ${max}`);
    return parseInt(v, 16);
  }
  return int(o, k, 0, max, where);
}

function level(o: Obj, fallback: FaultLevel, where: string): FaultLevel {
  const v = o.level;
  if (v === undefined) return fallback;
  if (v !== 'wire' && v !== 'plain') throw new FaultListError(`${where}.level`, 'must be "wire" or "plain"');
  return v;
}

function trigger(v: unknown, where: string): FaultTrigger {
  if (!isObj(v)) throw new FaultListError(where, 'must be an object with "apdus", "ins" or "file"');
  const keys = ['apdus', 'ins', 'file'].filter((k) => v[k] !== undefined);
  if (keys.length !== 1) throw new FaultListError(where, 'must name exactly one of "apdus", "ins" or "file"');
  if (v.apdus !== undefined) {
    only(v, ['apdus'], where);
    return { apdus: int(v, 'apdus', 0, FAULT_LIMITS.counter, where)! };
  }
  if (v.ins !== undefined) {
    only(v, ['ins', 'nth'], where);
    return { ins: hexOrInt(v, 'ins', 2, where)!, nth: int(v, 'nth', 1, FAULT_LIMITS.counter, where) ?? 1 };
  }
  only(v, ['file', 'block'], where);
  const file = v.file;
  if (typeof file !== 'string' || !isLdsFileName(file)) throw new FaultListError(`${where}.file`, 'must be an LDS file name (e.g. "DG2", "EF.SOD")');
  return { file, block: int(v, 'block', 1, FAULT_LIMITS.counter, where) ?? 1 };
}

function action(e: Obj, kind: FaultKind, where: string): FaultAction {
  const allow = (...fields: string[]): void => {
    only(e, ['after', 'fault', 'count', ...fields], where);
  };
  switch (kind) {
    case 'silence': {
      allow('reportAfterMs');
      const r = e.reportAfterMs;
      if (r === null) return { fault: kind, reportAfterMs: null };
      return { fault: kind, reportAfterMs: int(e, 'reportAfterMs', 1, FAULT_LIMITS.reportAfterMs, where) ?? MUTE_CARD_REPORT_MS };
    }
    case 'remove':
    case 'corrupt-mac':
      allow();
      return { fault: kind };
    case 'status': {
      allow('sw', 'level');
      const sw = hexOrInt(e, 'sw', 4, where);
      // ISO/IEC 7816-4 §5.6: SW1 is 61..6F or 90..9F (60 is a procedure byte, not a status).
      if (sw === undefined || !((sw >= 0x6100 && sw <= 0x6fff) || (sw >= 0x9000 && sw <= 0x9fff))) {
        throw new FaultListError(`${where}.sw`, 'must be a status word 6100..6FFF or 9000..9FFF');
      }
      return { fault: kind, sw, level: level(e, 'wire', where) };
    }
    case 'corrupt-data':
      allow('level');
      return { fault: kind, level: level(e, 'plain', where) };
    case 'truncate':
      allow('keep', 'level');
      return { fault: kind, keep: int(e, 'keep', 0, FAULT_LIMITS.bytes, where), level: level(e, 'wire', where) };
    case 'garbage':
      allow('length');
      return { fault: kind, length: int(e, 'length', 0, FAULT_LIMITS.bytes, where) };
    case 'oversize-length':
      allow('length');
      // 4 length bytes at most (the engine's TLV reader refuses more: that is malformed-tlv).
      return { fault: kind, length: int(e, 'length', 0, 0xffffffff, where) ?? 0x7fffffff };
    case 'malformed-tlv': {
      allow('form');
      const form = e.form ?? 'inner-overrun';
      if (typeof form !== 'string' || !(FORMS as readonly string[]).includes(form)) throw new FaultListError(`${where}.form`, `must be one of ${FORMS.join(', ')}`);
      return { fault: kind, form: form as MalformedForm };
    }
    case 'slow': {
      allow('ms');
      const ms = int(e, 'ms', 1, FAULT_LIMITS.slowMs, where);
      if (ms === undefined) throw new FaultListError(`${where}.ms`, `must be an integer from 1 to ${FAULT_LIMITS.slowMs}`);
      return { fault: kind, ms };
    }
  }
}

/** Validates a fault list (chip.json's `faults`, or a list given in code) and fills in the defaults. */
export function parseFaults(value: unknown, where = 'faults'): Fault[] {
  if (!Array.isArray(value)) throw new FaultListError(where, 'must be an array');
  if (value.length > FAULT_LIMITS.entries) throw new FaultListError(where, `at most ${FAULT_LIMITS.entries} entries`);
  return value.map((e: unknown, i): Fault => {
    const w = `${where}[${i}]`;
    if (!isObj(e)) throw new FaultListError(w, 'must be an object');
    const kind = e.fault;
    if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) throw new FaultListError(`${w}.fault`, `must be one of ${KINDS.join(', ')}`);
    const a = action(e, kind as FaultKind, w);
    const sticky = a.fault === 'silence' || a.fault === 'remove';
    const count = int(e, 'count', 1, FAULT_LIMITS.counter, w) ?? 1;
    if (sticky && count !== 1) throw new FaultListError(`${w}.count`, `only 1 for ${a.fault}: it lasts until the chip is powered up again`);
    return { ...a, after: trigger(e.after, `${w}.after`), count };
  });
}
