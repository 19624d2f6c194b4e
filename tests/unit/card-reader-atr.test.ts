// ATR parsing (ISO/IEC 7816-3 §8.2), historical bytes and card capabilities (ISO/IEC 7816-4
// §8.1.1), and the PC/SC Part 3 contactless ATR, against the ATRs real passports present.
// Vectors: pcsc-tools 1.6.2 smartcard_list.txt (Debian /usr/share/pcsc/smartcard_list.txt),
// which lists ATRs seen in the field with what card they came from.
import t from 'tap';
import fc from 'fast-check';
import { InvalidArgumentError, ParseError } from '../../src/errors.js';
import {
  atrCardCapabilities,
  contactlessAtr,
  decodeCardCapabilities,
  emrtdHistoricalBytes,
  encodeCardCapabilities,
  encodeHistoricalBytes,
  isContactlessAtr,
  parseAtr,
  parseHistoricalBytes,
  typeBHistoricalBytes,
} from '../../src/mrtd/atr.js';
import { atrExtendedLength, resolveExtendedLength } from '../../src/devices/card-reader/common.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Contactless passports (PC/SC Part 3 shape 3B 8n 80 01 ... TCK), smartcard_list.txt. */
const PASSPORTS = [
  // "Dutch Biometric Passport": 80 | 73 84 21 40 -> card capabilities, b7 of the third table set.
  { atr: '3B 85 80 01 80 73 84 21 40 12', name: 'Dutch', ext: true, chaining: false },
  // "Austrian Passport": 80 | 31 98 (card service data) | 73 84 01 E0 (chaining, extended, EF.ATR info).
  { atr: '3B 87 80 01 80 31 98 73 84 01 E0 39', name: 'Austrian', ext: true, chaining: true },
  // "German passport": 80 | 31 98 | 73 86 01 E0.
  { atr: '3B 87 80 01 80 31 98 73 86 01 E0 3B', name: 'German 2', ext: true, chaining: true },
  // "German passport": 80 | 82 90 00 (status indicator only): no capabilities stated.
  { atr: '3B 84 80 01 80 82 90 00 97', name: 'German 1', ext: undefined, chaining: undefined },
  // "Ireland EPassport": Type B, historical = ATQB application data, protocol info, MBLI.
  { atr: '3B 88 80 01 00 00 00 00 77 81 91 00 6E', name: 'Irish (Type B)', ext: undefined, chaining: undefined },
  // "ISO 14443 Type B without historical bytes ... Electronic Passport".
  { atr: '3B 80 80 01 01', name: 'Type B, none', ext: undefined, chaining: undefined },
  // "JMRTD - Java Machine Readable Travel Document (ePassport emulator)": proprietary "JMRTD".
  { atr: '3B 85 80 01 4A 4D 52 54 44 41', name: 'JMRTD', ext: undefined, chaining: undefined },
] as const;

t.test('passport ATRs parse, with a valid TCK, as T=0/T=1 contactless ATRs', async (t) => {
  for (const v of PASSPORTS) {
    const a = parseAtr(hex(v.atr));
    t.equal(a.convention, 'direct', v.name);
    t.same(a.protocols, [0, 1], `${v.name}: TD1=80 (T=0), TD2=01 (T=1)`);
    t.ok(a.tckValid, `${v.name}: TCK`);
    t.ok(isContactlessAtr(a), `${v.name}: PC/SC Part 3 shape`);
    const caps = atrCardCapabilities(a);
    t.equal(caps?.extendedLength, v.ext, `${v.name}: extended length`);
    t.equal(caps?.commandChaining, v.chaining, `${v.name}: chaining`);
    t.same(contactlessAtr(a.historical), hex(v.atr), `${v.name}: rebuilt byte for byte from its historical bytes`);
  }
});

t.test('card capabilities decoded field by field (Austrian passport 73 84 01 E0)', async (t) => {
  const c = atrCardCapabilities(parseAtr(hex('3B 87 80 01 80 31 98 73 84 01 E0 39')))!;
  t.equal(c.selectionMethods, 0x84, 'DF selection by full DF name (b8) and short EF identifier (b3)');
  t.equal(c.dataCoding, 0x01);
  t.equal(c.commandChaining, true, 'E0: b8');
  t.equal(c.extendedLength, true, 'E0: b7');
  t.equal(c.extendedLengthInfoInEfAtr, true, 'E0: b6');
  const h = parseHistoricalBytes(hex('80 31 98 73 84 01 E0'));
  t.same(
    h.objects.map((o) => [o.tag, o.value.toString('hex')]),
    [
      [3, '98'],
      [7, '8401e0'],
    ],
  );
  t.equal(decodeCardCapabilities(hex('84')).extendedLength, undefined, 'only the first table: not stated');
  t.throws(() => decodeCardCapabilities(Buffer.alloc(0)), ParseError);
  t.throws(() => decodeCardCapabilities(Buffer.alloc(4)), ParseError);
});

t.test('historical byte categories', async (t) => {
  t.equal(parseHistoricalBytes(Buffer.alloc(0)).category, undefined);
  const s = parseHistoricalBytes(hex('80 82 90 00'));
  t.same(s.status, hex('9000'), 'category 80: status indicator as object 8');
  const c0 = parseHistoricalBytes(hex('00 31 98 00 90 00'));
  t.same(c0.status, hex('009000'), 'category 00: the last three bytes are the status indicator');
  t.same(c0.objects.map((o) => o.tag), [3]);
  t.throws(() => parseHistoricalBytes(hex('00 90 00')), ParseError, 'category 00 without room for its status');
  t.throws(() => parseHistoricalBytes(hex('80 73 84')), ParseError, 'object longer than the bytes');
  t.equal(parseHistoricalBytes(hex('4A 4D 52 54 44')).objects.length, 0, 'proprietary category: no objects');
  // PC/SC Part 3 storage card: "NXP/Philips MIFARE Classic 1K (as per PCSC std part3)", smartcard_list.txt.
  const mifare = parseAtr(hex('3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A'));
  t.ok(mifare.tckValid);
  t.ok(parseHistoricalBytes(mifare.historical).pcscStorageCard, 'a storage card, never an eMRTD');
  t.equal(atrCardCapabilities(mifare), undefined);
});

t.test('contact ATRs: interface bytes, no TCK when only T=0 is indicated', async (t) => {
  // "Personal Identity card (passport)": T0=7A -> TA1 TB1 TC1, 10 historical bytes, no TD.
  const a = parseAtr(hex('3B 7A 94 00 00 80 65 A2 01 01 01 3D 72 D6 41'));
  t.same(a.protocols, [0]);
  t.equal(a.tck, undefined);
  t.ok(a.tckValid);
  t.same(a.historical, hex('80 65 A2 01 01 01 3D 72 D6 41'));
  t.notOk(isContactlessAtr(a));
  t.equal(parseAtr(hex('3F 00')).convention, 'inverse');
});

t.test('malformed ATRs are ParseErrors; a wrong TCK is reported, not thrown', async (t) => {
  t.throws(() => parseAtr(hex('3B')), ParseError, 'too short');
  t.throws(() => parseAtr(hex('3C 00')), ParseError, 'bad TS');
  t.throws(() => parseAtr(hex('3B 85 80 01 80 73')), ParseError, 'historical bytes missing');
  t.throws(() => parseAtr(hex('3B 80 80')), ParseError, 'TD2 missing');
  t.throws(() => parseAtr(hex('3B 80 80 01')), ParseError, 'TCK missing');
  t.throws(() => parseAtr(hex('3B 00 00')), ParseError, 'trailing byte');
  t.throws(() => parseAtr(Buffer.alloc(34, 0x3b)), ParseError, 'longer than 33 bytes');
  const bad = parseAtr(hex('3B 85 80 01 80 73 84 21 40 13'));
  t.notOk(bad.tckValid);
  t.equal(atrExtendedLength(hex('3B 85 80')), undefined, 'an unparsable ATR states nothing');
});

t.test('building: eMRTD historical bytes and Type B mapping', async (t) => {
  const h = emrtdHistoricalBytes({ extendedLength: true, commandChaining: false });
  t.same(h, hex('80 73 84 01 40'), 'category 80, object 7 of three bytes');
  const caps = atrCardCapabilities(parseAtr(contactlessAtr(h)))!;
  t.equal(caps.extendedLength, true);
  t.equal(caps.commandChaining, false);
  t.same(encodeCardCapabilities({ extendedLength: false, commandChaining: true, selectionMethods: 0xa0, dataCoding: 0 }), hex('73 A0 00 80'));
  // Irish passport again: application data 00000000, protocol info 77 81 91, MBLI 0.
  t.same(contactlessAtr(typeBHistoricalBytes(hex('00000000'), hex('778191'), 0)), hex('3B 88 80 01 00 00 00 00 77 81 91 00 6E'));
  t.throws(() => typeBHistoricalBytes(hex('00'), hex('778191'), 0), InvalidArgumentError);
  t.throws(() => typeBHistoricalBytes(hex('00000000'), hex('7781'), 0), InvalidArgumentError);
  t.throws(() => typeBHistoricalBytes(hex('00000000'), hex('778191'), 16), InvalidArgumentError);
  t.throws(() => contactlessAtr(Buffer.alloc(16)), InvalidArgumentError);
  t.throws(() => encodeHistoricalBytes([{ tag: 0, value: Buffer.alloc(1) }]), InvalidArgumentError);
  t.throws(() => encodeHistoricalBytes([{ tag: 5, value: Buffer.alloc(15) }]), InvalidArgumentError, 'over 15 bytes in all');
  t.throws(() => encodeCardCapabilities({ extendedLength: true, commandChaining: false, dataCoding: 256 }), InvalidArgumentError);
});

t.test('extended length: configuration, reader, card, fallback, in that order', async (t) => {
  const dutch = hex('3B 85 80 01 80 73 84 21 40 12');
  const none = hex('3B 80 80 01 01');
  t.same(resolveExtendedLength({ configured: false, readerModel: true, atr: dutch, fallback: true }), { supported: false, source: 'config' });
  t.same(resolveExtendedLength({ readerModel: false, atr: dutch, fallback: true }), { supported: false, source: 'reader' }, 'an ACR122U cannot, whatever the card says');
  t.same(resolveExtendedLength({ readerModel: true, atr: dutch, fallback: false }), { supported: true, source: 'atr' });
  t.same(resolveExtendedLength({ readerModel: true, atr: none, fallback: false }), { supported: false, source: 'default' }, 'a capable reader does not make the card capable');
  t.same(resolveExtendedLength({ atr: none, fallback: true }), { supported: true, source: 'default' });
});

t.test('property: any bytes give an Atr or a ParseError, never anything else', async () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      const b = Buffer.from(bytes);
      for (const f of [() => parseAtr(b), () => parseHistoricalBytes(b)]) {
        try {
          f();
        } catch (e) {
          if (!(e instanceof ParseError)) return false;
        }
      }
      // Never throws at all: capabilities are simply not stated.
      atrExtendedLength(b);
      return true;
    }),
    { numRuns: 3000 },
  );
});

t.test('property: mutated passport ATRs never escape as anything but ParseError', async () => {
  fc.assert(
    fc.property(fc.constantFrom(...PASSPORTS.map((p) => hex(p.atr))), fc.nat(), fc.nat(255), (atr, at, v) => {
      const b = Buffer.from(atr);
      b[at % b.length] = v;
      try {
        const a = parseAtr(b);
        atrCardCapabilities(a);
      } catch (e) {
        return e instanceof ParseError;
      }
      return true;
    }),
    { numRuns: 2000 },
  );
});

t.test('round trip: contactless ATRs and card capabilities', async () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 15 }), (h) => {
      const atr = contactlessAtr(Buffer.from(h));
      const a = parseAtr(atr);
      return a.tckValid && a.historical.equals(Buffer.from(h)) && isContactlessAtr(a) && a.bytes.equals(atr);
    }),
  );
  fc.assert(
    fc.property(fc.boolean(), fc.boolean(), fc.nat(255), fc.nat(255), (ext, chain, sel, dc) => {
      const enc = encodeCardCapabilities({ extendedLength: ext, commandChaining: chain, selectionMethods: sel, dataCoding: dc });
      const d = decodeCardCapabilities(enc.subarray(1));
      return enc[0] === 0x73 && d.extendedLength === ext && d.commandChaining === chain && d.selectionMethods === sel && d.dataCoding === dc;
    }),
  );
});
