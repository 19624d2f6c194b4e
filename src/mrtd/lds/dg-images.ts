// DG5 (displayed portrait), DG6 (reserved, same shape as DG5 where issuers use it) and DG7
// (displayed signature or usual mark), ICAO 9303-10 §4.7.5 / §4.7.7: the file tag (65, 66,
// 67) holding a count (02) and that many image elements — 5F40 for portraits, 5F43 for
// signatures. Images are returned as subarrays with their sniffed format.
import { InvalidArgumentError, ParseError } from '../../errors.js';
import { children, encode, tagHex, type Tag } from '../tlv.js';
import { encodeCount, openFile, readCount } from './common.js';
import { sniffImageFormat, type ImageFormat } from './image-format.js';

export type DisplayedImageGroup = 'DG5' | 'DG6' | 'DG7';

export interface DisplayedImage {
  /** 5F40 (portrait) or 5F43 (signature or usual mark). */
  readonly tag: Tag;
  readonly imageData: Buffer;
  readonly format: ImageFormat;
}

export interface DisplayedImages {
  readonly images: readonly DisplayedImage[];
}

const FILE_TAG: Record<DisplayedImageGroup, Tag> = { DG5: 0x65, DG6: 0x66, DG7: 0x67 };
const IMAGE_TAG: Record<DisplayedImageGroup, Tag> = { DG5: 0x5f40, DG6: 0x5f40, DG7: 0x5f43 };
const MAX_IMAGES = 16;

export function parseDisplayedImages(group: DisplayedImageGroup, bytes: Uint8Array): DisplayedImages {
  const items = children(openFile(bytes, FILE_TAG[group], group), group);
  const first = items[0];
  if (!first) throw new ParseError(group, 'empty file');
  const count = readCount(first, group);
  const images = items.slice(1);
  if (count !== images.length) throw new ParseError(group, `count says ${count} images, file holds ${images.length}`);
  if (count > MAX_IMAGES) throw new ParseError(group, `${count} images`);
  return {
    images: images.map((t) => {
      if (t.tag !== 0x5f40 && t.tag !== 0x5f43) throw new ParseError(group, `unexpected tag ${tagHex(t.tag)}, expected an image (5F40/5F43)`);
      if (t.constructed) throw new ParseError(group, 'image element is constructed');
      return { tag: t.tag, imageData: t.value, format: sniffImageFormat(t.value) };
    }),
  };
}

/** Encodes DG5/DG6/DG7; images without a tag get the group's usual one. */
export function encodeDisplayedImages(group: DisplayedImageGroup, images: readonly (Omit<DisplayedImage, 'tag' | 'format'> & { tag?: Tag })[]): Buffer {
  if (images.length === 0 || images.length > MAX_IMAGES) throw new InvalidArgumentError('images', `1 to ${MAX_IMAGES} images`, images.length);
  return encode(FILE_TAG[group], [encodeCount(images.length), ...images.map((i) => encode(i.tag ?? IMAGE_TAG[group], i.imageData))]);
}
