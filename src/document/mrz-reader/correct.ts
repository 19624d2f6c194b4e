// Check-digit correction of a recognised MRZ, for the confusions OCR-B readers are known for:
// 0/O, 1/I, 5/S, 8/B, 2/Z and </K. Two rules, and nothing that guesses:
// 1. Field type: a character a position cannot hold (a letter in a date, a digit in a name)
//    becomes its confusion partner when that partner is allowed there; one with no such
//    partner makes the MRZ invalid.
// 2. Check digits (ICAO 9303-3 §4.9): when a check fails, every single confusion swap in a
//    position the checks cover is tried; the MRZ is corrected only when exactly one swap makes
//    every check hold. Two or more → refused as ambiguous; none → invalid.
// A recogniser may narrow rule 2 to the swaps it finds plausible (its second choices).
import { ParseError } from '../../errors.js';
import { parseMrz, type Mrz } from '../../mrtd/mrz.js';
import { formatOfShape, isAllowed, positionTypes, type PositionType } from './fields.js';

export const CONFUSIONS: readonly (readonly [string, string])[] = [
  ['0', 'O'],
  ['1', 'I'],
  ['5', 'S'],
  ['8', 'B'],
  ['2', 'Z'],
  ['<', 'K'],
];

const PARTNER = new Map<string, string>(CONFUSIONS.flatMap(([a, b]) => [[a, b], [b, a]] as const));

export const confusionPartner = (ch: string): string | undefined => PARTNER.get(ch);

export interface Correction {
  readonly line: number;
  readonly column: number;
  readonly from: string;
  readonly to: string;
  readonly rule: 'field-type' | 'check-digit';
}

export type CorrectionStatus = 'valid' | 'corrected' | 'ambiguous' | 'invalid' | 'malformed';

export interface CorrectionResult {
  readonly status: CorrectionStatus;
  /** The lines after corrections (as given when nothing applied). */
  readonly lines: readonly string[];
  readonly corrections: readonly Correction[];
  /** Parsed MRZ when the status is 'valid' or 'corrected'. */
  readonly mrz?: Mrz;
  /** How many single swaps made every check hold (reported for 'ambiguous'). */
  readonly solutions: number;
}

export interface CorrectOptions {
  /** Restricts check-digit swaps to those the recogniser finds plausible. Default: all. */
  readonly plausible?: (line: number, column: number, to: string) => boolean;
}

function tryParse(lines: readonly string[]): Mrz | undefined {
  try {
    return parseMrz(lines.join('\n'));
  } catch (e) {
    if (e instanceof ParseError) return undefined;
    throw e;
  }
}

const withChar = (lines: readonly string[], l: number, c: number, ch: string): string[] =>
  lines.map((s, i) => (i === l ? s.slice(0, c) + ch + s.slice(c + 1) : s));

export function correctMrz(input: readonly string[], o: CorrectOptions = {}): CorrectionResult {
  const format = formatOfShape(input);
  if (!format || input.some((l) => !/^[A-Z0-9<]*$/.test(l))) {
    return { status: 'malformed', lines: input, corrections: [], solutions: 0 };
  }
  const types = positionTypes(format, input[0]!.startsWith('V'));
  const corrections: Correction[] = [];
  let lines = [...input];
  // Rule 1: field types.
  types.forEach((row, l) => {
    row.forEach((t: PositionType, c) => {
      const ch = lines[l]![c]!;
      const p = PARTNER.get(ch);
      if (!isAllowed(t, ch) && p !== undefined && isAllowed(t, p)) {
        lines = withChar(lines, l, c, p);
        corrections.push({ line: l, column: c, from: ch, to: p, rule: 'field-type' });
      }
    });
  });
  // A character its position cannot hold, with no partner that it could: not a valid MRZ,
  // whatever the check digits say (names, for one, are covered by none).
  const misplaced = types.some((row, l) => row.some((t, c) => !isAllowed(t, lines[l]![c]!)));
  if (misplaced) return { status: 'invalid', lines, corrections, solutions: 0 };
  const parsed = tryParse(lines);
  if (parsed?.valid) return { status: corrections.length ? 'corrected' : 'valid', lines, corrections, mrz: parsed, solutions: 1 };

  // Rule 2: single swaps in positions the check digits cover.
  const solutions: { lines: string[]; fix: Correction; mrz: Mrz }[] = [];
  types.forEach((row, l) => {
    row.forEach((t, c) => {
      const ch = lines[l]![c]!;
      const p = PARTNER.get(ch);
      if (p === undefined || !isAllowed(t, p)) return;
      if (o.plausible && !o.plausible(l, c, p)) return;
      const next = withChar(lines, l, c, p);
      const m = tryParse(next);
      if (!m?.valid) return;
      solutions.push({ lines: next, fix: { line: l, column: c, from: ch, to: p, rule: 'check-digit' }, mrz: m });
    });
  });
  if (solutions.length === 1) {
    const s = solutions[0]!;
    return { status: 'corrected', lines: s.lines, corrections: [...corrections, s.fix], mrz: s.mrz, solutions: 1 };
  }
  return { status: solutions.length > 1 ? 'ambiguous' : 'invalid', lines, corrections, solutions: solutions.length };
}
