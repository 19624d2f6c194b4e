// Canonical JSON for records that will be signed: the JSON Canonicalization Scheme of RFC 8785.
// Object members sorted by their names' UTF-16 code units (§3.2.3), no whitespace, numbers and
// strings as ECMAScript's JSON.stringify writes them (§3.2.2, which RFC 8785 adopts). Input
// outside I-JSON (RFC 7493) is refused rather than silently changed: non-finite numbers,
// lone surrogates, undefined, functions, bigints, and anything not a plain object or array.
import { InvalidArgumentError } from '../../errors.js';

const MAX_DEPTH = 64;
// Without the `u` flag the pattern sees UTF-16 code units: a high surrogate not followed by a
// low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function canonicalJson(value: unknown): string {
  return write(value, '$', 0);
}

function write(v: unknown, path: string, depth: number): string {
  if (depth > MAX_DEPTH) throw new InvalidArgumentError(path, `at most ${MAX_DEPTH} levels of nesting`, v);
  if (v === null || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new InvalidArgumentError(path, 'a finite number (RFC 8785 §3.2.2.3)', v);
    return JSON.stringify(v);
  }
  if (typeof v === 'string') return string(v, path);
  if (Array.isArray(v)) {
    const parts: string[] = [];
    v.forEach((item: unknown, i) => {
      if (item === undefined) throw new InvalidArgumentError(`${path}[${i}]`, 'a JSON value', item);
      parts.push(write(item, `${path}[${i}]`, depth + 1));
    });
    return `[${parts.join(',')}]`;
  }
  if (typeof v === 'object') {
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) throw new InvalidArgumentError(path, 'a plain object', v);
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    // Default sort compares UTF-16 code units, which is exactly RFC 8785 §3.2.3's order.
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${string(k, `${path}.${k}`)}:${write(x, `${path}.${k}`, depth + 1)}`).join(',')}}`;
  }
  throw new InvalidArgumentError(path, 'a JSON value', v);
}

function string(s: string, path: string): string {
  if (LONE_SURROGATE.test(s)) throw new InvalidArgumentError(path, 'a string without lone surrogates (I-JSON)', s);
  return JSON.stringify(s);
}
