// DG12, additional document details (ICAO 9303-10 §4.7.12): tag 6C holding a tag list (5C)
// and the elements it names. Other persons sit in A0 { 02 count, 5F1A ... }. Dates are
// YYYYMMDD (5F26) and YYYYMMDDhhmmss (5F55), or their older BCD forms (returned as digits).
import { ParseError } from '../../errors.js';
import { children, encode, type Tag } from '../tlv.js';
import { dateDigits, encodeTagList, encodeText, openFile, parseTagList, single, text } from './common.js';
import { encodeCountedTemplate, parseCountedTemplate } from './dg11.js';

export interface Dg12 {
  /** 5F19: issuing authority. */
  readonly issuingAuthority?: string;
  /** 5F26: date of issue, YYYYMMDD. */
  readonly dateOfIssue?: string;
  /** 5F1A (in A0): names of other persons. */
  readonly otherPersons?: readonly string[];
  /** 5F1B: endorsements and observations. */
  readonly endorsements?: string;
  /** 5F1C: tax or exit requirements. */
  readonly taxOrExitRequirements?: string;
  /** 5F1D: image of the front of the document, raw. */
  readonly imageOfFront?: Buffer;
  /** 5F1E: image of the rear of the document, raw. */
  readonly imageOfRear?: Buffer;
  /** 5F55: date and time of personalization, YYYYMMDDhhmmss. */
  readonly personalizationTime?: string;
  /** 5F56: serial number of the personalization system. */
  readonly personalizationDeviceSerial?: string;
  readonly tagList?: readonly Tag[];
}

const WHAT = 'DG12';
const ORDER = [0x5f19, 0x5f26, 0x5f1a, 0x5f1b, 0x5f1c, 0x5f1d, 0x5f1e, 0x5f55, 0x5f56];

export function parseDg12(bytes: Uint8Array): Dg12 {
  const items = children(openFile(bytes, 0x6c, WHAT), WHAT);
  const list = single(items, 0x5c, WHAT);
  if (!list) throw new ParseError(WHAT, 'missing tag list (5C)');
  const out: Record<string, unknown> = { tagList: parseTagList(list.value, WHAT) };
  const t = (tag: Tag) => single(items, tag, WHAT);
  const put = (k: string, v: unknown): void => {
    if (v !== undefined) out[k] = v;
  };
  put('issuingAuthority', t(0x5f19) && text(t(0x5f19)!));
  put('dateOfIssue', t(0x5f26) && dateDigits(t(0x5f26)!, 8, WHAT));
  const others = items.filter((x) => x.tag === 0xa0);
  if (others.length > 1) throw new ParseError(WHAT, 'other-persons template (A0) twice');
  const loose = items.filter((x) => x.tag === 0x5f1a);
  if (others[0] || loose.length) out.otherPersons = [...(others[0] ? parseCountedTemplate(others[0], 0x5f1a, WHAT) : []), ...loose.map(text)];
  put('endorsements', t(0x5f1b) && text(t(0x5f1b)!));
  put('taxOrExitRequirements', t(0x5f1c) && text(t(0x5f1c)!));
  put('imageOfFront', t(0x5f1d)?.value);
  put('imageOfRear', t(0x5f1e)?.value);
  put('personalizationTime', t(0x5f55) && dateDigits(t(0x5f55)!, 14, WHAT));
  put('personalizationDeviceSerial', t(0x5f56) && text(t(0x5f56)!));
  return out;
}

/** Encodes DG12; the tag list is derived from the fields present. */
export function encodeDg12(d: Dg12): Buffer {
  const parts = new Map<Tag, Buffer>();
  if (d.issuingAuthority !== undefined) parts.set(0x5f19, encodeText(0x5f19, d.issuingAuthority));
  if (d.dateOfIssue !== undefined) parts.set(0x5f26, encodeText(0x5f26, d.dateOfIssue));
  if (d.otherPersons) parts.set(0x5f1a, encodeCountedTemplate(0x5f1a, d.otherPersons));
  if (d.endorsements !== undefined) parts.set(0x5f1b, encodeText(0x5f1b, d.endorsements));
  if (d.taxOrExitRequirements !== undefined) parts.set(0x5f1c, encodeText(0x5f1c, d.taxOrExitRequirements));
  if (d.imageOfFront) parts.set(0x5f1d, encode(0x5f1d, d.imageOfFront));
  if (d.imageOfRear) parts.set(0x5f1e, encode(0x5f1e, d.imageOfRear));
  if (d.personalizationTime !== undefined) parts.set(0x5f55, encodeText(0x5f55, d.personalizationTime));
  if (d.personalizationDeviceSerial !== undefined) parts.set(0x5f56, encodeText(0x5f56, d.personalizationDeviceSerial));
  const tags = ORDER.filter((x) => parts.has(x));
  return encode(0x6c, [encodeTagList(tags), ...tags.map((x) => parts.get(x)!)]);
}
