// A seeded pseudo-random source for the renderer, the capture defects and the benchmark: the
// same seed draws the same pages, so a failing page can be replayed from its seed. Not for
// anything secret (the chip code takes its nonces from a RandomSource of its own).
import { InvalidArgumentError } from '../../errors.js';

/** Uniform draws in [0, 1), plus the helpers every caller would otherwise write again. */
export interface Rng {
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Integer in [lo, hi] (both included). */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Standard normal draw (Box–Muller). */
  normal(): number;
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, public domain), seeded through
 * splitmix32 so that neighbouring seeds give unrelated streams.
 */
export function seededRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new InvalidArgumentError('seed', 'an integer', seed);
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const rng: Rng = {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new InvalidArgumentError('items', 'a non-empty list', items);
      return items[Math.floor(next() * items.length)]!;
    },
    chance: (p) => next() < p,
    normal: () => {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
  return rng;
}
