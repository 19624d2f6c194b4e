import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseDisplayedImages, encodeDisplayedImages } from '../../src/mrtd/lds/dg-images.js';
import { parseDg11, encodeDg11, parseHolderName, type Dg11 } from '../../src/mrtd/lds/dg11.js';
import { parseDg12, encodeDg12, type Dg12 } from '../../src/mrtd/lds/dg12.js';
import { parseDg13, encodeDg13 } from '../../src/mrtd/lds/dg13.js';
import { parseDg15, encodeDg15 } from '../../src/mrtd/lds/dg15.js';
import { parseDg16, encodeDg16 } from '../../src/mrtd/lds/dg16.js';
import { OID } from '../../src/mrtd/lds/oids.js';
import { encode } from '../../src/mrtd/tlv.js';
import { der } from '../../src/mrtd/asn1.js';
import { fromHex } from '../../src/util/bytes.js';
import { ParseError } from '../../src/errors.js';

const fixture = (p: string): Buffer => readFileSync(new URL(`../fixtures/mrtd/${p}`, import.meta.url));
const jp2 = fixture('images/face-64x80.jp2');
const jpeg = Buffer.from('FFD8FFE000104A46494600FFD9', 'hex');

t.test('DG5 / DG7: counted images, round trip, format sniffed', async (t) => {
  const dg5 = encodeDisplayedImages('DG5', [{ imageData: jpeg }]);
  t.same([...dg5.subarray(0, 5)], [0x65, 0x13, 0x02, 0x01, 0x01]);
  const p5 = parseDisplayedImages('DG5', dg5);
  t.same(p5.images.map((i) => [i.tag, i.format]), [[0x5f40, 'JPEG']]);
  t.ok(p5.images[0]!.imageData.equals(jpeg));
  const dg7 = encodeDisplayedImages('DG7', [{ imageData: jp2 }, { imageData: jpeg }]);
  const p7 = parseDisplayedImages('DG7', dg7);
  t.same(p7.images.map((i) => [i.tag, i.format]), [[0x5f43, 'JPEG2000'], [0x5f43, 'JPEG']]);
  t.ok(encodeDisplayedImages('DG7', p7.images).equals(dg7));
  t.ok(parseDisplayedImages('DG6', encodeDisplayedImages('DG6', [{ imageData: jpeg }])).images.length === 1);
  t.throws(() => parseDisplayedImages('DG5', dg7), /expected tag 65/);
  t.throws(() => parseDisplayedImages('DG5', encode(0x65, [encode(0x02, Buffer.from([2])), encode(0x5f40, jpeg)])), /count/);
  t.throws(() => parseDisplayedImages('DG5', encode(0x65, [encode(0x02, Buffer.from([1])), encode(0x5f41, jpeg)])), /5F41/);
  t.throws(() => parseDisplayedImages('DG5', fromHex('6500')), ParseError);
  t.throws(() => encodeDisplayedImages('DG5', []));
});

const dg11Full: Dg11 = {
  fullName: parseHolderName('VAN<DER<BERG<<ANNA<MARIA'),
  otherNames: ['BERG<<ANNA', 'SMITH<<ANN'],
  personalNumber: '123456789',
  fullDateOfBirth: '19740812',
  placeOfBirth: 'ZWOLLE<NETHERLANDS',
  address: 'MAIN STREET 1<AMSTERDAM',
  telephone: '+31 20 1234567',
  profession: 'ENGINEER',
  title: 'DR',
  personalSummary: 'Müller — ünïcödé text',
  proofOfCitizenship: jpeg,
  otherValidTdNumbers: 'XA1234567<YB7654321',
  custodyInformation: 'NONE',
};

t.test('DG11: every element, tag list, UTF-8 text, round trip', async (t) => {
  const bytes = encodeDg11(dg11Full);
  const back = parseDg11(bytes);
  // ICAO 9303-10 Table 43 order.
  t.same(back.tagList, [0x5f0e, 0x5f0f, 0x5f10, 0x5f2b, 0x5f11, 0x5f42, 0x5f12, 0x5f13, 0x5f14, 0x5f15, 0x5f16, 0x5f17, 0x5f18]);
  const { tagList: _tl, ...rest } = back;
  t.same(rest, dg11Full);
  t.same(back.fullName, { text: 'VAN<DER<BERG<<ANNA<MARIA', primaryIdentifier: 'VAN DER BERG', secondaryIdentifier: 'ANNA MARIA' });
  t.ok(encodeDg11(back).equals(bytes));
  const minimal = parseDg11(encodeDg11({ fullName: parseHolderName('ERIKSSON') }));
  t.same(minimal, { tagList: [0x5f0e], fullName: { text: 'ERIKSSON', primaryIdentifier: 'ERIKSSON', secondaryIdentifier: '' } });
});

t.test('DG11: BCD date of birth (pre-LDS 1.7 chips) and the other-names template', async (t) => {
  const bytes = encode(0x6b, [encode(0x5c, fromHex('5F2B5F0F')), encode(0x5f2b, fromHex('19740812')), encode(0xa0, [encode(0x02, Buffer.from([1])), encode(0x5f0f, Buffer.from('X<<Y'))])]);
  t.same(parseDg11(bytes), { tagList: [0x5f2b, 0x5f0f], fullDateOfBirth: '19740812', otherNames: ['X<<Y'] });
  t.throws(() => parseDg11(encode(0x6b, [encode(0x5f0e, Buffer.from('A'))])), /tag list/);
  t.throws(() => parseDg11(encode(0x6b, [encode(0x5c, Buffer.alloc(0)), encode(0x5f2b, Buffer.from('197408'))])), /date/);
  t.throws(() => parseDg11(encode(0x6b, [encode(0x5c, Buffer.alloc(0)), encode(0xa0, [encode(0x02, Buffer.from([2])), encode(0x5f0f, Buffer.from('A'))])])), /count/);
  t.throws(() => parseDg11(encode(0x6b, [encode(0x5c, Buffer.alloc(0)), encode(0x5f10, Buffer.from('1')), encode(0x5f10, Buffer.from('2'))])), /appears 2 times/);
});

const dg12Full: Dg12 = {
  issuingAuthority: 'MINISTRY OF UTOPIA',
  dateOfIssue: '20240115',
  otherPersons: ['CHILD<<ONE', 'CHILD<<TWO'],
  endorsements: 'VALID FOR ALL COUNTRIES',
  taxOrExitRequirements: 'NONE',
  imageOfFront: jpeg,
  imageOfRear: jp2,
  personalizationTime: '20240115103000',
  personalizationDeviceSerial: 'PS-0042',
};

t.test('DG12: every element, round trip, BCD forms', async (t) => {
  const bytes = encodeDg12(dg12Full);
  const back = parseDg12(bytes);
  t.same(back.tagList, [0x5f19, 0x5f26, 0x5f1a, 0x5f1b, 0x5f1c, 0x5f1d, 0x5f1e, 0x5f55, 0x5f56]);
  const { tagList: _tl, ...rest } = back;
  t.same(rest, dg12Full);
  t.ok(encodeDg12(back).equals(bytes));
  const bcd = encode(0x6c, [encode(0x5c, fromHex('5F265F55')), encode(0x5f26, fromHex('20240115')), encode(0x5f55, fromHex('20240115103000'))]);
  t.same(parseDg12(bcd), { tagList: [0x5f26, 0x5f55], dateOfIssue: '20240115', personalizationTime: '20240115103000' });
  t.throws(() => parseDg12(encode(0x6c, [encode(0x5c, Buffer.alloc(0)), encode(0x5f55, Buffer.from('2024'))])), ParseError);
});

t.test('DG13 opaque; DG16 persons to notify', async (t) => {
  const d13 = encodeDg13({ data: Buffer.from([1, 2, 3]) });
  t.same(parseDg13(d13).data, Buffer.from([1, 2, 3]));
  t.throws(() => parseDg13(fromHex('6E00')), ParseError);
  const dg16 = { persons: [{ dateRecorded: '20240101', name: 'DOE<<JANE', telephone: '+1 555 0100', address: '1 ROAD<TOWN' }, { name: 'DOE<<JOHN' }] };
  const bytes = encodeDg16(dg16);
  t.equal(bytes[0], 0x70);
  t.same(parseDg16(bytes), dg16);
  t.ok(bytes.includes(Buffer.from([0xa2])), 'second person in A2');
  t.throws(() => parseDg16(encode(0x70, [encode(0x02, Buffer.from([1]))])), /count/);
  t.throws(() => parseDg16(encode(0x70, [encode(0x02, Buffer.from([1])), encode(0x30, Buffer.alloc(0))])), /person template/);
  t.throws(() => encodeDg16({ persons: [] }));
});

t.test('DG15: genuine EC key; RSA key; errors', async (t) => {
  const bytes = fixture('examples/passports/genuine/DG15');
  const dg15 = parseDg15(bytes);
  t.equal(dg15.algorithm, OID.ecPublicKey);
  t.same(dg15.key.type === 'EC' ? dg15.key.parameters : undefined, { kind: 'named', curveOid: '1.2.840.10045.3.1.7' });
  t.equal(dg15.key.type === 'EC' ? dg15.key.point[0] : 0, 0x04);
  t.ok(dg15.publicKeyInfo.raw?.equals(bytes.subarray(2)), 'raw SubjectPublicKeyInfo for the verifier');
  t.ok(encodeDg15(dg15.publicKeyInfo).equals(bytes));
  t.ok(encodeDg15({ algorithm: dg15.publicKeyInfo.algorithm, publicKey: dg15.publicKeyInfo.publicKey }).equals(bytes), 'from fields');
  const modulus = Buffer.concat([Buffer.from([0xc5]), Buffer.alloc(127, 0x11)]);
  const rsa = der.seq(der.seq(der.oid(OID.rsaEncryption), der.null()), der.bits(der.seq(der.int(modulus), der.int(65537))));
  const r = parseDg15(encodeDg15(rsa));
  t.same(r.key, { type: 'RSA', modulus, exponent: Buffer.from([0x01, 0x00, 0x01]) });
  t.throws(() => parseDg15(encode(0x6f, [rsa, rsa])), ParseError);
  t.throws(() => parseDg15(encode(0x6f, der.seq(der.seq(der.oid(OID.rsaEncryption)), der.bits(Buffer.from([1, 2]))))), ParseError, 'RSA key not DER');
  t.throws(() => parseDg15(fromHex('6F03300100')), ParseError);
});
