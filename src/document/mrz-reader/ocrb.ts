// Our OCR-B recogniser. Each MRZ line of the rectified image is correlated with every glyph
// template (normalised cross-correlation, so ink density and uneven light do not matter); the
// fixed pitch of the MRZ (ICAO 9303-3 §4.2.2) then fixes where the cells are: the chain of
// positions, one pitch apart give or take a little, along which the best glyph matches add up
// to the most. Each cell gets a score per character; which characters a cell may hold is
// decided later, from the field it is in.
import type { Mat } from '../../native/opencv.js';
import { opencv } from '../../native/opencv.js';
import type { MrzFormat } from '../../mrtd/mrz.js';
import { MRZ_ALPHABET } from '../render/page.js';
import { allowedCharacters, positionTypes, type PositionType } from './fields.js';
import { composeHomography, type Homography } from '../plane.js';
import type { Rectified } from './rectify.js';
import { buildTemplates, DEFAULT_BLURS, type GlyphTemplates, type TemplateOptions } from './templates.js';

/** Where a cell was found in the rectified image, and how well its best character matched. */
export interface CellFix {
  /** Centre of the cell (rectified pixels). */
  readonly x: number;
  readonly y: number;
  /** Best score over all characters, −1 … 1. */
  readonly score: number;
}

/** scores[line][column][class]: best correlation of each character with the cell, −1 … 1. */
export interface CellScores {
  readonly scores: readonly (readonly Float32Array[])[];
  readonly cells: readonly (readonly CellFix[])[];
}

/** How far (fraction of the pitch) one cell may sit from one pitch after the previous. */
const STEP_SLACK = 0.12;
/** How far (in pitches) the first cell may sit from where the line's detected end puts it. */
const START_SLACK = 2;

function floats(m: Mat): Float32Array {
  const b = m.getData();
  const copy = new Uint8Array(b.length);
  copy.set(b);
  return new Float32Array(copy.buffer);
}

/**
 * Cell positions along one line: the fixed pitch says consecutive cells are one pitch apart,
 * give or take what residual perspective and print tolerance add, so the positions are the
 * path through the best-match profile that maximises the summed match with every step within
 * ±STEP_SLACK of the pitch (dynamic programming over columns × positions).
 */
function cellPositions(best: Float32Array, columns: number, pitch: number, expectedLeft: number): number[] {
  const n = best.length;
  const slack = Math.max(1, Math.round(pitch * STEP_SLACK));
  const p = Math.round(pitch);
  const score = new Float32Array(columns * n).fill(-Infinity);
  const from = new Int32Array(columns * n).fill(-1);
  const lo = Math.max(0, Math.floor(expectedLeft - START_SLACK * pitch));
  const hi = Math.min(n - 1, Math.ceil(expectedLeft + START_SLACK * pitch));
  for (let x = lo; x <= hi; x++) score[x] = best[x]!;
  for (let i = 1; i < columns; i++) {
    const prev = (i - 1) * n;
    const cur = i * n;
    for (let x = 0; x < n; x++) {
      let m = -Infinity;
      let arg = -1;
      for (let d = p - slack; d <= p + slack; d++) {
        const q = x - d;
        if (q < 0) break;
        // A small cost for steps away from the pitch keeps the path from wandering on noise.
        const v = score[prev + q]! - 0.02 * Math.abs(d - pitch);
        if (v > m) {
          m = v;
          arg = q;
        }
      }
      if (arg >= 0) {
        score[cur + x] = m + best[x]!;
        from[cur + x] = arg;
      }
    }
  }
  let x = 0;
  let m = -Infinity;
  const last = (columns - 1) * n;
  for (let q = 0; q < n; q++) {
    if (score[last + q]! > m) {
      m = score[last + q]!;
      x = q;
    }
  }
  const out = new Array<number>(columns);
  // A strip too short for the line: fall back to the nominal grid.
  if (m === -Infinity) return Array.from({ length: columns }, (_, i) => Math.round(expectedLeft + i * pitch));
  for (let i = columns - 1; i >= 0; i--) {
    out[i] = x;
    x = from[i * n + x]!;
  }
  return out;
}

export function scoreCells(r: Rectified, t: GlyphTemplates): CellScores {
  const cv = opencv();
  const classes = t.glyphs.length;
  const search = 3; // rows above and below the expected centre line
  const stripH = t.height + 2 * search;
  const scores: Float32Array[][] = [];
  const fixes: CellFix[][] = [];
  for (const centre of r.lineCentres) {
    const y0 = Math.round(centre - t.centreRow - search);
    const top = Math.max(0, Math.min(r.image.rows - stripH, y0));
    const strip = r.image.getRegion(new cv.Rect(0, top, r.image.cols, Math.min(stripH, r.image.rows - top)));
    const width = strip.cols - t.pitch + 1;
    const perClass: Float32Array[] = [];
    const best = new Float32Array(width).fill(-1);
    const bestRow = new Uint8Array(width);
    for (let c = 0; c < classes; c++) {
      const row = new Float32Array(width).fill(-1);
      const rowAt = new Uint8Array(width);
      for (const glyph of t.glyphs[c]!) {
        const res = strip.matchTemplate(glyph, cv.TM_CCOEFF_NORMED);
        const f = floats(res);
        const { rows, cols } = res;
        res.release();
        for (let y = 0; y < rows; y++) {
          const off = y * cols;
          for (let x = 0; x < width; x++) {
            if (f[off + x]! > row[x]!) {
              row[x] = f[off + x]!;
              rowAt[x] = y;
            }
          }
        }
      }
      for (let x = 0; x < width; x++) {
        if (row[x]! > best[x]!) {
          best[x] = row[x]!;
          bestRow[x] = rowAt[x]!;
        }
      }
      perClass.push(row);
    }
    const positions = cellPositions(best, r.columns, r.pitch, r.left);
    const lineScores: Float32Array[] = [];
    const lineFixes: CellFix[] = [];
    for (let i = 0; i < r.columns; i++) {
      const xc = positions[i]!;
      const s = new Float32Array(classes);
      for (let c = 0; c < classes; c++) {
        const row = perClass[c]!;
        let m = -1;
        for (let x = Math.max(0, xc - 1); x <= Math.min(width - 1, xc + 1); x++) if (row[x]! > m) m = row[x]!;
        s[c] = m;
      }
      lineScores.push(s);
      const at = Math.max(0, Math.min(width - 1, xc));
      lineFixes.push({ x: xc + t.pitch / 2, y: top + bestRow[at]! + t.centreRow, score: best[at]! });
    }
    scores.push(lineScores);
    fixes.push(lineFixes);
  }
  return { scores, cells: fixes };
}

// ---- decoding cells into characters, by field type ----

export interface Recognised {
  readonly lines: readonly string[];
  /** Per character, 0 … 1. */
  readonly confidence: readonly (readonly number[])[];
  /** Characters the recogniser would also accept at a position (its close second choices). */
  readonly plausible?: (line: number, column: number, ch: string) => boolean;
  /** How much the zone looks like OCR-B MRZ print at all, 0 … 1. */
  readonly likeness: number;
  /** Median best-match score over the cells, when the recogniser has one: the capture's quality. */
  readonly quality?: number;
  /** Where each cell was found, when the recogniser knows it ([line][column]). */
  readonly cells?: readonly (readonly CellFix[])[];
}

/** A recogniser of a rectified MRZ: ours (OCR-B templates) or the benchmark's Tesseract. */
export interface MrzRecogniser {
  readonly name: string;
  /** Pitch of the rectified image it wants, pixels. */
  readonly pitch: number;
  /**
   * What a reading must reach to be accepted: per-character confidence where no check digit
   * covers the position and where one does, and (when the recogniser reports it) quality.
   */
  readonly accept: { readonly unprotected: number; readonly protected: number; readonly quality?: number };
  recognise(r: Rectified, format: MrzFormat): Recognised;
}

// Calibrated on 700 rendered captures (seeds apart from the benchmark's): a correctly read
// character's best score was ≥ 0.84 where no check digit covers it (0.66 where one does), and
// its lead over the second allowed character ≥ 0.01 (O against D the closest); half the leads
// were above 0.2.
/** Score gap between the best and second character at which confidence is full. */
const FULL_MARGIN = 0.1;
/** Best-match scores below LOW are no match at all; above HIGH a clean one. */
const LOW = 0.5;
const HIGH = 0.8;
/** Mean best-match score of a zone of other print (floor) and of clean MRZ print (full). */
const LIKENESS_FLOOR = 0.45;
const LIKENESS_FULL = 0.9;
/** A second choice within this score of the best is plausible enough for a check-digit swap. */
const PLAUSIBLE_GAP = 0.15;

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

const classIndex = new Map(Array.from(MRZ_ALPHABET).map((ch, i) => [ch, i] as const));

function allowedIndices(t: PositionType): number[] {
  return Array.from(allowedCharacters(t)).map((ch) => classIndex.get(ch)!);
}

/** Best and second-best allowed character of a cell. */
function decodeCell(s: Float32Array, allowed: readonly number[]): { ch: string; best: number; second: number } {
  let b = -1;
  let bs = -2;
  let ss = -2;
  for (const i of allowed) {
    const v = s[i]!;
    if (v > bs) {
      ss = bs;
      bs = v;
      b = i;
    } else if (v > ss) ss = v;
  }
  return { ch: MRZ_ALPHABET[b]!, best: bs, second: ss };
}

export function decodeCells(cells: CellScores, format: MrzFormat): Recognised {
  // The document code decides between the document and visa layouts (9303-7: visas start with 'V').
  const first = decodeCell(cells.scores[0]![0]!, allowedIndices(positionTypes(format)[0]![0]!));
  const types = positionTypes(format, first.ch === 'V');
  const sets = new Map<PositionType, number[]>();
  const lines: string[] = [];
  const confidence: number[][] = [];
  let likeness = 0;
  let count = 0;
  const bests: number[] = [];
  types.forEach((row, l) => {
    let text = '';
    const conf: number[] = [];
    row.forEach((t, c) => {
      let idx = sets.get(t);
      if (!idx) {
        idx = allowedIndices(t);
        sets.set(t, idx);
      }
      const d = decodeCell(cells.scores[l]![c]!, idx);
      text += d.ch;
      conf.push(clamp01((d.best - d.second) / FULL_MARGIN) * clamp01((d.best - LOW) / (HIGH - LOW)));
      likeness += d.best;
      bests.push(d.best);
      count++;
    });
    lines.push(text);
    confidence.push(conf);
  });
  const plausible = (l: number, c: number, ch: string): boolean => {
    const s = cells.scores[l]?.[c];
    const i = classIndex.get(ch);
    if (!s || i === undefined) return false;
    let best = -1;
    for (const v of s) if (v > best) best = v;
    return best - s[i]! <= PLAUSIBLE_GAP;
  };
  bests.sort((a, b) => a - b);
  const quality = bests[bests.length >> 1] ?? 0;
  return { lines, confidence, plausible, likeness: clamp01((likeness / count - LIKENESS_FLOOR) / (LIKENESS_FULL - LIKENESS_FLOOR)), quality, cells: cells.cells };
}

/** Our recogniser: OCR-B glyph templates matched by normalised cross-correlation. */
/**
 * A second, closer look at a cell whose best two allowed characters score within
 * SECOND_LOOK_MARGIN of each other (O, Q and D are the usual ones): the cell is warped again
 * from the capture at SECOND_LOOK_PITCH, about the capture's own resolution at 300–400 dpi,
 * where the tail of a Q or the corners of a D are several pixels, and only the close
 * candidates are matched again. The others stay that margin behind the best of them.
 */
const SECOND_LOOK_MARGIN = 0.08;
export const SECOND_LOOK_PITCH = 36;

function secondLook(r: Rectified, hi: GlyphTemplates, cell: CellFix, scores: Float32Array, allowed: readonly number[]): Float32Array {
  let best = -1;
  for (const i of allowed) best = Math.max(best, scores[i]!);
  const close = allowed.filter((i) => scores[i]! >= best - SECOND_LOOK_MARGIN);
  if (close.length < 2) return scores;
  const cv = opencv();
  const k = hi.pitch / r.pitch;
  const sx = Math.round(0.2 * hi.pitch);
  const sy = Math.round(0.15 * hi.pitch);
  const x0 = cell.x * k - hi.pitch / 2 - sx;
  const y0 = cell.y * k - hi.centreRow - sy;
  const shift: Homography = [k, 0, -x0, 0, k, -y0, 0, 0, 1];
  const h = composeHomography(shift, r.homography);
  const m = new cv.Mat([[h[0], h[1], h[2]], [h[3], h[4], h[5]], [h[6], h[7], h[8]]], cv.CV_64F);
  const patch = r.capture.warpPerspective(m, new cv.Size(hi.pitch + 2 * sx, hi.height + 2 * sy), cv.INTER_LINEAR, cv.BORDER_REPLICATE);
  const out = Float32Array.from(scores);
  let lowest = Infinity;
  for (const i of close) {
    let v = -1;
    for (const g of hi.glyphs[i]!) {
      const res = patch.matchTemplate(g, cv.TM_CCOEFF_NORMED);
      v = Math.max(v, res.minMaxLoc().maxVal);
      res.release();
    }
    out[i] = v;
    lowest = Math.min(lowest, v);
  }
  patch.release();
  for (const i of allowed) if (!close.includes(i)) out[i] = Math.min(scores[i]!, lowest - SECOND_LOOK_MARGIN);
  return out;
}

export class OcrBRecogniser implements MrzRecogniser {
  readonly name = 'ocr-b-templates';
  // Quality: on 660 captures with the benchmark's defects the median best match of a page was
  // never below 0.89; pages 2.2 times as degraded, where misreads with fair margins (H for M
  // under heavy motion blur) appeared, had medians of 0.73–0.79. Below 0.82 a page is refused
  // as unreadable (lay it flat, try again) rather than trusted.
  readonly accept = { unprotected: 0.2, protected: 0.05, quality: 0.82 };
  readonly #templates: GlyphTemplates;
  readonly #closer: GlyphTemplates;

  constructor(o: TemplateOptions = {}) {
    this.#templates = buildTemplates(o);
    // The same blur, in capture terms, at the closer pitch.
    const k = SECOND_LOOK_PITCH / this.#templates.pitch;
    this.#closer = buildTemplates({ pitch: SECOND_LOOK_PITCH, blurs: (o.blurs ?? DEFAULT_BLURS).map((b) => b * k) });
  }

  get pitch(): number {
    return this.#templates.pitch;
  }

  recognise(r: Rectified, format: MrzFormat): Recognised {
    const cells = scoreCells(r, this.#templates);
    const visa = decodeCell(cells.scores[0]![0]!, allowedIndices(positionTypes(format)[0]![0]!)).ch === 'V';
    const types = positionTypes(format, visa);
    const scores = cells.scores.map((line, l) => line.map((s, c) => secondLook(r, this.#closer, cells.cells[l]![c]!, s, allowedIndices(types[l]![c]!))));
    return decodeCells({ scores, cells: cells.cells }, format);
  }
}
