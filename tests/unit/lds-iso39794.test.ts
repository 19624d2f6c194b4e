import t from 'tap';
import { readFileSync } from 'node:fs';
import { encodeFaceImageData39794, parseFaceImageData39794, faceImageData39794, IMAGE_DATA_FORMAT_39794 } from '../../src/mrtd/lds/iso39794-5.js';
import { encode } from '../../src/mrtd/tlv.js';
import { fromHex } from '../../src/util/bytes.js';
import { ParseError } from '../../src/errors.js';

const jp2 = readFileSync(new URL('../fixtures/mrtd/images/face-64x80.jp2', import.meta.url));
const e = encode;
const int = (tag: number, ...bytes: number[]) => e(tag, Buffer.from(bytes));

// Built by hand from the ISO/IEC 39794-5 module (IMPLICIT tags) and the eMRTD application
// profile's Table 2 (A1 wrapper under 7F2E), independently of the encoder under test.
function handBuilt(opts: { fallbackFormat?: boolean; extra?: Buffer[] } = {}): Buffer {
  const format = opts.fallbackFormat ? e(0xa0, e(0xa1, int(0x80, 3))) : e(0xa0, int(0x80, 3)); // jpeg2000Lossy
  const info = e(0xa1, [
    format,
    e(0xa1, int(0x80, 0)), //                    faceImageKind2D mrtd(0)
    e(0xa3, int(0x80, 2)), //                    lossyTransformationAttempts one(2)
    int(0x84, 0x00, 0x96), //                    cameraToSubjectDistance 150 mm
    e(0xa7, [int(0x80, 0x40), int(0x81, 0x50)]), // imageSizeBlock 64 × 80
    e(0xa9, int(0x80, 5)), //                    imageColourSpace greyscale 8 bit
  ]);
  const twoD = e(0xa0, [e(0x80, jp2), info]);
  const rep = e(0x30, [
    int(0x80, 1), //                             representationId
    e(0xa1, e(0xa0, twoD)), //                   imageRepresentation → base → 2D
    e(0xa2, [int(0x80, 0x07, 0xe8), int(0x81, 5), int(0x82, 17)]), // captured 2024-05-17
    e(0xa3, e(0x30, [int(0x80, 0x50)])), //      qualityBlocks (kept raw)
    int(0x85, 9), //                             sessionId
    ...(opts.extra ?? []),
  ]);
  const version = e(0xa0, [int(0x80, 3), int(0x81, 0x07, 0xe3)]); // generation 3, year 2019
  return e(0xa1, e(0x65, [version, e(0xa1, rep)]));
}

t.test('parses a hand-built 39794-5 face data block', async (t) => {
  const d = parseFaceImageData39794(handBuilt());
  t.same(d.version, { generation: 3, year: 2019 });
  t.equal(d.representations.length, 1);
  const r = d.representations[0]!;
  t.equal(r.representationId, 1);
  t.same(r.captureDateTime, { year: 2024, month: 5, day: 17 });
  t.equal(r.sessionId, 9);
  t.same(r.qualityBlocks, fromHex('A305 3003 800150'));
  t.match(r.image, { imageDataFormat: IMAGE_DATA_FORMAT_39794.jpeg2000Lossy, faceImageKind: 0, lossyTransformationAttempts: 2, cameraToSubjectDistance: 150, width: 64, height: 80, imageColourSpace: 5 });
  t.ok(r.image!.imageData.equals(jp2), 'JP2 intact');
  t.ok(encodeFaceImageData39794(d).equals(handBuilt()), 're-encodes to the same bytes');
});

t.test('code choice in its extension-block fallback form; unknown extensions kept', async (t) => {
  const unknown = int(0x8f, 1, 2, 3); // [15]: an extension this version does not know
  const d = parseFaceImageData39794(handBuilt({ fallbackFormat: true, extra: [unknown] }));
  const r = d.representations[0]!;
  t.equal(r.image!.imageDataFormat, 3);
  t.same(r.extensions, [unknown]);
  const again = parseFaceImageData39794(encodeFaceImageData39794(d));
  t.same(again, d, 'value round trip');
});

t.test('a 3D / extension representation is kept raw', async (t) => {
  const threeD = e(0xa1, e(0xa0, e(0xa1, Buffer.from([0x80, 0x01, 0x00]))));
  const bytes = e(0xa1, e(0x65, [e(0xa0, [int(0x80, 3), int(0x81, 0x07, 0xe3)]), e(0xa1, e(0x30, [int(0x80, 2), threeD]))]));
  const d = parseFaceImageData39794(bytes);
  t.equal(d.representations[0]!.image, undefined);
  t.same(d.representations[0]!.imageRepresentationRaw, threeD);
  t.ok(encodeFaceImageData39794(d).equals(bytes));
});

t.test('without the A1 wrapper the block is accepted too', async (t) => {
  const inner = handBuilt().subarray(2 + (handBuilt()[1]! > 0x80 ? handBuilt()[1]! - 0x80 : 0));
  t.equal(parseFaceImageData39794(inner).representations.length, 1);
});

t.test('malformed blocks are ParseErrors', async (t) => {
  const cases: [string, Buffer][] = [
    ['wrong outer tag', e(0xa2, Buffer.alloc(0))],
    ['no version', e(0xa1, e(0x65, [e(0xa1, e(0x30, [int(0x80, 1)]))]))],
    ['no representations', e(0xa1, e(0x65, [e(0xa0, [int(0x80, 3), int(0x81, 7)]), e(0xa1, Buffer.alloc(0))]))],
    ['representation without image', e(0xa1, e(0x65, [e(0xa0, [int(0x80, 3), int(0x81, 7)]), e(0xa1, e(0x30, [int(0x80, 1)]))]))],
    ['negative id', e(0xa1, e(0x65, [e(0xa0, [int(0x80, 0xff), int(0x81, 7)]), e(0xa1, e(0x30, [int(0x80, 1)]))]))],
    ['duplicate field', e(0xa1, e(0x65, [e(0xa0, [int(0x80, 3), int(0x80, 3), int(0x81, 7)])]))],
    ['universal tag among fields', e(0xa1, e(0x65, [e(0x30, Buffer.alloc(0))]))],
    ['image length beyond data', Buffer.concat([handBuilt().subarray(0, 40)])],
  ];
  for (const [name, bytes] of cases) t.throws(() => parseFaceImageData39794(bytes), ParseError, name);
});

t.test('faceImageData39794 helper + encoder round trip', async (t) => {
  const d = faceImageData39794(jp2, { imageDataFormat: IMAGE_DATA_FORMAT_39794.jpeg2000Lossless, width: 64, height: 80 });
  t.same(parseFaceImageData39794(encodeFaceImageData39794(d)), d);
  t.throws(() => encodeFaceImageData39794({ version: d.version, representations: [] }));
});
