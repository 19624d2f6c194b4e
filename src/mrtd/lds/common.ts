// Helpers shared by the LDS file parsers (ICAO 9303-10 §4.6–4.7): opening a file's outer
// template, tag lists, counts and text elements. Values stay subarrays of the input.
import { InvalidArgumentError, ParseError } from '../../errors.js';
import { encode, parseSingle, readHeader, tagBytes, tagHex, type Tag, type Tlv } from '../tlv.js';

/** Views any byte array as a Buffer without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Parses a whole file: exactly one element with the expected tag, constructed. */
export function openFile(bytes: Uint8Array, tag: Tag, what: string): Tlv {
  const t = parseSingle(asBuffer(bytes), what);
  if (t.tag !== tag) throw new ParseError(what, `expected tag ${tagHex(tag)}, found ${tagHex(t.tag)}`, 0);
  if (!t.constructed) throw new ParseError(what, `tag ${tagHex(tag)} is primitive, expected constructed`, 0);
  return t;
}

/**
 * A tag list (tag 5C, ICAO 9303-10 §4.6.1 / §4.7.11): the concatenated encodings of tags. Tags
 * are read with the BER rules (first byte, then continuation bytes while bit 8 is set).
 */
export function parseTagList(value: Buffer, what: string): Tag[] {
  const out: Tag[] = [];
  let p = 0;
  while (p < value.length) {
    const first = value[p]!;
    let tag = first;
    let n = 1;
    if ((first & 0x1f) === 0x1f) {
      for (;;) {
        if (p + n >= value.length) throw new ParseError(what, 'truncated tag in tag list', p);
        const b = value[p + n]!;
        tag = tag * 256 + b;
        n++;
        if (n > 4) throw new ParseError(what, 'tag longer than 4 bytes in tag list', p);
        if ((b & 0x80) === 0) break;
      }
    }
    out.push(tag);
    p += n;
  }
  return out;
}

export const encodeTagList = (tags: readonly Tag[]): Buffer => encode(0x5c, tags.map((t) => tagBytes(t)));

/** A count element (tag 02, one to four bytes, unsigned). */
export function readCount(t: Tlv, what: string): number {
  if (t.tag !== 0x02) throw new ParseError(what, `expected count tag 02, found ${tagHex(t.tag)}`);
  if (t.value.length < 1 || t.value.length > 4) throw new ParseError(what, `count of ${t.value.length} bytes`);
  return t.value.readUIntBE(0, t.value.length);
}

export function encodeCount(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0x7f) throw new InvalidArgumentError('count', 'an integer 0–127', n);
  return encode(0x02, Buffer.from([n]));
}

/** Text elements of DG11/DG12/DG16 are UTF-8 (ICAO 9303-10 §4.7.11 and the Unicode version of EF.COM). */
export const text = (t: Tlv): string => t.value.toString('utf8');
export const encodeText = (tag: Tag, s: string): Buffer => encode(tag, Buffer.from(s, 'utf8'));

/**
 * A date element: 'YYYYMMDD' (8 ASCII digits, LDS 1.7) or its 4-byte BCD form (older chips);
 * also the 14-digit / 7-byte date-time of DG12. Returned as the digit string.
 */
export function dateDigits(t: Tlv, digits: 8 | 14, what: string): string {
  const v = t.value;
  if (v.length === digits) return v.toString('latin1');
  if (v.length === digits / 2) return v.toString('hex').toUpperCase();
  throw new ParseError(what, `date element ${tagHex(t.tag)} of ${v.length} bytes, expected ${digits} characters`);
}

/** Reads the header only, to tell how many bytes a file has from its first bytes. */
export function declaredFileLength(firstBytes: Uint8Array, what = 'LDS file'): number | undefined {
  const h = readHeader(asBuffer(firstBytes), 0, what);
  return h.length === undefined ? undefined : h.headerLength + h.length;
}

/** Throws when a parsed element list has a tag this parser does not allow twice. */
export function single(list: readonly Tlv[], tag: Tag, what: string): Tlv | undefined {
  const found = list.filter((t) => t.tag === tag);
  if (found.length > 1) throw new ParseError(what, `tag ${tagHex(tag)} appears ${found.length} times`);
  return found[0];
}
