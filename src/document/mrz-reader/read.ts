// Reading the MRZ from a full capture of the reader's glass: find the document and its MRZ,
// rectify it, recognise the characters, apply the field types and check digits, and answer
// with either a verified MRZ or a typed failure that says what the applicant should do.
//
// Per MRZ-like line group (detect.ts), readings are tried until one is good — check digits
// hold (correct.ts) and every character and the capture are confident enough: the likely
// orientation first (the MRZ lies at the bottom of the page), the likely format first (line
// length over line spacing), and after each reading that is not good, a second one on the
// geometry refined from where the recogniser found the cells (rectify.ts).
// A failure never carries a guessed MRZ as if it had been read: when the check digits do not
// hold, the text is only offered as `unverified`, for display, never for opening the chip.
import { InvalidArgumentError } from '../../errors.js';
import type { Mrz, MrzFormat } from '../../mrtd/mrz.js';
import { opencv, type Mat } from '../../native/opencv.js';
import { toMat, type Image } from '../image.js';
import { applyHomography, invertHomography, type Point, type Quad } from '../plane.js';
import type { GuidanceCode } from '../capture-guidance.js';
import { correctMrz, type Correction } from './correct.js';
import { detectMrz, type MrzCandidate, type PageRegion } from './detect.js';
import { checkCoverage, MRZ_SHAPE } from './fields.js';
import { OcrBRecogniser, type MrzRecogniser, type Recognised } from './ocrb.js';
import { rectify, refine, spacingRatio, type Rectified } from './rectify.js';

export type MrzFailureCode = 'no-document' | 'no-mrz' | 'mrz-unreadable' | 'check-digits-failed' | 'two-documents' | 'upside-down';

/**
 * What the kiosk should tell the applicant, in the capture checks' guidance vocabulary (one
 * catalogue for the UI and its translations: ../capture-guidance.ts).
 */
export const GUIDANCE: Readonly<Record<MrzFailureCode, GuidanceCode>> = {
  'no-document': 'placeDocument', // nothing on the glass
  'no-mrz': 'photoPageDown', // a page, but not the one with the MRZ
  'mrz-unreadable': 'placeFlat', // MRZ seen but not read with confidence: flatten, avoid reflections
  'check-digits-failed': 'seeAssistant', // the MRZ reads cleanly but its check digits do not hold
  'two-documents': 'removeOtherDocument',
  'upside-down': 'turnDocument',
};

export interface MrzCharacter {
  readonly char: string;
  /** 0 … 1. */
  readonly confidence: number;
}

export interface MrzGeometry {
  /** The MRZ's cells in capture pixels: first cell's top-left … last line's last cell. */
  readonly zone: Quad;
  /** Character pitch and line spacing measured on the capture, pixels. */
  readonly pitchPx: number;
  readonly lineSpacingPx: number;
  /** 180 when the document lay upside down. */
  readonly rotation: 0 | 180;
}

export interface MrzRead {
  readonly ok: true;
  readonly mrz: string;
  readonly format: MrzFormat;
  readonly fields: Mrz;
  readonly checkDigits: 'valid';
  readonly corrections: readonly Correction[];
  readonly characters: readonly (readonly MrzCharacter[])[];
  /** 0 … 1. */
  readonly confidence: number;
  /**
   * How closely the print matches the recogniser's idea of OCR-B MRZ print, 0 … 1 (for the
   * document check's font consistency; engine-specific).
   */
  readonly likeness: number;
  readonly geometry: MrzGeometry;
  readonly engine: string;
}

export interface MrzFailure {
  readonly ok: false;
  readonly code: MrzFailureCode;
  readonly guidance: GuidanceCode;
  /** Technician-facing detail; never holds MRZ content. */
  readonly detail: string;
  readonly checkDigits?: 'invalid';
  /** Text as recognised when check digits failed: for display only, never as a read MRZ. */
  readonly unverified?: { readonly mrz: string; readonly format: MrzFormat; readonly confidence: number };
  readonly geometry?: MrzGeometry;
  readonly engine: string;
}

export type MrzReadResult = MrzRead | MrzFailure;

export interface MrzReaderOptions {
  /** Nominal resolution of the capture (the reader's), dots per inch. */
  readonly dpi?: number;
  /** An upside-down document is read (default) or refused with 'upside-down'. */
  readonly upsideDown?: 'read' | 'reject';
  readonly recogniser?: MrzRecogniser;
}

/** Below this likeness a line group is not OCR-B MRZ print (a paragraph, a barcode …). */
const MIN_LIKENESS = 0.3;
/** Cells matched at least this well steer the refined geometry. */
const REFINE_MIN_SCORE = 0.6;

interface Attempt {
  readonly rectified: Rectified;
  readonly recognised: Recognised;
  readonly format: MrzFormat;
  readonly result: ReturnType<typeof correctMrz>;
  readonly weakest: { readonly protected: number; readonly unprotected: number };
}

function formatsFor(c: MrzCandidate): MrzFormat[] {
  if (c.lines.length === 3) return ['TD1'];
  // Line length over line spacing: about 26 for 44 characters (TD3), 21 for 36 (TD2). The
  // nearer format first; the other stays as a fallback, since a misplaced line end skews it.
  return spacingRatio(c) > 23.8 ? ['TD3', 'TD2'] : ['TD2', 'TD3'];
}

export class MrzReader {
  readonly #recogniser: MrzRecogniser;
  readonly #pxPerMm: number;
  readonly #upsideDown: 'read' | 'reject';

  constructor(o: MrzReaderOptions = {}) {
    const dpi = o.dpi ?? 300;
    if (!(dpi >= 100 && dpi <= 1200)) throw new InvalidArgumentError('dpi', '100 to 1200', dpi);
    this.#recogniser = o.recogniser ?? new OcrBRecogniser();
    this.#pxPerMm = dpi / 25.4;
    this.#upsideDown = o.upsideDown ?? 'read';
  }

  get engine(): string {
    return this.#recogniser.name;
  }

  #attempt(rectified: Rectified, format: MrzFormat): Attempt {
    const recognised = this.#recogniser.recognise(rectified, format);
    const result = correctMrz(recognised.lines, recognised.plausible ? { plausible: recognised.plausible } : {});
    const coverage = checkCoverage(format, recognised.lines[0]?.startsWith('V') ?? false);
    // A character the check digits corrected was confirmed by them; its (low) confidence in
    // what the recogniser saw does not count against the reading.
    const corrected = new Set(result.corrections.map((c) => `${c.line}:${c.column}`));
    let prot = 1;
    let unprot = 1;
    recognised.confidence.forEach((row, l) => {
      row.forEach((v, col) => {
        if (corrected.has(`${l}:${col}`)) return;
        if (coverage[l]?.[col]) prot = Math.min(prot, v);
        else unprot = Math.min(unprot, v);
      });
    });
    return { rectified, recognised, format, result, weakest: { protected: prot, unprotected: unprot } };
  }

  /** A reading to stop at: check digits hold and every character is confident enough. */
  #good(a: Attempt): boolean {
    const ok = a.result.status === 'valid' || a.result.status === 'corrected';
    return ok && this.#confident(a);
  }

  /** Every character confident enough, and the capture good enough where the recogniser says. */
  #confident(a: Attempt): boolean {
    const need = this.#recogniser.accept;
    const quality = a.recognised.quality === undefined || need.quality === undefined || a.recognised.quality >= need.quality;
    return quality && a.weakest.unprotected >= need.unprotected && a.weakest.protected >= need.protected;
  }

  /**
   * Best reading of one candidate over formats and orientations, the likely ones first; the
   * first reading whose check digits hold ends the search.
   */
  #readCandidate(grey: Mat, c: MrzCandidate, pages: readonly PageRegion[], made: Mat[]): Attempt {
    let best: Attempt | undefined;
    const flipFirst = orientationHint(c, pages) === 'upside-down';
    for (const upsideDown of [flipFirst, !flipFirst]) {
      for (const format of formatsFor(c)) {
        const rectified = rectify(grey, c, MRZ_SHAPE[format].columns, this.#recogniser.pitch, upsideDown);
        made.push(rectified.image);
        const a = this.#attempt(rectified, format);
        if (!best || rank(a) > rank(best)) best = a;
        if (this.#good(a)) return a;
        // Nothing like MRZ print this way up: the other orientation is the only hope.
        if (a.recognised.likeness < MIN_LIKENESS) break;
        // Detection's line ends can be off (faded ends, print nearby); where the recogniser
        // found the cells fixes the geometry better.
        const cells = a.recognised.cells;
        if (!cells) continue;
        const seen = cells.flatMap((row, line) => row.flatMap((f, column) => (f.score >= REFINE_MIN_SCORE ? [{ line, column, x: f.x, y: f.y }] : [])));
        const better = refine(grey, a.rectified, seen);
        if (!better) continue;
        made.push(better.image);
        const b = this.#attempt(better, format);
        if (rank(b) > rank(best)) best = b;
        if (this.#good(b)) return b;
      }
    }
    return best!;
  }

  read(image: Image): MrzReadResult {
    const cv = opencv();
    const m = toMat(image);
    const grey = image.channels === 1 ? m : m.cvtColor(cv.COLOR_BGR2GRAY);
    // OpenCV's memory is invisible to V8's collector (src/native/opencv.ts): every Mat a read
    // makes is freed when it ends.
    const made: Mat[] = [m, grey];
    try {
      return this.#read(grey, made);
    } finally {
      for (const x of new Set(made)) x.release();
    }
  }

  #read(grey: Mat, made: Mat[]): MrzReadResult {
    const engine = this.#recogniser.name;
    const fail = (code: MrzFailureCode, detail: string, extra: Partial<MrzFailure> = {}): MrzFailure => ({ ok: false, code, guidance: GUIDANCE[code], detail, engine, ...extra });
    const det = detectMrz(grey, this.#pxPerMm);
    if (!det.documentPresent) return fail('no-document', 'no document stands out from the glass');
    // Two separate pages, or two MRZs that both validate: one document at a time.
    if (det.pages.length >= 2) return fail('two-documents', `${det.pages.length} separate pages on the glass`);
    const attempts = det.candidates.map((c) => this.#readCandidate(grey, c, det.pages, made)).filter((a) => a.recognised.likeness >= MIN_LIKENESS);
    const valid = attempts.filter((x) => x.result.status === 'valid' || x.result.status === 'corrected');
    if (valid.length >= 2) return fail('two-documents', `${valid.length} machine readable zones on the glass`);
    // Otherwise the one that validates, or the most MRZ-like (print nearby in OCR-B can look
    // like an MRZ line pair, but its check digits never hold).
    const a = valid[0] ?? attempts.reduce<Attempt | undefined>((b, x) => (!b || x.recognised.likeness > b.recognised.likeness ? x : b), undefined);
    if (!a) return fail('no-mrz', det.candidates.length ? 'text lines found, but not in OCR-B MRZ print' : 'no machine readable zone on the page');
    const geometry = geometryOf(a);
    const characters = a.result.lines.map((line, l) => Array.from(line).map((ch, c) => ({ char: ch, confidence: round3(a.recognised.confidence[l]?.[c] ?? 0) })));
    const confidence = overallConfidence(a);
    const { status } = a.result;
    if (status === 'malformed') return fail('mrz-unreadable', 'the recognised lines do not have the MRZ shape', { geometry });
    const acceptable = this.#confident(a);
    if (status === 'valid' || status === 'corrected') {
      if (!acceptable) return fail('mrz-unreadable', 'check digits hold, but some characters were not read with enough confidence', { geometry });
      if (geometry.rotation === 180 && this.#upsideDown === 'reject') return fail('upside-down', 'the document lies upside down', { geometry });
      return {
        ok: true,
        mrz: a.result.lines.join('\n'),
        format: a.format,
        fields: a.result.mrz!,
        checkDigits: 'valid',
        corrections: a.result.corrections,
        characters,
        confidence,
        likeness: round3(a.recognised.likeness),
        geometry,
        engine,
      };
    }
    const unverified = { mrz: a.result.lines.join('\n'), format: a.format, confidence };
    if (!acceptable) return fail('mrz-unreadable', `check digits do not hold (${status}) and some characters were read with low confidence`, { geometry, checkDigits: 'invalid', unverified });
    return fail('check-digits-failed', `check digits do not hold after correction (${status})`, { geometry, checkDigits: 'invalid', unverified });
  }
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * The MRZ lies along the bottom edge of every data page (ICAO 9303-4/-5/-6), so a page centre
 * above the MRZ (in the lines' own up direction) means upright, below means upside down.
 * Undefined when no page region clearly contains the MRZ.
 */
function orientationHint(c: MrzCandidate, pages: readonly PageRegion[]): 'upright' | 'upside-down' | undefined {
  const first = c.lines[0]!;
  const last = c.lines[c.lines.length - 1]!;
  const mid = { x: (first.left.x + first.right.x + last.left.x + last.right.x) / 4, y: (first.left.y + first.right.y + last.left.y + last.right.y) / 4 };
  const len = Math.hypot(first.right.x - first.left.x, first.right.y - first.left.y);
  if (len === 0) return undefined;
  // Unit "down" of the upright reading frame: the line direction turned by +90° (image y down).
  const dx = -(first.right.y - first.left.y) / len;
  const dy = (first.right.x - first.left.x) / len;
  let nearest: PageRegion | undefined;
  let nd = Infinity;
  for (const p of pages) {
    const d = Math.hypot(p.centre.x - mid.x, p.centre.y - mid.y);
    if (d < nd) {
      nd = d;
      nearest = p;
    }
  }
  if (!nearest || nd > len) return undefined;
  const along = (nearest.centre.x - mid.x) * dx + (nearest.centre.y - mid.y) * dy;
  if (Math.abs(along) < 0.1 * len) return undefined;
  return along < 0 ? 'upright' : 'upside-down';
}

/** Valid beats invalid; then likeness. */
function rank(a: Attempt): number {
  const ok = a.result.status === 'valid' || a.result.status === 'corrected' ? 1 : 0;
  return ok * 10 + a.recognised.likeness;
}

/** Overall confidence: the weakest character weighs most, the average a little (0 … 1). */
function overallConfidence(a: Attempt): number {
  const all = a.recognised.confidence.flat();
  if (all.length === 0) return 0;
  const mean = all.reduce((s, v) => s + v, 0) / all.length;
  // The weakest character the check digits did not have to correct (see #attempt).
  const min = Math.min(a.weakest.protected, a.weakest.unprotected);
  const valid = a.result.status === 'valid' || a.result.status === 'corrected';
  return round3((valid ? 1 : 0.5) * (0.7 * min + 0.3 * mean));
}

/**
 * The MRZ's place on the capture: from where the recogniser found the first and last cells of
 * the first and last lines when it knows (else from the rectification's grid), mapped back
 * through the rectification. Pitch and line spacing are measured along those cells.
 */
function geometryOf(a: Attempt): MrzGeometry {
  const r = a.rectified;
  const inv = invertHomography(r.homography);
  const p = (x: number, y: number): Point => applyHomography(inv, { x, y });
  const n = r.lineCentres.length;
  const spacing = n > 1 ? r.lineCentres[1]! - r.lineCentres[0]! : r.pitch * 1.67;
  const grid = (line: number, column: number): Point => ({ x: r.left + (column + 0.5) * r.pitch, y: r.lineCentres[line]! });
  const cell = (line: number, column: number): Point => a.recognised.cells?.[line]?.[column] ?? grid(line, column);
  const last = r.columns - 1;
  // Cell centres of the four corner characters, then out by half a cell and half a line.
  const tl = cell(0, 0);
  const tr = cell(0, last);
  const br = cell(n - 1, last);
  const bl = cell(n - 1, 0);
  const zone: Quad = [
    p(tl.x - r.pitch / 2, tl.y - spacing / 2),
    p(tr.x + r.pitch / 2, tr.y - spacing / 2),
    p(br.x + r.pitch / 2, br.y + spacing / 2),
    p(bl.x - r.pitch / 2, bl.y + spacing / 2),
  ];
  const a0 = p(tl.x, tl.y);
  const a1 = p(tr.x, tr.y);
  const b0 = p(bl.x, bl.y);
  return {
    zone,
    pitchPx: round3(Math.hypot(a1.x - a0.x, a1.y - a0.y) / last),
    lineSpacingPx: round3(n > 1 ? Math.hypot(b0.x - a0.x, b0.y - a0.y) / (n - 1) : spacing),
    rotation: r.upsideDown ? 180 : 0,
  };
}
