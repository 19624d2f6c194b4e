// Answer-to-Reset: parsing (ISO/IEC 7816-3 §8.2), the historical bytes and their card
// capabilities (ISO/IEC 7816-4 §8.1.1), and building the ATR a PC/SC reader reports for a
// contactless ISO/IEC 14443-4 card (PC/SC Part 3 §3.1.3.2.3). The reader side reads extended-
// length support from here; the virtual chip's side builds the ATR it presents through vpcd.
import { ParseError, InvalidArgumentError } from '../errors.js';

/** ISO/IEC 7816-3 §8.2.1: TS plus at most 32 further characters. */
export const MAX_ATR_LENGTH = 33;

export interface Atr {
  readonly bytes: Buffer;
  /** TS: 0x3B direct convention, 0x3F inverse (ISO/IEC 7816-3 §8.1). */
  readonly convention: 'direct' | 'inverse';
  /** Protocol types T indicated by the TDi bytes, in order; [0] when there is no TD1. */
  readonly protocols: readonly number[];
  readonly historical: Buffer;
  /** TCK when present (absent when only T=0 is indicated, ISO/IEC 7816-3 §8.2.5). */
  readonly tck: number | undefined;
  /** False when TCK is present and the exclusive-or of T0..TCK is not zero. */
  readonly tckValid: boolean;
}

/** Parses an ATR; a structure that does not add up is a ParseError (a wrong TCK is reported). */
export function parseAtr(b: Buffer): Atr {
  const what = 'ATR';
  if (b.length < 2) throw new ParseError(what, `${b.length} bytes, at least TS and T0 needed`);
  if (b.length > MAX_ATR_LENGTH) throw new ParseError(what, `${b.length} bytes, at most ${MAX_ATR_LENGTH} allowed`);
  const ts = b[0]!;
  if (ts !== 0x3b && ts !== 0x3f) throw new ParseError(what, 'TS is neither 3B nor 3F', 0);
  const t0 = b[1]!;
  const k = t0 & 0x0f;
  let y = t0 >> 4;
  let at = 2;
  const protocols: number[] = [];
  let onlyT0 = true;
  // Each Y nibble announces TA, TB, TC, TD (bits 1..4); a TD carries the next Y and a T.
  // ISO/IEC 7816-3 allows at most i = 1..8 or so in practice; the 33-byte cap bounds the loop.
  while (y !== 0) {
    const count = (y & 1) + ((y >> 1) & 1) + ((y >> 2) & 1);
    at += count;
    if ((y & 8) === 0) break;
    if (at >= b.length) throw new ParseError(what, 'interface bytes run past the end', at);
    const td = b[at]!;
    at += 1;
    const t = td & 0x0f;
    protocols.push(t);
    if (t !== 0) onlyT0 = false;
    y = td >> 4;
  }
  if (at > b.length) throw new ParseError(what, 'interface bytes run past the end', b.length);
  if (at + k > b.length) throw new ParseError(what, `${k} historical bytes announced, ${b.length - at} present`, at);
  const historical = b.subarray(at, at + k);
  at += k;
  let tck: number | undefined;
  let tckValid = true;
  if (!onlyT0) {
    if (at >= b.length) throw new ParseError(what, 'TCK missing', at);
    tck = b[at]!;
    at += 1;
    tckValid = xor(b.subarray(1, at)) === 0;
  }
  if (at !== b.length) throw new ParseError(what, `${b.length - at} bytes after the last character`, at);
  return {
    bytes: b,
    convention: ts === 0x3b ? 'direct' : 'inverse',
    protocols: protocols.length === 0 ? [0] : protocols,
    historical,
    tck,
    tckValid,
  };
}

function xor(b: Buffer): number {
  let x = 0;
  for (const v of b) x ^= v;
  return x;
}

/** One COMPACT-TLV data object of the historical bytes (ISO/IEC 7816-4 §8.1.1.2). */
export interface CompactTlv {
  readonly tag: number;
  readonly value: Buffer;
}

export interface HistoricalBytes {
  /** The category indicator (first historical byte); undefined when there are none. */
  readonly category: number | undefined;
  /** COMPACT-TLV objects for categories 0x00 and 0x80; empty otherwise. */
  readonly objects: readonly CompactTlv[];
  /** The status indicator (LCS, SW1-SW2) when present (ISO/IEC 7816-4 §8.1.1.3). */
  readonly status: Buffer | undefined;
  /**
   * PC/SC Part 3 §3.1.3.2.3.2: a contactless storage card (MIFARE, ...) reported by the
   * reader with the PC/SC RID; not an ISO/IEC 14443-4 card, so never an eMRTD.
   */
  readonly pcscStorageCard: boolean;
}

/** Registered application provider identifier of the PC/SC workgroup (PC/SC Part 3). */
const PCSC_RID = Buffer.from('A000000306', 'hex');

/**
 * Parses the historical bytes. Categories other than 0x00 and 0x80 are proprietary and
 * yield no objects; malformed COMPACT-TLV in those two categories is a ParseError.
 */
export function parseHistoricalBytes(h: Buffer): HistoricalBytes {
  const what = 'ATR historical bytes';
  const none = { objects: [], status: undefined, pcscStorageCard: false };
  if (h.length === 0) return { category: undefined, ...none };
  const category = h[0]!;
  // PC/SC Part 3: 80 4F 0C A0 00 00 03 06 SS NN NN 00 00 00 00 (a BER-style AID object).
  if (category === 0x80 && h.length >= 8 && h[1] === 0x4f && h.subarray(3, 8).equals(PCSC_RID)) {
    return { category, ...none, pcscStorageCard: true };
  }
  if (category !== 0x00 && category !== 0x80) return { category, ...none };
  // Category 0x00: the last three bytes are the mandatory status indicator (§8.1.1.1).
  const end = category === 0x00 ? h.length - 3 : h.length;
  if (end < 1) throw new ParseError(what, 'category 00 without its 3-byte status indicator');
  const objects: CompactTlv[] = [];
  let status = category === 0x00 ? h.subarray(end) : undefined;
  let at = 1;
  while (at < end) {
    const tag = h[at]! >> 4;
    const len = h[at]! & 0x0f;
    if (at + 1 + len > end) throw new ParseError(what, `object ${tag.toString(16)} needs ${len} bytes, ${end - at - 1} left`, at);
    const value = h.subarray(at + 1, at + 1 + len);
    objects.push({ tag, value });
    if (tag === 0x8 && category === 0x80) status = value;
    at += 1 + len;
  }
  return { category, objects, status, pcscStorageCard: false };
}

/** ISO/IEC 7816-4 §8.1.1.2.7, tag 7: the three software function tables. */
export interface CardCapabilities {
  /** First table: selection methods (b8 full DF name, b7 partial DF name, b6 path, b5 file id, b3 SFI ...). */
  readonly selectionMethods: number;
  /** Second table: the data coding byte, when present. */
  readonly dataCoding: number | undefined;
  /** Third table b8; undefined when the third table is absent. */
  readonly commandChaining: boolean | undefined;
  /** Third table b7: extended Lc and Le fields; undefined when the third table is absent. */
  readonly extendedLength: boolean | undefined;
  /** Third table b6 (ISO/IEC 7816-4:2013): extended length information in EF.ATR/INFO. */
  readonly extendedLengthInfoInEfAtr: boolean | undefined;
}

export const CARD_CAPABILITIES_TAG = 0x7;

export function decodeCardCapabilities(v: Buffer): CardCapabilities {
  if (v.length < 1 || v.length > 3) throw new ParseError('card capabilities', `${v.length} bytes, 1 to 3 expected`);
  const third = v[2];
  return {
    selectionMethods: v[0]!,
    dataCoding: v[1],
    commandChaining: third === undefined ? undefined : (third & 0x80) !== 0,
    extendedLength: third === undefined ? undefined : (third & 0x40) !== 0,
    extendedLengthInfoInEfAtr: third === undefined ? undefined : (third & 0x20) !== 0,
  };
}

/**
 * The card capabilities an ATR states, or undefined when its historical bytes carry none
 * (or are proprietary or malformed: capabilities are then simply not stated).
 */
export function atrCardCapabilities(atr: Atr): CardCapabilities | undefined {
  let h: HistoricalBytes;
  try {
    h = parseHistoricalBytes(atr.historical);
  } catch (e) {
    if (e instanceof ParseError) return undefined;
    throw e;
  }
  const o = h.objects.find((x) => x.tag === CARD_CAPABILITIES_TAG);
  if (!o) return undefined;
  try {
    return decodeCardCapabilities(o.value);
  } catch (e) {
    if (e instanceof ParseError) return undefined;
    throw e;
  }
}

/** What to state in the card capabilities object. */
export interface CardCapabilitiesInput {
  /** Defaults to 0x80 | 0x04: DF selection by full DF name, short EF identifiers (eMRTD use). */
  readonly selectionMethods?: number;
  /** Defaults to 0x01: one-byte data units (ISO/IEC 7816-4 §8.1.1.2.7 Table 87). */
  readonly dataCoding?: number;
  readonly commandChaining: boolean;
  readonly extendedLength: boolean;
}

/** The COMPACT-TLV object 0x73 with all three software function tables. */
export function encodeCardCapabilities(c: CardCapabilitiesInput): Buffer {
  const b1 = c.selectionMethods ?? 0x84;
  const b2 = c.dataCoding ?? 0x01;
  checkByte('selectionMethods', b1);
  checkByte('dataCoding', b2);
  // Third table b5-b4 = 00 (no logical channel assignment), b3-b1 = 000 (one channel).
  const b3 = (c.commandChaining ? 0x80 : 0) | (c.extendedLength ? 0x40 : 0);
  return Buffer.from([(CARD_CAPABILITIES_TAG << 4) | 3, b1, b2, b3]);
}

/** Historical bytes: category 0x80 followed by the given COMPACT-TLV objects. */
export function encodeHistoricalBytes(objects: readonly CompactTlv[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x80])];
  for (const o of objects) {
    if (!Number.isInteger(o.tag) || o.tag < 1 || o.tag > 0xf) throw new InvalidArgumentError('tag', 'a COMPACT-TLV tag 1..15', o.tag);
    if (o.value.length > 15) throw new InvalidArgumentError('value', 'at most 15 bytes', o.value);
    parts.push(Buffer.from([(o.tag << 4) | o.value.length]), o.value);
  }
  const h = Buffer.concat(parts);
  if (h.length > 15) throw new InvalidArgumentError('historical bytes', 'at most 15 bytes', h);
  return h;
}

/** Historical bytes of an eMRTD that states its capabilities the ISO/IEC 7816-4 way. */
export function emrtdHistoricalBytes(c: CardCapabilitiesInput): Buffer {
  const cap = encodeCardCapabilities(c);
  return encodeHistoricalBytes([{ tag: CARD_CAPABILITIES_TAG, value: cap.subarray(1) }]);
}

/**
 * PC/SC Part 3 §3.1.3.2.3.2, ISO/IEC 14443 Type B: the eight historical bytes are the ATQB's
 * application data (4), its protocol info (3), and the MBLI from the ATTRIB answer in the high
 * nibble of the last byte.
 */
export function typeBHistoricalBytes(applicationData: Buffer, protocolInfo: Buffer, mbli: number): Buffer {
  if (applicationData.length !== 4) throw new InvalidArgumentError('applicationData', '4 bytes', applicationData);
  if (protocolInfo.length !== 3) throw new InvalidArgumentError('protocolInfo', '3 bytes', protocolInfo);
  if (!Number.isInteger(mbli) || mbli < 0 || mbli > 15) throw new InvalidArgumentError('mbli', 'an integer 0..15', mbli);
  return Buffer.concat([applicationData, protocolInfo, Buffer.from([mbli << 4])]);
}

/**
 * The ATR a PC/SC reader builds for an ISO/IEC 14443-4 card (PC/SC Part 3 §3.1.3.2.3.1):
 * 3B 8n 80 01 <n historical bytes> TCK. T0 = 8n: TD1 follows, n historical bytes; TD1 = 80:
 * TD2 follows, T=0; TD2 = 01: T=1; TCK makes the exclusive-or of T0..TCK zero. For Type A
 * the historical bytes are the ATS's, for Type B see `typeBHistoricalBytes`.
 */
export function contactlessAtr(historical: Buffer): Buffer {
  if (historical.length > 15) throw new InvalidArgumentError('historical', 'at most 15 bytes', historical);
  const body = Buffer.concat([Buffer.from([0x80 | historical.length, 0x80, 0x01]), historical]);
  return Buffer.concat([Buffer.from([0x3b]), body, Buffer.from([xor(body)])]);
}

/** Whether an ATR has the PC/SC Part 3 contactless shape (3B 8n 80 01 ...). */
export function isContactlessAtr(atr: Atr): boolean {
  const b = atr.bytes;
  return b[0] === 0x3b && (b[1]! & 0xf0) === 0x80 && b[2] === 0x80 && b[3] === 0x01;
}

function checkByte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new InvalidArgumentError(name, 'a byte', v);
}
