// The chip photo: DG2's face image (ICAO 9303-10 §4.7.2) decoded into an Image for the 1:1
// comparison with the live face. DG2 stores it as JPEG (ISO/IEC 10918-1) or JPEG 2000
// (ISO/IEC 15444-1, as a JP2 file or a bare codestream) — ISO/IEC 19794-5:2005 §5.7.2 image
// data type 0 / 1; ISO/IEC 39794-5 imageDataFormat jpeg (2), jpeg2000Lossy (3),
// jpeg2000Lossless (4), and also png (5), which is decoded too. The DG2 parsers
// (src/mrtd/lds/dg2.ts) give the bytes and the declared type; ./photo-decode.ts checks and
// decodes them (header limits before decoding, truncation, corruption: FaceImageError).
//
// Here: the declared type must be one of those above (otherwise `unsupportedType`, whatever the
// bytes are); a declared type or size that differs from the bytes' own is decoded by what the
// bytes are and noted in the result, never hidden; and chip photos get a tighter pixel limit.
import type { Image } from '../document/image.js';
import { faceImages, parseDg2, type FaceImage } from '../mrtd/lds/dg2.js';
import { decodePhoto, FaceImageError, type PhotoFormat } from './photo-decode.js';

export { FaceImageError, isFaceImageError, type FaceImageFault } from './photo-decode.js';

/**
 * Largest chip photo decoded by default: 12 megapixels (4000 × 3000). ICAO portraits are far
 * smaller (9303-9 and ISO/IEC 39794-5 Annex D aim at about 90–120 pixels between the eyes;
 * issuers store 480 × 640 or so, 15–20 kB on the chip), so this refuses only abuse, and keeps
 * a decoded BGR photo under 36 MB. Callers may raise it up to MAX_PIXELS (src/document/image.ts).
 */
export const CHIP_PHOTO_MAX_PIXELS = 12_000_000;
const WHAT = 'DG2 face image';

export type ChipPhotoNote =
  /** The bytes are another format than the record declares (decoded by what they are). */
  | 'declaredFormatDiffers'
  /** The record's width/height differ from the image's own (the image's are used). */
  | 'dimensionsDiffer'
  /** Stored with one component; the image is that grey in all three channels. */
  | 'greyscale';

export interface ChipPhoto {
  /** The photo in BGR (OpenCV's order), 8 bits per channel. */
  readonly image: Image;
  /** The format of the bytes (by their signature). */
  readonly format: PhotoFormat;
  readonly declaredFormat: FaceImage['declaredFormat'];
  readonly encoding: FaceImage['encoding'];
  readonly notes: readonly ChipPhotoNote[];
}

export interface ChipPhotoOptions {
  /** Refuse images with more pixels (from the header, before decoding). CHIP_PHOTO_MAX_PIXELS by default. */
  readonly maxPixels?: number;
}

/** Decodes every face image of a DG2 file, in file order (ParseError for a malformed DG2). */
export async function decodeDg2Photos(dg2: Uint8Array, options: ChipPhotoOptions = {}): Promise<ChipPhoto[]> {
  const faces = faceImages(parseDg2(dg2));
  if (faces.length === 0) throw new FaceImageError(WHAT, 'noImage', 'DG2 holds no face image');
  const out: ChipPhoto[] = [];
  // One at a time: a DG2 rarely holds more than one, and each decode uses a pool thread.
  for (const f of faces) out.push(await decodeChipPhoto(f, options));
  return out;
}

/** The first face image of a DG2 file (the one ICAO 9303-10 §4.7.2 calls the portrait). */
export async function decodeDg2Photo(dg2: Uint8Array, options: ChipPhotoOptions = {}): Promise<ChipPhoto> {
  const faces = faceImages(parseDg2(dg2));
  const first = faces[0];
  if (!first) throw new FaceImageError(WHAT, 'noImage', 'DG2 holds no face image');
  return decodeChipPhoto(first, options);
}

/** Decodes one face image as the DG2 parser gives it. */
export async function decodeChipPhoto(face: FaceImage, options: ChipPhotoOptions = {}): Promise<ChipPhoto> {
  const maxPixels = options.maxPixels ?? CHIP_PHOTO_MAX_PIXELS;
  if (face.declaredFormat === 'other') throw new FaceImageError(WHAT, 'unsupportedType', `declared image type is not JPEG, JPEG 2000 or PNG (${face.encoding})`);
  const { image, format, greyscale } = await decodePhoto(face.imageData, { what: WHAT, maxPixels });
  const notes: ChipPhotoNote[] = [];
  const declaredOf: Record<PhotoFormat, FaceImage['declaredFormat']> = { JPEG: 'JPEG', JPEG2000: 'JPEG2000', 'JPEG2000-codestream': 'JPEG2000', PNG: 'PNG' };
  if (declaredOf[format] !== face.declaredFormat) notes.push('declaredFormatDiffers');
  // A 39794-5 record may omit the dimensions; 19794-5 states them (0 where unknown to the issuer).
  if (face.width !== undefined && face.height !== undefined && (face.width !== image.width || face.height !== image.height)) notes.push('dimensionsDiffer');
  if (greyscale) notes.push('greyscale');
  return { image, format, declaredFormat: face.declaredFormat, encoding: face.encoding, notes };
}
