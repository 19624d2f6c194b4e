// PEM (RFC 7468): base64 DER between "-----BEGIN <label>-----" and "-----END <label>-----".
// Files in a trust store may hold several blocks and text around them (RFC 7468 §2 allows
// explanatory text outside the encapsulation boundaries).
import { ParseError } from '../../errors.js';

export interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
}

/** Upper bound on blocks per file, so a hostile file cannot make us collect without limit. */
const MAX_BLOCKS = 10_000;

/** True when the bytes look like PEM text rather than DER. */
export function isPem(bytes: Buffer): boolean {
  return bytes.subarray(0, 4096).toString('latin1').includes('-----BEGIN ');
}

/** Every PEM block in the text, in order. Throws ParseError on an unterminated or garbled block. */
export function decodePem(bytes: Buffer, what = 'PEM'): PemBlock[] {
  const text = bytes.toString('latin1');
  const out: PemBlock[] = [];
  // A fresh regex per call: a module-level /g regex would carry lastIndex between calls.
  const begin = /-----BEGIN ([A-Z0-9 ]{1,64})-----/g;
  let m: RegExpExecArray | null;
  while ((m = begin.exec(text)) !== null) {
    const label = m[1]!;
    const endMarker = `-----END ${label}-----`;
    const bodyStart = m.index + m[0].length;
    const end = text.indexOf(endMarker, bodyStart);
    if (end < 0) throw new ParseError(what, `unterminated block "${label}"`, m.index);
    const body = text.slice(bodyStart, end).replace(/\s+/g, '');
    // RFC 7468 §3: strict base64 (explanatory headers of RFC 1421 are not accepted here).
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw new ParseError(what, `block "${label}" is not base64`, bodyStart);
    }
    out.push({ label, der: Buffer.from(body, 'base64') });
    if (out.length > MAX_BLOCKS) throw new ParseError(what, `more than ${MAX_BLOCKS} blocks`);
    begin.lastIndex = end + endMarker.length;
  }
  return out;
}

export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
