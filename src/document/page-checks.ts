// Checks on the data page's images beyond the MRZ's content: the MRZ's print geometry against
// ICAO 9303-3, and the page under ultraviolet and infrared light where the reader has them.
// Each check is `pass`, `fail` (a confident finding), or `not-performed` with the reason; the
// limits are named constants with the reason for each.
import { opencv } from '../native/opencv.js';
import type { DocumentCheck } from './cross-checks.js';
import { toGrey, toMat, type Image } from './image.js';
import type { Quad } from './plane.js';

/** ICAO 9303-3 §4.2.2: OCR-B size 1 at 10 characters per 25.4 mm. */
export const MRZ_PITCH_MM = 2.54;
/**
 * Deviation of the measured pitch from 2.54 mm that is still print and capture tolerance. The
 * reader's own resolution is known to about 1 %, perspective and skew add a few: 8 % is wide
 * enough for genuine pages and far below what a wrong font size gives (OCR-B size 2 is 20 %).
 */
export const MRZ_PITCH_TOLERANCE = 0.08;
/** Below this overall recognition confidence the font cannot be called OCR-B either way. */
export const FONT_CONFIDENCE_MIN = 0.8;
/**
 * UV: ICAO 9303-2 §3.1.2 asks for a UV-dull substrate. Paper with optical brighteners (office
 * copy paper) glows blue-white under 365 nm; security paper stays dark. Mean page brightness in
 * the UV image above this (0–255) is a fluorescing substrate.
 */
export const UV_SUBSTRATE_MAX_MEAN = 90;
/**
 * IR: the MRZ must be printed in infrared-absorbing ink (ICAO 9303-3 §4.2.3: readable in the
 * B900 band). Its spread of grey levels in the IR image (p95 − p5) below this means the
 * characters vanish in IR: an ink that is not the MRZ's.
 */
export const IR_MRZ_MIN_CONTRAST = 60;

export function mrzGeometryCheck(pitchPx: number | undefined, dpi: number | undefined, confidence: number | undefined): DocumentCheck[] {
  const id = 'mrz.pitch';
  const out: DocumentCheck[] = [];
  if (pitchPx === undefined) out.push({ id, kind: 'mrz-geometry', result: 'not-performed', detail: 'no MRZ geometry' });
  else if (dpi === undefined) out.push({ id, kind: 'mrz-geometry', result: 'not-performed', detail: 'capture resolution unknown' });
  else {
    const mm = pitchPx / (dpi / 25.4);
    const off = Math.abs(mm - MRZ_PITCH_MM) / MRZ_PITCH_MM;
    out.push(
      off <= MRZ_PITCH_TOLERANCE
        ? { id, kind: 'mrz-geometry', result: 'pass', detail: `pitch ${mm.toFixed(2)} mm` }
        : { id, kind: 'mrz-geometry', result: 'fail', code: 'MRZ_GEOMETRY_INCONSISTENT', detail: `pitch ${mm.toFixed(2)} mm, ICAO ${MRZ_PITCH_MM} mm ± ${(MRZ_PITCH_TOLERANCE * 100).toFixed(0)} %` },
    );
  }
  // A clean OCR-B read says the font is OCR-B; a poor one says nothing either way.
  const fid = 'mrz.font';
  if (confidence === undefined) out.push({ id: fid, kind: 'mrz-geometry', result: 'not-performed', detail: 'no MRZ read' });
  else if (confidence >= FONT_CONFIDENCE_MIN) out.push({ id: fid, kind: 'mrz-geometry', result: 'pass', detail: `OCR-B likeness ${confidence.toFixed(2)}` });
  else out.push({ id: fid, kind: 'mrz-geometry', result: 'not-performed', code: 'UNCERTAIN', detail: `recognition confidence ${confidence.toFixed(2)} too low to judge the font` });
  return out;
}

/** Grey levels inside a quadrilateral of an image, as a sorted sample. */
function levelsInside(img: Image, quad: Quad): Uint8Array {
  const cv = opencv();
  const grey = toMat(toGrey(img));
  const mask = new cv.Mat(grey.rows, grey.cols, cv.CV_8UC1, 0);
  mask.drawFillPoly([quad.map((p) => new cv.Point2(Math.round(p.x), Math.round(p.y)))], new cv.Vec3(255, 255, 255));
  const g = grey.getData();
  const m = mask.getData();
  const picked: number[] = [];
  // Every 4th pixel is plenty for a percentile and keeps a 10 MP frame cheap.
  for (let i = 0; i < g.length; i += 4) if (m[i]) picked.push(g[i]!);
  return Uint8Array.from(picked).sort();
}

const percentile = (sorted: Uint8Array, p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0);

export function uvCheck(uv: Image | undefined, page: Quad | undefined): DocumentCheck {
  const id = 'uv.substrate';
  if (!uv) return { id, kind: 'uv', result: 'not-performed', code: 'NOT_AVAILABLE', detail: 'the reader has no UV image' };
  if (!page) return { id, kind: 'uv', result: 'not-performed', detail: 'no page located' };
  const levels = levelsInside(uv, page);
  if (levels.length === 0) return { id, kind: 'uv', result: 'not-performed', detail: 'page outside the UV image' };
  const mean = levels.reduce((s, v) => s + v, 0) / levels.length;
  return mean <= UV_SUBSTRATE_MAX_MEAN
    ? { id, kind: 'uv', result: 'pass', detail: `substrate UV-dull (mean ${mean.toFixed(0)})` }
    : { id, kind: 'uv', result: 'fail', code: 'UV_ANOMALY', detail: `substrate fluoresces under UV (mean ${mean.toFixed(0)} > ${UV_SUBSTRATE_MAX_MEAN}): not security paper` };
}

export function irCheck(ir: Image | undefined, mrzZone: Quad | undefined): DocumentCheck {
  const id = 'ir.mrz';
  if (!ir) return { id, kind: 'ir', result: 'not-performed', code: 'NOT_AVAILABLE', detail: 'the reader has no IR image' };
  if (!mrzZone) return { id, kind: 'ir', result: 'not-performed', detail: 'no MRZ located' };
  const levels = levelsInside(ir, mrzZone);
  if (levels.length === 0) return { id, kind: 'ir', result: 'not-performed', detail: 'MRZ outside the IR image' };
  const contrast = percentile(levels, 0.95) - percentile(levels, 0.05);
  return contrast >= IR_MRZ_MIN_CONTRAST
    ? { id, kind: 'ir', result: 'pass', detail: `MRZ visible in IR (contrast ${contrast})` }
    : { id, kind: 'ir', result: 'fail', code: 'IR_ANOMALY', detail: `MRZ fades in IR (contrast ${contrast} < ${IR_MRZ_MIN_CONTRAST}): not IR-absorbing ink` };
}
