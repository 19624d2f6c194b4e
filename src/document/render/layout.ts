// Physical layout of the data pages the renderer draws, in millimetres from the page's top-left
// corner.
//
// Fixed by ICAO 9303 and used as such:
// - page sizes: TD3 125.0 × 88.0 mm (9303-4 §2.1), TD2 105.0 × 74.0 mm (9303-6 §2.1),
//   TD1 85.60 × 53.98 mm (9303-5 §2.1, the ISO/IEC 7810 ID-1 card);
// - MRZ characters: OCR-B size I, 10 characters per 25.4 mm, i.e. a 2.54 mm pitch
//   (9303-3 §4.2.2), 44, 36 and 30 characters per line, 2, 2 and 3 lines;
// - the MRZ sits at the bottom of the page, in the zone 9303-4/-5/-6 reserve for it (its
//   height below is the TD3 23.2 mm of 9303-4 and the corresponding TD1/TD2 zones).
// Nominal values chosen here, inside the positions and tolerances the Parts allow: the line
// spacing of 4.23 mm (6 lines per 25.4 mm), the line centres measured from the bottom edge, the
// lines centred horizontally, and the places of the portrait and the printed (VIZ) fields.
import type { MrzFormat } from '../../mrtd/mrz.js';
import { MRZ_PITCH_MM } from '../page-checks.js';

export interface RectMm {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface PageLayout {
  readonly format: MrzFormat;
  readonly widthMm: number;
  readonly heightMm: number;
  readonly cornerRadiusMm: number;
  /** Characters per MRZ line and number of lines. */
  readonly mrzColumns: number;
  readonly mrzLines: number;
  /** Character pitch (ICAO: 2.54 mm) and line spacing (centre to centre). */
  readonly pitchMm: number;
  readonly lineSpacingMm: number;
  /** Left edge of the first character cell. */
  readonly mrzLeftMm: number;
  /** Centre line of each MRZ line, from the top edge. */
  readonly mrzLineCentresMm: readonly number[];
  /** Height of the MRZ zone at the bottom of the page (kept clear of other printing). */
  readonly mrzZoneHeightMm: number;
  readonly portrait: RectMm;
  /** Where the printed fields start (left edge) and the band they may use. */
  readonly fields: RectMm;
  /** Header band (issuing state, document name). */
  readonly header: RectMm;
}

export { MRZ_PITCH_MM } from '../page-checks.js';
export const MRZ_LINE_SPACING_MM = 25.4 / 6;

function layout(
  format: MrzFormat,
  widthMm: number,
  heightMm: number,
  columns: number,
  centresFromBottom: readonly number[],
  zoneHeightMm: number,
  cornerRadiusMm: number,
  portrait: RectMm,
  fields: RectMm,
  header: RectMm,
): PageLayout {
  return {
    format,
    widthMm,
    heightMm,
    cornerRadiusMm,
    mrzColumns: columns,
    mrzLines: centresFromBottom.length,
    pitchMm: MRZ_PITCH_MM,
    lineSpacingMm: MRZ_LINE_SPACING_MM,
    mrzLeftMm: (widthMm - columns * MRZ_PITCH_MM) / 2,
    mrzLineCentresMm: centresFromBottom.map((c) => heightMm - c),
    mrzZoneHeightMm: zoneHeightMm,
    portrait,
    fields,
    header,
  };
}

const S = MRZ_LINE_SPACING_MM;

/** The layout of each format's MRZ-bearing page (for TD1, the card side that carries the MRZ). */
export const PAGE_LAYOUTS: Readonly<Record<MrzFormat, PageLayout>> = {
  TD3: layout('TD3', 125, 88, 44, [8.4 + S, 8.4], 23.2, 0.5,
    { x: 6, y: 17, w: 32, h: 42 }, { x: 44, y: 16, w: 77, h: 46 }, { x: 6, y: 3, w: 113, h: 11 }),
  TD2: layout('TD2', 105, 74, 36, [8.4 + S, 8.4], 21, 3.18,
    { x: 5, y: 14, w: 27, h: 35 }, { x: 36, y: 13, w: 66, h: 38 }, { x: 5, y: 3, w: 95, h: 9 }),
  TD1: layout('TD1', 85.6, 53.98, 30, [6.39 + 2 * S, 6.39 + S, 6.39], 17.9, 3.18,
    { x: 4, y: 10, w: 16, h: 21 }, { x: 24, y: 9, w: 58, h: 25 }, { x: 4, y: 2.5, w: 77, h: 6 }),
};
