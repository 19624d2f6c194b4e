// 1:1 comparison: cosine, fusion, thresholds chosen from impostor scores with the basis they
// rest on, FNMR at a threshold.
import t from 'tap';
import fc from 'fast-check';
import { cosine, decide, fnmrAt, fuseScores, normalise, thresholdAtFmr } from '../../src/face/compare.js';
import { InvalidArgumentError } from '../../src/errors.js';

t.test('cosine and normalise', async (t) => {
  t.equal(cosine(Float32Array.of(1, 0), Float32Array.of(0, 1)), 0);
  t.ok(Math.abs(cosine(Float32Array.of(1, 2, 3), Float32Array.of(2, 4, 6)) - 1) < 1e-12);
  t.ok(Math.abs(cosine(Float32Array.of(1, 2), Float32Array.of(-1, -2)) + 1) < 1e-12);
  t.throws(() => cosine(Float32Array.of(1), Float32Array.of(1, 2)), InvalidArgumentError);
  t.throws(() => cosine(Float32Array.of(0, 0), Float32Array.of(1, 2)), InvalidArgumentError);
  t.throws(() => cosine(Float32Array.of(Number.NaN, 1), Float32Array.of(1, 2)), InvalidArgumentError);
  fc.assert(
    fc.property(fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 2, maxLength: 64 }), (xs) => {
      const v = Float32Array.from(xs);
      if (!v.some((x) => x !== 0)) return;
      const n = normalise(v);
      let norm = 0;
      for (const x of n) norm += x * x;
      if (Math.abs(norm - 1) > 1e-5) throw new Error(`norm ${norm}`);
    }),
  );
});

t.test('threshold at an FMR: at most that share of impostors match, and the basis is honest', async (t) => {
  const impostors = Array.from({ length: 2000 }, (_, i) => Math.sin(i * 12.9898) * 0.3); // spread in [-0.3, 0.3]
  const th = thresholdAtFmr(impostors, 1e-3);
  t.equal(th.basis, 'measured', '2000 pairs measure 1e-3');
  t.ok(th.observedFmr <= 1e-3, `observed ${th.observedFmr}`);
  t.equal(impostors.filter((s) => s >= th.threshold).length, 2, 'exactly floor(2000 × 1e-3) impostors at or above');
  const tight = thresholdAtFmr(impostors, 1e-4);
  t.equal(tight.basis, 'bound', '2000 pairs cannot measure 1e-4');
  t.equal(tight.observedFmr, 0);
  t.ok(tight.threshold > Math.max(...impostors), 'above every impostor seen');
  t.ok(tight.threshold >= th.threshold);
  t.throws(() => thresholdAtFmr([0.1, 0.2], 1e-3), InvalidArgumentError, 'too few pairs');
  t.throws(() => thresholdAtFmr(impostors, 0), InvalidArgumentError);
  t.throws(() => thresholdAtFmr([...impostors, Number.NaN], 1e-3), InvalidArgumentError);
  fc.assert(
    fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 10, maxLength: 500 }), fc.constantFrom(0.1, 0.01, 0.001), (scores, fmr) => {
      const r = thresholdAtFmr(scores, fmr);
      const matched = scores.filter((s) => s >= r.threshold).length;
      if (matched > Math.floor(scores.length * fmr)) throw new Error('too many impostors match');
    }),
  );
});

t.test('fusion and decision', async (t) => {
  t.equal(fuseScores([0.2, 0.9, 0.5], 'max'), 0.9);
  t.equal(fuseScores([0.2, 0.9, 0.5]), 0.7);
  t.equal(fuseScores([0.4]), 0.4);
  t.throws(() => fuseScores([]), InvalidArgumentError);
  const th = { threshold: 0.6, fmr: 1e-3, impostorPairs: 5000, basis: 'measured' as const, observedFmr: 0.0008 };
  t.same(decide([0.7, 0.65, 0.1], th), { score: 0.675, match: true, threshold: 0.6, fmr: 1e-3, basis: 'measured', frames: 3 });
  t.equal(decide([0.61, 0.5], th).match, false, 'one lucky frame does not carry mean-top2');
  t.equal(decide([0.61, 0.5], th, 'max').match, true);
  t.equal(fnmrAt([0.5, 0.7, 0.8, 0.9], 0.75), 0.5);
});
