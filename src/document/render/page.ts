// Renders the MRZ-bearing page of a TD1, TD2 or TD3 document at a chosen resolution, with the
// ground truth the tests and the benchmark measure against: the MRZ text, every character's
// ink box, each line's band, the MRZ zone and the portrait box, all in page pixels.
//
// MRZ characters are drawn one by one at their ICAO cell (2.54 mm pitch, 9303-3 §4.2.2), in
// OCR-B at the size whose advance is exactly one pitch, so the ground truth is exact and not
// subject to the text layout engine's kerning or rounding.
import { InvalidArgumentError } from '../../errors.js';
import type { MrzFormat } from '../../mrtd/mrz.js';
import { syntheticPortrait } from '../../mrtd/generator/portrait.js';
import { fromMat, type Image } from '../image.js';
import { opencv } from '../../native/opencv.js';
import { drawGuilloche, type BackgroundOptions } from './background.js';
import { canvasApi, OCR_B_FAMILY, VIZ_FAMILY, type Canvas, type CanvasApi, type CanvasRenderingContext2D } from './canvas.js';
import { PAGE_LAYOUTS, type PageLayout, type RectMm } from './layout.js';
import { quadOfRect, type Quad } from '../plane.js';
import type { Rng } from './random.js';
import type { DocumentSpec } from './specimen.js';

export interface RenderOptions {
  /** Resolution of the reader's glass in dots per inch (300–400 is typical). */
  readonly dpi?: number;
  readonly background?: BackgroundOptions;
  /** Grey level of the MRZ ink (0 = black). */
  readonly mrzInk?: number;
}

export interface PageTruth {
  readonly format: MrzFormat;
  /** The MRZ as printed, lines joined with '\n'. */
  readonly mrz: string;
  readonly pxPerMm: number;
  /** The page outline. */
  readonly page: Quad;
  /** The printed MRZ: from the first cell's left edge to the last cell's right edge, all lines. */
  readonly mrzZone: Quad;
  /** One band per MRZ line (cell width × line spacing). */
  readonly mrzLines: readonly Quad[];
  /** Ink box of every MRZ character, [line][column]. */
  readonly characters: readonly (readonly Quad[])[];
  readonly portrait: Quad;
}

export interface RenderedPage {
  readonly image: Image;
  /** One channel: 255 on the page, 0 outside its rounded corners (for placing it on the glass). */
  readonly alpha: Image;
  readonly truth: PageTruth;
}

export const DEFAULT_DPI = 300;
export const MIN_DPI = 100;
export const MAX_DPI = 1200;

interface GlyphInk {
  readonly left: number;
  readonly right: number;
  /** Above the baseline (positive up). */
  readonly ascent: number;
  readonly descent: number;
}

export const MRZ_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';

/** The OCR-B size (in px) whose advance is one pitch, and the ink extent of each glyph at it. */
export function ocrBMetrics(pitchPx: number): { fontPx: number; capHeight: number; ink: ReadonlyMap<string, GlyphInk> } {
  const api = canvasApi();
  const probe = api.createCanvas(10, 10).getContext('2d');
  probe.font = `100px "${OCR_B_FAMILY}"`;
  const fontPx = (100 * pitchPx) / probe.measureText('M').width;
  // Measured from pixels: node-canvas's actualBoundingBoxLeft has the wrong sign for Cairo.
  const size = Math.ceil(fontPx * 2);
  const c = api.createCanvas(size, size);
  const g = c.getContext('2d');
  g.font = `${fontPx}px "${OCR_B_FAMILY}"`;
  const ox = Math.round(fontPx * 0.4);
  const oy = Math.round(fontPx * 1.3);
  const ink = new Map<string, GlyphInk>();
  for (const ch of MRZ_ALPHABET) {
    g.fillStyle = '#fff';
    g.fillRect(0, 0, size, size);
    g.fillStyle = '#000';
    g.fillText(ch, ox, oy);
    const d = g.getImageData(0, 0, size, size).data;
    let x0 = size;
    let x1 = -1;
    let y0 = size;
    let y1 = -1;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (d[(y * size + x) * 4]! < 160) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    ink.set(ch, { left: x0 - ox, right: x1 + 1 - ox, ascent: oy - y0, descent: y1 + 1 - oy });
  }
  return { fontPx, capHeight: ink.get('H')!.ascent, ink };
}

const mmRect = (r: RectMm, k: number): RectMm => ({ x: r.x * k, y: r.y * k, w: r.w * k, h: r.h * k });

function roundedRectPath(g: CanvasRenderingContext2D, w: number, h: number, r: number): void {
  g.beginPath();
  g.moveTo(r, 0);
  g.arcTo(w, 0, w, h, r);
  g.arcTo(w, h, 0, h, r);
  g.arcTo(0, h, 0, 0, r);
  g.arcTo(0, 0, w, 0, r);
  g.closePath();
}

interface VizField {
  readonly label: string;
  readonly value: string;
}

function vizRows(spec: DocumentSpec): VizField[][] {
  const f = spec.fields;
  const v = spec.viz;
  const common = {
    surname: { label: 'Surname / Nom', value: f.primaryIdentifier },
    given: { label: 'Given names / Prénoms', value: f.secondaryIdentifier },
    nationality: { label: 'Nationality / Nationalité', value: f.nationality },
    born: { label: 'Date of birth', value: v.dateOfBirth },
    sex: { label: 'Sex', value: f.sex === '<' ? 'X' : f.sex },
    expiry: { label: 'Date of expiry', value: v.dateOfExpiry },
    number: { label: 'Document No.', value: f.documentNumber },
  };
  if (spec.format === 'TD1') {
    return [[common.surname], [common.given], [common.born, common.sex, common.nationality], [common.number, common.expiry]];
  }
  return [
    [{ label: 'Type', value: f.documentCode }, { label: 'Code', value: f.issuer }, common.number],
    [common.surname],
    [common.given],
    [common.nationality],
    [common.born, common.sex, { label: 'Place of birth', value: v.placeOfBirth }],
    [{ label: 'Date of issue', value: v.dateOfIssue }, { label: 'Authority', value: v.authority }],
    [common.expiry],
  ];
}

function drawViz(g: CanvasRenderingContext2D, spec: DocumentSpec, L: PageLayout, k: number, rng: Rng): void {
  const header = mmRect(L.header, k);
  const title = spec.format === 'TD3' ? 'PASSPORT / PASSEPORT' : spec.fields.documentCode.startsWith('A') ? 'RESIDENCE PERMIT' : 'IDENTITY CARD / CARTE D’IDENTITÉ';
  g.fillStyle = 'rgb(40,40,70)';
  g.textBaseline = 'alphabetic';
  const headPx = header.h * 0.34;
  g.font = `bold ${headPx}px "${VIZ_FAMILY}"`;
  g.fillText(spec.viz.stateName, header.x, header.y + headPx, header.w);
  g.font = `${headPx * 0.75}px "${VIZ_FAMILY}"`;
  g.fillText(title, header.x, header.y + headPx * 2.0, header.w);

  const area = mmRect(L.fields, k);
  const rows = vizRows(spec);
  const rowH = area.h / rows.length;
  const labelPx = rowH * 0.26;
  const valuePx = rowH * 0.42;
  rows.forEach((row, r) => {
    const y = area.y + r * rowH;
    const colW = area.w / row.length;
    row.forEach((field, c) => {
      const x = area.x + c * colW;
      g.fillStyle = 'rgb(70,70,90)';
      g.font = `${labelPx}px "${VIZ_FAMILY}"`;
      g.fillText(field.label, x, y + labelPx, colW - k);
      g.fillStyle = 'rgb(20,20,25)';
      g.font = `bold ${valuePx}px "${VIZ_FAMILY}"`;
      g.fillText(field.value, x, y + labelPx + valuePx * 1.15, colW - k);
    });
  });
  // A signature scribble under the fields.
  g.strokeStyle = 'rgba(20,30,90,0.85)';
  g.lineWidth = Math.max(1, 0.25 * k);
  g.beginPath();
  const sx = area.x + area.w * 0.45;
  const sy = area.y + area.h - rowH * 0.35;
  g.moveTo(sx, sy);
  for (let i = 1; i <= 14; i++) g.lineTo(sx + i * area.w * 0.03, sy + rng.uniform(-0.5, 0.5) * rowH * 0.6);
  g.stroke();
}

/** A blank canvas the size of a layout's page at `dpi`, with its pixels per millimetre. */
export function pageCanvas(L: PageLayout, dpi: number): { k: number; w: number; h: number; api: CanvasApi; canvas: Canvas; g: CanvasRenderingContext2D } {
  const k = dpi / 25.4;
  const w = Math.round(L.widthMm * k);
  const h = Math.round(L.heightMm * k);
  const api = canvasApi();
  const canvas = api.createCanvas(w, h);
  return { k, w, h, api, canvas, g: canvas.getContext('2d') };
}

/** A canvas's colour image and its alpha (the page's outline, rounded corners included). */
export function canvasPixels(canvas: Canvas): { image: Image; alpha: Image } {
  const cv = opencv();
  const raw = canvas.toBuffer('raw'); // Cairo ARGB32: B, G, R, A bytes on little-endian hosts
  const bgra = new cv.Mat(raw, canvas.height, canvas.width, cv.CV_8UC4);
  const bgr = bgra.cvtColor(cv.COLOR_BGRA2BGR);
  const channels = bgra.splitChannels();
  const image = fromMat(bgr);
  const alpha = fromMat(channels[3]!);
  // OpenCV's memory is invisible to V8's collector (src/native/opencv.ts): free it now.
  for (const m of [bgra, bgr, ...channels]) m.release();
  return { image, alpha };
}

/** Renders a document's MRZ page. `rng` varies the background and the signature only. */
export function renderDataPage(spec: DocumentSpec, rng: Rng, o: RenderOptions = {}): RenderedPage {
  const dpi = o.dpi ?? DEFAULT_DPI;
  if (!Number.isFinite(dpi) || dpi < MIN_DPI || dpi > MAX_DPI) throw new InvalidArgumentError('dpi', `${MIN_DPI} to ${MAX_DPI}`, dpi);
  const L = PAGE_LAYOUTS[spec.format];
  const lines = spec.mrz.split('\n');
  if (lines.length !== L.mrzLines || lines.some((l) => l.length !== L.mrzColumns || !/^[A-Z0-9<]+$/.test(l))) {
    throw new InvalidArgumentError('mrz', `${L.mrzLines} lines of ${L.mrzColumns} MRZ characters for ${spec.format}`, 'text of another shape');
  }
  const { k, w, h, api, canvas, g } = pageCanvas(L, dpi);
  g.save();
  roundedRectPath(g, w, h, L.cornerRadiusMm * k);
  g.clip();
  drawGuilloche(g, w, h, k, rng, o.background);

  const portraitRect = mmRect(L.portrait, k);
  const photo = new api.Image();
  try {
    photo.src = spec.portrait ?? syntheticPortrait({ width: Math.round(portraitRect.w), height: Math.round(portraitRect.h), seed: spec.portraitSeed });
  } catch {
    throw new InvalidArgumentError('portrait', 'a JPEG or PNG photo', 'bytes that do not decode');
  }
  // node-canvas reports undecodable bytes through onerror, not by throwing: check the result.
  if (!photo.complete || photo.width === 0 || photo.height === 0) throw new InvalidArgumentError('portrait', 'a JPEG or PNG photo', 'bytes that do not decode');
  // Fill the portrait box without distorting the face: the photo's centre, cut to the box's shape.
  const boxAspect = portraitRect.w / portraitRect.h;
  const sw = Math.min(photo.width, photo.height * boxAspect);
  const sh = sw / boxAspect;
  g.drawImage(photo, (photo.width - sw) / 2, (photo.height - sh) / 2, sw, sh, portraitRect.x, portraitRect.y, portraitRect.w, portraitRect.h);
  drawViz(g, spec, L, k, rng);

  // MRZ: one glyph per ICAO cell, vertically centred on the line's centre line by cap height.
  const pitch = L.pitchMm * k;
  const metrics = ocrBMetrics(pitch);
  const ink = o.mrzInk ?? 18;
  g.fillStyle = `rgb(${ink},${ink},${ink + 4})`;
  g.font = `${metrics.fontPx}px "${OCR_B_FAMILY}"`;
  const left = L.mrzLeftMm * k;
  const characters: Quad[][] = [];
  const bands: Quad[] = [];
  lines.forEach((line, li) => {
    const centre = L.mrzLineCentresMm[li]! * k;
    const baseline = centre + metrics.capHeight / 2;
    const boxes: Quad[] = [];
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      const x = left + i * pitch;
      g.fillText(ch, x, baseline);
      const gi = metrics.ink.get(ch)!;
      boxes.push(quadOfRect(x + gi.left, baseline - gi.ascent, gi.right - gi.left, gi.ascent + gi.descent));
    }
    characters.push(boxes);
    bands.push(quadOfRect(left, centre - (L.lineSpacingMm * k) / 2, line.length * pitch, L.lineSpacingMm * k));
  });
  g.restore();

  const { image, alpha } = canvasPixels(canvas);
  const first = bands[0]!;
  const last = bands[bands.length - 1]!;
  return {
    image,
    alpha,
    truth: {
      format: spec.format,
      mrz: spec.mrz,
      pxPerMm: k,
      page: quadOfRect(0, 0, w, h),
      mrzZone: [first[0], first[1], last[2], last[3]],
      mrzLines: bands,
      characters,
      portrait: quadOfRect(portraitRect.x, portraitRect.y, portraitRect.w, portraitRect.h),
    },
  };
}
