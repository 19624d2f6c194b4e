// The benchmark's comparison engine: Tesseract 5 (Debian's tesseract-ocr with the 'eng' LSTM
// model) reading the same rectified MRZ our recogniser reads, through its command-line tool —
// the "best alternative installable here". It gets what helps it most, as any Tesseract-based
// MRZ reader does: a larger pitch, a binarised crop, the MRZ alphabet as whitelist, no
// dictionaries, one page-segmentation call per MRZ (psm 6), and repair of filler runs whose
// length it miscounted. Its word confidences (TSV) are 0–40 even on exact reads of a whole
// MRZ line, so they cannot gate anything: every character counts as confident, and only the
// check digits stand between Tesseract and a wrong MRZ.
import { spawnSync } from 'node:child_process';
import type { MrzFormat } from '../src/mrtd/mrz.js';
import { encodePng, fromMat } from '../src/document/image.js';
import { opencv } from '../src/native/opencv.js';
import { MRZ_SHAPE } from '../src/document/mrz-reader/fields.js';
import type { MrzRecogniser, Recognised } from '../src/document/mrz-reader/ocrb.js';
import type { Rectified } from '../src/document/mrz-reader/rectify.js';

const WHITELIST = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';

export interface TesseractOptions {
  /** Page segmentation mode: 6 (block of lines, one call) or 7 (one call per line). */
  readonly psm?: 6 | 7;
  readonly binarise?: boolean;
  /** Rectified pitch handed to Tesseract, pixels. */
  readonly pitch?: number;
  /** Repair filler runs of miscounted length (see repairFillers). */
  readonly repair?: boolean;
}

/** Makes a line of the wrong length right by growing or shrinking its longest run of fillers. */
export function repairFillers(line: string, columns: number): string {
  const diff = columns - line.length;
  if (diff === 0) return line;
  let best = { at: -1, len: 0 };
  for (const m of line.matchAll(/<{3,}/g)) if (m[0].length > best.len) best = { at: m.index, len: m[0].length };
  if (best.at < 0 || best.len + diff < 1) return line;
  return line.slice(0, best.at) + '<'.repeat(best.len + diff) + line.slice(best.at + best.len);
}

interface Word {
  readonly line: number;
  readonly text: string;
}

function parseTsv(tsv: string): Word[] {
  const words: Word[] = [];
  for (const row of tsv.split('\n').slice(1)) {
    const f = row.split('\t');
    if (f.length < 12 || f[0] !== '5') continue;
    const text = (f[11] ?? '').trim();
    if (!text) continue;
    words.push({ line: Number(f[2]) * 1000 + Number(f[3]) * 100 + Number(f[4]), text });
  }
  return words;
}

export class TesseractRecogniser implements MrzRecogniser {
  readonly name = 'tesseract';
  readonly pitch: number;
  readonly accept = { unprotected: 0, protected: 0 };
  readonly #psm: 6 | 7;
  readonly #binarise: boolean;
  readonly #repair: boolean;

  constructor(o: TesseractOptions = {}) {
    this.#psm = o.psm ?? 6;
    this.#binarise = o.binarise ?? false;
    this.pitch = o.pitch ?? 28;
    this.#repair = o.repair ?? true;
  }

  #run(png: Buffer): Word[] {
    const r = spawnSync('tesseract', ['stdin', 'stdout', '--psm', String(this.#psm), '-l', 'eng', '-c', `tessedit_char_whitelist=${WHITELIST}`, '-c', 'load_system_dawg=0', '-c', 'load_freq_dawg=0', 'tsv'], {
      input: png,
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      timeout: 10_000,
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) return [];
    return parseTsv(r.stdout.toString('utf8'));
  }

  recognise(r: Rectified, format: MrzFormat): Recognised {
    const cv = opencv();
    const { lines: count, columns } = MRZ_SHAPE[format];
    let img = r.image;
    if (this.#binarise) img = img.threshold(0, 255, cv.THRESH_BINARY | cv.THRESH_OTSU);
    let groups: Word[][];
    if (this.#psm === 6) {
      const words = this.#run(encodePng(fromMat(img)));
      const keys = [...new Set(words.map((w) => w.line))].sort((a, b) => a - b);
      groups = keys.map((k) => words.filter((w) => w.line === k));
    } else {
      const spacing = r.lineCentres.length > 1 ? r.lineCentres[1]! - r.lineCentres[0]! : r.pitch * 1.7;
      groups = r.lineCentres.map((c) => {
        const y = Math.max(0, Math.round(c - spacing / 2));
        const h = Math.min(img.rows - y, Math.round(spacing));
        return this.#run(encodePng(fromMat(img.getRegion(new cv.Rect(0, y, img.cols, h)).copy())));
      });
    }
    // Drop stray short "lines" (specks read as text) when there are more lines than the format has.
    while (groups.length > count) {
      let shortest = 0;
      groups.forEach((g, i) => {
        if (g.map((w) => w.text).join('').length < groups[shortest]!.map((w) => w.text).join('').length) shortest = i;
      });
      groups.splice(shortest, 1);
    }
    const lines = groups.map((g) => {
      const raw = g.map((w) => w.text).join('');
      return this.#repair ? repairFillers(raw, columns) : raw;
    });
    const confidence = lines.map((l) => Array.from(l, () => 1));
    // Likeness: lines of the expected length over the lines the format has.
    const likeness = lines.filter((l) => l.length === columns).length / count;
    return { lines, confidence, likeness };
  }
}
