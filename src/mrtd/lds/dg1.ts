// DG1 (ICAO 9303-10 §4.7.1): tag 61 holding 5F1F, the MRZ lines concatenated without
// separators (TD1 90, TD2 72, TD3 88 characters).
import { InvalidArgumentError, ParseError } from '../../errors.js';
import { children, encode, requireTag } from '../tlv.js';
import { openFile, single } from './common.js';
import { parseMrzConcatenated, type Mrz } from '../mrz.js';

export interface Dg1 {
  readonly mrz: Mrz;
}

const WHAT = 'DG1';

export function parseDg1(bytes: Uint8Array): Dg1 {
  const items = children(openFile(bytes, 0x61, WHAT), WHAT);
  single(items, 0x5f1f, WHAT);
  const v = requireTag(items, 0x5f1f, WHAT).value;
  for (const b of v) {
    if (b > 0x7f) throw new ParseError(WHAT, 'MRZ data element holds non-ASCII bytes');
  }
  try {
    return { mrz: parseMrzConcatenated(v.toString('latin1')) };
  } catch (e) {
    if (e instanceof ParseError) throw new ParseError(WHAT, e.message);
    throw e;
  }
}

/** Encodes DG1 from an MRZ (parsed, or its text with lines separated by '\n'). */
export function encodeDg1(mrz: Mrz | string): Buffer {
  const lines = typeof mrz === 'string' ? mrz.trim().split(/\r?\n/) : mrz.lines;
  const raw = lines.join('');
  if (![88, 72, 90].includes(raw.length) || !/^[A-Z0-9<]+$/.test(raw)) throw new InvalidArgumentError('mrz', 'a TD1, TD2 or TD3 MRZ', raw);
  return encode(0x61, encode(0x5f1f, Buffer.from(raw, 'latin1')));
}
