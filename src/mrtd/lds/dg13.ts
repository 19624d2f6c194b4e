// DG13, optional details (ICAO 9303-10 §4.7.13): tag 6D with content the issuing state
// defines. Kept as opaque bytes (a subarray of the file).
import { encode } from '../tlv.js';
import { openFile } from './common.js';

export interface Dg13 {
  /** The value of tag 6D. */
  readonly data: Buffer;
}

export function parseDg13(bytes: Uint8Array): Dg13 {
  return { data: openFile(bytes, 0x6d, 'DG13').value };
}

export const encodeDg13 = (dg13: Dg13): Buffer => encode(0x6d, dg13.data);
