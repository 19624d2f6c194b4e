// Images in and out: PNG with the capture resolution recorded (pHYs) and read back; hostile
// PNG headers answer "unknown", never a wrong scale or an exception.
import t from 'tap';
import { decodeImage, encodePng, pngResolutionDpi, type Image } from '../../src/document/image.js';
import { InvalidArgumentError, ParseError } from '../../src/errors.js';

const img: Image = { width: 8, height: 6, channels: 3, data: Buffer.alloc(8 * 6 * 3, 128) };

t.test('a PNG keeps its resolution and still decodes', async (t) => {
  for (const dpi of [150, 300, 400, 600]) {
    const png = encodePng(img, { dpi });
    t.equal(pngResolutionDpi(png), dpi, `${dpi} dpi`);
    const back = decodeImage(png);
    t.same([back.width, back.height], [8, 6]);
  }
  t.equal(pngResolutionDpi(encodePng(img)), undefined, 'no pHYs written unless asked');
  t.throws(() => encodePng(img, { dpi: 0 }), InvalidArgumentError);
  t.throws(() => encodePng(img, { dpi: Number.NaN }), InvalidArgumentError);
});

t.test('hostile or odd headers give undefined', async (t) => {
  const png = encodePng(img, { dpi: 300 });
  t.equal(pngResolutionDpi(Buffer.from('not a png')), undefined);
  t.equal(pngResolutionDpi(png.subarray(0, 20)), undefined, 'truncated');
  const huge = Buffer.from(png);
  huge.writeUInt32BE(0xffffffff, 8); // IHDR claims 4 GB
  t.equal(pngResolutionDpi(huge), undefined, 'a chunk longer than the file');
  const aspectOnly = Buffer.from(png);
  aspectOnly[33 + 16] = 0; // pHYs unit: unknown (aspect ratio only)
  t.equal(pngResolutionDpi(aspectOnly), undefined);
  const anisotropic = Buffer.from(png);
  anisotropic.writeUInt32BE(1000, 33 + 12);
  t.equal(pngResolutionDpi(anisotropic), undefined, 'different x and y scales');
  t.throws(() => decodeImage(Buffer.alloc(0)), ParseError);
});
