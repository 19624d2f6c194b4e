// npm run bench:face-search — 1:N face search over random embeddings (issue 4, Performance):
// 100,000 and 1,000,000 vectors, 128-d and 512-d, fp32 and int8, one probe at a time, top 10.
// For each case, side by side in one run:
//   - our matcher (native/matcher, both cores, the kernel table chosen for this CPU);
//   - the memory bandwidth measured on the same gallery bytes with the same threads (a
//     streaming sum, native/matcher StreamRead), interleaved with the search rounds so both
//     see the same machine load; bandwidthShare = bytes our search scans per second / that;
//   - usearch's exact search (`exactSearch`, brute force, same threads) on the same vectors
//     and probes: fp32 as Float32Array with inner product (unit vectors, so it ranks as
//     cosine), int8 as the same values quantised to Int8Array with cosine. usearchRatio =
//     our qps / usearch qps.
// Each case runs ROUNDS rounds of (bandwidth, ours, usearch) and reports medians, so a busy
// machine weighs on all three alike. The last line is one JSON object of the figures.
// Environment: FACE_BENCH_SIZES (default "100000,1000000"), FACE_BENCH_DIMS ("128,512"),
// FACE_BENCH_SECONDS (time per case per engine, default 1.5), FACE_BENCH_THREADS (default 2),
// KIOSK_MATCHER_KERNELS (force a kernel table, e.g. scalar).
import { availableParallelism } from 'node:os';
import { exactSearch, MetricKind } from 'usearch';
import { MatcherNative, type KernelLevel, type MatcherDType } from '../src/native/matcher.js';

const K = 10;
const ROUNDS = 5;

const listEnv = (name: string, dflt: string): number[] => (process.env[name] ?? dflt).split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
const sizes = listEnv('FACE_BENCH_SIZES', '100000,1000000');
const dims = listEnv('FACE_BENCH_DIMS', '128,512');
const seconds = Number(process.env.FACE_BENCH_SECONDS ?? '1.5');
const threads = Number(process.env.FACE_BENCH_THREADS ?? String(Math.min(2, availableParallelism())));
const kernels = process.env.KIOSK_MATCHER_KERNELS;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Unit vectors from a seeded xorshift (uniform components, then L2-normalised). */
function unitVectors(n: number, dim: number, seed: number): Float32Array {
  const v = new Float32Array(n * dim);
  let s = seed >>> 0 || 1;
  for (let r = 0; r < n; r++) {
    let norm = 0;
    const o = r * dim;
    for (let i = 0; i < dim; i++) {
      s ^= s << 13; s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5; s >>>= 0;
      const x = s / 2147483648 - 1;
      v[o + i] = x;
      norm += x * x;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < dim; i++) v[o + i]! *= inv;
  }
  return v;
}

/** The same symmetric per-vector quantisation the gallery applies (max |x| -> 127). */
function quantise(v: Float32Array, dim: number): Int8Array {
  const out = new Int8Array(v.length);
  for (let o = 0; o < v.length; o += dim) {
    let m = 0;
    for (let i = 0; i < dim; i++) m = Math.max(m, Math.abs(v[o + i]!));
    const inv = m > 0 ? 127 / m : 0;
    for (let i = 0; i < dim; i++) out[o + i] = Math.max(-127, Math.min(127, Math.round(v[o + i]! * inv)));
  }
  return out;
}

interface CaseResult {
  name: string;
  n: number;
  dim: number;
  dtype: MatcherDType;
  kernels: string;
  bytes: number;
  qps: number;
  msPerQuery: number;
  scanGBps: number;
  bandwidthGBps: number;
  bandwidthShare: number;
  usearchQps: number;
  usearchRatio: number;
  top1Agreement: number;
}

/** Times `f` for about `budget` seconds (at least `min` calls); calls per second. */
function rate(f: () => void, budget: number, min: number): number {
  const t0 = process.hrtime.bigint();
  let done = 0;
  let elapsed = 0;
  while (done < min || elapsed < budget) {
    f();
    done++;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  return done / elapsed;
}

function runCase(native: MatcherNative, data: Float32Array, n: number, dim: number, dtype: MatcherDType, probes: Float32Array[]): CaseResult {
  const g = native.create({ dim, dtype, metric: 'ip', threads, ...(kernels ? { kernels: kernels as KernelLevel } : {}) });
  const ids = new BigUint64Array(n);
  for (let i = 0; i < n; i++) ids[i] = BigInt(i + 1);
  g.add(ids, data);
  const info = g.info();
  const bytes = n * info.rowBytes;
  // usearch gets the same vectors: fp32 as they are; int8 quantised like the gallery, with
  // its cosine metric (our int8 score carries per-vector scales, so it ranks as cosine).
  const uData = dtype === 'f32' ? data : quantise(data, dim);
  const uProbes = dtype === 'f32' ? probes : probes.map((p) => quantise(p, dim));
  const uMetric = dtype === 'f32' ? MetricKind.IP : MetricKind.Cos;
  const usearchSearch = (p: Float32Array | Int8Array): bigint => exactSearch(uData, p, dim, K, uMetric, threads).keys[0]! + 1n;

  // Warm-up and answers: every page touched once by both before timing.
  const top1 = probes.map((p) => g.searchSync(p, K).ids[0]!);
  const uTop1 = uProbes.map((p) => usearchSearch(p));

  // Rounds interleave the three measurements so that each sees the same machine load.
  const perRound = seconds / ROUNDS;
  const qRates: number[] = [], bwRates: number[] = [], uRates: number[] = [];
  let qi = 0, ui = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const reps = Math.min(1000, Math.max(1, Math.round((perRound / 4) * 20e9 / bytes)));
    const bw = g.streamRead(reps);
    bwRates.push(bw.bytes / bw.seconds);
    qRates.push(rate(() => g.searchSync(probes[qi++ % probes.length]!, K), perRound / 3, 2));
    uRates.push(rate(() => usearchSearch(uProbes[ui++ % uProbes.length]!), perRound / 3, 1));
  }
  g.close();
  const qps = median(qRates), bwRate = median(bwRates), uQps = median(uRates);
  const scan = qps * bytes;
  return {
    name: `${n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`}x${dim} ${dtype}`,
    n, dim, dtype, kernels: info.kernels, bytes,
    qps, msPerQuery: 1000 / qps,
    scanGBps: scan / 1e9, bandwidthGBps: bwRate / 1e9, bandwidthShare: scan / bwRate,
    usearchQps: uQps, usearchRatio: qps / uQps,
    top1Agreement: top1.filter((id, i) => id === uTop1[i]).length / probes.length,
  };
}

function line(cells: readonly string[]): string {
  const widths = [16, 12, 9, 10, 10, 10, 7, 10, 8, 6];
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i] ?? 8))).join(' ');
}

function main(): void {
  const native = new MatcherNative();
  const results: CaseResult[] = [];
  const started = Date.now();
  process.stderr.write(`bench:face-search: sizes ${sizes.join(',')} dims ${dims.join(',')} threads ${threads} kernels ${kernels ?? native.autoLevel()}\n`);
  for (const dim of dims) {
    const probes = Array.from({ length: 16 }, (_, i) => unitVectors(1, dim, 0x9e3779b9 + i));
    for (const n of sizes) {
      const data = unitVectors(n, dim, 12345 + n + dim);
      for (const dtype of ['f32', 'i8'] as const) {
        const r = runCase(native, data, n, dim, dtype, probes);
        results.push(r);
        process.stderr.write(`  ${r.name}: ${r.qps.toFixed(1)} q/s, share ${r.bandwidthShare.toFixed(2)}, usearch ${r.usearchQps.toFixed(1)} q/s\n`);
      }
    }
  }
  const out: string[] = [];
  out.push(`1:N face search, top ${K}, one probe at a time, ${threads} threads; bandwidth = streaming read of the same bytes, same run`);
  out.push(line(['case', 'kernels', 'MB', 'ours q/s', 'ms/query', 'scan GB/s', 'mem GB/s', 'share', 'usearch q/s', 'ratio']));
  for (const r of results) {
    out.push(line([
      r.name, r.kernels, (r.bytes / 1e6).toFixed(0), r.qps.toFixed(1), r.msPerQuery.toFixed(2), r.scanGBps.toFixed(1),
      r.bandwidthGBps.toFixed(1), r.bandwidthShare.toFixed(2), r.usearchQps.toFixed(1), `${r.usearchRatio.toFixed(1)}x`,
    ]));
  }
  out.push(`top-1 agreement with usearch (fp32 should be 1; int8 differs only where quantisation reorders near ties): ${results.map((r) => `${r.name} ${r.top1Agreement.toFixed(2)}`).join(', ')}`);
  out.push(`run time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  for (const l of out) process.stdout.write(l + '\n');
  const json = {
    bench: 'face-search',
    threads,
    k: K,
    cases: Object.fromEntries(results.map((r) => [r.name, {
      n: r.n, dim: r.dim, dtype: r.dtype, kernels: r.kernels, qps: round(r.qps), scanGBps: round(r.scanGBps),
      bandwidthGBps: round(r.bandwidthGBps), bandwidthShare: round(r.bandwidthShare), usearchQps: round(r.usearchQps),
      usearchRatio: round(r.usearchRatio), top1Agreement: r.top1Agreement,
    }])),
  };
  process.stdout.write(JSON.stringify(json) + '\n');
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

main();
