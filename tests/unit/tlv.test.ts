import t from 'tap';
import fc from 'fast-check';
import { encode, parseAll, parseSingle, readHeader, readTlv, children } from '../../src/mrtd/tlv.js';
import { ParseError, isParseError } from '../../src/errors.js';
import { fromHex } from '../../src/util/bytes.js';

t.test('reads multi-byte tags and long-form lengths', async (t) => {
  // DG1 header as in ICAO 9303-10: 61 5B 5F1F 58 ...
  const mrz = Buffer.alloc(88, 0x3c);
  const dg1 = encode(0x61, encode(0x5f1f, mrz));
  const top = parseSingle(dg1, 'DG1');
  t.equal(top.tag, 0x61);
  t.equal(top.headerLength, 2);
  const [inner] = children(top);
  t.equal(inner?.tag, 0x5f1f);
  t.equal(inner?.value.length, 88);
  const big = encode(0x75, Buffer.alloc(300));
  t.same([...big.subarray(0, 4)], [0x75, 0x82, 0x01, 0x2c]);
  t.equal(readHeader(big, 0).length, 300);
});

t.test('indefinite length: children up to end-of-contents', async (t) => {
  const b = fromHex('7F61 80 02 01 01 5F 2E 02 AA BB 00 00');
  const x = readTlv(b);
  t.ok(x.indefinite);
  t.equal(x.raw.length, b.length);
  t.same(children(x).map((c) => c.tag), [0x02, 0x5f2e]);
});

t.test('hostile lengths and truncations give ParseErrors', async (t) => {
  for (const hex of ['30', '3005', '3084FFFFFFFF00', '1F', '1F81', '308500000000010203040506', '0480', '3080', '00', 'FF00']) {
    t.throws(() => parseAll(fromHex(hex)), ParseError, hex);
  }
  t.same(parseAll(Buffer.alloc(0)), [], 'no bytes, no elements');
});

t.test('property: encode → parse round trip; random bytes never crash', async (t) => {
  fc.assert(
    fc.property(fc.constantFrom(0x04, 0x5f1f, 0x7f49, 0x86, 0x9f1f), fc.uint8Array({ maxLength: 600 }), (tag, v) => {
      const e = encode(tag, v);
      const p = parseSingle(e);
      return p.tag === tag && Buffer.compare(p.value, Buffer.from(v)) === 0;
    }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        parseAll(Buffer.from(bytes));
      } catch (e) {
        if (!isParseError(e)) throw e;
      }
    }),
  );
  t.pass('properties held');
});
