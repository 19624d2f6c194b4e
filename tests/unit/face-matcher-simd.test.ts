// native/matcher kernels: every SIMD table against the scalar reference (STYLE.md P11), the
// top-k against a brute-force reference in double precision, and the int8 error bound.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { MatcherNative, type KernelLevel, type MatcherDType, type MatcherMetric } from '../../src/native/matcher.js';
import { FaceGallery, type Match } from '../../src/face/gallery.js';
import { bruteForce, randomVectors, refScore, row } from './helpers/face-vectors.js';

const native = new MatcherNative();
const levels = native.levels();
const simd = levels.filter((l) => l !== 'scalar');

function build(level: KernelLevel, dim: number, dtype: MatcherDType, metric: MatcherMetric, vecs: Float32Array, binary = false): FaceGallery {
  const g = FaceGallery.create({ dim, dtype, metric, kernels: level, native, binary, threads: 2 });
  const n = vecs.length / dim;
  g.addMany(Array.from({ length: n }, (_, i) => BigInt(i + 1)), vecs);
  return g;
}

t.test('the CPU offers scalar and, on x86-64 here, at least one SIMD table', async (t) => {
  t.ok(levels.includes('scalar'));
  t.not(native.autoLevel(), '');
  if (process.arch === 'x64') t.ok(simd.length > 0, `SIMD levels: ${simd.join(', ')}`);
});

t.test('scalar and every SIMD level give the same ids and scores', async (t) => {
  // Dims of every 16-multiple shape (below, at and above one 64-byte step), row counts
  // around the 4-row and 256-row blocks, both dtypes and metrics. The kernels share one
  // summation order (kernels.h), so equality is exact, stronger than the 1e-5 asked for.
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }).map((m) => m * 16),
      fc.integer({ min: 1, max: 600 }),
      fc.constantFrom<MatcherDType>('f32', 'i8'),
      fc.constantFrom<MatcherMetric>('cosine', 'ip'),
      fc.integer({ min: 1, max: 20 }),
      fc.integer(),
      (dim, n, dtype, metric, k, seed) => {
        const vecs = randomVectors(n, dim, seed);
        const probe = randomVectors(1, dim, seed ^ 0x5eed);
        const ref = build('scalar', dim, dtype, metric, vecs);
        const want = ref.searchSync(probe, k);
        ref.close();
        for (const level of simd) {
          const g = build(level, dim, dtype, metric, vecs);
          const got = g.searchSync(probe, k);
          g.close();
          if (got.length !== want.length) return false;
          for (let i = 0; i < got.length; i++) {
            if (got[i]!.id !== want[i]!.id || got[i]!.score !== want[i]!.score) return false;
          }
        }
        return true;
      },
    ),
    { numRuns: 40 },
  );
  t.pass('all levels agree');
});

t.test('KIOSK_MATCHER_KERNELS forces the table', async (t) => {
  const g = FaceGallery.create({ dim: 16, native, env: { KIOSK_MATCHER_KERNELS: 'scalar' } });
  t.equal(g.info().kernels, 'scalar');
  g.close();
  const a = FaceGallery.create({ dim: 16, native, env: {} });
  t.equal(a.info().kernels, native.autoLevel());
  a.close();
});

function checkAgainstReference(t: Test, got: readonly Match[], entries: { id: bigint; v: Float32Array }[], probe: Float32Array, k: number, metric: MatcherMetric, eps: number): void {
  const ref = bruteForce(entries, probe, metric);
  const byId = new Map(ref.map((r) => [r.id, r.score]));
  t.equal(got.length, Math.min(k, entries.length), 'result length');
  for (let i = 1; i < got.length; i++) t.ok(got[i - 1]!.score >= got[i]!.score, 'sorted best first');
  for (const m of got) t.ok(Math.abs(m.score - byId.get(m.id)!) <= eps * Math.max(1, Math.abs(m.score)), `score of ${m.id} within ${eps}`);
  const kth = got.at(-1)!.score;
  // Anything clearly above the returned k-th score in the reference must have been returned.
  const missing = ref.slice(0, k).filter((r) => r.score > kth + eps && !got.some((m) => m.id === r.id));
  t.same(missing, [], 'no clearly better entry missed');
}

t.test('top-k equals a brute-force reference (fp32)', async (t) => {
  for (const metric of ['cosine', 'ip'] as const) {
    for (const dim of [128, 512]) {
      const n = 3000;
      const vecs = randomVectors(n, dim, dim + 7);
      const entries = Array.from({ length: n }, (_, i) => ({ id: BigInt(i + 1), v: row(vecs, i, dim) }));
      const g = build('auto', dim, 'f32', metric, vecs);
      for (let q = 0; q < 5; q++) {
        const probe = randomVectors(1, dim, 1000 + q);
        const got = await g.search(probe, 10);
        checkAgainstReference(t, got, entries, probe, 10, metric, 1e-5);
      }
      // A stored vector finds itself first with cosine 1.
      const self = await g.search(row(vecs, 42, dim), 1);
      t.equal(self[0]!.id, 43n);
      if (metric === 'cosine') t.ok(Math.abs(self[0]!.score - 1) < 1e-6);
      g.close();
    }
  }
});

t.test('int8 scores stay within the quantisation error bound of fp32', async (t) => {
  // Symmetric quantisation moves each component by at most half a step (s = max|x|/127), so
  // |<q,r> - <q',r'>| <= |q-q'|.|r| + |q'|.|r-r'| <= (sqrt(d) sq/2) + (1 + sqrt(d) sq/2) sqrt(d) sr/2
  // for unit q, r. The bound is computed per pair; the mean error must also be small.
  const dim = 128, n = 2000;
  const vecs = randomVectors(n, dim, 99);
  const f = build('auto', dim, 'f32', 'cosine', vecs);
  const q8 = build('auto', dim, 'i8', 'cosine', vecs);
  const stepOf = (v: Float32Array): number => {
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return v.reduce((m, x) => Math.max(m, Math.abs(x / norm)), 0) / 127;
  };
  let sumErr = 0, count = 0;
  for (let q = 0; q < 5; q++) {
    const probe = randomVectors(1, dim, 500 + q);
    const exact = new Map((await f.search(probe, n)).map((m) => [m.id, m.score]));
    const sq = stepOf(probe);
    for (const m of await q8.search(probe, n)) {
      const sr = stepOf(row(vecs, Number(m.id) - 1, dim));
      const a = Math.sqrt(dim) / 2;
      const bound = a * sq + (1 + a * sq) * a * sr + 1e-6;
      const err = Math.abs(m.score - exact.get(m.id)!);
      if (err > bound) t.fail(`error ${err} above bound ${bound}`);
      sumErr += err;
      count++;
    }
  }
  t.equal(count, 5 * n);
  t.ok(sumErr / count < 0.01, `mean int8 error ${(sumErr / count).toFixed(5)} < 0.01`);
  f.close();
  q8.close();
});

t.test('binary prefilter: all candidates equals exact search; few candidates still find the exact match', async (t) => {
  const dim = 128, n = 4000;
  const vecs = randomVectors(n, dim, 3);
  for (const dtype of ['f32', 'i8'] as const) {
    const g = build('auto', dim, dtype, 'cosine', vecs, true);
    const probe = randomVectors(1, dim, 4);
    t.same(await g.search(probe, 10, { candidates: n }), await g.search(probe, 10), `${dtype}: candidates = n`);
    const near = Float32Array.from(row(vecs, 1234, dim), (x, i) => x + (i % 7 === 0 ? 0.05 : 0));
    const hit = await g.search(near, 1, { candidates: 50 });
    t.equal(hit[0]!.id, 1235n, `${dtype}: near-duplicate found through 50 candidates`);
    for (const level of levels) {
      const h = build(level, dim, dtype, 'cosine', vecs, true);
      t.same(h.searchSync(probe, 5, { candidates: 200 }), g.searchSync(probe, 5, { candidates: 200 }), `${dtype} ${level} prefilter agrees`);
      h.close();
    }
    g.close();
  }
});

t.test('thread count does not change results', async (t) => {
  const dim = 64, n = 50_000;
  const vecs = randomVectors(n, dim, 11);
  const ids = Array.from({ length: n }, (_, i) => BigInt(i + 1));
  const probe = randomVectors(1, dim, 12);
  const results = [1, 2, 3].map((threads) => {
    const g = FaceGallery.create({ dim, native, threads });
    g.addMany(ids, vecs);
    const r = g.searchSync(probe, 25);
    g.close();
    return r;
  });
  t.same(results[1], results[0]);
  t.same(results[2], results[0]);
});

t.test('reference check on the scores themselves', async (t) => {
  const a = randomVectors(1, 32, 1), b = randomVectors(1, 32, 2);
  const g = FaceGallery.create({ dim: 32, native, metric: 'ip', kernels: 'scalar' });
  g.add(1n, b);
  t.ok(Math.abs(g.searchSync(a, 1)[0]!.score - refScore(a, b, 'ip')) < 1e-5);
  g.close();
});
