// Images as the document engine passes them around: raw pixels, row-major, 8 bits per channel,
// one (grey) or three (BGR, OpenCV's order) channels. Devices deliver these (a camera frame is
// never encoded and decoded again on the way to the engine); files and test fixtures are
// decoded into them. Conversions to and from OpenCV's Mat live here and nowhere else.
import { crc32 } from 'node:zlib';
import { InvalidArgumentError, ParseError } from '../errors.js';
import { imageDimensions } from '../mrtd/lds/image-format.js';
import { opencv, type Mat } from '../native/opencv.js';

export interface Image {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  /** width × height × channels bytes. */
  readonly data: Buffer;
}

/** Largest image the engine accepts (a 50-megapixel upload is refused, not decoded into 150 MB). */
export const MAX_PIXELS = 40_000_000;

export function checkImage(img: Image): Image {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width <= 0 || img.height <= 0) {
    throw new InvalidArgumentError('image', 'positive integer dimensions', `${img.width}x${img.height}`);
  }
  if (img.width * img.height > MAX_PIXELS) throw new InvalidArgumentError('image', `at most ${MAX_PIXELS} pixels`, `${img.width}x${img.height}`);
  if (img.data.length !== img.width * img.height * img.channels) throw new InvalidArgumentError('image.data', `${img.width * img.height * img.channels} bytes`, img.data);
  return img;
}

export function toMat(img: Image): Mat {
  const cv = opencv();
  checkImage(img);
  return new cv.Mat(img.data, img.height, img.width, img.channels === 1 ? cv.CV_8UC1 : cv.CV_8UC3);
}

/** The Mat's pixels as an Image (a copy). Intermediate Mats made here are released; `m` is the caller's. */
export function fromMat(m: Mat): Image {
  const cv = opencv();
  const made: Mat[] = [];
  try {
    let src = m;
    if (m.channels === 4) made.push((src = m.cvtColor(cv.COLOR_BGRA2BGR)));
    if (src.channels !== 1 && src.channels !== 3) throw new InvalidArgumentError('mat', '1, 3 or 4 channels', src.channels);
    if (src.depth !== cv.CV_8U) made.push((src = src.convertTo(src.channels === 1 ? cv.CV_8UC1 : cv.CV_8UC3)));
    return { width: src.cols, height: src.rows, channels: src.channels as 1 | 3, data: src.getData() };
  } finally {
    for (const x of made) x.release();
  }
}

/**
 * Decodes an encoded image (JPEG, PNG, JPEG 2000, TIFF, BMP ...) — hostile input: the header's
 * dimensions are checked against MAX_PIXELS before the pixels are decoded where the format
 * allows, and a failure is a ParseError.
 */
export function decodeImage(bytes: Buffer, what = 'image'): Image {
  const cv = opencv();
  if (bytes.length === 0) throw new ParseError(what, 'empty file');
  // Refuse oversized images from the header, before the decoder allocates their pixels.
  const size = imageDimensions(bytes);
  if (size && size.width * size.height > MAX_PIXELS) throw new ParseError(what, `${size.width}x${size.height} exceeds ${MAX_PIXELS} pixels`);
  let m: Mat;
  try {
    m = cv.imdecode(bytes, cv.IMREAD_COLOR);
  } catch (e) {
    throw new ParseError(what, `cannot decode (${e instanceof Error ? e.message.slice(0, 80) : 'error'})`);
  }
  try {
    if (m.empty) throw new ParseError(what, 'not a decodable image');
    if (m.cols * m.rows > MAX_PIXELS) throw new ParseError(what, `${m.cols}x${m.rows} exceeds ${MAX_PIXELS} pixels`);
    return fromMat(m);
  } finally {
    m.release();
  }
}

/**
 * PNG of an image; with `dpi`, a pHYs chunk records the resolution (PNG 1.2 §11.3.5.3, in
 * pixels per metre), so that a capture saved by the simulator or a technician keeps the scale
 * the MRZ geometry check needs.
 */
export function encodePng(img: Image, o: { dpi?: number } = {}): Buffer {
  const png = opencv().imencode('.png', toMat(img));
  if (o.dpi === undefined) return png;
  if (!Number.isFinite(o.dpi) || o.dpi <= 0) throw new InvalidArgumentError('dpi', 'a positive resolution', o.dpi);
  const body = Buffer.alloc(13);
  body.write('pHYs', 0, 'latin1');
  const ppm = Math.round(o.dpi / 0.0254);
  body.writeUInt32BE(ppm, 4);
  body.writeUInt32BE(ppm, 8);
  body[12] = 1; // unit: metre
  const chunk = Buffer.alloc(4 + 13 + 4);
  chunk.writeUInt32BE(9, 0);
  body.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(body), 17);
  // IHDR is always first: signature (8) + length, type, 13 bytes of data, CRC (25).
  const at = 8 + 25;
  return Buffer.concat([png.subarray(0, at), chunk, png.subarray(at)]);
}

/**
 * The resolution a PNG's pHYs chunk records, in dots per inch; undefined when the file is not
 * a PNG, has no pHYs chunk, gives only an aspect ratio, or gives different x and y scales.
 * Walks the chunk list with every length checked against the file (the file is hostile).
 */
export function pngResolutionDpi(bytes: Buffer): number | undefined {
  const SIGNATURE = '89504e470d0a1a0a';
  if (bytes.length < 8 || bytes.subarray(0, 8).toString('hex') !== SIGNATURE) return undefined;
  let at = 8;
  while (at + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (length > bytes.length - at - 12) return undefined;
    if (type === 'pHYs') {
      if (length !== 9 || bytes[at + 16] !== 1) return undefined;
      const x = bytes.readUInt32BE(at + 8);
      const y = bytes.readUInt32BE(at + 12);
      if (x === 0 || x !== y) return undefined;
      return Math.round(x * 0.0254 * 10) / 10;
    }
    if (type === 'IDAT' || type === 'IEND') return undefined; // pHYs must come before IDAT
    at += 12 + length;
  }
  return undefined;
}

export function encodeJpeg(img: Image, quality = 90): Buffer {
  const cv = opencv();
  return cv.imencode('.jpg', toMat(img), [cv.IMWRITE_JPEG_QUALITY, quality]);
}

export function toGrey(img: Image): Image {
  if (img.channels === 1) return img;
  const m = toMat(img);
  const grey = m.cvtColor(opencv().COLOR_BGR2GRAY);
  try {
    return fromMat(grey);
  } finally {
    m.release();
    grey.release();
  }
}
