// Glyph templates for the OCR-B recogniser: every character of the MRZ alphabet (ICAO 9303-3
// §4.2.2: A–Z, 0–9 and '<') drawn from the OCR-B font at the rectified pitch, in the cell the
// character occupies (one pitch wide). Captures are never sharp, so each glyph also comes in
// blurred variants; the recogniser keeps a character's best match over its variants.
import type { Mat } from '../../native/opencv.js';
import { opencv } from '../../native/opencv.js';
import { canvasApi, OCR_B_FAMILY } from '../render/canvas.js';
import { MRZ_ALPHABET, ocrBMetrics } from '../render/page.js';

export interface GlyphTemplates {
  /** Rectified pitch in pixels (cell width). */
  readonly pitch: number;
  /** Template height; the glyph's cap-height centre sits at `centreRow`. */
  readonly height: number;
  readonly centreRow: number;
  /** [class][variant], class index = position in MRZ_ALPHABET. */
  readonly glyphs: readonly (readonly Mat[])[];
}

export interface TemplateOptions {
  readonly pitch?: number;
  /** Gaussian sigmas (pixels) of the variants; 0 = as drawn. */
  readonly blurs?: readonly number[];
}

export const DEFAULT_RECTIFIED_PITCH = 18;
export const DEFAULT_BLURS: readonly number[] = [0.6, 1.3];

/** Renders the templates (a few milliseconds; build once per reader). */
export function buildTemplates(o: TemplateOptions = {}): GlyphTemplates {
  const cv = opencv();
  const pitch = o.pitch ?? DEFAULT_RECTIFIED_PITCH;
  const blurs = o.blurs ?? DEFAULT_BLURS;
  const m = ocrBMetrics(pitch);
  let ascent = 0;
  let descent = 0;
  for (const g of m.ink.values()) {
    ascent = Math.max(ascent, g.ascent);
    descent = Math.max(descent, g.descent);
  }
  const margin = 2;
  const height = Math.ceil(ascent + descent) + 2 * margin;
  // Baseline so that the cap-height centre (the line's centre line) falls on centreRow.
  const baseline = margin + ascent;
  const centreRow = baseline - m.capHeight / 2;
  const api = canvasApi();
  const canvas = api.createCanvas(pitch, height);
  const g = canvas.getContext('2d');
  g.font = `${m.fontPx}px "${OCR_B_FAMILY}"`;
  const glyphs: Mat[][] = [];
  for (const ch of MRZ_ALPHABET) {
    g.fillStyle = '#fff';
    g.fillRect(0, 0, pitch, height);
    g.fillStyle = '#000';
    g.fillText(ch, 0, baseline);
    const bgra = new cv.Mat(canvas.toBuffer('raw'), height, pitch, cv.CV_8UC4);
    const grey = bgra.cvtColor(cv.COLOR_BGRA2GRAY);
    glyphs.push(blurs.map((s) => (s > 0 ? grey.gaussianBlur(new cv.Size(0, 0), s) : grey)));
  }
  return { pitch, height, centreRow, glyphs };
}
