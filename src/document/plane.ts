// The small amount of plane geometry (points, quadrilaterals, homographies) that the capture
// checks, the page renderer, the capture defects and the MRZ reader share.
import { InvalidArgumentError } from '../errors.js';

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Four corners in order: top-left, top-right, bottom-right, bottom-left (of the upright item). */
export type Quad = readonly [Point, Point, Point, Point];

export const quadOfRect = (x: number, y: number, w: number, h: number): Quad => [
  { x, y },
  { x: x + w, y },
  { x: x + w, y: y + h },
  { x, y: y + h },
];

/** Row-major 3×3 homography. */
export type Homography = readonly [number, number, number, number, number, number, number, number, number];

export function applyHomography(h: Homography, p: Point): Point {
  const w = h[6] * p.x + h[7] * p.y + h[8];
  return { x: (h[0] * p.x + h[1] * p.y + h[2]) / w, y: (h[3] * p.x + h[4] * p.y + h[5]) / w };
}

export const mapQuad = (h: Homography, q: Quad): Quad => [applyHomography(h, q[0]), applyHomography(h, q[1]), applyHomography(h, q[2]), applyHomography(h, q[3])];

export function scaleQuad(q: Quad, s: number): Quad {
  return [
    { x: q[0].x * s, y: q[0].y * s },
    { x: q[1].x * s, y: q[1].y * s },
    { x: q[2].x * s, y: q[2].y * s },
    { x: q[3].x * s, y: q[3].y * s },
  ];
}

export function quadCentre(q: Quad): Point {
  return { x: (q[0].x + q[1].x + q[2].x + q[3].x) / 4, y: (q[0].y + q[1].y + q[2].y + q[3].y) / 4 };
}

/** Axis-aligned bounds of a quad. */
export function quadBounds(q: Quad): { x0: number; y0: number; x1: number; y1: number } {
  const xs = q.map((p) => p.x);
  const ys = q.map((p) => p.y);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

/** True when p lies inside the convex quad q (either winding). */
export function insideQuad(q: Quad, p: Point): boolean {
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const a = q[i]!;
    const b = q[(i + 1) % 4]!;
    const cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
    if (cross !== 0) {
      const s = Math.sign(cross);
      if (sign === 0) sign = s;
      else if (s !== sign) return false;
    }
  }
  return true;
}

/**
 * The homography taking four source points to four destination points (direct linear
 * solution of the 8×8 system with partial pivoting). Throws on a degenerate configuration.
 */
export function homographyFromQuads(src: Quad, dst: Quad): Homography {
  // Unknowns h0..h7 (h8 = 1): u = (h0 x + h1 y + h2) / (h6 x + h7 y + 1), likewise v.
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = src[i]!;
    const { x: u, y: v } = dst[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (Math.abs(a[pivot]![col]!) < 1e-12) throw new InvalidArgumentError('quadrilateral', 'four points in general position', 'a degenerate one');
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const row = a[col]!;
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const other = a[r]!;
      const f = other[col]! / row[col]!;
      if (f !== 0) for (let k = col; k < 9; k++) other[k] = other[k]! - f * row[k]!;
    }
  }
  const h = a.map((row, i) => row[8]! / row[i]!);
  return [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, 1];
}

/** Composition: first `b`, then `a`. */
export function composeHomography(a: Homography, b: Homography): Homography {
  const m = (r: number, c: number): number => a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!;
  const s = m(2, 2);
  return [m(0, 0) / s, m(0, 1) / s, m(0, 2) / s, m(1, 0) / s, m(1, 1) / s, m(1, 2) / s, m(2, 0) / s, m(2, 1) / s, 1];
}

/** Inverse of a homography (adjugate over determinant). */
export function invertHomography(h: Homography): Homography {
  const [a, b, c, d, e, f, g, i, j] = h;
  const A = e * j - f * i;
  const B = -(d * j - f * g);
  const C = d * i - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-15) throw new InvalidArgumentError('homography', 'an invertible matrix', 'a singular one');
  const inv = [A, -(b * j - c * i), b * f - c * e, B, a * j - c * g, -(a * f - c * d), C, -(a * i - b * g), a * e - b * d].map((v) => v / det);
  const s = inv[8]!;
  return [inv[0]! / s, inv[1]! / s, inv[2]! / s, inv[3]! / s, inv[4]! / s, inv[5]! / s, inv[6]! / s, inv[7]! / s, 1];
}

/**
 * Least-squares homography from many correspondences (normalised direct linear transform,
 * Hartley 1997): translate and scale each point set to mean 0 and mean distance √2, solve the
 * 8 × 8 normal equations, undo the normalisation. Undefined when the system is degenerate.
 */
export function fitHomography(src: readonly Point[], dst: readonly Point[]): Homography | undefined {
  const n = src.length;
  if (n < 4 || dst.length !== n) return undefined;
  const norm = (ps: readonly Point[]): Homography => {
    let mx = 0;
    let my = 0;
    for (const p of ps) {
      mx += p.x / n;
      my += p.y / n;
    }
    let d = 0;
    for (const p of ps) d += Math.hypot(p.x - mx, p.y - my) / n;
    const s = d > 0 ? Math.SQRT2 / d : 1;
    return [s, 0, -s * mx, 0, s, -s * my, 0, 0, 1];
  };
  const ts = norm(src);
  const td = norm(dst);
  const ata = Array.from({ length: 8 }, () => new Float64Array(8));
  const atb = new Float64Array(8);
  const add = (row: readonly number[], rhs: number): void => {
    for (let i = 0; i < 8; i++) {
      atb[i]! += row[i]! * rhs;
      for (let j = 0; j < 8; j++) ata[i]![j]! += row[i]! * row[j]!;
    }
  };
  for (let k = 0; k < n; k++) {
    const p = applyHomography(ts, src[k]!);
    const q = applyHomography(td, dst[k]!);
    add([p.x, p.y, 1, 0, 0, 0, -q.x * p.x, -q.x * p.y], q.x);
    add([0, 0, 0, p.x, p.y, 1, -q.y * p.x, -q.y * p.y], q.y);
  }
  // Gaussian elimination with partial pivoting.
  const m = ata.map((row, i) => [...row, atb[i]!]);
  for (let c = 0; c < 8; c++) {
    let piv = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    if (Math.abs(m[piv]![c]!) < 1e-12) return undefined;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      if (f !== 0) for (let k = c; k < 9; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const h = m.map((row, i) => row[8]! / row[i]!);
  const hn: Homography = [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, 1];
  return composeHomography(invertHomography(td), composeHomography(hn, ts));
}
