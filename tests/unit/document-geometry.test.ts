// Plane geometry shared by the renderer and the MRZ reader (homographies from four points, by
// least squares, inverses, composition) and the seeded random source.
import t from 'tap';
import fc from 'fast-check';
import { InvalidArgumentError } from '../../src/errors.js';
import { applyHomography, composeHomography, fitHomography, homographyFromQuads, insideQuad, invertHomography, quadOfRect, type Homography, type Point, type Quad } from '../../src/document/plane.js';
import { seededRng } from '../../src/document/render/random.js';

const close = (a: Point, b: Point, eps = 1e-6): boolean => Math.hypot(a.x - b.x, a.y - b.y) <= eps;

// A perspective map of the kind a tilted page gives (small h6, h7).
const H: Homography = [0.96, -0.17, 120, 0.18, 0.97, 80, 2e-5, -1.5e-5, 1];

t.test('four-point homography maps the corners exactly and its inverse undoes it', async (t) => {
  const src = quadOfRect(0, 0, 1476, 1039);
  const dst = src.map((p) => applyHomography(H, p)) as unknown as Quad;
  const h = homographyFromQuads(src, dst);
  src.forEach((p, i) => t.ok(close(applyHomography(h, p), dst[i]!, 1e-6), `corner ${i}`));
  const inv = invertHomography(h);
  const p = { x: 700, y: 500 };
  t.ok(close(applyHomography(inv, applyHomography(h, p)), p, 1e-6), 'inverse');
  t.ok(close(applyHomography(composeHomography(inv, h), p), p, 1e-6), 'composition with the inverse is the identity');
  t.throws(() => homographyFromQuads([{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 2 }, { x: 3, y: 3 }], dst), InvalidArgumentError);
});

t.test('least-squares homography recovers a perspective map from noisy points', async (t) => {
  const rng = seededRng(3);
  const src: Point[] = [];
  for (let i = 0; i < 88; i++) src.push({ x: 50 + (i % 44) * 30, y: 400 + Math.floor(i / 44) * 50 });
  const dst = src.map((p) => {
    const q = applyHomography(H, p);
    return { x: q.x + rng.normal() * 0.3, y: q.y + rng.normal() * 0.3 };
  });
  const h = fitHomography(src, dst);
  t.ok(h, 'fits');
  const worst = Math.max(...src.map((p) => Math.hypot(applyHomography(h!, p).x - applyHomography(H, p).x, applyHomography(h!, p).y - applyHomography(H, p).y)));
  t.ok(worst < 0.5, `within half a pixel of the true map (worst ${worst.toFixed(3)})`);
  t.equal(fitHomography(src.slice(0, 3), dst.slice(0, 3)), undefined, 'three points are too few');
  t.equal(fitHomography(src.map(() => ({ x: 1, y: 1 })), dst), undefined, 'degenerate points');
});

t.test('property: homography round trip through its inverse', async (t) => {
  const pt = fc.record({ x: fc.double({ min: -2000, max: 2000, noNaN: true }), y: fc.double({ min: -2000, max: 2000, noNaN: true }) });
  fc.assert(
    fc.property(fc.double({ min: -0.3, max: 0.3, noNaN: true }), fc.double({ min: 0.5, max: 2, noNaN: true }), pt, (angle, scale, p) => {
      const h: Homography = [scale * Math.cos(angle), -scale * Math.sin(angle), 10, scale * Math.sin(angle), scale * Math.cos(angle), -20, 1e-5, 2e-5, 1];
      const q = applyHomography(invertHomography(h), applyHomography(h, p));
      return close(q, p, 1e-6 * (1 + Math.hypot(p.x, p.y)));
    }),
  );
  t.pass();
});

t.test('insideQuad works for both windings', async (t) => {
  const q = quadOfRect(0, 0, 10, 5);
  t.ok(insideQuad(q, { x: 5, y: 2 }));
  t.notOk(insideQuad(q, { x: 11, y: 2 }));
  const reversed: Quad = [q[3], q[2], q[1], q[0]];
  t.ok(insideQuad(reversed, { x: 5, y: 2 }));
});

t.test('seeded random source: same seed, same stream; draws stay in range', async (t) => {
  const a = seededRng(42);
  const b = seededRng(42);
  const c = seededRng(43);
  const xs = Array.from({ length: 50 }, () => a.next());
  t.same(xs, Array.from({ length: 50 }, () => b.next()));
  t.not(xs[0], c.next(), 'neighbouring seeds differ');
  t.ok(xs.every((x) => x >= 0 && x < 1));
  const r = seededRng(1);
  for (let i = 0; i < 1000; i++) {
    const v = r.int(3, 7);
    if (v < 3 || v > 7 || !Number.isInteger(v)) t.fail(`int out of range: ${v}`);
    const u = r.uniform(-2, 2);
    if (u < -2 || u >= 2) t.fail(`uniform out of range: ${u}`);
  }
  const normals = Array.from({ length: 4000 }, () => r.normal());
  const mean = normals.reduce((s, v) => s + v, 0) / normals.length;
  const sd = Math.sqrt(normals.reduce((s, v) => s + (v - mean) ** 2, 0) / normals.length);
  t.ok(Math.abs(mean) < 0.06 && Math.abs(sd - 1) < 0.06, `normal draws: mean ${mean.toFixed(3)}, sd ${sd.toFixed(3)}`);
  t.throws(() => seededRng(1.5), InvalidArgumentError);
  t.throws(() => r.pick([]), InvalidArgumentError);
});
