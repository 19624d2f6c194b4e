import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseDg2, encodeDg2, faceImages, dg2FromImage, faceHeader, type Dg2 } from '../../src/mrtd/lds/dg2.js';
import { parseFaceRecord19794, encodeFaceRecord19794, faceImage19794 } from '../../src/mrtd/lds/iso19794-5.js';
import { parseBiometricGroup } from '../../src/mrtd/lds/cbeff.js';
import { imageDimensions, sniffImageFormat } from '../../src/mrtd/lds/image-format.js';
import { encode, parseSingle } from '../../src/mrtd/tlv.js';
import { ParseError } from '../../src/errors.js';

const fixture = (p: string): Buffer => readFileSync(new URL(`../fixtures/mrtd/${p}`, import.meta.url));
const genuine = fixture('examples/passports/genuine/DG2');
const jp2 = fixture('images/face-64x80.jp2');
const j2k = fixture('images/face-64x80.j2k');

t.test('genuine DG2: CBEFF header, 19794-5 record, JPEG extracted intact', async (t) => {
  const dg2 = parseDg2(genuine);
  t.equal(dg2.instances.length, 1);
  const i = dg2.instances[0]!;
  // ICAO 9303-10 Table 36 header: version 0101, type 02 (face), subtype 00, owner 0101, type 0008.
  t.same(i.header, { formatOwner: 0x0101, formatType: 0x0008, headerVersion: 0x0101, biometricType: 2, biometricSubtype: 0 });
  t.equal(i.encoding, 'ISO19794-5');
  if (i.encoding !== 'ISO19794-5') return;
  const f = i.record.faces[0]!;
  t.match(f, { gender: 2, eyeColour: 3, hairColour: 4, expression: 1, faceImageType: 1, imageDataType: 0, width: 72, height: 96, imageColourSpace: 1, sourceType: 2 });
  t.equal(f.featurePoints.length, 0);
  // The image is exactly the JPEG inside the file (SOI … EOI), as a view, not a copy.
  const start = genuine.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
  t.ok(f.imageData.equals(genuine.subarray(start)));
  t.equal(f.imageData.buffer, genuine.buffer, 'subarray of the file buffer');
  t.same([...f.imageData.subarray(-2)], [0xff, 0xd9]);
  const [img] = faceImages(dg2);
  t.match(img, { format: 'JPEG', declaredFormat: 'JPEG', width: 72, height: 96, encoding: 'ISO19794-5' });
  t.same(imageDimensions(img!.imageData), { width: 72, height: 96 }, 'JPEG SOF agrees with the record');
});

t.test('genuine DG2 re-encodes byte for byte', async (t) => {
  t.ok(encodeDg2(parseDg2(genuine)).equals(genuine));
});

t.test('image signatures and dimensions: JPEG, JP2, J2K codestream, PNG', async (t) => {
  t.equal(sniffImageFormat(jp2), 'JPEG2000');
  t.same([...jp2.subarray(0, 8)], [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20]);
  t.same(imageDimensions(jp2), { width: 64, height: 80 });
  t.equal(sniffImageFormat(j2k), 'JPEG2000-codestream');
  t.same(imageDimensions(j2k), { width: 64, height: 80 });
  const png = Buffer.concat([Buffer.from('89504E470D0A1A0A0000000D49484452', 'hex'), Buffer.from('000000200000001008020000', 'hex')]);
  t.equal(sniffImageFormat(png), 'PNG');
  t.same(imageDimensions(png), { width: 32, height: 16 });
  t.equal(sniffImageFormat(Buffer.from('hello')), 'unknown');
  t.equal(imageDimensions(Buffer.from('FFD8FFDA0000', 'hex')), undefined, 'scan before frame header');
  t.equal(imageDimensions(jp2.subarray(0, 40)), undefined, 'truncated JP2');
});

t.test('DG2 from a JP2 / J2K / JPEG file, both encodings, images intact', async (t) => {
  const jpeg = faceImages(parseDg2(genuine))[0]!.imageData;
  for (const [image, format] of [[jp2, 'JPEG2000'], [j2k, 'JPEG2000-codestream'], [jpeg, 'JPEG']] as const) {
    for (const encoding of ['ISO19794-5', 'ISO39794-5'] as const) {
      const bytes = encodeDg2(dg2FromImage(image, encoding));
      const back = parseDg2(bytes);
      t.equal(back.instances[0]!.encoding, encoding);
      t.equal(back.instances[0]!.header.formatType, encoding === 'ISO19794-5' ? 0x0008 : 0x002a);
      const [img] = faceImages(back);
      t.ok(img!.imageData.equals(image), `${format} ${encoding} intact`);
      t.equal(img!.format, format);
      t.equal(img!.declaredFormat, format === 'JPEG' ? 'JPEG' : 'JPEG2000');
      t.equal(img!.width, format === 'JPEG' ? 72 : 64);
      t.equal(img!.height, format === 'JPEG' ? 96 : 80);
      if (encoding === 'ISO19794-5') t.ok(bytes.subarray(-image.length).equals(image), 'image ends the 19794 record');
    }
  }
  t.throws(() => dg2FromImage(Buffer.from('not an image')), /JPEG/);
});

t.test('several faces: two instances and two images in one 19794 record', async (t) => {
  const jpeg = faceImages(parseDg2(genuine))[0]!.imageData;
  const rec = { faces: [faceImage19794(jpeg, { width: 72, height: 96, imageDataType: 0 }), faceImage19794(jp2, { width: 64, height: 80, imageDataType: 1, featurePoints: [{ type: 1, majorCode: 12, minorCode: 1, x: 30, y: 40, reserved: 0 }] })] };
  const dg2: Dg2 = {
    instances: [
      { header: faceHeader('ISO19794-5'), encoding: 'ISO19794-5', record: rec },
      dg2FromImage(j2k, 'ISO39794-5').instances[0]!,
    ],
  };
  const back = parseDg2(encodeDg2(dg2));
  t.same(back, dg2, 'round trip');
  const imgs = faceImages(back);
  t.same(imgs.map((i) => i.format), ['JPEG', 'JPEG2000', 'JPEG2000-codestream']);
  const fp = back.instances[0]!.encoding === 'ISO19794-5' ? back.instances[0]!.record.faces[1]!.featurePoints[0] : undefined;
  t.same(fp, { type: 1, majorCode: 12, minorCode: 1, x: 30, y: 40, reserved: 0 });
});

t.test('19794-5 record: every length is checked', async (t) => {
  const rec = encodeFaceRecord19794({ faces: [faceImage19794(jp2, { width: 64, height: 80, imageDataType: 1 })] });
  t.same(parseFaceRecord19794(rec).faces[0]!.imageData, jp2);
  const bad = (mutate: (b: Buffer) => void, what: string): void => {
    const b = Buffer.from(rec);
    mutate(b);
    t.throws(() => parseFaceRecord19794(b), ParseError, what);
  };
  bad((b) => b.write('FAX', 0, 'latin1'), 'magic');
  bad((b) => b.write('030', 4, 'latin1'), 'version 2011 not supported');
  bad((b) => b.writeUInt32BE(b.length + 1, 8), 'record length beyond the data');
  bad((b) => b.writeUInt32BE(10, 8), 'record length shorter than header');
  bad((b) => b.writeUInt16BE(0, 12), 'no faces');
  bad((b) => b.writeUInt16BE(2, 12), 'second face missing');
  bad((b) => b.writeUInt32BE(b.length, 14), 'image length beyond the record');
  bad((b) => b.writeUInt32BE(31, 14), 'block shorter than its headers');
  bad((b) => b.writeUInt16BE(40, 18), 'feature points beyond the block');
  bad((b) => b.writeUInt32BE(b.length - 15, 14), 'bytes left inside the record');
  t.throws(() => parseFaceRecord19794(rec.subarray(0, 10)), ParseError);
});

t.test('CBEFF group: count and structure checked', async (t) => {
  const hdr = encode(0xa1, [encode(0x87, Buffer.from([1, 1])), encode(0x88, Buffer.from([0, 8]))]);
  const bit = encode(0x7f60, [hdr, encode(0x5f2e, Buffer.from('FAC'))]);
  const group = (...parts: Buffer[]) => parseSingle(encode(0x7f61, parts));
  t.equal(parseBiometricGroup(group(encode(0x02, Buffer.from([1])), bit), 'DG2').length, 1);
  t.throws(() => parseBiometricGroup(group(encode(0x02, Buffer.from([2])), bit), 'DG2'), ParseError, 'count mismatch');
  t.throws(() => parseBiometricGroup(group(bit), 'DG2'), ParseError, 'no count');
  t.throws(() => parseBiometricGroup(group(), 'DG2'), ParseError, 'empty');
  const noOwner = encode(0x7f60, [encode(0xa1, [encode(0x81, Buffer.from([2]))]), encode(0x5f2e, Buffer.from('FAC'))]);
  t.throws(() => parseBiometricGroup(group(encode(0x02, Buffer.from([1])), noOwner), 'DG2'), /format owner/);
  const sm = encode(0x7f60, [hdr, encode(0x7d, Buffer.from([0]))]);
  t.throws(() => parseBiometricGroup(group(encode(0x02, Buffer.from([1])), sm), 'DG2'), /7D/);
  t.throws(() => parseDg2(encode(0x75, [encode(0x7f61, [encode(0x02, Buffer.from([1])), bit])])), /ISO\/IEC 19794-5/, 'not a FAC record');
  t.throws(() => parseDg2(encode(0x61, Buffer.alloc(0))), /expected tag 75/);
});

t.test('a 19794-5 record under 7F2E is recognised by its magic', async (t) => {
  const rec = encodeFaceRecord19794({ faces: [faceImage19794(jp2, { width: 64, height: 80, imageDataType: 1 })] });
  const bytes = encode(0x75, encode(0x7f61, [encode(0x02, Buffer.from([1])), encode(0x7f60, [encode(0xa1, [encode(0x87, Buffer.from([1, 1])), encode(0x88, Buffer.from([0, 8]))]), encode(0x7f2e, rec)])]));
  const dg2 = parseDg2(bytes);
  t.equal(dg2.instances[0]!.encoding, 'ISO19794-5');
  t.ok(faceImages(dg2)[0]!.imageData.equals(jp2));
});

t.test('a multi-megabyte DG2 is parsed without copying the image', async (t) => {
  const big = Buffer.alloc(4 * 1024 * 1024, 0x55);
  big.set([0xff, 0xd8, 0xff, 0xe0], 0);
  const bytes = encodeDg2(dg2FromImageFallback(big));
  const img = faceImages(parseDg2(bytes))[0]!.imageData;
  t.equal(img.length, big.length);
  t.equal(img.buffer, bytes.buffer);
  t.equal(img.byteOffset, bytes.length - big.length);
});

function dg2FromImageFallback(image: Buffer): Dg2 {
  return { instances: [{ header: faceHeader('ISO19794-5'), encoding: 'ISO19794-5', record: { faces: [faceImage19794(image, { width: 600, height: 800, imageDataType: 0 })] } }] };
}
