// node-canvas (Cairo + Pango), loaded lazily like OpenCV: only the renderer and the MRZ
// reader's glyph templates need it. The fonts are Debian's: OCR-B from fonts-ocr-b (the MRZ
// typeface of ICAO 9303-3 §4.2.2) and DejaVu Sans from fonts-dejavu-core for the printed
// fields. Cairo's font registry is per process, so registration happens once, with the module.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as CanvasModule from 'canvas';
import { NativeError } from '../../errors.js';

export type CanvasApi = typeof CanvasModule;
export type { Canvas, CanvasRenderingContext2D } from 'canvas';

export const OCR_B_FAMILY = 'OCR-B';
export const VIZ_FAMILY = 'DejaVu Sans';
export const FONT_FILES = {
  ocrB: '/usr/share/fonts/opentype/ocr-b/OCRB.otf',
  dejaVu: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  dejaVuBold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
} as const;

const require = createRequire(import.meta.url);
let loaded: CanvasApi | undefined;

export function canvasApi(): CanvasApi {
  if (loaded) return loaded;
  for (const f of Object.values(FONT_FILES)) {
    if (!existsSync(f)) throw new NativeError('canvas', 'ERR_FONT_MISSING', `font file ${f} is missing (Debian packages fonts-ocr-b, fonts-dejavu-core)`);
  }
  let api: CanvasApi;
  try {
    api = require('canvas') as CanvasApi;
  } catch (e) {
    throw new NativeError('canvas', 'ERR_CANVAS_LOAD', e instanceof Error ? e.message : 'cannot load canvas');
  }
  api.registerFont(FONT_FILES.ocrB, { family: OCR_B_FAMILY });
  api.registerFont(FONT_FILES.dejaVu, { family: VIZ_FAMILY });
  api.registerFont(FONT_FILES.dejaVuBold, { family: VIZ_FAMILY, weight: 'bold' });
  loaded = api;
  return api;
}
