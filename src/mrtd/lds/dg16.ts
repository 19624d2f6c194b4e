// DG16, persons to notify (ICAO 9303-10 §4.7.16): tag 70 holding a count (02) and one
// template per person (A1, A2, ...), each with date data recorded (5F50, YYYYMMDD), name
// (5F51), telephone (5F52) and address (5F53).
import { InvalidArgumentError, ParseError } from '../../errors.js';
import { children, encode, tagHex } from '../tlv.js';
import { dateDigits, encodeCount, encodeText, openFile, readCount, single, text } from './common.js';

export interface PersonToNotify {
  readonly dateRecorded?: string;
  readonly name?: string;
  readonly telephone?: string;
  readonly address?: string;
}

export interface Dg16 {
  readonly persons: readonly PersonToNotify[];
}

const WHAT = 'DG16';
const MAX_PERSONS = 15;

export function parseDg16(bytes: Uint8Array): Dg16 {
  const items = children(openFile(bytes, 0x70, WHAT), WHAT);
  const first = items[0];
  if (!first) throw new ParseError(WHAT, 'empty file');
  const count = readCount(first, WHAT);
  const templates = items.slice(1);
  if (count !== templates.length) throw new ParseError(WHAT, `count says ${count} persons, file holds ${templates.length}`);
  if (count > MAX_PERSONS) throw new ParseError(WHAT, `${count} persons`);
  return {
    persons: templates.map((t) => {
      if (t.tag < 0xa1 || t.tag > 0xaf) throw new ParseError(WHAT, `unexpected tag ${tagHex(t.tag)}, expected a person template (A1…)`);
      const f = children(t, WHAT);
      const p: Record<string, string> = {};
      const date = single(f, 0x5f50, WHAT);
      if (date) p.dateRecorded = dateDigits(date, 8, WHAT);
      for (const [tag, key] of [[0x5f51, 'name'], [0x5f52, 'telephone'], [0x5f53, 'address']] as const) {
        const e = single(f, tag, WHAT);
        if (e) p[key] = text(e);
      }
      return p;
    }),
  };
}

export function encodeDg16(dg16: Dg16): Buffer {
  if (dg16.persons.length === 0 || dg16.persons.length > MAX_PERSONS) throw new InvalidArgumentError('persons', `1 to ${MAX_PERSONS}`, dg16.persons.length);
  return encode(0x70, [
    encodeCount(dg16.persons.length),
    ...dg16.persons.map((p, i) => {
      const parts: Buffer[] = [];
      if (p.dateRecorded !== undefined) parts.push(encodeText(0x5f50, p.dateRecorded));
      if (p.name !== undefined) parts.push(encodeText(0x5f51, p.name));
      if (p.telephone !== undefined) parts.push(encodeText(0x5f52, p.telephone));
      if (p.address !== undefined) parts.push(encodeText(0x5f53, p.address));
      return encode(0xa1 + i, parts);
    }),
  ]);
}
