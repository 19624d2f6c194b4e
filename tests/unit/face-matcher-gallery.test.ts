// FaceGallery over native/matcher: add/remove/search against a model, argument checks with
// typed errors, and searches running concurrently with each other and with updates.
import t from 'tap';
import fc from 'fast-check';
import { AbortedError, InvalidArgumentError, NativeError } from '../../src/errors.js';
import { MatcherNative } from '../../src/native/matcher.js';
import { findAddon, loadAddon } from '../../src/native/load.js';
import { FaceGallery } from '../../src/face/gallery.js';
import { bruteForce, randomVectors, row } from './helpers/face-vectors.js';

const native = new MatcherNative();

type Cmd = { op: 'add'; id: number; seed: number } | { op: 'remove'; id: number } | { op: 'search'; seed: number; k: number };

t.test('add, remove and search agree with a model (swap-remove keeps every id reachable)', async (t) => {
  const dim = 32;
  const cmd = fc.oneof(
    fc.record({ op: fc.constant('add' as const), id: fc.integer({ min: 1, max: 60 }), seed: fc.integer() }),
    fc.record({ op: fc.constant('remove' as const), id: fc.integer({ min: 1, max: 60 }) }),
    fc.record({ op: fc.constant('search' as const), seed: fc.integer(), k: fc.integer({ min: 1, max: 8 }) }),
  );
  fc.assert(
    fc.property(fc.array(cmd, { maxLength: 120 }), fc.constantFrom('f32' as const, 'i8' as const), (cmds: Cmd[], dtype) => {
      const g = FaceGallery.create({ dim, dtype, native, threads: 2 });
      const model = new Map<bigint, Float32Array>();
      try {
        for (const c of cmds) {
          if (c.op === 'add') {
            const id = BigInt(c.id), v = randomVectors(1, dim, c.seed);
            if (model.has(id)) {
              let threw = false;
              try { g.add(id, v); } catch (e) { threw = e instanceof NativeError && e.nativeCode === 'E_DUPLICATE'; }
              if (!threw) return false;
            } else {
              g.add(id, v);
              model.set(id, v);
            }
          } else if (c.op === 'remove') {
            if (g.remove(BigInt(c.id)) !== model.delete(BigInt(c.id))) return false;
          } else {
            const probe = randomVectors(1, dim, c.seed);
            const got = g.searchSync(probe, c.k);
            const ref = bruteForce([...model].map(([id, v]) => ({ id, v })), probe, 'cosine');
            if (got.length !== Math.min(c.k, model.size)) return false;
            const eps = dtype === 'f32' ? 1e-5 : 0.05;
            for (const m of got) {
              const r = ref.find((x) => x.id === m.id);
              if (!r || Math.abs(r.score - m.score) > eps) return false;
            }
            if (dtype === 'f32' && got.length > 0 && ref[0]!.score > got[0]!.score + eps) return false;
          }
          if (g.size !== model.size) return false;
        }
        for (const id of model.keys()) if (!g.has(id)) return false;
        // Every remaining entry still finds itself (or a twin: two adds may share a seed).
        if (dtype === 'f32') {
          for (const [id, v] of model) {
            const best = g.searchSync(v, 1)[0]!;
            if (best.id !== id && model.get(best.id)?.every((x, i) => x === v[i]) !== true) return false;
          }
        }
        return true;
      } finally {
        g.close();
      }
    }),
    { numRuns: 60 },
  );
  t.pass('model agrees');
});

t.test('batch add is all or nothing', async (t) => {
  const g = FaceGallery.create({ dim: 16, native });
  g.add(5n, randomVectors(1, 16, 1));
  const v = randomVectors(3, 16, 2);
  t.throws(() => { g.addMany([1n, 2n, 5n], v); }, NativeError, 'existing id');
  t.throws(() => { g.addMany([1n, 2n, 2n], v); }, NativeError, 'repeated id in the batch');
  t.equal(g.size, 1);
  const zero = new Float32Array(48);
  t.throws(() => { g.addMany([7n, 8n, 9n], zero); }, NativeError, 'zero vector under cosine');
  t.equal(g.size, 1);
  g.addMany([1n, 2n, 3n], v);
  t.equal(g.size, 4);
  g.close();
});

t.test('arguments are checked with typed errors', async (t) => {
  t.throws(() => FaceGallery.create({ dim: 17, native }), InvalidArgumentError);
  t.throws(() => FaceGallery.create({ dim: 0, native }), InvalidArgumentError);
  t.throws(() => FaceGallery.create({ dim: 8192, native }), InvalidArgumentError);
  t.throws(() => FaceGallery.create({ dim: 16, native, threads: -1 }), InvalidArgumentError);
  t.throws(() => FaceGallery.create({ dim: 16, native, kernels: 'sse9' as never }), InvalidArgumentError);
  t.throws(() => FaceGallery.create({ dim: 16, native, env: { KIOSK_MATCHER_KERNELS: 'bogus' } }), InvalidArgumentError);
  const unavailable = (['avx2', 'avx512', 'avx512-vnni', 'neon'] as const).find((l) => !native.levels().includes(l));
  if (unavailable) t.throws(() => FaceGallery.create({ dim: 16, native, kernels: unavailable }), NativeError, `${unavailable} unavailable here`);
  const g = FaceGallery.create({ dim: 16, native });
  t.throws(() => { g.add(-1n, randomVectors(1, 16, 1)); }, InvalidArgumentError);
  t.throws(() => { g.add(1n << 64n, randomVectors(1, 16, 1)); }, InvalidArgumentError);
  t.throws(() => { g.add(1n, randomVectors(1, 32, 1)); }, InvalidArgumentError);
  t.throws(() => { g.add(1n, new Float32Array(16).fill(Number.NaN)); }, InvalidArgumentError);
  g.add(0xffff_ffff_ffff_ffffn, randomVectors(1, 16, 1));
  t.ok(g.has(0xffff_ffff_ffff_ffffn), 'the full uint64 range is usable');
  t.throws(() => g.searchSync(randomVectors(1, 16, 2), 0), InvalidArgumentError);
  t.throws(() => g.searchSync(randomVectors(1, 16, 2), 1.5), InvalidArgumentError);
  t.throws(() => g.searchSync(new Float32Array(16), 1), NativeError, 'zero probe under cosine');
  t.throws(() => g.searchSync(randomVectors(1, 16, 2), 1, { candidates: 10 }), NativeError, 'prefilter without sign bits');
  await t.rejects(g.search([1, 2, 3], 1), InvalidArgumentError);
  t.same(g.searchSync(randomVectors(1, 16, 2), 10).length, 1, 'k above the size returns what there is');
  g.close();
  t.throws(() => g.size, InvalidArgumentError, 'closed');
  g.close();
  const empty = FaceGallery.create({ dim: 16, native });
  t.same(await empty.search(randomVectors(1, 16, 3), 5), []);
  empty.close();
});

t.test('the raw binding rejects what the wrapper would never send, without crashing', async (t) => {
  // The addon keeps cheap checks of its own (STYLE.md P3): abuse it directly.
  const raw = loadAddon(findAddon('matcher')) as Record<string, (...a: unknown[]) => unknown>;
  const eArg = { code: 'E_ARG' };
  t.throws(() => raw.create!({ dim: 16, dtype: 'f32' }), eArg);
  t.throws(() => raw.create!({ dim: 16, dtype: 7 }), eArg);
  t.throws(() => raw.create!({ dim: 16.5 }), eArg);
  t.throws(() => raw.create!(null), eArg);
  t.throws(() => raw.create!({ dim: 16, level: 'x' }), eArg);
  const g = raw.create!({ dim: 16 }) as Record<string, (...a: unknown[]) => unknown>;
  t.throws(() => g.add!(new BigUint64Array(2), new Float32Array(16)), eArg);
  t.throws(() => g.add!([1n], new Float32Array(16)), eArg);
  t.throws(() => g.searchSync!(new Float32Array(8), 1, 0), eArg);
  t.throws(() => g.searchSync!(new Float32Array(16), 1e9, 0), eArg);
  t.throws(() => g.searchSync!(new Float64Array(16), 1, 0), eArg);
  t.throws(() => g.streamRead!(0), eArg);
  t.equal(g.has!(1n << 70n), false, 'an id beyond 64 bits is simply absent');
  g.close!();
  t.throws(() => g.size!(), { code: 'E_STATE' });
  const Ctor = (g as unknown as { constructor: new (...a: unknown[]) => unknown }).constructor;
  t.throws(() => new Ctor(1), eArg, 'the class cannot be constructed from JS');
  const someExternal = (raw.create!({ dim: 16 }) as object);
  t.throws(() => new Ctor(someExternal, {}), eArg, 'nor with a forged token');
  const wrapped = native.create({ dim: 16 });
  wrapped.close();
  t.throws(() => wrapped.size(), NativeError, 'closed native gallery reports E_STATE');
});

t.test('concurrent searches, also while the gallery changes', async (t) => {
  const dim = 128, n = 20_000;
  const vecs = randomVectors(n, dim, 21);
  const g = FaceGallery.create({ dim, native, threads: 2 });
  g.addMany(Array.from({ length: n }, (_, i) => BigInt(i + 1)), vecs);
  const probes = Array.from({ length: 40 }, (_, i) => randomVectors(1, dim, 100 + i));
  const want = probes.map((p) => g.searchSync(p, 5));
  const got = await Promise.all(probes.map((p) => g.search(p, 5)));
  t.same(got, want, '40 concurrent searches give the sequential answers');

  // Writers take the exclusive lock: searches see either the old or the new rows, never a
  // torn state, and always return ids that exist at some point.
  const extra = randomVectors(200, dim, 22);
  const inflight = probes.map((p) => g.search(p, 5));
  for (let i = 0; i < 200; i++) {
    g.add(BigInt(n + 1 + i), row(extra, i, dim));
    g.remove(BigInt(1 + i));
  }
  const during = await Promise.all(inflight);
  for (const r of during) {
    t.equal(r.length, 5);
    for (const m of r) t.ok(m.id >= 1n && m.id <= BigInt(n + 200));
  }
  // Closing with searches in flight: they finish on their own reference.
  const last = g.search(probes[0]!, 3);
  g.close();
  t.equal((await last).length, 3);
});

t.test('an AbortSignal stops a search', async (t) => {
  const dim = 256, n = 100_000;
  const g = FaceGallery.create({ dim, native, threads: 2 });
  g.addMany(Array.from({ length: n }, (_, i) => BigInt(i + 1)), randomVectors(n, dim, 31));
  const probe = randomVectors(1, dim, 32);
  await t.rejects(g.search(probe, 5, { signal: AbortSignal.abort() }), AbortedError, 'already aborted');

  // The scan polls the cancel cell between work items: a cell set before the scan starts
  // always stops it (deterministic, at the addon's level).
  const raw = loadAddon(findAddon('matcher')) as { create: (o: unknown) => { add: (...a: unknown[]) => void; search: (...a: unknown[]) => Promise<unknown>; close: () => void } };
  const rg = raw.create({ dim: 16 });
  rg.add(BigUint64Array.of(1n), randomVectors(1, 16, 1));
  await t.rejects(rg.search(randomVectors(1, 16, 2), 1, 0, Int32Array.of(1)), { code: 'E_ABORTED' });
  const plain = await rg.search(randomVectors(1, 16, 2), 1, 0);
  t.same(await rg.search(randomVectors(1, 16, 2), 1, 0, Int32Array.of(0)), plain, 'a clear cell changes nothing');
  rg.close();

  // Aborting a running search: whether the abort lands before the last work item is a race
  // with the scheduler (a preempted JS thread can see the scan finish), so each attempt must
  // end in AbortedError or a complete result, and on a 100 MB gallery some attempts abort.
  let aborted = 0;
  for (let i = 0; i < 20 && aborted < 3; i++) {
    const ac = new AbortController();
    const p = g.search(probe, 5, { signal: ac.signal });
    ac.abort();
    try {
      t.equal((await p).length, 5, 'a search that won the race is complete');
    } catch (e) {
      t.ok(e instanceof AbortedError, 'an abort is an AbortedError');
      aborted++;
    }
  }
  t.ok(aborted > 0, `aborted ${aborted} running searches`);
  const done = await g.search(probe, 5, { signal: new AbortController().signal });
  t.equal(done.length, 5, 'an unused signal changes nothing');
  g.close();
});
