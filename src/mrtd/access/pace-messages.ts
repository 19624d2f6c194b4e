// The command and response data of PACE and Chip Authentication (ICAO 9303-11 §4.4.4,
// §4.4.5, §6.2.4): MSE:Set AT's data objects and the Dynamic Authentication Data (tag 7C) of
// GENERAL AUTHENTICATE, shared by the terminal and the virtual chip.
import { ParseError } from '../../errors.js';
import { bigintFromBytes, bigintToBytes } from '../../util/bytes.js';
import { decodeOid, encodeOid } from '../asn1.js';
import { children, encode, parseSingle, readTlv, type Tlv } from '../tlv.js';

/** The value of an OID without its tag and length (DO80 "value only, tag 06 omitted"). */
export const oidValue = (oid: string): Buffer => readTlv(encodeOid(oid)).value;

/** The dotted form of an OID value (DO80), by re-wrapping it in tag 06. */
export function oidFromValue(value: Buffer, what: string): string {
  if (value.length === 0 || value.length > 32) throw new ParseError(what, `OID of ${value.length} bytes`);
  return decodeOid(parseSingle(encode(0x06, value), what), what);
}

/** A small non-negative integer as the minimum number of octets (§9.4.1), for DO83/DO84. */
export const smallIntValue = (n: number): Buffer => (n === 0 ? Buffer.from([0]) : bigintToBytes(BigInt(n)));

/** A DO84-style integer reference of at most 4 bytes. */
export function smallIntFromValue(v: Buffer, what: string): number {
  if (v.length === 0 || v.length > 4) throw new ParseError(what, `reference of ${v.length} bytes`);
  return Number(bigintFromBytes(v));
}

/** MSE:Set AT data (§4.4.4.1 / §6.2.4.2): DO80 OID, [DO83 password], [DO84 reference]. */
export function mseSetAtData(oid: string, passwordReference: number | undefined, reference: number | undefined): Buffer {
  return Buffer.concat([
    encode(0x80, oidValue(oid)),
    ...(passwordReference === undefined ? [] : [encode(0x83, Buffer.from([passwordReference]))]),
    ...(reference === undefined ? [] : [encode(0x84, smallIntValue(reference))]),
  ]);
}

/** Dynamic Authentication Data: 7C around the given data objects. */
export function dynamicAuthenticationData(...dos: readonly (readonly [number, Buffer])[]): Buffer {
  return encode(0x7c, dos.map(([tag, value]) => encode(tag, value)));
}

/** The data objects inside a 7C template, by tag. Duplicates are refused. */
export function parseDynamicAuthenticationData(data: Buffer, what: string): Map<number, Buffer> {
  const t = parseSingle(data, what);
  if (t.tag !== 0x7c) throw new ParseError(what, `expected tag 7C, found ${t.tag.toString(16)}`);
  return dataObjects(children(t, what), what);
}

/** Data objects of a flat list (MSE data), by tag. Duplicates are refused. */
export function dataObjects(list: readonly Tlv[], what: string): Map<number, Buffer> {
  const m = new Map<number, Buffer>();
  for (const d of list) {
    if (m.has(d.tag)) throw new ParseError(what, `data object ${d.tag.toString(16)} repeated`);
    m.set(d.tag, d.value);
  }
  return m;
}
