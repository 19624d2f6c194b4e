// Decoding DG2's face image (src/face/chip-photo.ts, over src/face/photo-decode.ts): JPEG, JP2 and bare J2K codestreams
// (colour and grey) generated in the test with OpenCV, the virtual passport generator's DG2 in
// both encodings, the example passport's DG2, and bad input — an unsupported declared type,
// truncated and corrupt data, a forged 50-megapixel header refused before decoding, JPEG 2000
// headers that disagree or would make the decoder allocate without bound — each a typed
// FaceImageError (also for photo files); mutated images give a photo or a ParseError, never anything else.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import t from 'tap';
import { isParseError, ParseError } from '../../src/errors.js';
import { fromMat, toMat, type Image } from '../../src/document/image.js';
import { CHIP_PHOTO_MAX_PIXELS, decodeChipPhoto, decodeDg2Photo, decodeDg2Photos } from '../../src/face/chip-photo.js';
import { decodePhoto, FaceImageError, type FaceImageFault } from '../../src/face/photo-decode.js';
import { dg2FromImage, encodeDg2, faceHeader, faceImages, parseDg2, type FaceImage } from '../../src/mrtd/lds/dg2.js';
import { faceImage19794 } from '../../src/mrtd/lds/iso19794-5.js';
import { faceImageData39794, IMAGE_DATA_FORMAT_39794 } from '../../src/mrtd/lds/iso39794-5.js';
import { syntheticPortrait } from '../../src/mrtd/generator/portrait.js';
import { encode as tlv } from '../../src/mrtd/tlv.js';
import { opencv } from '../../src/native/opencv.js';

const cv = opencv();
const fixture = (p: string): Buffer => readFileSync(new URL(`../fixtures/mrtd/${p}`, import.meta.url));

/** A test card: gradients in each channel, so that a decode can be compared pixel-wise. */
function card(channels: 1 | 3, width = 64, height = 80): Image {
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = c === 0 ? x * 3 : c === 1 ? y * 3 : 128;
    }
  }
  return { width, height, channels, data };
}

function encode(ext: '.jpg' | '.jp2' | '.png', img: Image): Buffer {
  const m = toMat(img);
  try {
    return cv.imencode(ext, m);
  } finally {
    m.release();
  }
}

/** The codestream inside a JP2 file's jp2c box (OpenCV writes JP2 only; DG2 may hold either). */
function codestreamOf(jp2: Buffer): Buffer {
  let p = 0;
  while (p + 8 <= jp2.length) {
    const len = jp2.readUInt32BE(p);
    if (jp2.toString('latin1', p + 4, p + 8) === 'jp2c') return jp2.subarray(p + 8, len === 0 ? jp2.length : p + len);
    p += len;
  }
  throw new Error('no jp2c box');
}

/** Mean absolute difference of two images of the same size and channels. */
function meanDiff(a: Image, b: Image): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i]! - b.data[i]!);
  return s / a.data.length;
}

function bgr(grey: Image): Image {
  const m = toMat(grey);
  const c = m.cvtColor(cv.COLOR_GRAY2BGR);
  try {
    return fromMat(c);
  } finally {
    m.release();
    c.release();
  }
}

function face(imageData: Buffer, declaredFormat: FaceImage['declaredFormat'], size?: { width: number; height: number }): FaceImage {
  return { imageData, format: 'unknown', declaredFormat, width: size?.width, height: size?.height, encoding: 'ISO19794-5' };
}

/** How a decode ended, for t.match: a FaceImageError (always a ParseError) with its reason, or not. */
async function outcome(p: Promise<unknown>): Promise<{ error: string; parseError: boolean; reason?: FaceImageFault; message: string }> {
  try {
    await p;
    return { error: 'none', parseError: false, message: '' };
  } catch (e) {
    const parseError = e instanceof ParseError;
    if (e instanceof FaceImageError) return { error: 'FaceImageError', parseError, reason: e.reason, message: e.message };
    return { error: e instanceof Error ? e.name : typeof e, parseError, message: e instanceof Error ? e.message : '' };
  }
}

/** The pattern of a FaceImageError with `reason` (and a message matching `message`). */
const fault = (reason: FaceImageFault, message = /^DG2 face image: /): object => ({ error: 'FaceImageError', parseError: true, reason, message });

t.test('JPEG, JP2 and J2K codestream, colour and grey, decode to BGR', async (t) => {
  const colour = card(3);
  const grey = card(1);
  const cases: [string, Buffer, FaceImage['declaredFormat'], Image, string][] = [
    ['JPEG colour', encode('.jpg', colour), 'JPEG', colour, 'JPEG'],
    ['JPEG grey', encode('.jpg', grey), 'JPEG', bgr(grey), 'JPEG'],
    ['JP2 colour', encode('.jp2', colour), 'JPEG2000', colour, 'JPEG2000'],
    ['JP2 grey', encode('.jp2', grey), 'JPEG2000', bgr(grey), 'JPEG2000'],
    ['J2K colour', codestreamOf(encode('.jp2', colour)), 'JPEG2000', colour, 'JPEG2000-codestream'],
    // One component and no colour box: OpenCV's IMREAD_COLOR path refuses it (see the module).
    ['J2K grey', codestreamOf(encode('.jp2', grey)), 'JPEG2000', bgr(grey), 'JPEG2000-codestream'],
    ['PNG (39794-5)', encode('.png', colour), 'PNG', colour, 'PNG'],
  ];
  for (const [name, bytes, declared, expected, format] of cases) {
    const photo = await decodeChipPhoto(face(bytes, declared, { width: 64, height: 80 }));
    t.equal(photo.format, format, `${name}: format`);
    t.equal(photo.image.channels, 3, `${name}: BGR`);
    t.same([photo.image.width, photo.image.height], [64, 80], `${name}: size`);
    // JPEG at OpenCV's default quality 95 and lossless-by-default OpenJPEG: close to the source.
    t.ok(meanDiff(photo.image, expected) < 3, `${name}: pixels match the source (${meanDiff(photo.image, expected).toFixed(2)})`);
    t.equal(photo.notes.includes('greyscale'), name.includes('grey'), `${name}: greyscale noted when stored grey`);
    t.notOk(photo.notes.includes('declaredFormatDiffers'), `${name}: declared format agrees`);
  }
  // The repository's grey 64 × 80 codestream fixture (made with OpenJPEG's opj_compress).
  const j2k = await decodeChipPhoto(face(fixture('images/face-64x80.j2k'), 'JPEG2000'));
  t.same([j2k.image.width, j2k.image.height, j2k.format], [64, 80, 'JPEG2000-codestream']);
});

t.test("the generator's DG2 (both encodings) and the example passport's DG2", async (t) => {
  const portrait = syntheticPortrait({ seed: 7 });
  for (const encoding of ['ISO19794-5', 'ISO39794-5'] as const) {
    const dg2 = encodeDg2(dg2FromImage(portrait, encoding));
    const photo = await decodeDg2Photo(dg2);
    t.equal(photo.encoding, encoding);
    t.equal(photo.format, 'JPEG');
    t.equal(photo.declaredFormat, 'JPEG');
    t.same([photo.image.width, photo.image.height], [354, 455], 'the generator’s portrait size');
    t.same(photo.notes, []);
    // The plain light background the generator draws (226, 230, 236 RGB) in the corner, as BGR.
    const [b, g, r] = photo.image.data.subarray(0, 3);
    t.ok(Math.abs(b! - 236) < 6 && Math.abs(g! - 230) < 6 && Math.abs(r! - 226) < 6, 'background colour survives');
  }
  const jp2Dg2 = encodeDg2(dg2FromImage(encode('.jp2', card(3)), 'ISO39794-5'));
  t.equal((await decodeDg2Photo(jp2Dg2)).format, 'JPEG2000');
  const example = await decodeDg2Photo(fixture('examples/passports/genuine/DG2'));
  t.same([example.image.width, example.image.height, example.format], [72, 96, 'JPEG']);
});

t.test('several faces in one record decode in file order', async (t) => {
  const a = encode('.jpg', card(3));
  const b = encode('.jp2', card(1, 32, 40));
  const record = { faces: [faceImage19794(a, { width: 64, height: 80, imageDataType: 0 }), faceImage19794(b, { width: 32, height: 40, imageDataType: 1 })] };
  const dg2 = encodeDg2({ instances: [{ header: faceHeader('ISO19794-5'), encoding: 'ISO19794-5', record }] });
  const photos = await decodeDg2Photos(dg2);
  t.same(
    photos.map((p) => [p.format, p.image.width]),
    [
      ['JPEG', 64],
      ['JPEG2000', 32],
    ],
  );
});

t.test('an unsupported declared image type is refused', async (t) => {
  const jpeg = encode('.jpg', card(3));
  // ISO/IEC 19794-5:2005 §5.7.2 defines 0 (JPEG) and 1 (JPEG 2000) only.
  const record = { faces: [faceImage19794(jpeg, { width: 64, height: 80, imageDataType: 2 })] };
  const dg2 = encodeDg2({ instances: [{ header: faceHeader('ISO19794-5'), encoding: 'ISO19794-5', record }] });
  t.match(await outcome(decodeDg2Photo(dg2)), fault('unsupportedType', /DG2 face image: declared image type/));
  // ISO/IEC 39794-5 imageDataFormat unknown (0) and other (1).
  for (const imageDataFormat of [IMAGE_DATA_FORMAT_39794.unknown, IMAGE_DATA_FORMAT_39794.other]) {
    const d = encodeDg2({ instances: [{ header: faceHeader('ISO39794-5'), encoding: 'ISO39794-5', data: faceImageData39794(jpeg, { imageDataFormat }) }] });
    t.match(await outcome(decodeDg2Photo(d)), fault('unsupportedType'));
  }
  // A 39794-5 record whose only representation is not a 2D image (a 3D shape, choice [1]).
  const shapeOnly = encodeDg2({
    instances: [{ header: faceHeader('ISO39794-5'), encoding: 'ISO39794-5', data: { version: { generation: 3, year: 2019 }, representations: [{ representationId: 1, imageRepresentationRaw: tlv(0xa1, [tlv(0xa1, Buffer.alloc(0))]) }] } }],
  });
  t.match(await outcome(decodeDg2Photo(shapeOnly)), fault('noImage'));
  t.match(await outcome(decodeDg2Photos(shapeOnly)), fault('noImage'));
  // A malformed DG2 is the parser's ParseError, passed through.
  await t.rejects(decodeDg2Photo(Buffer.from([0x75, 0x02, 0x01, 0x00])), ParseError);
});

t.test('declared format or dimensions that differ from the bytes are noted, not hidden', async (t) => {
  const photo = await decodeChipPhoto(face(encode('.jp2', card(3)), 'JPEG', { width: 640, height: 480 }));
  t.same([...photo.notes].sort(), ['declaredFormatDiffers', 'dimensionsDiffer']);
  t.equal(photo.image.width, 64, 'the image’s own dimensions are used');
});

t.test('truncated and corrupt images are typed errors', async (t) => {
  const jpeg = encode('.jpg', card(3));
  const jp2 = encode('.jp2', card(3));
  const j2k = codestreamOf(jp2);
  const png = encode('.png', card(3));
  t.match(await outcome(decodeChipPhoto(face(jpeg.subarray(0, Math.floor(jpeg.length * 0.7)), 'JPEG'))), fault('truncated', /EOI/));
  t.match(await outcome(decodeChipPhoto(face(jp2.subarray(0, jp2.length - 40), 'JPEG2000'))), fault('truncated', /JP2 box runs past/));
  t.match(await outcome(decodeChipPhoto(face(j2k.subarray(0, j2k.length - 40), 'JPEG2000'))), fault('truncated'));
  t.match(await outcome(decodeChipPhoto(face(png.subarray(0, png.length - 30), 'PNG'))), fault('truncated'));
  t.match(await outcome(decodeChipPhoto(face(jpeg.subarray(0, 40), 'JPEG'))), fault('corrupt', /header/));
  t.match(await outcome(decodeChipPhoto(face(Buffer.from('not an image at all'), 'JPEG'))), fault('corrupt', /signature/));
  t.match(await outcome(decodeChipPhoto(face(Buffer.alloc(0), 'JPEG'))), fault('corrupt'));
  // A JPEG header followed by garbage up to an EOI: the decoder finds nothing it can use.
  const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  const garbage = Buffer.concat([jpeg.subarray(0, sos), Buffer.from([0xff, 0xc4, 0x00, 0x03, 0xff]), Buffer.from([0xff, 0xd9])]);
  t.match(await outcome(decodeChipPhoto(face(garbage, 'JPEG'))), fault('corrupt'));
});

/** The JPEG's SOFn frame header position (ISO/IEC 10918-1 B.2.2). */
function sofAt(jpeg: Buffer): number {
  return jpeg.indexOf(Buffer.from([0xff, 0xc0]));
}

t.test('a 50-megapixel image is refused from its header, before decoding', async (t) => {
  // 8000 × 6250 = 50 000 000 pixels, written into a real 64 × 80 JPEG's SOF0 and a JP2's ihdr and SIZ.
  const jpeg = Buffer.from(encode('.jpg', card(3)));
  const sof = sofAt(jpeg);
  jpeg.writeUInt16BE(6250, sof + 5);
  jpeg.writeUInt16BE(8000, sof + 7);
  const start = process.hrtime.bigint();
  t.match(await outcome(decodeChipPhoto(face(jpeg, 'JPEG'))), fault('tooLarge', /8000x6250 exceeds 12000000 pixels/));
  t.ok(Number(process.hrtime.bigint() - start) / 1e6 < 50, 'refused without decoding');
  const jp2 = Buffer.from(encode('.jp2', card(3)));
  const ihdr = jp2.indexOf('ihdr') + 4;
  const siz = jp2.indexOf(Buffer.from([0xff, 0x4f, 0xff, 0x51]));
  jp2.writeUInt32BE(6250, ihdr);
  jp2.writeUInt32BE(8000, ihdr + 4);
  jp2.writeUInt32BE(8000, siz + 8);
  jp2.writeUInt32BE(6250, siz + 12);
  t.match(await outcome(decodeChipPhoto(face(jp2, 'JPEG2000'))), fault('tooLarge'));
  // A caller may set a lower limit; the default is stated.
  t.match(await outcome(decodeChipPhoto(face(encode('.jpg', card(3)), 'JPEG'), { maxPixels: 1000 })), fault('tooLarge'));
  t.equal(CHIP_PHOTO_MAX_PIXELS, 12_000_000);
});

t.test('JPEG 2000 headers that disagree or ask for unbounded work are refused', async (t) => {
  const jp2 = encode('.jp2', card(3));
  const siz = jp2.indexOf(Buffer.from([0xff, 0x4f, 0xff, 0x51]));
  // ihdr says 64 × 80, the codestream 4000 × 3000: the decoder would allocate by the codestream.
  const liar = Buffer.from(jp2);
  liar.writeUInt32BE(4000, siz + 8);
  liar.writeUInt32BE(3000, siz + 12);
  t.match(await outcome(decodeChipPhoto(face(liar, 'JPEG2000'))), fault('corrupt', /different dimensions/));
  const j2k = Buffer.from(codestreamOf(jp2));
  const many = Buffer.from(j2k);
  many.writeUInt16BE(300, 40); // Csiz
  t.match(await outcome(decodeChipPhoto(face(many, 'JPEG2000'))), fault('corrupt', /components/));
  // One-pixel tiles over 320 × 240: 76 800 tiles, more than a codestream can index (Isot is 16 bits).
  const tiles = Buffer.from(codestreamOf(encode('.jp2', card(3, 320, 240))));
  tiles.writeUInt32BE(1, 24); // XTsiz
  tiles.writeUInt32BE(1, 28); // YTsiz
  t.match(await outcome(decodeChipPhoto(face(tiles, 'JPEG2000'))), fault('corrupt', /tile/));
});

t.test('mutated images give a photo or a ParseError, never anything else', async (t) => {
  // Small images (OpenJPEG's default five resolution levels need at least 32 × 32).
  const bases = [encode('.jpg', card(3, 32, 40)), encode('.jp2', card(3, 32, 40)), codestreamOf(encode('.jp2', card(1, 32, 40)))];
  for (const base of bases) {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'truncate', 'delete')),
        async ([i, v, op]) => {
          const b = op === 'truncate' ? base.subarray(0, i) : op === 'delete' ? Buffer.concat([base.subarray(0, i), base.subarray(i + 1)]) : Buffer.from(base);
          if (op === 'set') b[i] = v;
          try {
            const p = await decodeChipPhoto(face(b, 'JPEG2000'));
            return p.image.channels === 3 && p.image.data.length === p.image.width * p.image.height * 3;
          } catch (e) {
            return isParseError(e);
          }
        },
      ),
      { numRuns: 120 },
    );
  }
  t.pass('all mutations gave a photo or a ParseError');
  const dg2 = faceImages(parseDg2(encodeDg2(dg2FromImage(syntheticPortrait()))));
  t.equal(dg2.length, 1);
});

t.test('photo files: the same checks, named after the input, with the engine-wide pixel limit', async (t) => {
  const photo = await decodePhoto(encode('.png', card(1)), { what: 'probe image' });
  t.same([photo.format, photo.greyscale, photo.image.channels], ['PNG', true, 3]);
  const jpeg = Buffer.from(encode('.jpg', card(3)));
  const sof = sofAt(jpeg);
  jpeg.writeUInt16BE(6250, sof + 5);
  jpeg.writeUInt16BE(8000, sof + 7);
  // 50 megapixels is over MAX_PIXELS (40 000 000, src/document/image.ts), the default for files.
  t.match(await outcome(decodePhoto(jpeg, { what: 'probe image' })), { error: 'FaceImageError', reason: 'tooLarge', message: /^probe image: 8000x6250 exceeds 40000000 pixels/ });
  const bmp = Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]);
  t.match(await outcome(decodePhoto(bmp)), { reason: 'corrupt', message: /^face image: no JPEG, JPEG 2000 or PNG signature/ });
  await t.rejects(decodePhoto(jpeg, { maxPixels: 0 }), FaceImageError);
});
