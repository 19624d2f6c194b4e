// ISO/IEC 39794-5:2019 face image data, the extensible DER format of DG2 under 7F2E (ICAO
// 9303-10 8th edition §4.7.2; "ISO/IEC 39794-5 Application Profile for eMRTDs" Table 2).
// The module uses IMPLICIT tags, so [n] on a SEQUENCE is A0+n and on an INTEGER 80+n; a
// CHOICE keeps its own tag inside an explicit [n]. Under 7F2E:
//
//   A1 {                                         -- profile wrapper
//     65 {                                       -- FaceImageDataBlock ::= [APPLICATION 5] SEQUENCE
//       A0 { 80 generation, 81 year }            -- versionBlock
//       A1 { 30 RepresentationBlock, ... } } }   -- representationBlocks
//   RepresentationBlock ::= SEQUENCE {
//     [0] representationId INTEGER, [1] imageRepresentation (CHOICE base [0] (CHOICE 2D [0] |
//     3D [1]) | extensionBlock [1]), [2] captureDateTimeBlock, [3] qualityBlocks, [4]
//     padDataBlock, [5] sessionId, [6] derivedFrom, [7] captureDeviceBlock, [8]
//     identityMetadataBlock, [9] landmarkBlocks, ... }
//   ImageRepresentation2DBlock ::= SEQUENCE { [0] representationData2D OCTET STRING,
//     [1] imageInformation2DBlock, [2] captureDevice2DBlock OPTIONAL, ... }
//   ImageInformation2DBlock ::= SEQUENCE { [0] imageDataFormat, [1] faceImageKind2D,
//     [2] postAcquisitionProcessingBlock, [3] lossyTransformationAttempts,
//     [4] cameraToSubjectDistance, [5] sensorDiagonal, [6] lensFocalLength,
//     [7] imageSizeBlock { [0] width, [1] height }, [8] imageFaceMeasurementsBlock,
//     [9] imageColourSpace, [10] referenceColourMappingBlock, ... }
//   Code choices: CHOICE { code [0] ENUMERATED, extensionBlock [1] SEQUENCE { fallback [0] ... } }.
//
// The image and its description are typed; the blocks a kiosk does not act on (quality,
// PAD, capture device, identity metadata, landmarks, ...) are kept as their raw DER so they
// survive a round trip. Unknown extension elements are kept too.
import { InvalidArgumentError, ParseError } from '../../errors.js';
import { children, encode, parseSingle, tagHex, type Tlv } from '../tlv.js';
import { asBuffer } from './common.js';

/** ImageDataFormatCode. 0–4 as in JMRTD's reading of the module; 5 png as in the published module. */
export const IMAGE_DATA_FORMAT_39794 = { unknown: 0, other: 1, jpeg: 2, jpeg2000Lossy: 3, jpeg2000Lossless: 4, png: 5 } as const;
/** FaceImageKind2D: mrtd(0), generalPurpose(1). */
export const FACE_IMAGE_KIND_39794 = { mrtd: 0, generalPurpose: 1 } as const;

export interface Version39794 {
  readonly generation: number;
  readonly year: number;
}

export interface DateTime39794 {
  readonly year: number;
  readonly month?: number;
  readonly day?: number;
  readonly hour?: number;
  readonly minute?: number;
  readonly second?: number;
  readonly millisecond?: number;
}

export interface Image2D39794 {
  /** The image, byte for byte (a subarray of the input when parsed). */
  readonly imageData: Buffer;
  readonly imageDataFormat: number;
  readonly faceImageKind?: number;
  readonly lossyTransformationAttempts?: number;
  readonly cameraToSubjectDistance?: number;
  readonly sensorDiagonal?: number;
  readonly lensFocalLength?: number;
  readonly width?: number;
  readonly height?: number;
  readonly imageColourSpace?: number;
  /** Raw DER of the untyped optional blocks, by field name. */
  readonly postAcquisitionProcessing?: Buffer;
  readonly imageFaceMeasurements?: Buffer;
  readonly referenceColourMapping?: Buffer;
  readonly captureDevice2D?: Buffer;
  /** Elements with tags this version does not know, raw (extension markers of the module). */
  readonly extensions?: readonly Buffer[];
}

export interface Representation39794 {
  readonly representationId: number;
  /** The 2D image; undefined when the representation is a 3D shape or an extension (see `imageRepresentationRaw`). */
  readonly image?: Image2D39794;
  /** The imageRepresentation element raw, when it is not a 2D image. */
  readonly imageRepresentationRaw?: Buffer;
  readonly captureDateTime?: DateTime39794;
  readonly sessionId?: number;
  readonly derivedFrom?: number;
  readonly qualityBlocks?: Buffer;
  readonly padDataBlock?: Buffer;
  readonly captureDeviceBlock?: Buffer;
  readonly identityMetadataBlock?: Buffer;
  readonly landmarkBlocks?: Buffer;
  readonly extensions?: readonly Buffer[];
}

export interface FaceImageData39794 {
  readonly version: Version39794;
  readonly representations: readonly Representation39794[];
  readonly extensions?: readonly Buffer[];
}

const WHAT = 'ISO/IEC 39794-5 face data';
const MAX_REPRESENTATIONS = 32;

/** Context-specific elements by tag number; unknown numbers collected raw. */
function fields(list: readonly Tlv[], known: number, what: string): { get: (n: number) => Tlv | undefined; extensions: Buffer[] } {
  const map = new Map<number, Tlv>();
  const extensions: Buffer[] = [];
  for (const t of list) {
    if ((t.tag & 0xc0) !== 0x80 || t.tag > 0xff) {
      throw new ParseError(what, `unexpected tag ${tagHex(t.tag)} where context-specific fields belong`);
    }
    const n = t.tag & 0x1f;
    if (n === 0x1f || n >= known) {
      extensions.push(t.raw);
      continue;
    }
    if (map.has(n)) throw new ParseError(what, `field [${n}] twice`);
    map.set(n, t);
  }
  return { get: (n) => map.get(n), extensions };
}

function int(t: Tlv, what: string): number {
  if (t.constructed) throw new ParseError(what, `integer field ${tagHex(t.tag)} is constructed`);
  const v = t.value;
  if (v.length < 1 || v.length > 6) throw new ParseError(what, `integer field ${tagHex(t.tag)} of ${v.length} bytes`);
  if ((v[0]! & 0x80) !== 0) throw new ParseError(what, `negative integer in field ${tagHex(t.tag)}`);
  return v.readUIntBE(0, v.length);
}

function need(t: Tlv | undefined, what: string, name: string): Tlv {
  if (!t) throw new ParseError(what, `missing ${name}`);
  return t;
}

function constructed(t: Tlv, what: string): Tlv[] {
  return children(t, what);
}

/** A code CHOICE: [0] code, or [1] extension block whose [0] is the fallback code. */
function code(t: Tlv, what: string): number {
  const inner = constructed(t, what);
  const c = inner[0];
  if (inner.length !== 1 || !c) throw new ParseError(what, `code choice ${tagHex(t.tag)} holds ${inner.length} elements`);
  if (c.tag === 0x80) return int(c, what);
  if (c.tag === 0xa1) return int(need(fields(constructed(c, what), 1, what).get(0), what, 'fallback code'), what);
  throw new ParseError(what, `code choice with tag ${tagHex(c.tag)}`);
}

function optInt(t: Tlv | undefined, what: string): number | undefined {
  return t ? int(t, what) : undefined;
}

function parseDateTime(t: Tlv, what: string): DateTime39794 {
  const f = fields(constructed(t, what), 7, what);
  const names = ['month', 'day', 'hour', 'minute', 'second', 'millisecond'] as const;
  const out: Record<string, number> = { year: int(need(f.get(0), what, 'year'), what) };
  names.forEach((name, i) => {
    const v = f.get(i + 1);
    if (v) out[name] = int(v, what);
  });
  return out as unknown as DateTime39794;
}

function parseImage2D(t: Tlv, what: string): Image2D39794 {
  const f = fields(constructed(t, what), 3, what);
  const data = need(f.get(0), what, 'representationData2D');
  if (data.constructed) throw new ParseError(what, 'representationData2D is constructed');
  const info = fields(constructed(need(f.get(1), what, 'imageInformation2DBlock'), what), 11, what);
  const size = info.get(7);
  const sizeFields = size ? fields(constructed(size, what), 2, what) : undefined;
  const out: Record<string, unknown> = {
    imageData: data.value,
    imageDataFormat: code(need(info.get(0), what, 'imageDataFormat'), what),
  };
  const set = (k: string, v: unknown): void => {
    if (v !== undefined) out[k] = v;
  };
  set('faceImageKind', info.get(1) && code(info.get(1)!, what));
  set('lossyTransformationAttempts', info.get(3) && code(info.get(3)!, what));
  set('cameraToSubjectDistance', optInt(info.get(4), what));
  set('sensorDiagonal', optInt(info.get(5), what));
  set('lensFocalLength', optInt(info.get(6), what));
  if (sizeFields) {
    out.width = int(need(sizeFields.get(0), what, 'width'), what);
    out.height = int(need(sizeFields.get(1), what, 'height'), what);
  }
  set('imageColourSpace', info.get(9) && code(info.get(9)!, what));
  set('postAcquisitionProcessing', info.get(2)?.raw);
  set('imageFaceMeasurements', info.get(8)?.raw);
  set('referenceColourMapping', info.get(10)?.raw);
  set('captureDevice2D', f.get(2)?.raw);
  const ext = [...f.extensions, ...info.extensions];
  if (ext.length) out.extensions = ext;
  return out as unknown as Image2D39794;
}

function parseRepresentation(t: Tlv, what: string): Representation39794 {
  const f = fields(constructed(t, what), 10, what);
  const rep = need(f.get(1), what, 'imageRepresentation');
  // imageRepresentation [1] { base [0] { imageRepresentation2DBlock [0] ... } }
  const choice = constructed(rep, what);
  const base = choice.length === 1 && choice[0]!.tag === 0xa0 ? constructed(choice[0]!, what) : undefined;
  const twoD = base?.length === 1 && base[0]!.tag === 0xa0 ? base[0] : undefined;
  const out: Record<string, unknown> = { representationId: int(need(f.get(0), what, 'representationId'), what) };
  if (twoD) out.image = parseImage2D(twoD, what);
  else out.imageRepresentationRaw = rep.raw;
  const set = (k: string, v: unknown): void => {
    if (v !== undefined) out[k] = v;
  };
  set('captureDateTime', f.get(2) && parseDateTime(f.get(2)!, what));
  set('qualityBlocks', f.get(3)?.raw);
  set('padDataBlock', f.get(4)?.raw);
  set('sessionId', optInt(f.get(5), what));
  set('derivedFrom', optInt(f.get(6), what));
  set('captureDeviceBlock', f.get(7)?.raw);
  set('identityMetadataBlock', f.get(8)?.raw);
  set('landmarkBlocks', f.get(9)?.raw);
  if (f.extensions.length) out.extensions = f.extensions;
  return out as unknown as Representation39794;
}

/** Parses the value of a 7F2E data block. */
export function parseFaceImageData39794(bytes: Uint8Array): FaceImageData39794 {
  let top = parseSingle(asBuffer(bytes), WHAT);
  if (top.tag === 0xa1) {
    const inner = constructed(top, WHAT);
    if (inner.length !== 1) throw new ParseError(WHAT, `profile wrapper A1 holds ${inner.length} elements`);
    top = inner[0]!;
  }
  if (top.tag !== 0x65) throw new ParseError(WHAT, `expected FaceImageDataBlock [APPLICATION 5] (65), found ${tagHex(top.tag)}`);
  const f = fields(constructed(top, WHAT), 2, WHAT);
  const v = fields(constructed(need(f.get(0), WHAT, 'versionBlock'), WHAT), 2, WHAT);
  const version = { generation: int(need(v.get(0), WHAT, 'generation'), WHAT), year: int(need(v.get(1), WHAT, 'year'), WHAT) };
  const reps = constructed(need(f.get(1), WHAT, 'representationBlocks'), WHAT);
  if (reps.length === 0) throw new ParseError(WHAT, 'no representation blocks');
  if (reps.length > MAX_REPRESENTATIONS) throw new ParseError(WHAT, `${reps.length} representation blocks`);
  const representations = reps.map((r, i) => {
    if (r.tag !== 0x30) throw new ParseError(WHAT, `representation ${i + 1} has tag ${tagHex(r.tag)}, expected SEQUENCE`);
    return parseRepresentation(r, `${WHAT} representation ${i + 1}`);
  });
  const ext = [...f.extensions, ...v.extensions];
  return ext.length ? { version, representations, extensions: ext } : { version, representations };
}

// ---- encoder ----

function encInt(tag: number, n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`39794 field ${tagHex(tag)}`, 'a non-negative integer', n);
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let b = Buffer.from(hex, 'hex');
  if ((b[0]! & 0x80) !== 0) b = Buffer.concat([Buffer.from([0]), b]);
  return encode(tag, b);
}

const encCode = (tag: number, n: number): Buffer => encode(tag, encInt(0x80, n));

function encDateTime(d: DateTime39794): Buffer {
  const parts = [encInt(0x80, d.year)];
  const rest = [d.month, d.day, d.hour, d.minute, d.second, d.millisecond];
  rest.forEach((v, i) => {
    if (v !== undefined) parts.push(encInt(0x81 + i, v));
  });
  return encode(0xa2, parts);
}

function encImage2D(m: Image2D39794): Buffer {
  const info: Buffer[] = [encCode(0xa0, m.imageDataFormat)];
  if (m.faceImageKind !== undefined) info.push(encCode(0xa1, m.faceImageKind));
  if (m.postAcquisitionProcessing) info.push(m.postAcquisitionProcessing);
  if (m.lossyTransformationAttempts !== undefined) info.push(encCode(0xa3, m.lossyTransformationAttempts));
  if (m.cameraToSubjectDistance !== undefined) info.push(encInt(0x84, m.cameraToSubjectDistance));
  if (m.sensorDiagonal !== undefined) info.push(encInt(0x85, m.sensorDiagonal));
  if (m.lensFocalLength !== undefined) info.push(encInt(0x86, m.lensFocalLength));
  if (m.width !== undefined && m.height !== undefined) info.push(encode(0xa7, [encInt(0x80, m.width), encInt(0x81, m.height)]));
  if (m.imageFaceMeasurements) info.push(m.imageFaceMeasurements);
  if (m.imageColourSpace !== undefined) info.push(encCode(0xa9, m.imageColourSpace));
  if (m.referenceColourMapping) info.push(m.referenceColourMapping);
  const block = [encode(0x80, m.imageData), encode(0xa1, info)];
  if (m.captureDevice2D) block.push(m.captureDevice2D);
  block.push(...(m.extensions ?? []));
  // imageRepresentation [1] → base [0] → imageRepresentation2DBlock [0]
  return encode(0xa1, encode(0xa0, encode(0xa0, block)));
}

function encRepresentation(r: Representation39794): Buffer {
  const parts = [encInt(0x80, r.representationId)];
  if (r.image) parts.push(encImage2D(r.image));
  else if (r.imageRepresentationRaw) parts.push(r.imageRepresentationRaw);
  else throw new InvalidArgumentError('representation', 'an image or a raw image representation', r);
  if (r.captureDateTime) parts.push(encDateTime(r.captureDateTime));
  if (r.qualityBlocks) parts.push(r.qualityBlocks);
  if (r.padDataBlock) parts.push(r.padDataBlock);
  if (r.sessionId !== undefined) parts.push(encInt(0x85, r.sessionId));
  if (r.derivedFrom !== undefined) parts.push(encInt(0x86, r.derivedFrom));
  for (const b of [r.captureDeviceBlock, r.identityMetadataBlock, r.landmarkBlocks]) if (b) parts.push(b);
  parts.push(...(r.extensions ?? []));
  return encode(0x30, parts);
}

/** Encodes the value of a 7F2E data block (profile wrapper A1 included). */
export function encodeFaceImageData39794(d: FaceImageData39794): Buffer {
  if (d.representations.length === 0) throw new InvalidArgumentError('representations', 'at least one', 0);
  const version = encode(0xa0, [encInt(0x80, d.version.generation), encInt(0x81, d.version.year)]);
  const body = [version, encode(0xa1, d.representations.map(encRepresentation)), ...(d.extensions ?? [])];
  return encode(0xa1, encode(0x65, body));
}

/** One JPEG / JPEG 2000 / PNG portrait as 39794-5 data (version 3/2019, ICAO kind "mrtd"). */
export function faceImageData39794(imageData: Buffer, opts: { imageDataFormat: number; width?: number; height?: number }): FaceImageData39794 {
  const size = opts.width !== undefined && opts.height !== undefined ? { width: opts.width, height: opts.height } : {};
  return {
    version: { generation: 3, year: 2019 },
    representations: [{ representationId: 1, image: { imageData, imageDataFormat: opts.imageDataFormat, faceImageKind: FACE_IMAGE_KIND_39794.mrtd, ...size } }],
  };
}
