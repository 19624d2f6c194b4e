// What each MRZ position may hold, by format (ICAO 9303-4 §4.2.2 for TD3, 9303-5 §4.2.2 for
// TD1, 9303-6 §4.2.2 for TD2, 9303-7 §4.2.2 for the MRV-A / MRV-B visa layouts):
// - alpha: document code, issuing state, nationality, names — letters and the filler '<';
// - numeric: dates and check digits — digits, and '<' (unknown date parts, the all-filler
//   personal-number check digit, the long-document-number indicator);
// - sex: 'M', 'F', 'X' or '<';
// - alnum: document number and optional data — any MRZ character;
// - the first character of the document code: 'P' on TD3 passports (9303-4 §4.2.2), 'A', 'C'
//   or 'I' on TD1 and TD2 documents (9303-5/-6 §4.2.2), 'V' on visas (9303-7 §4.2.2).
import type { MrzFormat } from '../../mrtd/mrz.js';

export type PositionType = 'alpha' | 'numeric' | 'alnum' | 'sex' | 'code-td3' | 'code-td2' | 'code-td1';

export const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const DIGITS = '0123456789';

const ALLOWED: Readonly<Record<PositionType, string>> = {
  alpha: LETTERS + '<',
  numeric: DIGITS + '<',
  alnum: LETTERS + DIGITS + '<',
  sex: 'MFX<',
  'code-td3': 'PV',
  'code-td2': 'ACIV',
  'code-td1': 'ACI',
};

export const allowedCharacters = (t: PositionType): string => ALLOWED[t];
export const isAllowed = (t: PositionType, ch: string): boolean => ch.length === 1 && ALLOWED[t].includes(ch);

export const MRZ_SHAPE: Readonly<Record<MrzFormat, { lines: number; columns: number }>> = {
  TD1: { lines: 3, columns: 30 },
  TD2: { lines: 2, columns: 36 },
  TD3: { lines: 2, columns: 44 },
};

/** Runs of [type, length, covered by a check digit] per line. */
type Layout = readonly (readonly (readonly [PositionType, number, boolean?])[])[];

const A = 'alpha';
const N = 'numeric';
const P = 'code-td3';
const Q = 'code-td2';
const R = 'code-td1';
const X = 'alnum';
const S = 'sex';

// Check-digit coverage (9303-3 §4.9 and the composite of each Part): document number, dates,
// optional data where a check or the composite includes it, and the check digits themselves.
const C = true;
const LAYOUTS: Readonly<Record<'TD1' | 'TD2' | 'TD3' | 'MRV-A' | 'MRV-B', Layout>> = {
  TD3: [
    [[P, 1], [A, 43]],
    [[X, 9, C], [N, 1, C], [A, 3], [N, 7, C], [S, 1], [N, 7, C], [X, 14, C], [N, 2, C]],
  ],
  'MRV-A': [
    [[P, 1], [A, 43]],
    [[X, 9, C], [N, 1, C], [A, 3], [N, 7, C], [S, 1], [N, 7, C], [X, 16]],
  ],
  TD2: [
    [[Q, 1], [A, 35]],
    [[X, 9, C], [N, 1, C], [A, 3], [N, 7, C], [S, 1], [N, 7, C], [X, 7, C], [N, 1, C]],
  ],
  'MRV-B': [
    [[Q, 1], [A, 35]],
    [[X, 9, C], [N, 1, C], [A, 3], [N, 7, C], [S, 1], [N, 7, C], [X, 8]],
  ],
  TD1: [
    [[R, 1], [A, 4], [X, 9, C], [N, 1, C], [X, 15, C]],
    [[N, 7, C], [S, 1], [N, 7, C], [A, 3], [X, 11, C], [N, 1, C]],
    [[A, 30]],
  ],
};

const layoutKey = (format: MrzFormat, visa: boolean): keyof typeof LAYOUTS =>
  visa && format === 'TD3' ? 'MRV-A' : visa && format === 'TD2' ? 'MRV-B' : format;

/**
 * Position types for a format; `visa` (document code starting with 'V', 9303-7) selects the
 * MRV-A / MRV-B layouts for TD3 / TD2 sizes.
 */
export function positionTypes(format: MrzFormat, visa = false): PositionType[][] {
  return LAYOUTS[layoutKey(format, visa)].map((runs) => runs.flatMap(([t, n]) => Array.from({ length: n }, () => t)));
}

/** Whether each position is covered by a check digit (a misread there is likely caught). */
export function checkCoverage(format: MrzFormat, visa = false): boolean[][] {
  return LAYOUTS[layoutKey(format, visa)].map((runs) => runs.flatMap(([, n, c]) => Array.from({ length: n }, () => c === true)));
}

/** The format whose shape the lines have, if any. */
export function formatOfShape(lines: readonly string[]): MrzFormat | undefined {
  for (const f of ['TD1', 'TD2', 'TD3'] as const) {
    const s = MRZ_SHAPE[f];
    if (lines.length === s.lines && lines.every((l) => l.length === s.columns)) return f;
  }
  return undefined;
}
