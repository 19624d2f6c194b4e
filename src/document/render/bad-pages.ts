// Captures the MRZ reader must refuse, each with the answer it should give: an empty glass,
// two documents at once, a page that is not a travel document, a document upside down, and a
// document whose printed check digits are wrong (a misprint or an altered MRZ).
import { InvalidArgumentError } from '../../errors.js';
import type { MrzFormat } from '../../mrtd/mrz.js';
import { VIZ_FAMILY } from './canvas.js';
import { applyDefects, emptyGlass, placePages, randomDefects, randomPlacement, type Capture, type CaptureDefects, type Glass } from './defects.js';
import { drawGuilloche } from './background.js';
import { PAGE_LAYOUTS } from './layout.js';
import { quadOfRect } from '../plane.js';
import { canvasPixels, pageCanvas, renderDataPage, type RenderedPage } from './page.js';
import type { Rng } from './random.js';
import { randomSpecimen, type DocumentSpec } from './specimen.js';

/** Light, noise and JPEG as on a real capture, without glare or blur (nothing to read anyway). */
function plainDefects(rng: Rng): CaptureDefects {
  return {
    lighting: { gradient: rng.uniform(0, 0.3), angleDeg: rng.uniform(0, 360), vignette: rng.uniform(0, 0.3) },
    noiseSigma: rng.uniform(1, 6),
    jpegQuality: Math.round(rng.uniform(70, 95)),
  };
}

/** Nothing on the glass. */
export function emptyGlassCapture(rng: Rng, glass: Glass): Capture {
  return applyDefects({ image: emptyGlass(glass, rng), pages: [] }, plainDefects(rng), rng, glass.dpi / 25.4);
}

/** Two ID-1 cards side by side (one above the other), both MRZ up. */
export function twoDocumentsCapture(rng: Rng, glass: Glass): Capture {
  const k = glass.dpi / 25.4;
  const a = renderDataPage(randomSpecimen(rng, 'TD1'), rng, { dpi: glass.dpi });
  const b = renderDataPage(randomSpecimen(rng, 'TD1'), rng, { dpi: glass.dpi });
  const h = PAGE_LAYOUTS.TD1.heightMm;
  if (glass.heightMm < 2 * h + 4) throw new InvalidArgumentError('glass', 'room for two ID-1 cards', `${glass.heightMm} mm high`);
  const gap = (glass.heightMm - 2 * h) / 2;
  const placed = placePages(emptyGlass(glass, rng), glass, [
    { page: a, placement: { dxMm: rng.uniform(-15, 15), dyMm: -(h / 2 + gap / 2), rotationDeg: rng.uniform(-3, 3) } },
    { page: b, placement: { dxMm: rng.uniform(-15, 15), dyMm: h / 2 + gap / 2, rotationDeg: rng.uniform(-3, 3) } },
  ]);
  return applyDefects(placed, plainDefects(rng), rng, k);
}

const WORDS = [
  'the', 'of', 'and', 'to', 'in', 'a', 'is', 'that', 'for', 'it', 'as', 'with', 'was', 'on', 'be', 'by', 'this', 'are',
  'invoice', 'delivery', 'address', 'reference', 'customer', 'payment', 'account', 'number', 'total', 'date', 'order',
  'please', 'contact', 'service', 'office', 'travel', 'booking', 'confirmation', 'ticket', 'receipt', 'amount', 'due',
  'Monday', 'March', 'Street', 'Avenue', 'Dear', 'Sincerely', 'regards', 'following', 'information', 'request',
];

/**
 * A page that is not a travel document: a printed letter of the same size as a passport data
 * page (paragraphs of proportional text, a heading, a light background), without an MRZ.
 */
export function renderTextPage(rng: Rng, dpi: number, format: MrzFormat = 'TD3'): RenderedPage {
  const L = PAGE_LAYOUTS[format];
  const { k, w, h, canvas, g } = pageCanvas(L, dpi);
  drawGuilloche(g, w, h, k, rng, { strength: 0.3 });
  g.fillStyle = 'rgb(25,25,30)';
  g.font = `bold ${3.2 * k}px "${VIZ_FAMILY}"`;
  g.fillText('Booking confirmation', 8 * k, 10 * k);
  const size = rng.uniform(2.2, 3.0) * k;
  g.font = `${size}px "${VIZ_FAMILY}"`;
  const lineH = size * 1.45;
  let y = 17 * k;
  while (y < h - 6 * k) {
    let text = '';
    while (g.measureText(text).width < w - 20 * k) text += rng.pick(WORDS) + ' ';
    g.fillText(text.trim(), 8 * k, y, w - 16 * k);
    y += rng.chance(0.15) ? lineH * 2 : lineH;
  }
  const { image, alpha } = canvasPixels(canvas);
  const none = quadOfRect(0, 0, 0, 0);
  return {
    image,
    alpha,
    truth: { format, mrz: '', pxPerMm: k, page: quadOfRect(0, 0, w, h), mrzZone: none, mrzLines: [], characters: [], portrait: none },
  };
}

/** The text page on the glass, placed and lit like a document. */
export function notATravelDocumentCapture(rng: Rng, glass: Glass): Capture {
  const page = renderTextPage(rng, glass.dpi);
  const placement = randomPlacement(rng, page.truth, glass, { maxRotationDeg: 6 });
  const placed = placePages(emptyGlass(glass, rng), glass, [{ page, placement }]);
  return applyDefects(placed, plainDefects(rng), rng, glass.dpi / 25.4);
}

/** A document lying upside down (180° ± 10°), with the usual random defects. */
export function upsideDownCapture(spec: DocumentSpec, rng: Rng, glass: Glass): Capture {
  const page = renderDataPage(spec, rng, { dpi: glass.dpi });
  const placement = randomPlacement(rng, page.truth, glass, { upsideDown: true });
  const placed = placePages(emptyGlass(glass, rng), glass, [{ page, placement }]);
  return applyDefects(placed, randomDefects(rng, placed.pages[0]!), rng, glass.dpi / 25.4);
}

/** Check-digit positions ([line, column]) per format (ICAO 9303-4/-5/-6 §4.2.2). */
const CHECK_POSITIONS: Readonly<Record<MrzFormat, readonly (readonly [number, number])[]>> = {
  TD3: [[1, 9], [1, 19], [1, 27], [1, 43]],
  TD2: [[1, 9], [1, 19], [1, 27], [1, 35]],
  TD1: [[0, 14], [1, 6], [1, 14], [1, 29]],
};

/**
 * The same document with one printed check digit changed to another digit: what a misprint or
 * an altered MRZ looks like. (A long-number or all-filler '<' position is never picked.)
 */
export function withWrongCheckDigit(spec: DocumentSpec, rng: Rng): DocumentSpec {
  const lines = spec.mrz.split('\n');
  const positions = CHECK_POSITIONS[spec.format].filter(([l, c]) => /[0-9]/.test(lines[l]![c]!));
  const [l, c] = rng.pick(positions);
  const old = Number(lines[l]![c]!);
  const digit = String((old + rng.int(1, 9)) % 10);
  lines[l] = lines[l]!.slice(0, c) + digit + lines[l]!.slice(c + 1);
  return { ...spec, mrz: lines.join('\n') };
}
