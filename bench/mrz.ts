// npm run bench:mrz — reading the MRZ from full-page captures: our reader (OCR-B templates)
// against Tesseract 5 reading the same rectified MRZ, on the same pages, in the same run.
// Pages: TD1, TD2 and TD3 mixed, random holders and documents, 300–400 dpi, every capture
// defect drawn at random (placement on the glass, rotation ±10°, perspective, blur, noise,
// uneven light, glare, JPEG), one in ten upside down; all from one seed, so a failing page
// can be replayed. The seeds are not those the reader's thresholds were calibrated on.
// Per engine: exact reads (every character right and accepted), wrong MRZs accepted as valid
// (check digits hold but the text differs from what was printed), rejections, and the time
// per page for the whole pipeline from the capture image. The last line is one JSON object.
//   BENCH_PAGES=200 (default 1000)   BENCH_SEED=… (default 0x4d525a00)   BENCH_TESSERACT=0 skips Tesseract
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MrzReader, type MrzReadResult } from '../src/document/mrz-reader/read.js';
import { DEFAULT_GLASS, randomCapture } from '../src/document/render/defects.js';
import { renderDataPage } from '../src/document/render/page.js';
import { seededRng } from '../src/document/render/random.js';
import { randomSpecimen } from '../src/document/render/specimen.js';
import type { MrzFormat } from '../src/mrtd/mrz.js';
import { checkCoverage } from '../src/document/mrz-reader/fields.js';
import { TesseractRecogniser } from './mrz-tesseract.js';

const PAGES = Number(process.env.BENCH_PAGES ?? 1000);
const SEED = Number(process.env.BENCH_SEED ?? 0x4d525a00);
const WITH_TESSERACT = process.env.BENCH_TESSERACT !== '0';

interface Tally {
  exact: number;
  wrongAccepted: number;
  /** Wrong accepted MRZs whose every wrong character lies where no check digit looks (names, nationality, sex…). */
  wrongUnprotected: number;
  /** Wrong characters in accepted MRZs, in all. */
  wrongCharacters: number;
  rejected: number;
  times: number[];
  codes: Record<string, number>;
  exactByFormat: Record<MrzFormat, number>;
}

const tally = (): Tally => ({ exact: 0, wrongAccepted: 0, wrongUnprotected: 0, wrongCharacters: 0, rejected: 0, times: [], codes: {}, exactByFormat: { TD1: 0, TD2: 0, TD3: 0 } });

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo]! + (s[hi]! - s[lo]!) * (i - lo);
};

function record(t: Tally, r: MrzReadResult, truth: string, format: MrzFormat, ms: number, seed: number, engine: string): void {
  t.times.push(ms);
  if (!r.ok) {
    t.rejected++;
    t.codes[r.code] = (t.codes[r.code] ?? 0) + 1;
    return;
  }
  if (r.mrz === truth) {
    t.exact++;
    t.exactByFormat[format]++;
  } else {
    t.wrongAccepted++;
    const covered = checkCoverage(format).flat();
    const got = r.mrz.replace(/\n/g, '');
    const want = truth.replace(/\n/g, '');
    const wrong = Array.from({ length: want.length }, (_, i) => i).filter((i) => got[i] !== want[i]);
    t.wrongCharacters += wrong.length;
    if (wrong.every((i) => covered[i] !== true)) t.wrongUnprotected++;
    process.stderr.write(`bench:mrz: ${engine} accepted a wrong MRZ on page seed ${seed}\n`);
  }
}

function line(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

async function main(): Promise<void> {
  const ours = new MrzReader();
  const tesseract = new MrzReader({ recogniser: new TesseractRecogniser() });
  const formats: MrzFormat[] = ['TD1', 'TD2', 'TD3'];
  const count: Record<MrzFormat, number> = { TD1: 0, TD2: 0, TD3: 0 };
  const a = tally();
  const b = tally();
  let upsideDown = 0;
  const started = Date.now();
  for (let i = -1; i < PAGES; i++) {
    // Page −1 warms both engines up (template rendering, first OpenCV calls) and is not counted.
    // node-canvas 3 frees images and canvases in finalizers that run on a later turn of the
    // event loop: without this yield, a synchronous loop keeps every page it rendered.
    await nextTurn();
    const seed = SEED + Math.max(0, i);
    const rng = seededRng(seed);
    const format = rng.pick(formats);
    const spec = randomSpecimen(rng, format);
    const dpi = rng.uniform(300, 400);
    const flip = rng.chance(0.1);
    const page = renderDataPage(spec, rng, { dpi });
    const capture = randomCapture(page, rng, { ...DEFAULT_GLASS, dpi }, { upsideDown: flip });
    let t0 = performance.now();
    const r1 = ours.read(capture.image);
    const ms1 = performance.now() - t0;
    let r2: MrzReadResult | undefined;
    let ms2 = 0;
    if (WITH_TESSERACT) {
      t0 = performance.now();
      r2 = tesseract.read(capture.image);
      ms2 = performance.now() - t0;
    }
    if (i < 0) continue;
    count[format]++;
    if (flip) upsideDown++;
    record(a, r1, spec.mrz, format, ms1, seed, 'ours');
    if (r2) record(b, r2, spec.mrz, format, ms2, seed, 'tesseract');
    if ((i + 1) % 100 === 0) process.stderr.write(`bench:mrz: ${i + 1}/${PAGES} pages, ${Math.round((Date.now() - started) / 1000)} s\n`);
  }

  const pct = (n: number): string => `${((100 * n) / PAGES).toFixed(1)} %`;
  const ms = (v: number): string => `${v.toFixed(1)} ms`;
  const w = [34, 18, 18];
  const out: string[] = [];
  out.push(`MRZ reading on ${PAGES} rendered captures (TD1 ${count.TD1}, TD2 ${count.TD2}, TD3 ${count.TD3}; ${upsideDown} upside down), seed 0x${SEED.toString(16)}`);
  out.push(line(['', 'ours (OCR-B)', WITH_TESSERACT ? 'Tesseract 5' : '(skipped)'], w));
  const row = (name: string, f: (t: Tally) => string): void => void out.push(line([name, f(a), WITH_TESSERACT ? f(b) : '-'], w));
  row('exact read (all characters)', (t) => `${t.exact} (${pct(t.exact)})`);
  row('wrong MRZ accepted as valid', (t) => String(t.wrongAccepted));
  row('  … all errors unchecked by digits', (t) => String(t.wrongUnprotected));
  row('  … wrong characters in them', (t) => String(t.wrongCharacters));
  row('rejected (typed failure)', (t) => `${t.rejected} (${pct(t.rejected)})`);
  for (const f of formats) row(`  exact ${f}`, (t) => `${t.exactByFormat[f]}/${count[f]}`);
  row('median time per page', (t) => ms(quantile(t.times, 0.5)));
  row('p95 time per page', (t) => ms(quantile(t.times, 0.95)));
  row('rejections by code', (t) => Object.entries(t.codes).map(([k, v]) => `${k} ${v}`).join(', ') || '-');
  for (const l of out) process.stdout.write(l + '\n');
  const figures = (t: Tally): Record<string, unknown> => ({
    exact: t.exact,
    exactRate: t.exact / PAGES,
    wrongAccepted: t.wrongAccepted,
    wrongUnprotected: t.wrongUnprotected,
    wrongCharacters: t.wrongCharacters,
    rejected: t.rejected,
    rejectedRate: t.rejected / PAGES,
    medianMs: Math.round(quantile(t.times, 0.5) * 10) / 10,
    p95Ms: Math.round(quantile(t.times, 0.95) * 10) / 10,
    rejections: t.codes,
  });
  process.stderr.write(`bench:mrz: ${Math.round((Date.now() - started) / 1000)} s, resident memory ${Math.round(process.memoryUsage().rss / 1048576)} MB at the end\n`);
  const json = { pages: PAGES, seed: SEED, formats: count, upsideDown, ours: figures(a), ...(WITH_TESSERACT ? { tesseract: figures(b) } : {}) };
  process.stdout.write(JSON.stringify(json) + '\n');
}

await main();
