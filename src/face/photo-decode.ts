// Decoding a face photo from untrusted bytes — the chip's DG2 image (./chip-photo.ts), an
// uploaded or configured photo file (the CLI's `face compare A.jpg B.jpg`) — into an Image,
// with one set of checks so that bad input always ends the same way: a FaceImageError (a
// ParseError) whose `reason` says what was wrong, never a crash, a hang, a huge allocation or a
// silently half-grey picture. Formats: JPEG (ISO/IEC 10918-1), JPEG 2000 as a JP2 file or a
// bare codestream (ISO/IEC 15444-1), PNG (ISO/IEC 15948), decoded by OpenCV's imdecode (libjpeg,
// OpenJPEG, libpng in Debian's libopencv) on libuv's thread pool (STYLE.md P4).
//
// Before any pixel is decoded:
// - the bytes must carry one of those signatures and a readable header;
// - the header's dimensions (for JP2 both the ihdr box and the codestream's SIZ, which must
//   agree, ISO/IEC 15444-1 I.5.3.1) must stay within maxPixels, a JPEG 2000 codestream within
//   4 components and 65535 tiles, so that a small file cannot make the decoder allocate
//   gigabytes (`tooLarge` / `corrupt`);
// - the image must end with its end marker — JPEG EOI (10918-1 B.2.1), JPEG 2000 EOC
//   (15444-1 A.4.4), PNG IEND (15948 §11.2.5) — or it is `truncated`: the decoders otherwise
//   return a partly grey image of a truncated file without an error.
// Messages name the input and the field, never pixel values.
//
// OpenCV notes (Debian 12, OpenCV 4.6, OpenJPEG 2.5): a bare J2K codestream decodes without a
// JP2 wrapper; a one-component codestream (no colour box to say it is grey) fails to decode
// with IMREAD_COLOR ("unsupported conversion from 1 components to 3"), so images are decoded
// with IMREAD_ANYCOLOR (8 bits, channels as stored) and grey ones converted to BGR here.
import { ParseError } from '../errors.js';
import { fromMat, MAX_PIXELS, type Image } from '../document/image.js';
import { imageDimensions, sniffImageFormat, type ImageFormat, type ImageSize } from '../mrtd/lds/image-format.js';
import { opencv, type Mat } from '../native/opencv.js';

export type FaceImageFault = 'unsupportedType' | 'noImage' | 'corrupt' | 'truncated' | 'tooLarge';

/** Face image bytes that cannot be decoded; `reason` says why (behaviour branches on it). */
export class FaceImageError extends ParseError {
  readonly reason: FaceImageFault;
  constructor(what: string, reason: FaceImageFault, detail: string) {
    super(what, detail);
    this.reason = reason;
  }
}

export const isFaceImageError = (e: unknown): e is FaceImageError => e instanceof FaceImageError;

export type PhotoFormat = Exclude<ImageFormat, 'unknown'>;

export interface DecodedPhoto {
  /** The photo in BGR (OpenCV's order), 8 bits per channel. */
  readonly image: Image;
  /** The format of the bytes (by their signature). */
  readonly format: PhotoFormat;
  /** Stored with one component; `image` holds that grey in all three channels. */
  readonly greyscale: boolean;
}

export interface PhotoOptions {
  /** What the bytes are, for messages ("DG2 face image", "probe image"). */
  readonly what?: string;
  /** Refuse images with more pixels, from the header before decoding; MAX_PIXELS by default. */
  readonly maxPixels?: number;
}

/** JPEG 2000 components a portrait can have: grey, grey + alpha, RGB, RGBA. */
const MAX_J2K_COMPONENTS = 4;
/** ISO/IEC 15444-1 A.4.2: the tile index Isot is 16 bits, so at most 65535 tiles. */
const MAX_J2K_TILES = 65_535;
/**
 * Bytes allowed after a JPEG's EOI or a codestream's EOC: some encoders pad to a word or add
 * a few zero bytes. The markers cannot occur inside entropy-coded data (JPEG stuffs 00 after
 * FF; JPEG 2000 packet data never holds FF followed by a byte above 8F), so a marker found near
 * the end is the real one.
 */
const MAX_TRAILER = 16;

/** A refusal inside the checks; decodePhoto turns it into a FaceImageError naming the input. */
class Refused extends Error {
  constructor(
    readonly reason: FaceImageFault,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** Decodes a face photo (JPEG, JPEG 2000, PNG) from untrusted bytes, checked as described above. */
export async function decodePhoto(bytes: Buffer, options: PhotoOptions = {}): Promise<DecodedPhoto> {
  const what = options.what ?? 'face image';
  const maxPixels = options.maxPixels ?? MAX_PIXELS;
  if (!Number.isInteger(maxPixels) || maxPixels < 1 || maxPixels > MAX_PIXELS) throw new FaceImageError(what, 'tooLarge', `maxPixels must be 1..${MAX_PIXELS}`);
  try {
    const format = sniffImageFormat(bytes);
    if (format === 'unknown') throw new Refused('corrupt', 'no JPEG, JPEG 2000 or PNG signature');
    const size = checkHeader(bytes, format, maxPixels);
    checkComplete(bytes, format);
    return { ...(await decodePixels(bytes, size, maxPixels)), format };
  } catch (e) {
    if (e instanceof Refused) throw new FaceImageError(what, e.reason, e.detail);
    throw e;
  }
}

/** The header's dimensions, checked against the limits before anything is decoded. */
function checkHeader(bytes: Buffer, format: Exclude<ImageFormat, 'unknown'>, maxPixels: number): ImageSize {
  const size = imageDimensions(bytes);
  if (!size) throw new Refused('corrupt', `no readable ${format} header`);
  if (format === 'JPEG2000' || format === 'JPEG2000-codestream') {
    const codestream = format === 'JPEG2000' ? jp2Codestream(bytes) : bytes;
    if (codestream === 'truncated') throw new Refused('truncated', 'JP2 box runs past the end of the data (truncated)');
    if (!codestream) throw new Refused('corrupt', 'JP2 file without a codestream box');
    const siz = sizHeader(codestream);
    if (siz.width !== size.width || siz.height !== size.height) throw new Refused('corrupt', 'JP2 header and codestream state different dimensions');
  }
  if (size.width === 0 || size.height === 0) throw new Refused('corrupt', `${format} header states an empty image`);
  if (size.width * size.height > maxPixels) throw new Refused('tooLarge', `${size.width}x${size.height} exceeds ${maxPixels} pixels`);
  return size;
}

/** SIZ of a codestream (ISO/IEC 15444-1 A.5.1): image area, components and tile count checked. */
function sizHeader(cs: Buffer): ImageSize {
  // FF4F (SOC), FF51 (SIZ), Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, XTsiz, YTsiz, XTOsiz, YTOsiz, Csiz.
  if (cs.length < 42 || cs.readUInt32BE(0) !== 0xff4fff51) throw new Refused('corrupt', 'JPEG 2000 codestream does not start with SOC and SIZ');
  const lsiz = cs.readUInt16BE(4);
  const x = cs.readUInt32BE(8);
  const y = cs.readUInt32BE(12);
  const xo = cs.readUInt32BE(16);
  const yo = cs.readUInt32BE(20);
  const xt = cs.readUInt32BE(24);
  const yt = cs.readUInt32BE(28);
  const xto = cs.readUInt32BE(32);
  const yto = cs.readUInt32BE(36);
  const components = cs.readUInt16BE(40);
  if (components < 1 || components > MAX_J2K_COMPONENTS) throw new Refused('corrupt', `JPEG 2000 codestream has ${components} components (1..${MAX_J2K_COMPONENTS} expected)`);
  if (lsiz !== 38 + 3 * components || cs.length < 4 + lsiz) throw new Refused('corrupt', 'JPEG 2000 SIZ segment length does not match its components');
  if (xo >= x || yo >= y || xt === 0 || yt === 0 || xto > xo || yto > yo) throw new Refused('corrupt', 'JPEG 2000 SIZ image or tile grid is inconsistent');
  const tiles = Math.ceil((x - xto) / xt) * Math.ceil((y - yto) / yt);
  if (tiles > MAX_J2K_TILES) throw new Refused('corrupt', `JPEG 2000 codestream has ${tiles} tiles`);
  return { width: x - xo, height: y - yo };
}

/**
 * The contents of the first jp2c box of a JP2 file (ISO/IEC 15444-1 I.5.4), bounds-checked;
 * 'truncated' when a box before or at it runs past the end of the data.
 */
function jp2Codestream(b: Buffer): Buffer | 'truncated' | undefined {
  let p = 0;
  for (let n = 0; n < 64 && p + 8 <= b.length; n++) {
    const len32 = b.readUInt32BE(p);
    let header = 8;
    let len: number;
    if (len32 === 1) {
      if (p + 16 > b.length) return 'truncated';
      const big = b.readBigUInt64BE(p + 8);
      if (big > BigInt(b.length - p)) return 'truncated';
      len = Number(big);
      header = 16;
    } else len = len32 === 0 ? b.length - p : len32;
    if (len < header) return undefined;
    if (p + len > b.length) return 'truncated';
    if (b.toString('latin1', p + 4, p + 8) === 'jp2c') return b.subarray(p + header, p + len);
    p += len;
  }
  return undefined;
}

/** Refuses an image cut short: its end marker must be at the end (see MAX_TRAILER). */
function checkComplete(bytes: Buffer, format: Exclude<ImageFormat, 'unknown'>): void {
  if (format === 'PNG') {
    // The IEND chunk: length 0, type, CRC AE426082 (ISO/IEC 15948 §11.2.5).
    if (bytes.lastIndexOf(Buffer.from('0000000049454e44ae426082', 'hex')) < 8) throw new Refused('truncated', 'PNG without its IEND chunk (truncated)');
    return;
  }
  const cs = format === 'JPEG2000' ? jp2Codestream(bytes) : bytes;
  const data = cs === 'truncated' || cs === undefined ? Buffer.alloc(0) : cs;
  const end = data.lastIndexOf(Buffer.from([0xff, 0xd9]));
  if (end < 2 || data.length - (end + 2) > MAX_TRAILER) {
    throw new Refused('truncated', `${format === 'JPEG' ? 'JPEG without its EOI marker' : 'JPEG 2000 codestream without its EOC marker'} (truncated)`);
  }
}

async function decodePixels(bytes: Buffer, size: ImageSize, maxPixels: number): Promise<{ image: Image; greyscale: boolean }> {
  const cv = opencv();
  let m: Mat;
  try {
    m = await cv.imdecodeAsync(bytes, cv.IMREAD_ANYCOLOR);
  } catch (e) {
    // opencv4nodejs rejects with strings; their text is OpenCV's, without image content.
    throw new Refused('corrupt', `cannot decode (${(e instanceof Error ? e.message : typeof e === 'string' ? e : 'error').slice(0, 80)})`);
  }
  const mats: Mat[] = [m];
  try {
    if (m.empty) throw new Refused('corrupt', 'the decoder found no image in the data');
    if (m.cols * m.rows > maxPixels || m.cols !== size.width || m.rows !== size.height) {
      throw new Refused('corrupt', `decoded ${m.cols}x${m.rows}, header states ${size.width}x${size.height}`);
    }
    if (m.channels !== 1 && m.channels !== 3 && m.channels !== 4) throw new Refused('corrupt', `decoded ${m.channels} channels`);
    const greyscale = m.channels === 1;
    let bgr = m;
    if (greyscale) {
      bgr = m.cvtColor(cv.COLOR_GRAY2BGR);
      mats.push(bgr);
    }
    return { image: fromMat(bgr), greyscale };
  } finally {
    for (const x of mats) x.release();
  }
}
