// The CBEFF wrapper of the biometric data groups (ICAO 9303-10 §4.7.2.1, ISO/IEC 7816-11
// Annex C): a Biometric Information Group Template 7F61 holding a count (02) and one
// Biometric Information Template 7F60 per instance; each BIT has a Biometric Header Template
// (A1) and a Biometric Data Block: 5F2E (primitive, ISO/IEC 19794 records) or 7F2E
// (constructed, ISO/IEC 39794 records).
import { InvalidArgumentError, ParseError } from '../../errors.js';
import { children, encode, tagHex, type Tag, type Tlv } from '../tlv.js';
import { encodeCount, readCount } from './common.js';

/** CBEFF patron format owner JTC 1/SC 37 (ISO/IEC 19785-3 / IBIA registry). */
export const FORMAT_OWNER_JTC1_SC37 = 0x0101;
/** IBIA-registered format types of face records. */
export const FORMAT_TYPE_FACE_19794 = 0x0008;
export const FORMAT_TYPE_FACE_39794 = 0x002a;
/** Biometric type "facial features" (ISO/IEC 19785-1 / 7816-11 Table C.3). */
export const BIOMETRIC_TYPE_FACE = 0x02;

export const BDB_TAG_19794 = 0x5f2e;
export const BDB_TAG_39794 = 0x7f2e;

/** The Biometric Header Template (ICAO 9303-10 Table 36); tags not listed stay in `other`. */
export interface BiometricHeader {
  /** 80: ICAO header version, 0x0101. */
  readonly headerVersion?: number;
  /** 81: biometric type (0x02 face, 0x08 finger, 0x10 iris). */
  readonly biometricType?: number;
  /** 82: biometric subtype. */
  readonly biometricSubtype?: number;
  /** 83: creation date and time (7 bytes BCD CCYYMMDDhhmmss), raw. */
  readonly creationDateTime?: Buffer;
  /** 85: validity period (8 bytes), raw. */
  readonly validityPeriod?: Buffer;
  /** 86: creator of the biometric reference data (PID), raw. */
  readonly creator?: Buffer;
  /** 87: format owner. */
  readonly formatOwner: number;
  /** 88: format type. */
  readonly formatType: number;
  readonly other?: readonly { readonly tag: Tag; readonly value: Buffer }[];
}

export interface BiometricTemplate {
  readonly header: BiometricHeader;
  /** 5F2E or 7F2E. */
  readonly dataTag: typeof BDB_TAG_19794 | typeof BDB_TAG_39794;
  /** The data block's value (a subarray of the file). */
  readonly data: Buffer;
}

const MAX_INSTANCES = 32;

function uint(t: Tlv, max: number, what: string): number {
  if (t.value.length < 1 || t.value.length > max) throw new ParseError(what, `header element ${tagHex(t.tag)} of ${t.value.length} bytes`);
  return t.value.readUIntBE(0, t.value.length);
}

function parseHeader(bht: Tlv, what: string): BiometricHeader {
  const items = children(bht, what);
  const fields: Record<number, number | Buffer> = {};
  const other: { tag: Tag; value: Buffer }[] = [];
  for (const t of items) {
    if (t.constructed) {
      other.push({ tag: t.tag, value: t.value });
      continue;
    }
    if (fields[t.tag] !== undefined) throw new ParseError(what, `header element ${tagHex(t.tag)} twice`);
    switch (t.tag) {
      case 0x80:
      case 0x87:
      case 0x88:
        fields[t.tag] = uint(t, 2, what);
        break;
      case 0x81:
        fields[t.tag] = uint(t, 3, what);
        break;
      case 0x82:
        fields[t.tag] = uint(t, 1, what);
        break;
      case 0x83:
      case 0x85:
      case 0x86:
        fields[t.tag] = t.value;
        break;
      default:
        other.push({ tag: t.tag, value: t.value });
    }
  }
  const num = (tag: number): number | undefined => fields[tag] as number | undefined;
  const buf = (tag: number): Buffer | undefined => fields[tag] as Buffer | undefined;
  const owner = num(0x87);
  const type = num(0x88);
  if (owner === undefined || type === undefined) throw new ParseError(what, 'biometric header lacks format owner (87) or format type (88)');
  const h: Record<string, unknown> = { formatOwner: owner, formatType: type };
  const put = (k: string, v: unknown): void => {
    if (v !== undefined) h[k] = v;
  };
  put('headerVersion', num(0x80));
  put('biometricType', num(0x81));
  put('biometricSubtype', num(0x82));
  put('creationDateTime', buf(0x83));
  put('validityPeriod', buf(0x85));
  put('creator', buf(0x86));
  if (other.length) h.other = other;
  return h as unknown as BiometricHeader;
}

/** Parses a 7F61 group template into its instances. */
export function parseBiometricGroup(group: Tlv, what: string): BiometricTemplate[] {
  if (group.tag !== 0x7f61) throw new ParseError(what, `expected biometric group template 7F61, found ${tagHex(group.tag)}`);
  const items = children(group, what);
  const first = items[0];
  if (!first) throw new ParseError(what, 'empty biometric group template');
  const count = readCount(first, what);
  const bits = items.slice(1);
  if (count !== bits.length) throw new ParseError(what, `count says ${count} instances, group holds ${bits.length}`);
  if (count > MAX_INSTANCES) throw new ParseError(what, `${count} instances, more than ${MAX_INSTANCES}`);
  return bits.map((bit, i) => {
    const w = `${what} instance ${i + 1}`;
    if (bit.tag !== 0x7f60) throw new ParseError(w, `expected biometric information template 7F60, found ${tagHex(bit.tag)}`);
    const parts = children(bit, w);
    if (parts.some((p) => p.tag === 0x7d)) throw new ParseError(w, 'secure-messaging-protected templates (7D) are not supported');
    const bht = parts.filter((p) => p.tag >= 0xa1 && p.tag <= 0xaf);
    const bdb = parts.filter((p) => p.tag === BDB_TAG_19794 || p.tag === BDB_TAG_39794);
    if (bht.length !== 1 || bdb.length !== 1 || parts.length !== 2) {
      throw new ParseError(w, 'expected one biometric header template (A1) and one data block (5F2E/7F2E)');
    }
    return { header: parseHeader(bht[0]!, w), dataTag: bdb[0]!.tag as BiometricTemplate['dataTag'], data: bdb[0]!.value };
  });
}

function encodeUint(tag: number, v: number, bytes: number): Buffer {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** (8 * bytes)) throw new InvalidArgumentError(`biometric header ${tagHex(tag)}`, `an integer of ${bytes} bytes`, v);
  const b = Buffer.alloc(bytes);
  b.writeUIntBE(v, 0, bytes);
  return encode(tag, b);
}

export function encodeBiometricHeader(h: BiometricHeader): Buffer {
  const parts: Buffer[] = [];
  if (h.headerVersion !== undefined) parts.push(encodeUint(0x80, h.headerVersion, 2));
  if (h.biometricType !== undefined) parts.push(encodeUint(0x81, h.biometricType, h.biometricType > 0xff ? 3 : 1));
  if (h.biometricSubtype !== undefined) parts.push(encodeUint(0x82, h.biometricSubtype, 1));
  if (h.creationDateTime) parts.push(encode(0x83, h.creationDateTime));
  if (h.validityPeriod) parts.push(encode(0x85, h.validityPeriod));
  if (h.creator) parts.push(encode(0x86, h.creator));
  parts.push(encodeUint(0x87, h.formatOwner, 2), encodeUint(0x88, h.formatType, 2));
  for (const o of h.other ?? []) parts.push(encode(o.tag, o.value));
  return encode(0xa1, parts);
}

/** Encodes a 7F61 group; `data` of each template is its data block's value. */
export function encodeBiometricGroup(templates: readonly BiometricTemplate[]): Buffer {
  return encode(0x7f61, [
    encodeCount(templates.length),
    ...templates.map((t) => encode(0x7f60, [encodeBiometricHeader(t.header), encode(t.dataTag, t.data)])),
  ]);
}
