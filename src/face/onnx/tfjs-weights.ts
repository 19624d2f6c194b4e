// Reads TensorFlow.js weight files (a `*-weights_manifest.json` plus its `.bin` shards), the
// format face-api ships. Format as documented by tfjs-core's io (WeightsManifestConfig): an array
// of groups {paths, weights}; each group's weights lie back to back in the concatenation of its
// shards; a weight with `quantization` {dtype: uint8|uint16, scale, min} stores q and means
// q·scale + min, {dtype: float16} stores IEEE half floats.
// These files are hostile input: every field is checked, the shards must hold exactly the bytes
// the manifest describes, shard paths must be plain file names in the model directory, and
// sizes are bounded before anything is allocated.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ParseError } from '../../errors.js';

export interface WeightTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

type StoredType = 'float32' | 'int32' | 'uint8' | 'uint16' | 'float16';

interface WeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly count: number;
  readonly stored: StoredType;
  readonly scale: number;
  readonly min: number;
  readonly roundToInt: boolean;
}

export interface WeightGroup {
  readonly paths: readonly string[];
  readonly weights: readonly WeightEntry[];
}

/** The largest model accepted (face-api's biggest is 6.4 MB). */
export const MAX_WEIGHT_BYTES = 256 * 1024 * 1024;
const MAX_ENTRIES = 10_000;
const MAX_RANK = 6;

const BYTES: Record<StoredType, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a parsed manifest (the JSON value) and returns its groups. */
export function parseManifest(json: unknown, what = 'weights manifest'): WeightGroup[] {
  if (!Array.isArray(json) || json.length === 0) throw new ParseError(what, 'not a non-empty array of weight groups');
  const names = new Set<string>();
  let entries = 0;
  let bytes = 0;
  return json.map((g: unknown, gi) => {
    if (!isRecord(g)) throw new ParseError(what, `group ${gi} is not an object`);
    const { paths, weights } = g;
    if (!Array.isArray(paths) || paths.length === 0 || paths.length > 1000) throw new ParseError(what, `group ${gi}: paths is not a non-empty array`);
    for (const p of paths) {
      // A shard is a file next to the manifest: no directories, no "..", no absolute paths.
      if (typeof p !== 'string' || !/^[A-Za-z0-9._-]{1,200}$/.test(p) || p === '.' || p === '..') throw new ParseError(what, `group ${gi}: a shard path is not a plain file name`);
    }
    if (!Array.isArray(weights)) throw new ParseError(what, `group ${gi}: weights is not an array`);
    const ws = weights.map((w: unknown, wi): WeightEntry => {
      entries += 1;
      if (entries > MAX_ENTRIES) throw new ParseError(what, `more than ${MAX_ENTRIES} weights`);
      const e = parseEntry(w, `${what}: group ${gi} weight ${wi}`);
      if (names.has(e.name)) throw new ParseError(what, `weight name repeated (group ${gi} weight ${wi})`);
      names.add(e.name);
      bytes += e.count * BYTES[e.stored];
      if (bytes > MAX_WEIGHT_BYTES) throw new ParseError(what, `weights exceed ${MAX_WEIGHT_BYTES} bytes`);
      return e;
    });
    return { paths: paths as string[], weights: ws };
  });
}

function parseEntry(w: unknown, where: string): WeightEntry {
  if (!isRecord(w)) throw new ParseError(where, 'not an object');
  const { name, shape, dtype, quantization } = w;
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) throw new ParseError(where, 'name is not a short non-empty string');
  if (!Array.isArray(shape) || shape.length > MAX_RANK) throw new ParseError(where, `shape is not an array of at most ${MAX_RANK} dimensions`);
  let count = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > MAX_WEIGHT_BYTES) throw new ParseError(where, 'shape has a dimension that is not a small non-negative integer');
    count *= d;
    if (count > MAX_WEIGHT_BYTES) throw new ParseError(where, 'shape describes too many elements');
  }
  if (dtype !== 'float32' && dtype !== 'int32') throw new ParseError(where, 'dtype is not float32 or int32');
  const base = { name, shape: shape as number[], count, roundToInt: dtype === 'int32' };
  if (quantization === undefined || quantization === null) return { ...base, stored: dtype, scale: 1, min: 0 };
  if (!isRecord(quantization)) throw new ParseError(where, 'quantization is not an object');
  const q = quantization;
  if (q.dtype === 'float16') {
    if (dtype !== 'float32') throw new ParseError(where, 'float16 quantization of a non-float weight');
    return { ...base, stored: 'float16', scale: 1, min: 0 };
  }
  if (q.dtype !== 'uint8' && q.dtype !== 'uint16') throw new ParseError(where, 'quantization dtype is not uint8, uint16 or float16');
  if (typeof q.scale !== 'number' || !Number.isFinite(q.scale) || typeof q.min !== 'number' || !Number.isFinite(q.min)) {
    throw new ParseError(where, 'quantization scale/min are not finite numbers');
  }
  return { ...base, stored: q.dtype, scale: q.scale, min: q.min };
}

/** Decodes the weights of one group from the concatenation of its shards (exact length required). */
export function decodeGroup(group: WeightGroup, data: Uint8Array, what = 'weights'): WeightTensor[] {
  const need = group.weights.reduce((a, e) => a + e.count * BYTES[e.stored], 0);
  if (data.length !== need) throw new ParseError(what, `shards hold ${data.length} bytes, the manifest describes ${need}`);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let off = 0;
  return group.weights.map((e) => {
    const out = new Float32Array(e.count);
    for (let i = 0; i < e.count; i++) {
      let v: number;
      switch (e.stored) {
        case 'float32': v = dv.getFloat32(off, true); break;
        case 'int32': v = dv.getInt32(off, true); break;
        case 'uint8': v = dv.getUint8(off) * e.scale + e.min; break;
        case 'uint16': v = dv.getUint16(off, true) * e.scale + e.min; break;
        case 'float16': v = halfToFloat(dv.getUint16(off, true)); break;
      }
      out[i] = e.roundToInt ? Math.round(v) : v;
      off += BYTES[e.stored];
    }
    // NaN or ±Infinity in a weight (stored, or from an overflowing scale) would poison every
    // output; refuse the file.
    for (const v of out) if (!Number.isFinite(v)) throw new ParseError(what, `weight ${e.name} has a non-finite value`);
    return { name: e.name, shape: e.shape, data: out };
  });
}

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return s * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : s * Infinity;
  return s * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Reads `<dir>/<model>-weights_manifest.json` and its shards. Throws ParseError for anything
 * malformed (naming the file, not its contents) and for a missing file.
 */
export function readTfjsWeights(dir: string, model: string): Map<string, WeightTensor> {
  const manifestFile = `${model}-weights_manifest.json`;
  const raw = readBounded(join(dir, manifestFile), 4 * 1024 * 1024, manifestFile);
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ParseError(manifestFile, 'not valid JSON');
  }
  const groups = parseManifest(json, manifestFile);
  const out = new Map<string, WeightTensor>();
  for (const g of groups) {
    const shards = g.paths.map((p) => readBounded(join(dir, p), MAX_WEIGHT_BYTES, p));
    for (const t of decodeGroup(g, Buffer.concat(shards), `${model} shards`)) out.set(t.name, t);
  }
  return out;
}

function readBounded(path: string, max: number, what: string): Buffer {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ParseError(what, 'not a regular file');
    size = st.size;
  } catch (e) {
    if (e instanceof ParseError) throw e;
    throw new ParseError(what, 'cannot be read');
  }
  if (size > max) throw new ParseError(what, `larger than ${max} bytes`);
  return readFileSync(path);
}

/** Hands out weights by name with the expected shape, and reports weights left unused. */
export class WeightSet {
  private readonly used = new Set<string>();
  constructor(private readonly weights: ReadonlyMap<string, WeightTensor>, private readonly what: string) {}

  take(name: string, shape: readonly number[]): Float32Array {
    const w = this.weights.get(name);
    if (!w) throw new ParseError(this.what, `weight ${name} is missing`);
    if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
      throw new ParseError(this.what, `weight ${name} has shape [${w.shape.join(',')}], expected [${shape.join(',')}]`);
    }
    this.used.add(name);
    return w.data;
  }

  /** Shape of a weight, for converters that infer channel counts (still validated by take()). */
  shapeOf(name: string): readonly number[] {
    const w = this.weights.get(name);
    if (!w) throw new ParseError(this.what, `weight ${name} is missing`);
    return w.shape;
  }

  has(name: string): boolean {
    return this.weights.has(name);
  }

  /** Marks weights the architecture does not need (e.g. a TF graph's shape bookkeeping) as used. */
  ignore(pattern: RegExp): void {
    for (const k of this.weights.keys()) if (pattern.test(k)) this.used.add(k);
  }

  unused(): string[] {
    return [...this.weights.keys()].filter((k) => !this.used.has(k));
  }
}
