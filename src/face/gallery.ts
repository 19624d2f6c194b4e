// The 1:N face gallery the kiosk searches for duplicates (issue 4 §5): embeddings under ids,
// held in memory or memory-mapped from a gallery file, searched exhaustively by the SIMD
// matcher (native/matcher) off the JS thread.
//
// Ids are unsigned 64-bit integers (bigint). The kiosk and the back office key enrolments
// by number, which the file stores as is; a string key would need a hash and a collision
// policy, so mapping strings to numbers stays with the caller's record store. Each id maps
// to one row inside the addon; removal moves the last row into the hole (no rebuild).
//
// Scores: 'cosine' (default) normalises every stored vector and probe, so a score is the
// cosine similarity in [-1, 1]; 'ip' is the raw inner product. 'i8' stores each vector as
// int8 with one scale (symmetric quantisation): a quarter of the memory and bandwidth of
// 'f32', scores within a few thousandths for unit vectors (see the quantisation test).
//
// Kernel choice: `kernels` (default: the env KIOSK_MATCHER_KERNELS, else 'auto'). 'scalar'
// is the portable reference path; every SIMD path returns the same ids and scores.
import type { Embedding } from './types.js';
import { InvalidArgumentError } from '../errors.js';
import {
  checkDim, checkId, checkVector, MatcherNative,
  type KernelLevel, type MatcherDType, type MatcherInfo, type MatcherMetric, type NativeGallery, type NativeHits,
} from '../native/matcher.js';

export interface Match {
  readonly id: bigint;
  readonly score: number;
}

interface Common {
  readonly threads?: number;
  readonly kernels?: KernelLevel;
  /** Keep sign bits for the Hamming prefilter (search option `candidates`). */
  readonly binary?: boolean;
  /** The loaded addon; defaults to build/Release/matcher.node. */
  readonly native?: MatcherNative;
  /** Where KIOSK_MATCHER_KERNELS is read from (defaults to process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface CreateGalleryOptions extends Common {
  readonly dim: number;
  readonly dtype?: MatcherDType;
  readonly metric?: MatcherMetric;
}

export interface OpenGalleryOptions extends Common {
  /** Memory-map the file (default) rather than reading it in. */
  readonly map?: boolean;
}

export interface SearchOptions {
  /** > 0: keep this many rows by sign-bit Hamming distance, then rerank them exactly. */
  readonly candidates?: number;
  /** Abandons the scan (AbortedError), e.g. when the applicant walks away (STYLE.md P8). */
  readonly signal?: AbortSignal;
}

function kernelsFrom(o: Common): KernelLevel | undefined {
  if (o.kernels !== undefined) return o.kernels;
  const env = (o.env ?? process.env).KIOSK_MATCHER_KERNELS;
  return env === undefined || env === '' ? undefined : (env as KernelLevel);  // validated by the wrapper
}

function runtime(o: Common): { threads?: number; kernels?: KernelLevel; binary?: boolean } {
  const kernels = kernelsFrom(o);
  return {
    ...(o.threads === undefined ? {} : { threads: o.threads }),
    ...(kernels === undefined ? {} : { kernels }),
    ...(o.binary === undefined ? {} : { binary: o.binary }),
  };
}

function matches(h: NativeHits): Match[] {
  const out: Match[] = [];
  for (let i = 0; i < h.ids.length; i++) out.push({ id: h.ids[i]!, score: h.scores[i]! });
  return out;
}

export class FaceGallery {
  readonly #g: NativeGallery;
  #closed = false;

  private constructor(g: NativeGallery) {
    this.#g = g;
  }

  /** An empty in-memory gallery. */
  static create(o: CreateGalleryOptions): FaceGallery {
    const native = o.native ?? new MatcherNative();
    return new FaceGallery(native.create({
      ...runtime(o), dim: checkDim(o.dim),
      ...(o.dtype === undefined ? {} : { dtype: o.dtype }),
      ...(o.metric === undefined ? {} : { metric: o.metric }),
    }));
  }

  /** Opens a gallery file; a malformed file rejects with ParseError naming the bad field. */
  static async open(path: string, o: OpenGalleryOptions = {}): Promise<FaceGallery> {
    const native = o.native ?? new MatcherNative();
    return new FaceGallery(await native.open(path, { ...runtime(o), ...(o.map === undefined ? {} : { map: o.map }) }));
  }

  get size(): number {
    return this.#live().size();
  }

  get dim(): number {
    return this.#g.dim;
  }

  info(): MatcherInfo {
    return this.#live().info();
  }

  /** Adds one embedding; the id must be new (NativeError E_DUPLICATE otherwise). */
  add(id: bigint, embedding: Embedding | readonly number[]): void {
    const g = this.#live();
    g.add(BigUint64Array.of(checkId('id', id)), checkVector('embedding', embedding, g.dim));
  }

  /** Adds many at once (all or nothing): `embeddings` holds ids.length x dim values. */
  addMany(ids: readonly bigint[] | BigUint64Array, embeddings: Float32Array): void {
    const g = this.#live();
    const arr = ids instanceof BigUint64Array ? ids : BigUint64Array.from(ids.map((id, i) => checkId(`ids[${i}]`, id)));
    if (!(embeddings instanceof Float32Array) || embeddings.length !== arr.length * g.dim) {
      throw new InvalidArgumentError('embeddings', `a Float32Array of ${arr.length} x ${g.dim} values`, embeddings);
    }
    for (const x of embeddings) if (!Number.isFinite(x)) throw new InvalidArgumentError('embeddings', 'finite values', 'a non-finite value');
    g.add(arr, embeddings);
  }

  /** True when the id was present. */
  remove(id: bigint): boolean {
    return this.#live().remove(BigUint64Array.of(checkId('id', id))) === 1;
  }

  has(id: bigint): boolean {
    return this.#live().has(id);
  }

  /** The k best matches, best first (ties: the row stored first). Runs off the JS thread. */
  async search(probe: Embedding | readonly number[], k: number, o: SearchOptions = {}): Promise<Match[]> {
    const g = this.#live();
    return matches(await g.search(checkVector('probe', probe, g.dim), k, o.candidates ?? 0, o.signal));
  }

  /** As search, but blocking: only for small galleries (a few thousand rows). */
  searchSync(probe: Embedding | readonly number[], k: number, o: SearchOptions = {}): Match[] {
    const g = this.#live();
    return matches(g.searchSync(checkVector('probe', probe, g.dim), k, o.candidates ?? 0));
  }

  /** Writes the gallery file (to a temporary name, then renamed over `path`). */
  save(path: string): Promise<void> {
    return this.#live().save(path);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#g.close();
  }

  #live(): NativeGallery {
    if (this.#closed) throw new InvalidArgumentError('gallery', 'an open gallery', 'a closed one');
    return this.#g;
  }
}
