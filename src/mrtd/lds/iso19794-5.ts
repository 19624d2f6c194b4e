// ISO/IEC 19794-5:2005 facial records, the face format of DG2 under 5F2E (ICAO 9303-10
// §4.7.2.2). Layout, big-endian:
//   facial record header (14): 'FAC\0', version '010\0', record length (4), number of faces (2)
//   per face: facial information (20): block length (4), feature points (2), gender, eye
//     colour, hair colour (1 each), feature mask (3), expression (2), pose yaw/pitch/roll (3),
//     pose uncertainty (3); feature points (8 each: type, major<<4|minor, x (2), y (2),
//     reserved (2)); image information (12): face image type, image data type (1 each),
//     width, height (2 each), colour space, source type (1 each), device type, quality (2 each);
//     image data.
// The image bytes are returned as a subarray: a multi-megabyte DG2 is never copied.
import { InvalidArgumentError, ParseError } from '../../errors.js';
import { asBuffer } from './common.js';

export const FAC_MAGIC = Buffer.from('FAC\0', 'latin1');
export const FAC_VERSION_2005 = Buffer.from('010\0', 'latin1');

/** Image data type (ISO/IEC 19794-5:2005 §5.7.2). */
export const IMAGE_DATA_TYPE = { JPEG: 0, JPEG2000: 1 } as const;
/** Face image type (§5.7.1): 0 basic, 1 full frontal, 2 token frontal. */
export const FACE_IMAGE_TYPE = { BASIC: 0, FULL_FRONTAL: 1, TOKEN_FRONTAL: 2 } as const;
/** Gender (§5.5.3): 0 unspecified, 1 male, 2 female, 0xFF unknown. */
export const GENDER = { UNSPECIFIED: 0, MALE: 1, FEMALE: 2, UNKNOWN: 0xff } as const;

export interface FeaturePoint {
  /** 1: 2D MPEG-4 feature point. */
  readonly type: number;
  readonly majorCode: number;
  readonly minorCode: number;
  readonly x: number;
  readonly y: number;
  readonly reserved: number;
}

export interface PoseAngle {
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
}

export interface FaceImage19794 {
  readonly gender: number;
  readonly eyeColour: number;
  readonly hairColour: number;
  /** 24-bit property mask (glasses, moustache, ...). */
  readonly featureMask: number;
  readonly expression: number;
  /** Encoded pose angles (0 unspecified; 1–181 map to −180…+180 in steps of 2 degrees). */
  readonly poseAngle: PoseAngle;
  readonly poseAngleUncertainty: PoseAngle;
  readonly featurePoints: readonly FeaturePoint[];
  readonly faceImageType: number;
  /** 0 JPEG, 1 JPEG 2000. */
  readonly imageDataType: number;
  readonly width: number;
  readonly height: number;
  readonly imageColourSpace: number;
  readonly sourceType: number;
  readonly deviceType: number;
  readonly quality: number;
  /** The image, byte for byte (a subarray of the input when parsed). */
  readonly imageData: Buffer;
}

export interface FaceRecord19794 {
  readonly faces: readonly FaceImage19794[];
}

const WHAT = 'ISO/IEC 19794-5 record';
const HEADER = 14;
const INFO = 20;
const POINT = 8;
const IMAGE_INFO = 12;
const MAX_FACES = 32;
const MAX_POINTS = 1024;

export function parseFaceRecord19794(bytes: Uint8Array): FaceRecord19794 {
  const b = asBuffer(bytes);
  if (b.length < HEADER) throw new ParseError(WHAT, `${b.length} bytes, shorter than the record header`);
  if (!b.subarray(0, 4).equals(FAC_MAGIC)) throw new ParseError(WHAT, "format identifier is not 'FAC'", 0);
  if (!b.subarray(4, 8).equals(FAC_VERSION_2005)) throw new ParseError(WHAT, "version is not '010' (ISO/IEC 19794-5:2005)", 4);
  const recordLength = b.readUInt32BE(8);
  if (recordLength > b.length) throw new ParseError(WHAT, `record length ${recordLength} exceeds the ${b.length} bytes present`, 8);
  if (recordLength < HEADER) throw new ParseError(WHAT, `record length ${recordLength} shorter than its header`, 8);
  const count = b.readUInt16BE(12);
  if (count === 0 || count > MAX_FACES) throw new ParseError(WHAT, `${count} facial images`, 12);
  const faces: FaceImage19794[] = [];
  let p = HEADER;
  for (let i = 0; i < count; i++) {
    if (p + INFO > recordLength) throw new ParseError(WHAT, `facial information of image ${i + 1} truncated`, p);
    const blockLength = b.readUInt32BE(p);
    const points = b.readUInt16BE(p + 4);
    if (points > MAX_POINTS) throw new ParseError(WHAT, `${points} feature points`, p + 4);
    const fixed = INFO + points * POINT + IMAGE_INFO;
    if (blockLength < fixed) throw new ParseError(WHAT, `block length ${blockLength} shorter than its headers (${fixed})`, p);
    if (p + blockLength > recordLength) throw new ParseError(WHAT, `image ${i + 1}: length ${blockLength} runs past the record`, p);
    const featurePoints: FeaturePoint[] = [];
    let q = p + INFO;
    for (let k = 0; k < points; k++, q += POINT) {
      featurePoints.push({
        type: b[q]!,
        majorCode: b[q + 1]! >> 4,
        minorCode: b[q + 1]! & 0x0f,
        x: b.readUInt16BE(q + 2),
        y: b.readUInt16BE(q + 4),
        reserved: b.readUInt16BE(q + 6),
      });
    }
    faces.push({
      gender: b[p + 6]!,
      eyeColour: b[p + 7]!,
      hairColour: b[p + 8]!,
      featureMask: b.readUIntBE(p + 9, 3),
      expression: b.readUInt16BE(p + 12),
      poseAngle: { yaw: b[p + 14]!, pitch: b[p + 15]!, roll: b[p + 16]! },
      poseAngleUncertainty: { yaw: b[p + 17]!, pitch: b[p + 18]!, roll: b[p + 19]! },
      featurePoints,
      faceImageType: b[q]!,
      imageDataType: b[q + 1]!,
      width: b.readUInt16BE(q + 2),
      height: b.readUInt16BE(q + 4),
      imageColourSpace: b[q + 6]!,
      sourceType: b[q + 7]!,
      deviceType: b.readUInt16BE(q + 8),
      quality: b.readUInt16BE(q + 10),
      imageData: b.subarray(q + IMAGE_INFO, p + blockLength),
    });
    p += blockLength;
  }
  if (p !== recordLength) throw new ParseError(WHAT, `${recordLength - p} bytes after the last facial image inside the record`, p);
  return { faces };
}

function u(name: string, v: number, bits: number): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new InvalidArgumentError(name, `an unsigned ${bits}-bit integer`, v);
  return v;
}

/** Encodes a 19794-5:2005 record with the given faces (lengths computed). */
export function encodeFaceRecord19794(record: FaceRecord19794): Buffer {
  if (record.faces.length === 0 || record.faces.length > MAX_FACES) throw new InvalidArgumentError('faces', `1 to ${MAX_FACES} faces`, record.faces.length);
  const blocks = record.faces.map((f) => {
    const head = Buffer.alloc(INFO + f.featurePoints.length * POINT + IMAGE_INFO);
    head.writeUInt32BE(u('block length', head.length + f.imageData.length, 32), 0);
    head.writeUInt16BE(u('feature points', f.featurePoints.length, 16), 4);
    head[6] = u('gender', f.gender, 8);
    head[7] = u('eyeColour', f.eyeColour, 8);
    head[8] = u('hairColour', f.hairColour, 8);
    head.writeUIntBE(u('featureMask', f.featureMask, 24), 9, 3);
    head.writeUInt16BE(u('expression', f.expression, 16), 12);
    const angles = [f.poseAngle.yaw, f.poseAngle.pitch, f.poseAngle.roll, f.poseAngleUncertainty.yaw, f.poseAngleUncertainty.pitch, f.poseAngleUncertainty.roll];
    angles.forEach((a, i) => (head[14 + i] = u('pose angle', a, 8)));
    let q = INFO;
    for (const fp of f.featurePoints) {
      head[q] = u('feature point type', fp.type, 8);
      head[q + 1] = (u('major code', fp.majorCode, 4) << 4) | u('minor code', fp.minorCode, 4);
      head.writeUInt16BE(u('x', fp.x, 16), q + 2);
      head.writeUInt16BE(u('y', fp.y, 16), q + 4);
      head.writeUInt16BE(u('reserved', fp.reserved, 16), q + 6);
      q += POINT;
    }
    head[q] = u('faceImageType', f.faceImageType, 8);
    head[q + 1] = u('imageDataType', f.imageDataType, 8);
    head.writeUInt16BE(u('width', f.width, 16), q + 2);
    head.writeUInt16BE(u('height', f.height, 16), q + 4);
    head[q + 6] = u('imageColourSpace', f.imageColourSpace, 8);
    head[q + 7] = u('sourceType', f.sourceType, 8);
    head.writeUInt16BE(u('deviceType', f.deviceType, 16), q + 8);
    head.writeUInt16BE(u('quality', f.quality, 16), q + 10);
    return [head, f.imageData];
  });
  const total = HEADER + blocks.reduce((n, [h, d]) => n + h!.length + d!.length, 0);
  const header = Buffer.alloc(HEADER);
  FAC_MAGIC.copy(header, 0);
  FAC_VERSION_2005.copy(header, 4);
  header.writeUInt32BE(u('record length', total, 32), 8);
  header.writeUInt16BE(record.faces.length, 12);
  return Buffer.concat([header, ...blocks.flat()]);
}

/** A face record for one image with ICAO-typical defaults (full frontal, unspecified attributes). */
export function faceImage19794(imageData: Buffer, opts: { width: number; height: number; imageDataType: number } & Partial<FaceImage19794>): FaceImage19794 {
  return {
    gender: 0, eyeColour: 0, hairColour: 0, featureMask: 0, expression: 0,
    poseAngle: { yaw: 0, pitch: 0, roll: 0 }, poseAngleUncertainty: { yaw: 0, pitch: 0, roll: 0 },
    featurePoints: [], faceImageType: FACE_IMAGE_TYPE.FULL_FRONTAL,
    imageColourSpace: 1, sourceType: 2, deviceType: 0, quality: 0,
    ...opts,
    imageData,
  };
}
