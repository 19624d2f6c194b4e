// DG11, additional personal details (ICAO 9303-10 §4.7.11): tag 6B holding a tag list (5C)
// and the elements it names. Names use the MRZ convention PRIMARY<<SECONDARY; other names
// sit in a template A0 { 02 count, 5F0F ... }. Text is UTF-8; dates are YYYYMMDD (or the
// older 4-byte BCD form, returned as its digits).
import { ParseError } from '../../errors.js';
import { children, encode, tagHex, type Tag, type Tlv } from '../tlv.js';
import { dateDigits, encodeCount, encodeTagList, encodeText, openFile, parseTagList, readCount, single, text } from './common.js';

export interface HolderName {
  /** As stored, e.g. "ERIKSSON<<ANNA<MARIA". */
  readonly text: string;
  readonly primaryIdentifier: string;
  readonly secondaryIdentifier: string;
}

export interface Dg11 {
  /** 5F0E: full name of holder. */
  readonly fullName?: HolderName;
  /** 5F0F (in A0): other names. */
  readonly otherNames?: readonly string[];
  /** 5F10: personal number. */
  readonly personalNumber?: string;
  /** 5F2B: full date of birth, YYYYMMDD. */
  readonly fullDateOfBirth?: string;
  /** 5F11: place of birth (components separated by '<'). */
  readonly placeOfBirth?: string;
  /** 5F42: permanent address (components separated by '<'). */
  readonly address?: string;
  /** 5F12: telephone. */
  readonly telephone?: string;
  /** 5F13: profession. */
  readonly profession?: string;
  /** 5F14: title. */
  readonly title?: string;
  /** 5F15: personal summary. */
  readonly personalSummary?: string;
  /** 5F16: proof of citizenship (an image, ISO/IEC 10918 JPEG usually), raw bytes. */
  readonly proofOfCitizenship?: Buffer;
  /** 5F17: other valid TD numbers (separated by '<'). */
  readonly otherValidTdNumbers?: string;
  /** 5F18: custody information. */
  readonly custodyInformation?: string;
  /** The tag list as read (absent on values built for encoding). */
  readonly tagList?: readonly Tag[];
}

const WHAT = 'DG11';

/** Text elements in ICAO order (9303-10 Table 43), the order the encoder writes them. */
const TEXT_FIELDS = [
  [0x5f10, 'personalNumber'],
  [0x5f11, 'placeOfBirth'],
  [0x5f42, 'address'],
  [0x5f12, 'telephone'],
  [0x5f13, 'profession'],
  [0x5f14, 'title'],
  [0x5f15, 'personalSummary'],
  [0x5f17, 'otherValidTdNumbers'],
  [0x5f18, 'custodyInformation'],
] as const;

export function parseHolderName(s: string): HolderName {
  const words = (x: string): string => x.split('<').filter((w) => w.length > 0).join(' ');
  const cut = s.indexOf('<<');
  return { text: s, primaryIdentifier: words(cut < 0 ? s : s.slice(0, cut)), secondaryIdentifier: cut < 0 ? '' : words(s.slice(cut + 2)) };
}

/** A0 { 02 count, element... }: the counted templates of DG11 (5F0F) and DG12 (5F1A). */
export function parseCountedTemplate(t: Tlv, elementTag: Tag, what: string): string[] {
  const items = children(t, what);
  const first = items[0];
  if (!first) throw new ParseError(what, 'empty counted template');
  const count = readCount(first, what);
  const rest = items.slice(1);
  if (rest.length !== count) throw new ParseError(what, `count says ${count}, template holds ${rest.length}`);
  return rest.map((e) => {
    if (e.tag !== elementTag) throw new ParseError(what, `unexpected tag ${tagHex(e.tag)} in counted template`);
    return text(e);
  });
}

export const encodeCountedTemplate = (elementTag: Tag, values: readonly string[]): Buffer =>
  encode(0xa0, [encodeCount(values.length), ...values.map((v) => encodeText(elementTag, v))]);

export function parseDg11(bytes: Uint8Array): Dg11 {
  const items = children(openFile(bytes, 0x6b, WHAT), WHAT);
  const list = single(items, 0x5c, WHAT);
  if (!list) throw new ParseError(WHAT, 'missing tag list (5C)');
  const out: Record<string, unknown> = { tagList: parseTagList(list.value, WHAT) };
  const name = single(items, 0x5f0e, WHAT);
  if (name) out.fullName = parseHolderName(text(name));
  const others = items.filter((t) => t.tag === 0xa0);
  if (others.length > 1) throw new ParseError(WHAT, 'other-names template (A0) twice');
  const loose = items.filter((t) => t.tag === 0x5f0f);
  if (others[0] || loose.length) out.otherNames = [...(others[0] ? parseCountedTemplate(others[0], 0x5f0f, WHAT) : []), ...loose.map(text)];
  const dob = single(items, 0x5f2b, WHAT);
  if (dob) out.fullDateOfBirth = dateDigits(dob, 8, WHAT);
  for (const [tag, key] of TEXT_FIELDS) {
    const e = single(items, tag, WHAT);
    if (e) out[key] = text(e);
  }
  const proof = single(items, 0x5f16, WHAT);
  if (proof) out.proofOfCitizenship = proof.value;
  return out;
}

/** Encodes DG11; the tag list is derived from the fields present. */
export function encodeDg11(d: Dg11): Buffer {
  const tags: Tag[] = [];
  const parts: Buffer[] = [];
  const add = (tag: Tag, el: Buffer): void => {
    tags.push(tag);
    parts.push(el);
  };
  if (d.fullName) add(0x5f0e, encodeText(0x5f0e, d.fullName.text));
  if (d.otherNames) add(0x5f0f, encodeCountedTemplate(0x5f0f, d.otherNames));
  if (d.personalNumber !== undefined) add(0x5f10, encodeText(0x5f10, d.personalNumber));
  if (d.fullDateOfBirth !== undefined) add(0x5f2b, encodeText(0x5f2b, d.fullDateOfBirth));
  for (const [tag, key] of TEXT_FIELDS.slice(1)) {
    const v = d[key];
    if (v !== undefined) add(tag, encodeText(tag, v));
  }
  if (d.proofOfCitizenship) add(0x5f16, encode(0x5f16, d.proofOfCitizenship));
  // 5F16 belongs between 5F15 and 5F17 in ICAO order; keep the list and the elements aligned.
  const order = [0x5f0e, 0x5f0f, 0x5f10, 0x5f2b, 0x5f11, 0x5f42, 0x5f12, 0x5f13, 0x5f14, 0x5f15, 0x5f16, 0x5f17, 0x5f18];
  const idx = tags.map((_, i) => i).sort((a, b) => order.indexOf(tags[a]!) - order.indexOf(tags[b]!));
  return encode(0x6b, [encodeTagList(idx.map((i) => tags[i]!)), ...idx.map((i) => parts[i]!)]);
}
