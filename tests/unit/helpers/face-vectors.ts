// Deterministic random embeddings and a brute-force reference for the face matcher tests.

/** mulberry32: a small seeded PRNG, so a failing fast-check case replays exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n vectors of dim values, uniform in [-1, 1), back to back. */
export function randomVectors(n: number, dim: number, seed: number): Float32Array {
  const r = prng(seed);
  const v = new Float32Array(n * dim);
  for (let i = 0; i < v.length; i++) v[i] = r() * 2 - 1;
  return v;
}

export function row(v: Float32Array, i: number, dim: number): Float32Array {
  return v.subarray(i * dim, (i + 1) * dim);
}

/** Cosine (or inner product) in double precision. */
export function refScore(a: Float32Array, b: Float32Array, metric: 'cosine' | 'ip'): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return metric === 'ip' ? dot : dot / Math.sqrt(na * nb);
}

export interface RefHit {
  readonly id: bigint;
  readonly score: number;
}

/** Every entry's reference score, best first (ties by insertion order). */
export function bruteForce(entries: readonly { id: bigint; v: Float32Array }[], probe: Float32Array, metric: 'cosine' | 'ip'): RefHit[] {
  return entries.map((e, i) => ({ id: e.id, score: refScore(probe, e.v, metric), i })).sort((a, b) => b.score - a.score || a.i - b.i);
}
