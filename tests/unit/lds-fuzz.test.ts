import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { isParseError } from '../../src/errors.js';
import { parseEfCom } from '../../src/mrtd/lds/com.js';
import { parseDg1 } from '../../src/mrtd/lds/dg1.js';
import { parseDg2, encodeDg2, dg2FromImage } from '../../src/mrtd/lds/dg2.js';
import { parseFaceRecord19794 } from '../../src/mrtd/lds/iso19794-5.js';
import { parseFaceImageData39794, encodeFaceImageData39794, faceImageData39794 } from '../../src/mrtd/lds/iso39794-5.js';
import { parseDisplayedImages, encodeDisplayedImages } from '../../src/mrtd/lds/dg-images.js';
import { parseDg11, encodeDg11, parseHolderName } from '../../src/mrtd/lds/dg11.js';
import { parseDg12, encodeDg12 } from '../../src/mrtd/lds/dg12.js';
import { parseDg13 } from '../../src/mrtd/lds/dg13.js';
import { parseDg15 } from '../../src/mrtd/lds/dg15.js';
import { parseDg16, encodeDg16 } from '../../src/mrtd/lds/dg16.js';
import { parseDg14, parseCardAccess } from '../../src/mrtd/lds/security-infos.js';
import { parseLdsSecurityObject, encodeLdsSecurityObject } from '../../src/mrtd/lds/sod-content.js';
import { imageDimensions, sniffImageFormat } from '../../src/mrtd/lds/image-format.js';
import { parseLdsFile } from '../../src/mrtd/lds/index.js';
import { LDS_FILES } from '../../src/mrtd/lds/files.js';
import { publicKeyDetails } from '../../src/mrtd/lds/spki.js';
import { OID } from '../../src/mrtd/lds/oids.js';
import { fromHex } from '../../src/util/bytes.js';

const fixture = (p: string): Buffer => readFileSync(new URL(`../fixtures/mrtd/${p}`, import.meta.url));
const g = (n: string): Buffer => fixture(`examples/passports/genuine/${n}`);
const jp2 = fixture('images/face-64x80.jp2');

/** Valid samples per parser; the property mutates them and also feeds random bytes. */
const samples: [string, (b: Buffer) => unknown, Buffer[]][] = [
  ['EF.COM', parseEfCom, [g('EF.COM')]],
  ['DG1', parseDg1, [g('DG1')]],
  ['DG2', parseDg2, [g('DG2'), encodeDg2(dg2FromImage(jp2, 'ISO39794-5'))]],
  ['19794-5', parseFaceRecord19794, [g('DG2').subarray(g('DG2').indexOf('FAC'))]],
  ['39794-5', (b) => parseFaceImageData39794(b), [encodeFaceImageData39794(faceImageData39794(jp2, { imageDataFormat: 3, width: 64, height: 80 }))]],
  ['DG5', (b) => parseDisplayedImages('DG5', b), [encodeDisplayedImages('DG5', [{ imageData: jp2 }])]],
  ['DG7', (b) => parseDisplayedImages('DG7', b), [encodeDisplayedImages('DG7', [{ imageData: jp2 }, { imageData: jp2 }])]],
  ['DG11', parseDg11, [encodeDg11({ fullName: parseHolderName('A<<B'), otherNames: ['C'], fullDateOfBirth: '19700101', proofOfCitizenship: jp2, title: 'DR' })]],
  ['DG12', parseDg12, [encodeDg12({ issuingAuthority: 'X', dateOfIssue: '20200101', otherPersons: ['A', 'B'], personalizationTime: '20200101120000' })]],
  ['DG13', parseDg13, [fromHex('6D03010203')]],
  ['DG14', parseDg14, [g('DG14')]],
  ['EF.CardAccess', parseCardAccess, [fromHex('31143012060A04007F0007020204020202010202010D')]],
  ['DG15', (b) => { const d = parseDg15(b); return publicKeyDetails(d.publicKeyInfo, 'DG15'); }, [g('DG15')]],
  ['DG16', parseDg16, [encodeDg16({ persons: [{ name: 'A', dateRecorded: '20200101' }, { telephone: '1' }] })]],
  ['LDSSecurityObject', parseLdsSecurityObject, [encodeLdsSecurityObject({ hashAlgorithm: { algorithm: OID.sha256 }, dataGroupHashes: [{ dataGroup: 1, hash: Buffer.alloc(32) }], ldsVersionInfo: { ldsVersion: '0108', unicodeVersion: '040000' } })]],
  ['image headers', (b) => [sniffImageFormat(b), imageDimensions(b)], [jp2, fixture('images/face-64x80.j2k'), g('DG2').subarray(g('DG2').indexOf(Buffer.from([0xff, 0xd8])))]],
];

function valueOrParseError(parse: (b: Buffer) => unknown, b: Buffer): boolean {
  try {
    parse(b);
    return true;
  } catch (e) {
    return isParseError(e);
  }
}

/** Mutations: flip a byte, truncate, insert or delete bytes, change a length byte. */
const mutated = (base: Buffer) =>
  fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'truncate', 'insert', 'delete', 'bump')).map(([i, v, op]) => {
    switch (op) {
      case 'set': {
        const b = Buffer.from(base);
        b[i] = v;
        return b;
      }
      case 'truncate':
        return base.subarray(0, i);
      case 'insert':
        return Buffer.concat([base.subarray(0, i), Buffer.from([v]), base.subarray(i)]);
      case 'delete':
        return Buffer.concat([base.subarray(0, i), base.subarray(i + 1)]);
      case 'bump': {
        const b = Buffer.from(base);
        b[i] = (b[i]! + (v % 2 ? 1 : 255)) & 0xff;
        return b;
      }
    }
  });

for (const [name, parse, bases] of samples) {
  t.test(`${name}: the samples parse; random and mutated bytes give a value or a ParseError`, async (t) => {
    for (const b of bases) t.doesNotThrow(() => parse(b), 'sample parses');
    t.doesNotThrow(() => { fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), (b) => valueOrParseError(parse, b)), { numRuns: 300 }); });
    for (const base of bases) {
      t.doesNotThrow(() => { fc.assert(fc.property(mutated(base), (b) => valueOrParseError(parse, b)), { numRuns: 400 }); });
    }
  });
}

t.test('parseLdsFile: every file name, random and mutated bytes', async (t) => {
  const pool = [g('EF.COM'), g('DG1'), g('DG2'), g('DG14'), g('DG15'), g('EF.SOD')];
  t.doesNotThrow(() => { fc.assert(
    fc.property(fc.constantFrom(...LDS_FILES.map((f) => f.name)), fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), fc.constantFrom(...pool).chain(mutated)), (name, b) =>
      valueOrParseError((x) => parseLdsFile(name, x), b),
    ),
    { numRuns: 1500 },
  ); });
});

t.test('structured fuzz: TLV-shaped input reaches the inner parsers', async (t) => {
  // Random trees of TLVs under the right outer tag exercise more than random bytes do.
  const leaf = fc.tuple(fc.constantFrom(0x02, 0x04, 0x06, 0x30, 0x31, 0x5c, 0x5f0e, 0x5f2b, 0x80, 0x81, 0xa0, 0xa1, 0x5f2e, 0x7f2e, 0x87, 0x88), fc.uint8Array({ maxLength: 12 }));
  const tlv = ([tag, v]: [number, Uint8Array]): Buffer => {
    const tb = tag > 0xff ? Buffer.from([tag >> 8, tag & 0xff]) : Buffer.from([tag]);
    return Buffer.concat([tb, Buffer.from([v.length]), v]);
  };
  const body = fc.array(leaf, { maxLength: 6 }).map((l) => Buffer.concat(l.map(tlv)));
  const wrap = (tag: number, b: Buffer): Buffer => Buffer.concat([Buffer.from([tag, b.length]), b]);
  t.doesNotThrow(() => { fc.assert(
    fc.property(fc.constantFrom(...LDS_FILES.filter((f) => f.tag !== undefined && f.tag < 0x100)), body, (f, b) => valueOrParseError((x) => parseLdsFile(f.name, x), wrap(f.tag!, b))),
    { numRuns: 1500 },
  ); });
});
