// EF.COM (ICAO 9303-10 §4.6.1): tag 60 holding the LDS version (5F01, "aabb" = version aa.bb),
// the Unicode version (5F36, "aabbcc" = aa.bb.cc) and the tag list (5C) of data groups present.
// ICAO deprecates EF.COM in favour of EF.SOD, but chips still carry it and readers use its list.
import { InvalidArgumentError, ParseError } from '../../errors.js';
import { children, encode, requireTag, tagHex, type Tag } from '../tlv.js';
import { encodeTagList, openFile, parseTagList, single } from './common.js';
import { ldsFileByTag } from './files.js';

export interface EfCom {
  /** The LDS version digits as stored, e.g. "0107" (LDS 1.7). */
  readonly ldsVersion: string;
  /** The Unicode version digits as stored, e.g. "040000" (Unicode 4.0.0). */
  readonly unicodeVersion: string;
  /** Tags of the data groups present, in file order (0x61 = DG1, 0x75 = DG2, ...). */
  readonly tags: readonly Tag[];
}

const WHAT = 'EF.COM';

export function parseEfCom(bytes: Uint8Array): EfCom {
  const items = children(openFile(bytes, 0x60, WHAT), WHAT);
  for (const tag of [0x5f01, 0x5f36, 0x5c]) single(items, tag, WHAT);
  const lds = requireTag(items, 0x5f01, WHAT).value.toString('latin1');
  const uni = requireTag(items, 0x5f36, WHAT).value.toString('latin1');
  if (!/^\d{4}$/.test(lds)) throw new ParseError(WHAT, 'LDS version (5F01) is not 4 digits');
  if (!/^\d{6}$/.test(uni)) throw new ParseError(WHAT, 'Unicode version (5F36) is not 6 digits');
  const tags = parseTagList(requireTag(items, 0x5c, WHAT).value, WHAT);
  return { ldsVersion: lds, unicodeVersion: uni, tags };
}

export function encodeEfCom(com: EfCom): Buffer {
  if (!/^\d{4}$/.test(com.ldsVersion) || !/^\d{6}$/.test(com.unicodeVersion)) throw new InvalidArgumentError('EF.COM versions', '4 and 6 digits', com.ldsVersion);
  return encode(0x60, [
    encode(0x5f01, Buffer.from(com.ldsVersion, 'latin1')),
    encode(0x5f36, Buffer.from(com.unicodeVersion, 'latin1')),
    encodeTagList(com.tags),
  ]);
}

/** "0107" → "1.7"; "040000" → "4.0.0". */
export const ldsVersionText = (com: EfCom): string => `${Number(com.ldsVersion.slice(0, 2))}.${Number(com.ldsVersion.slice(2, 4))}`;
export const unicodeVersionText = (com: EfCom): string =>
  [0, 2, 4].map((i) => Number(com.unicodeVersion.slice(i, i + 2))).join('.');

/** The data groups the tag list names; unknown tags are reported as hex strings. */
export function comDataGroups(com: EfCom): string[] {
  return com.tags.map((t) => {
    const f = ldsFileByTag(t);
    return f?.dataGroup !== undefined ? f.name : tagHex(t);
  });
}
