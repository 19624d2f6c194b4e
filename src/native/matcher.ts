// TypeScript face of native/matcher (STYLE.md P3, P5): validates and normalises arguments with
// one message template, calls the addon, and turns its failures into typed errors: a gallery
// file that does not parse becomes a ParseError naming the field; everything else a
// NativeError carrying the core's code (E_IO, E_ARG, E_DUPLICATE, E_STATE). The stack is the
// caller's, captured here before the native call.
import { AbortedError, InvalidArgumentError, NativeError, ParseError } from '../errors.js';
import { findAddon, loadAddon } from './load.js';

export type MatcherDType = 'f32' | 'i8';
export type MatcherMetric = 'cosine' | 'ip';
/** Kernel tables; 'auto' picks the best one the CPU supports at run time. */
export type KernelLevel = 'auto' | 'scalar' | 'avx2' | 'avx512' | 'avx512-vnni' | 'neon';
export const KERNEL_LEVELS: readonly KernelLevel[] = ['auto', 'scalar', 'avx2', 'avx512', 'avx512-vnni', 'neon'];

export const MIN_DIM = 16;
export const MAX_DIM = 4096;
export const MAX_K = 100_000;
export const MAX_CANDIDATES = 10_000_000;
export const MAX_THREADS = 256;

export interface MatcherOptions {
  readonly dim: number;
  readonly dtype?: MatcherDType;
  readonly metric?: MatcherMetric;
  /** Scanning threads owned by the gallery, the searching thread included; 0 = one per CPU. */
  readonly threads?: number;
  readonly kernels?: KernelLevel;
  /** Keep sign bits of every vector for the Hamming prefilter (search option `candidates`). */
  readonly binary?: boolean;
}

export interface OpenOptions {
  /** Memory-map the file (copy-on-write) instead of reading it into memory. */
  readonly map?: boolean;
  readonly threads?: number;
  readonly kernels?: KernelLevel;
  readonly binary?: boolean;
}

export interface NativeHits {
  readonly ids: BigUint64Array;
  readonly scores: Float32Array;
}

export interface MatcherInfo {
  readonly dim: number;
  readonly dtype: MatcherDType;
  readonly metric: MatcherMetric;
  readonly threads: number;
  readonly binary: boolean;
  /** The kernel table in use, e.g. "avx512-vnni". */
  readonly kernels: string;
  readonly mapped: boolean;
  readonly rowBytes: number;
}

export interface StreamReadResult {
  readonly bytes: number;
  readonly seconds: number;
}

interface RawOptions {
  dim?: number;
  dtype?: number;
  metric?: number;
  threads?: number;
  level?: string;
  binary?: boolean;
}

interface RawGallery {
  add(ids: BigUint64Array, vectors: Float32Array): void;
  remove(ids: BigUint64Array): number;
  has(id: bigint): boolean;
  size(): number;
  search(probe: Float32Array, k: number, candidates: number, cancel?: Int32Array): Promise<NativeHits>;
  searchSync(probe: Float32Array, k: number, candidates: number): NativeHits;
  save(path: string): Promise<void>;
  streamRead(repeats: number): StreamReadResult;
  info(): { dim: number; dtype: number; metric: number; threads: number; binary: boolean; kernels: string; mapped: boolean; rowBytes: number };
  close(): void;
}

/** The exact shape of build/Release/matcher.node. */
interface Binding {
  create(o: RawOptions): RawGallery;
  open(path: string, map: boolean, o: RawOptions): Promise<RawGallery>;
  levels(): string[];
  autoLevel(): string;
}

const FUNCTIONS: readonly (keyof Binding)[] = ['create', 'open', 'levels', 'autoLevel'];

function isBinding(v: unknown): v is Binding {
  return typeof v === 'object' && v !== null && FUNCTIONS.every((f) => typeof (v as Record<string, unknown>)[f] === 'function');
}

const DTYPES: Record<MatcherDType, number> = { f32: 1, i8: 2 };
const METRICS: Record<MatcherMetric, number> = { cosine: 1, ip: 2 };

function intIn(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new InvalidArgumentError(name, `an integer in ${min}..${max}`, v);
  return v;
}

/** dim: a multiple of 16 in 16..4096 (the kernels' lane width, the file format's bound). */
export function checkDim(v: unknown): number {
  const d = intIn('dim', v, MIN_DIM, MAX_DIM);
  if (d % 16 !== 0) throw new InvalidArgumentError('dim', 'a multiple of 16', v);
  return d;
}

function checkLevel(v: unknown): KernelLevel {
  if (typeof v !== 'string' || !(KERNEL_LEVELS as readonly string[]).includes(v)) throw new InvalidArgumentError('kernels', `one of ${KERNEL_LEVELS.join(', ')}`, v);
  return v as KernelLevel;
}

function rawRuntime(o: { threads?: number; kernels?: KernelLevel; binary?: boolean }): RawOptions {
  const raw: RawOptions = {};
  if (o.threads !== undefined) raw.threads = intIn('threads', o.threads, 0, MAX_THREADS);
  if (o.kernels !== undefined) raw.level = checkLevel(o.kernels);
  if (o.binary !== undefined) {
    if (typeof o.binary !== 'boolean') throw new InvalidArgumentError('binary', 'a boolean', o.binary);
    raw.binary = o.binary;
  }
  return raw;
}

/** A vector of `dim` finite numbers, as the Float32Array the addon takes. */
export function checkVector(name: string, v: unknown, dim: number): Float32Array {
  let out: Float32Array;
  if (v instanceof Float32Array) out = v;
  else if (Array.isArray(v) && v.every((x) => typeof x === 'number')) out = Float32Array.from(v);
  else throw new InvalidArgumentError(name, 'a Float32Array or an array of numbers', v);
  if (out.length !== dim) throw new InvalidArgumentError(name, `${dim} values`, v);
  for (const x of out) if (!Number.isFinite(x)) throw new InvalidArgumentError(name, 'finite values', 'a non-finite value');
  return out;
}

export function checkId(name: string, v: unknown): bigint {
  if (typeof v !== 'bigint' || v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new InvalidArgumentError(name, 'a bigint in 0..2^64-1', v);
  return v;
}

/** Runs a native call; failures become typed errors naming the operation. */
function toTyped(operation: string, e: unknown): Error {
  const code = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'ERR_NATIVE';
  const detail = e instanceof Error ? e.message : 'native failure';
  if (code === 'E_FORMAT') return new ParseError('gallery file', detail.replace(/^gallery file /, ''));
  if (code === 'E_ABORTED') return new AbortedError(`face ${operation}`);
  return new NativeError(operation, code, detail);
}

function call<T>(operation: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toTyped(operation, e);
  }
}

async function callAsync<T>(operation: string, f: () => Promise<T>): Promise<T> {
  const stack = new Error().stack;
  try {
    return await f();
  } catch (e) {
    const typed = toTyped(operation, e);
    if (stack !== undefined) typed.stack = `${typed.name}: ${typed.message}\n${stack.split('\n').slice(1).join('\n')}`;
    throw typed;
  }
}

/** One gallery inside the addon. Arguments are assumed already checked by FaceGallery or the caller. */
export class NativeGallery {
  readonly #g: RawGallery;
  readonly #dim: number;

  constructor(g: RawGallery) {
    this.#g = g;
    this.#dim = g.info().dim;
  }

  get dim(): number {
    return this.#dim;
  }

  /** ids.length vectors of dim floats, back to back. All or nothing. */
  add(ids: BigUint64Array, vectors: Float32Array): void {
    if (!(ids instanceof BigUint64Array)) throw new InvalidArgumentError('ids', 'a BigUint64Array', ids);
    if (!(vectors instanceof Float32Array) || vectors.length !== ids.length * this.#dim) {
      throw new InvalidArgumentError('vectors', `a Float32Array of ids.length x ${this.#dim} values`, vectors);
    }
    call('add', () => { this.#g.add(ids, vectors); });
  }

  /** The number of ids that were present and are now gone. */
  remove(ids: BigUint64Array): number {
    if (!(ids instanceof BigUint64Array)) throw new InvalidArgumentError('ids', 'a BigUint64Array', ids);
    return call('remove', () => this.#g.remove(ids));
  }

  has(id: bigint): boolean {
    return call('has', () => this.#g.has(checkId('id', id)));
  }

  size(): number {
    return call('size', () => this.#g.size());
  }

  /**
   * Top-k by score, best first; `candidates` > 0 uses the Hamming prefilter then reranks.
   * An abort stops the scan within about a megabyte of vectors per thread (AbortedError).
   */
  async search(probe: Float32Array, k: number, candidates = 0, signal?: AbortSignal): Promise<NativeHits> {
    const [p, kk, c] = this.#searchArgs(probe, k, candidates);
    if (signal === undefined) return callAsync('search', () => this.#g.search(p, kk, c));
    if (signal.aborted) throw new AbortedError('face search', { cause: signal.reason });
    // The scan polls this cell from its threads; abort() flips it.
    const cancel = new Int32Array(1);
    const onAbort = (): void => { cancel[0] = 1; };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await callAsync('search', () => this.#g.search(p, kk, c, cancel));
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** As search, on the calling thread: for small galleries only (it blocks the event loop). */
  searchSync(probe: Float32Array, k: number, candidates = 0): NativeHits {
    const [p, kk, c] = this.#searchArgs(probe, k, candidates);
    return call('search', () => this.#g.searchSync(p, kk, c));
  }

  save(path: string): Promise<void> {
    if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('path', 'a non-empty string', path);
    return callAsync('save', () => this.#g.save(path));
  }

  /** A streaming read over the stored vectors with the gallery's threads (a bandwidth probe). */
  streamRead(repeats: number): StreamReadResult {
    const r = intIn('repeats', repeats, 1, 1000);
    return call('streamRead', () => this.#g.streamRead(r));
  }

  info(): MatcherInfo {
    const i = call('info', () => this.#g.info());
    return { ...i, dtype: i.dtype === 2 ? 'i8' : 'f32', metric: i.metric === 2 ? 'ip' : 'cosine' };
  }

  /** Releases the gallery; searches still running finish first. Later calls fail with E_STATE. */
  close(): void {
    this.#g.close();
  }

  #searchArgs(probe: Float32Array, k: number, candidates: number): [Float32Array, number, number] {
    return [checkVector('probe', probe, this.#dim), intIn('k', k, 1, MAX_K), intIn('candidates', candidates, 0, MAX_CANDIDATES)];
  }
}

export class MatcherNative {
  readonly #b: Binding;

  /** `binding` overrides the addon (a path to a .node file or an already loaded object). */
  constructor(binding?: string | object) {
    const loaded = typeof binding === 'object' ? binding : loadAddon(binding ?? findAddon('matcher'));
    if (!isBinding(loaded)) throw new InvalidArgumentError('binding', 'the matcher addon', loaded);
    this.#b = loaded;
  }

  /** Kernel levels this CPU can run (always includes 'scalar'). */
  levels(): KernelLevel[] {
    return this.#b.levels().filter((l): l is KernelLevel => (KERNEL_LEVELS as readonly string[]).includes(l));
  }

  /** The table 'auto' resolves to on this CPU. */
  autoLevel(): string {
    return this.#b.autoLevel();
  }

  create(o: MatcherOptions): NativeGallery {
    const raw: RawOptions = { ...rawRuntime(o), dim: checkDim(o.dim) };
    if (o.dtype !== undefined) {
      if (!(o.dtype in DTYPES)) throw new InvalidArgumentError('dtype', "'f32' or 'i8'", o.dtype);
      raw.dtype = DTYPES[o.dtype];
    }
    if (o.metric !== undefined) {
      if (!(o.metric in METRICS)) throw new InvalidArgumentError('metric', "'cosine' or 'ip'", o.metric);
      raw.metric = METRICS[o.metric];
    }
    return new NativeGallery(call('create', () => this.#b.create(raw)));
  }

  /** Opens a gallery file (format: native/matcher/core/format.h); a bad file is a ParseError. */
  async open(path: string, o: OpenOptions = {}): Promise<NativeGallery> {
    if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('path', 'a non-empty string', path);
    const raw = rawRuntime(o);
    const map = o.map ?? true;
    if (typeof map !== 'boolean') throw new InvalidArgumentError('map', 'a boolean', map);
    return new NativeGallery(await callAsync('open', () => this.#b.open(path, map, raw)));
  }
}
