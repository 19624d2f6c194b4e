// DG2, the encoded face (ICAO 9303-10 §4.7.2): tag 75 holding one CBEFF group template 7F61
// with one or more instances, each an ISO/IEC 19794-5:2005 record (5F2E) or ISO/IEC
// 39794-5 data (7F2E). Several faces may appear both as several instances and as several
// images inside one 19794-5 record. Images come out byte for byte as subarrays of the file.
import { InvalidArgumentError, ParseError } from '../../errors.js';
import { children, encode } from '../tlv.js';
import {
  BDB_TAG_19794,
  BDB_TAG_39794,
  BIOMETRIC_TYPE_FACE,
  FORMAT_OWNER_JTC1_SC37,
  FORMAT_TYPE_FACE_19794,
  FORMAT_TYPE_FACE_39794,
  encodeBiometricGroup,
  parseBiometricGroup,
  type BiometricHeader,
} from './cbeff.js';
import { openFile } from './common.js';
import { imageDimensions, sniffImageFormat, type ImageFormat } from './image-format.js';
import { FAC_MAGIC, IMAGE_DATA_TYPE, encodeFaceRecord19794, faceImage19794, parseFaceRecord19794, type FaceRecord19794 } from './iso19794-5.js';
import {
  IMAGE_DATA_FORMAT_39794,
  encodeFaceImageData39794,
  faceImageData39794,
  parseFaceImageData39794,
  type FaceImageData39794,
} from './iso39794-5.js';

export type Dg2Instance =
  | { readonly header: BiometricHeader; readonly encoding: 'ISO19794-5'; readonly record: FaceRecord19794 }
  | { readonly header: BiometricHeader; readonly encoding: 'ISO39794-5'; readonly data: FaceImageData39794 };

export interface Dg2 {
  readonly instances: readonly Dg2Instance[];
}

/** One portrait, whichever format carried it. */
export interface FaceImage {
  readonly imageData: Buffer;
  /** The format the image bytes actually have (from their signature). */
  readonly format: ImageFormat;
  /** The format the record declares ('JPEG', 'JPEG2000', 'PNG' or 'other'). */
  readonly declaredFormat: 'JPEG' | 'JPEG2000' | 'PNG' | 'other';
  /** Dimensions as the record states them (undefined when a 39794 record omits them). */
  readonly width: number | undefined;
  readonly height: number | undefined;
  readonly encoding: 'ISO19794-5' | 'ISO39794-5';
}

const WHAT = 'DG2';

export function parseDg2(bytes: Uint8Array): Dg2 {
  const items = children(openFile(bytes, 0x75, WHAT), WHAT);
  if (items.length !== 1) throw new ParseError(WHAT, `${items.length} elements inside tag 75, expected one 7F61`);
  const templates = parseBiometricGroup(items[0]!, WHAT);
  if (templates.length === 0) throw new ParseError(WHAT, 'no biometric instances');
  return {
    // Some issuers put a 19794-5 record under 7F2E (JMRTD accepts it too): the 'FAC' magic decides.
    instances: templates.map((t): Dg2Instance =>
      t.dataTag === BDB_TAG_19794 || t.data.subarray(0, 4).equals(FAC_MAGIC)
        ? { header: t.header, encoding: 'ISO19794-5', record: parseFaceRecord19794(t.data) }
        : { header: t.header, encoding: 'ISO39794-5', data: parseFaceImageData39794(t.data) },
    ),
  };
}

export function encodeDg2(dg2: Dg2): Buffer {
  if (dg2.instances.length === 0) throw new InvalidArgumentError('instances', 'at least one', 0);
  return encode(
    0x75,
    encodeBiometricGroup(
      dg2.instances.map((i) =>
        i.encoding === 'ISO19794-5'
          ? { header: i.header, dataTag: BDB_TAG_19794, data: encodeFaceRecord19794(i.record) }
          : { header: i.header, dataTag: BDB_TAG_39794, data: encodeFaceImageData39794(i.data) },
      ),
    ),
  );
}

function declared19794(t: number): FaceImage['declaredFormat'] {
  return t === IMAGE_DATA_TYPE.JPEG ? 'JPEG' : t === IMAGE_DATA_TYPE.JPEG2000 ? 'JPEG2000' : 'other';
}

function declared39794(c: number): FaceImage['declaredFormat'] {
  switch (c) {
    case IMAGE_DATA_FORMAT_39794.jpeg:
      return 'JPEG';
    case IMAGE_DATA_FORMAT_39794.jpeg2000Lossy:
    case IMAGE_DATA_FORMAT_39794.jpeg2000Lossless:
      return 'JPEG2000';
    case IMAGE_DATA_FORMAT_39794.png:
      return 'PNG';
    default:
      return 'other';
  }
}

/** Every portrait in DG2, in file order. */
export function faceImages(dg2: Dg2): FaceImage[] {
  const out: FaceImage[] = [];
  for (const i of dg2.instances) {
    if (i.encoding === 'ISO19794-5') {
      for (const f of i.record.faces) {
        out.push({ imageData: f.imageData, format: sniffImageFormat(f.imageData), declaredFormat: declared19794(f.imageDataType), width: f.width, height: f.height, encoding: i.encoding });
      }
    } else {
      for (const r of i.data.representations) {
        if (!r.image) continue;
        out.push({ imageData: r.image.imageData, format: sniffImageFormat(r.image.imageData), declaredFormat: declared39794(r.image.imageDataFormat), width: r.image.width, height: r.image.height, encoding: i.encoding });
      }
    }
  }
  return out;
}

/** The CBEFF header ICAO 9303-10 Table 36 prescribes for a face in the given encoding. */
export function faceHeader(encoding: 'ISO19794-5' | 'ISO39794-5'): BiometricHeader {
  return {
    headerVersion: 0x0101,
    biometricType: BIOMETRIC_TYPE_FACE,
    biometricSubtype: 0,
    formatOwner: FORMAT_OWNER_JTC1_SC37,
    formatType: encoding === 'ISO19794-5' ? FORMAT_TYPE_FACE_19794 : FORMAT_TYPE_FACE_39794,
  };
}

/**
 * DG2 for one portrait (the passport generator's path): a JPEG or JPEG 2000 file (JP2 or
 * codestream), or PNG for 39794-5. Dimensions come from the image's own header.
 */
export function dg2FromImage(image: Buffer, encoding: 'ISO19794-5' | 'ISO39794-5' = 'ISO19794-5'): Dg2 {
  const format = sniffImageFormat(image);
  const size = imageDimensions(image);
  if (format === 'unknown' || !size) throw new InvalidArgumentError('image', 'a JPEG, JPEG 2000 or PNG file with a readable header', image);
  if (encoding === 'ISO19794-5') {
    if (format === 'PNG') throw new InvalidArgumentError('image', 'JPEG or JPEG 2000 (ISO/IEC 19794-5 has no PNG)', image);
    if (size.width > 0xffff || size.height > 0xffff) throw new InvalidArgumentError('image', 'at most 65535 pixels a side', image);
    const imageDataType = format === 'JPEG' ? IMAGE_DATA_TYPE.JPEG : IMAGE_DATA_TYPE.JPEG2000;
    const record = { faces: [faceImage19794(image, { width: size.width, height: size.height, imageDataType })] };
    return { instances: [{ header: faceHeader(encoding), encoding, record }] };
  }
  const imageDataFormat =
    format === 'JPEG' ? IMAGE_DATA_FORMAT_39794.jpeg : format === 'PNG' ? IMAGE_DATA_FORMAT_39794.png : IMAGE_DATA_FORMAT_39794.jpeg2000Lossy;
  return { instances: [{ header: faceHeader(encoding), encoding, data: faceImageData39794(image, { imageDataFormat, ...size }) }] };
}
