// From the detected MRZ lines to an upright, fronto-parallel image of the MRZ at a fixed pitch.
// The MRZ is printed on a plane, so the four ends of its first and last lines fix a
// homography that undoes rotation and perspective together; the fixed pitch (ICAO 9303-3
// §4.2.2) fixes the scale. A character's ink starts about 0.15 pitch into its cell and ends
// 0.15 pitch before the next, which is where the line ends are mapped.
import type { Mat } from '../../native/opencv.js';
import { opencv } from '../../native/opencv.js';
import { applyHomography, composeHomography, fitHomography, homographyFromQuads, invertHomography as invert, type Homography, type Point, type Quad } from '../plane.js';
import type { MrzCandidate, TextLine } from './detect.js';

export interface Rectified {
  readonly image: Mat;
  /** The grey capture it was warped from (for a closer look at single cells). */
  readonly capture: Mat;
  readonly columns: number;
  readonly pitch: number;
  /** Left edge of the first cell, pixels. */
  readonly left: number;
  /** Centre row of each line, top to bottom in reading order. */
  readonly lineCentres: readonly number[];
  /** Capture → rectified. */
  readonly homography: Homography;
  /** Whether the MRZ was read turned by 180°. */
  readonly upsideDown: boolean;
}

const INK_INSET = 0.15;
/** Cells of room left and right of the expected MRZ. */
export const MARGIN_CELLS = 3;
const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/** Lines in reading order for an orientation: turned by 180°, the last line is read first, right to left. */
export function orient(c: MrzCandidate, upsideDown: boolean): TextLine[] {
  if (!upsideDown) return [...c.lines];
  return [...c.lines].reverse().map((l) => ({ left: l.right, right: l.left, thickness: l.thickness }));
}

/**
 * Ink length of a line over the line spacing (measured square to the lines): about 26 for 44
 * characters, 21 for 36, 17.5 for 30.
 */
export function spacingRatio(c: MrzCandidate): number {
  const first = c.lines[0]!;
  const last = c.lines[c.lines.length - 1]!;
  const length = (dist(first.left, first.right) + dist(last.left, last.right)) / 2;
  return length / lineSpacing(c.lines);
}

/** Distance between consecutive line centre lines, square to the first line. */
function lineSpacing(lines: readonly TextLine[]): number {
  const first = lines[0]!;
  const last = lines[lines.length - 1]!;
  const len = dist(first.left, first.right);
  const nx = -(first.right.y - first.left.y) / len;
  const ny = (first.right.x - first.left.x) / len;
  const mid = (l: TextLine): Point => ({ x: (l.left.x + l.right.x) / 2, y: (l.left.y + l.right.y) / 2 });
  const a = mid(first);
  const b = mid(last);
  return Math.abs((b.x - a.x) * nx + (b.y - a.y) * ny) / Math.max(1, lines.length - 1);
}

export function rectify(grey: Mat, c: MrzCandidate, columns: number, pitch: number, upsideDown: boolean): Rectified {
  const lines = orient(c, upsideDown);
  const first = lines[0]!;
  const last = lines[lines.length - 1]!;
  const srcPitch = (dist(first.left, first.right) + dist(last.left, last.right)) / 2 / (columns - 2 * INK_INSET);
  const srcSpacing = lines.length > 1 ? lineSpacing(lines) : 1.67 * srcPitch;
  const spacing = (pitch * srcSpacing) / srcPitch;
  // Room on both sides (see warp): the ends found by detection can be a character or two off
  // (a faded last character, a glare halo), and the recogniser finds the cells itself.
  const left = MARGIN_CELLS * pitch;
  const top = spacing;
  const x0 = left + INK_INSET * pitch;
  const x1 = left + (columns - INK_INSET) * pitch;
  const yLast = top + (lines.length - 1) * spacing;
  const src: Quad = [first.left, first.right, last.right, last.left];
  const dst: Quad = [
    { x: x0, y: top },
    { x: x1, y: top },
    { x: x1, y: yLast },
    { x: x0, y: yLast },
  ];
  const h = homographyFromQuads(src, dst);
  return warp(grey, h, columns, pitch, lines.length, spacing, upsideDown);
}

/** Warps the capture into the rectified frame of `h`: lines `spacing` apart, cells `pitch` wide. */
function warp(grey: Mat, h: Homography, columns: number, pitch: number, lineCount: number, spacing: number, upsideDown: boolean): Rectified {
  const cv = opencv();
  const left = MARGIN_CELLS * pitch;
  const top = spacing;
  const width = Math.round((columns + 2 * MARGIN_CELLS) * pitch);
  const height = Math.round(top + lineCount * spacing);
  const srcPitch = pitchOf(h, left, top, columns, pitch);
  // Shrinking by warping alone would alias; crop the MRZ's surroundings and shrink them by
  // area averaging first, then warp what remains.
  const f = pitch / srcPitch;
  let source = grey;
  let pre: Homography = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  if (f < 0.8) {
    const corners = [0, 1, 2, 3].map((i) => applyHomography(invert(h), { x: i === 1 || i === 2 ? width : 0, y: i >= 2 ? height : 0 }));
    const bx0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p.x))) - 2);
    const by0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p.y))) - 2);
    const bx1 = Math.min(grey.cols, Math.ceil(Math.max(...corners.map((p) => p.x))) + 2);
    const by1 = Math.min(grey.rows, Math.ceil(Math.max(...corners.map((p) => p.y))) + 2);
    if (bx1 - bx0 > 8 && by1 - by0 > 8) {
      const crop = grey.getRegion(new cv.Rect(bx0, by0, bx1 - bx0, by1 - by0));
      const cw = Math.max(1, Math.round((bx1 - bx0) * f));
      const ch = Math.max(1, Math.round((by1 - by0) * f));
      source = crop.resize(new cv.Size(cw, ch), 0, 0, cv.INTER_AREA);
      const sx = cw / (bx1 - bx0);
      const sy = ch / (by1 - by0);
      pre = [sx, 0, -bx0 * sx, 0, sy, -by0 * sy, 0, 0, 1];
    }
  }
  const hs = composeHomography(h, invert(pre));
  const m = new cv.Mat([[hs[0], hs[1], hs[2]], [hs[3], hs[4], hs[5]], [hs[6], hs[7], hs[8]]], cv.CV_64F);
  const image = source.warpPerspective(m, new cv.Size(width, height), cv.INTER_LINEAR, cv.BORDER_REPLICATE);
  if (source !== grey) source.release();
  return {
    image,
    capture: grey,
    columns,
    pitch,
    left,
    lineCentres: Array.from({ length: lineCount }, (_, i) => top + i * spacing),
    homography: h,
    upsideDown,
  };
}

/** Capture pixels per rectified cell along the first line (for choosing the pre-shrink). */
function pitchOf(h: Homography, left: number, top: number, columns: number, pitch: number): number {
  const inv = invert(h);
  const a = applyHomography(inv, { x: left, y: top });
  const b = applyHomography(inv, { x: left + columns * pitch, y: top });
  return dist(a, b) / columns;
}

export interface CellObservation {
  readonly line: number;
  readonly column: number;
  /** Where the cell's centre was found in the previous rectified image. */
  readonly x: number;
  readonly y: number;
}

/**
 * A second, better rectification from where the recogniser actually found the cells: their
 * centres (mapped back to the capture) against the ideal grid give a least-squares homography
 * that no longer depends on how well detection found the line ends. Points off by more than
 * a third of a pitch after a first fit are dropped and the fit repeated.
 */
export function refine(grey: Mat, prev: Rectified, seen: readonly CellObservation[]): Rectified | undefined {
  const spacing = prev.lineCentres.length > 1 ? prev.lineCentres[1]! - prev.lineCentres[0]! : 1.67 * prev.pitch;
  const left = MARGIN_CELLS * prev.pitch;
  const inv = invert(prev.homography);
  const src = seen.map((o) => applyHomography(inv, { x: o.x, y: o.y }));
  const dst = seen.map((o) => ({ x: left + (o.column + 0.5) * prev.pitch, y: spacing + o.line * spacing }));
  let h = fitHomography(src, dst);
  if (!h) return undefined;
  const keep: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const p = applyHomography(h, src[i]!);
    if (dist(p, dst[i]!) <= prev.pitch / 3) keep.push(i);
  }
  if (keep.length < Math.max(8, src.length / 2)) return undefined;
  h = fitHomography(keep.map((i) => src[i]!), keep.map((i) => dst[i]!));
  if (!h) return undefined;
  return warp(grey, h, prev.columns, prev.pitch, prev.lineCentres.length, spacing, prev.upsideDown);
}
