// Images as the document engine passes them around: raw pixels, row-major, 8 bits per channel,
// one (grey) or three (BGR, OpenCV's order) channels. Devices deliver these (a camera frame is
// never encoded and decoded again on the way to the engine); files and test fixtures are
// decoded into them. Conversions to and from OpenCV's Mat live here and nowhere else.
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

export function fromMat(m: Mat): Image {
  const cv = opencv();
  let src = m;
  if (m.channels === 4) src = m.cvtColor(cv.COLOR_BGRA2BGR);
  if (src.channels !== 1 && src.channels !== 3) throw new InvalidArgumentError('mat', '1, 3 or 4 channels', src.channels);
  if (src.depth !== cv.CV_8U) src = src.convertTo(src.channels === 1 ? cv.CV_8UC1 : cv.CV_8UC3);
  return { width: src.cols, height: src.rows, channels: src.channels as 1 | 3, data: src.getData() };
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
  if (m.empty) throw new ParseError(what, 'not a decodable image');
  if (m.cols * m.rows > MAX_PIXELS) throw new ParseError(what, `${m.cols}x${m.rows} exceeds ${MAX_PIXELS} pixels`);
  return fromMat(m);
}

export function encodePng(img: Image): Buffer {
  return opencv().imencode('.png', toMat(img));
}

export function encodeJpeg(img: Image, quality = 90): Buffer {
  const cv = opencv();
  return cv.imencode('.jpg', toMat(img), [cv.IMWRITE_JPEG_QUALITY, quality]);
}

export function toGrey(img: Image): Image {
  if (img.channels === 1) return img;
  return fromMat(toMat(img).cvtColor(opencv().COLOR_BGR2GRAY));
}
