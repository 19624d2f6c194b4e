// Recognising the images stored in DG2, DG5–DG7, DG11 and DG12 and reading their
// dimensions from the headers, without decoding them. Signatures: JPEG SOI FFD8 (ISO/IEC
// 10918-1 B.1.1.3), JP2 signature box 0000000C 6A502020 0D0A870A and codestream SOC+SIZ
// FF4F FF51 (ISO/IEC 15444-1 I.5.1 / A.5.1), PNG 89 50 4E 47 0D 0A 1A 0A (ISO/IEC 15948 §5.2).
// All reads are bounds-checked; hostile headers give undefined, never an exception.
import { asBuffer } from './common.js';

export type ImageFormat = 'JPEG' | 'JPEG2000' | 'JPEG2000-codestream' | 'PNG' | 'unknown';

const JP2_SIGNATURE = Buffer.from('0000000C6A5020200D0A870A', 'hex');
const PNG_SIGNATURE = Buffer.from('89504E470D0A1A0A', 'hex');

export function sniffImageFormat(bytes: Uint8Array): ImageFormat {
  const b = asBuffer(bytes);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'JPEG';
  if (b.length >= 12 && b.subarray(0, 12).equals(JP2_SIGNATURE)) return 'JPEG2000';
  if (b.length >= 4 && b.readUInt32BE(0) === 0xff4fff51) return 'JPEG2000-codestream';
  if (b.length >= 8 && b.subarray(0, 8).equals(PNG_SIGNATURE)) return 'PNG';
  return 'unknown';
}

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** Width and height from the image's own header; undefined when it cannot be found. */
export function imageDimensions(bytes: Uint8Array): ImageSize | undefined {
  const b = asBuffer(bytes);
  switch (sniffImageFormat(b)) {
    case 'JPEG':
      return jpegSize(b);
    case 'JPEG2000':
      return jp2Size(b);
    case 'JPEG2000-codestream':
      return sizSize(b, 0);
    case 'PNG':
      return b.length >= 24 && b.toString('latin1', 12, 16) === 'IHDR' ? { width: b.readUInt32BE(16), height: b.readUInt32BE(20) } : undefined;
    case 'unknown':
      return undefined;
  }
}

/** Walks the JPEG marker segments up to the first SOFn (ISO/IEC 10918-1 B.2.2). */
function jpegSize(b: Buffer): ImageSize | undefined {
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) return undefined;
    const marker = b[p + 1]!;
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      p += 2; // markers without a length
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan data or end before any frame header
    const len = b.readUInt16BE(p + 2);
    if (len < 2) return undefined;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (p + 9 > b.length || len < 7) return undefined;
      return { height: b.readUInt16BE(p + 5), width: b.readUInt16BE(p + 7) };
    }
    p += 2 + len;
  }
  return undefined;
}

/** SIZ marker segment at `p` (ISO/IEC 15444-1 A.5.1): image area minus offsets. */
function sizSize(b: Buffer, p: number): ImageSize | undefined {
  if (p + 4 + 2 + 2 + 16 > b.length || b.readUInt16BE(p + 2) !== 0xff51) return undefined;
  const x = b.readUInt32BE(p + 8);
  const y = b.readUInt32BE(p + 12);
  const xo = b.readUInt32BE(p + 16);
  const yo = b.readUInt32BE(p + 20);
  if (xo > x || yo > y) return undefined;
  return { width: x - xo, height: y - yo };
}

/** Finds jp2h/ihdr in the JP2 box structure (ISO/IEC 15444-1 I.4, I.5.3.1). */
function jp2Size(b: Buffer): ImageSize | undefined {
  const boxes = (start: number, end: number): { type: string; start: number; end: number }[] => {
    const out: { type: string; start: number; end: number }[] = [];
    let p = start;
    while (p + 8 <= end && out.length < 64) {
      let len = b.readUInt32BE(p);
      let header = 8;
      if (len === 1) {
        if (p + 16 > end) break;
        const big = b.readBigUInt64BE(p + 8);
        if (big > BigInt(end - p)) break;
        len = Number(big);
        header = 16;
      } else if (len === 0) len = end - p;
      if (len < header || p + len > end) break;
      out.push({ type: b.toString('latin1', p + 4, p + 8), start: p + header, end: p + len });
      p += len;
    }
    return out;
  };
  for (const top of boxes(0, b.length)) {
    if (top.type === 'jp2c') return sizSize(b, top.start);
    if (top.type !== 'jp2h') continue;
    const ihdr = boxes(top.start, top.end).find((x) => x.type === 'ihdr');
    if (ihdr && ihdr.end - ihdr.start >= 8) return { height: b.readUInt32BE(ihdr.start), width: b.readUInt32BE(ihdr.start + 4) };
  }
  return undefined;
}
