// Finding the document and its MRZ on a full capture of the reader's glass.
//
// The capture is reduced to a working scale of about 4 px/mm (an MRZ character is then some
// 10 px tall and 10 px apart). A black-hat filter keeps dark strokes narrower than a character
// cell, which removes uneven light and most of the pale background line work; closing along
// the text direction joins the characters of a line into one blob. MRZ lines are then the long,
// thin blobs that come as 2 or 3 parallel lines of equal length, evenly spaced, ends aligned
// (ICAO 9303-3 §4.2.2: fixed pitch, fixed number of characters per line). Whether a group
// really is OCR-B in the MRZ alphabet is for the recogniser to say.
import type { Mat } from '../../native/opencv.js';
import { opencv } from '../../native/opencv.js';
import type { Point } from '../plane.js';

/** Detection works at this many pixels per millimetre. */
export const WORK_PX_PER_MM = 4;

export interface TextLine {
  /** Centre of the line's left and right ends, in capture pixels. */
  readonly left: Point;
  readonly right: Point;
  /** Blob thickness (≈ character height), capture pixels. */
  readonly thickness: number;
}

export interface MrzCandidate {
  /** Lines from top to bottom as seen in the capture. */
  readonly lines: readonly TextLine[];
}

export interface PageRegion {
  /** Centroid and area of a bright, page-sized region, capture pixels. */
  readonly centre: Point;
  readonly area: number;
}

export interface Detection {
  /** Whether a bright page stands out from the glass at all. */
  readonly documentPresent: boolean;
  /** Separate page-sized bright regions. */
  readonly pages: readonly PageRegion[];
  readonly candidates: readonly MrzCandidate[];
  /** Capture pixels per working pixel. */
  readonly scale: number;
}

interface Blob {
  readonly cx: number;
  readonly cy: number;
  /** Unit direction along the line (x ≥ 0). */
  readonly ux: number;
  readonly uy: number;
  readonly length: number;
  readonly thickness: number;
}

const dot = (ax: number, ay: number, bx: number, by: number): number => ax * bx + ay * by;

/** Otsu's threshold of a grey buffer, with the two class means. */
function otsu(data: Buffer): { t: number; low: number; high: number } {
  const hist = new Float64Array(256);
  for (const v of data) hist[v]!++;
  const n = data.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i]!;
  let wB = 0;
  let sumB = 0;
  let best = -1;
  let t = 0;
  for (let i = 0; i < 256; i++) {
    wB += hist[i]!;
    if (wB === 0) continue;
    const wF = n - wB;
    if (wF === 0) break;
    sumB += i * hist[i]!;
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      t = i;
    }
  }
  let lo = 0;
  let loN = 0;
  let hi = 0;
  let hiN = 0;
  for (let i = 0; i < 256; i++) {
    if (i <= t) {
      lo += i * hist[i]!;
      loN += hist[i]!;
    } else {
      hi += i * hist[i]!;
      hiN += hist[i]!;
    }
  }
  return { t, low: loN ? lo / loN : 0, high: hiN ? hi / hiN : 0 };
}

/** Bright regions large enough to be a document (at least half an ID-1 card), working pixels. */
function findPages(small: Mat, pxPerMm: number): PageRegion[] {
  const cv = opencv();
  const blurred = small.gaussianBlur(new cv.Size(0, 0), 2);
  const { t, low, high } = otsu(blurred.getData());
  // An empty glass has no bright class to speak of: its two Otsu classes are close.
  if (high - low < 45 || high < 90) {
    blurred.release();
    return [];
  }
  const mask = blurred.threshold(t, 255, cv.THRESH_BINARY);
  const minArea = 0.5 * 85.6 * 53.98 * pxPerMm * pxPerMm;
  const pages = mask
    .findContours(cv.RETR_EXTERNAL, cv.CHAIN_APPROX_SIMPLE)
    .filter((c) => c.area >= minArea)
    .map((c) => {
      const m = c.moments();
      return { centre: { x: m.m10 / m.m00, y: m.m01 / m.m00 }, area: c.area };
    });
  blurred.release();
  mask.release();
  return pages;
}

interface Level {
  /** Black-hat level above which a pixel is print. */
  readonly print: number;
}

/** Blobs of horizontal-ish text lines in a (deskewed) working image, in its own coordinates. */
function textBlobs(hat: Mat, level: Level, pitch: number): Blob[] {
  const cv = opencv();
  const rect = (w: number, h: number): Mat => cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(Math.max(1, Math.round(w)) | 1, Math.max(1, Math.round(h)) | 1));
  const bin = hat.threshold(level.print, 255, cv.THRESH_BINARY);
  const joined = bin.morphologyEx(rect(pitch * 1.3, 1), cv.MORPH_CLOSE);
  const closed = joined.morphologyEx(rect(2, 2), cv.MORPH_OPEN);
  const contours = closed.findContours(cv.RETR_EXTERNAL, cv.CHAIN_APPROX_SIMPLE);
  for (const m of [bin, joined, closed]) m.release();
  const out: Blob[] = [];
  for (const c of contours) {
    if (c.area < pitch * pitch * 3) continue;
    const r = c.minAreaRect();
    let { width: w, height: h } = r.size;
    let a = (r.angle * Math.PI) / 180;
    if (h > w) {
      [w, h] = [h, w];
      a += Math.PI / 2;
    }
    let ux = Math.cos(a);
    let uy = Math.sin(a);
    if (ux < 0) {
      ux = -ux;
      uy = -uy;
    }
    // Text lines within ±35° of horizontal; pages are laid roughly square to the glass.
    if (Math.abs(uy) > 0.58) continue;
    if (h < 0.4 * pitch || h > 2.6 * pitch || w < 4 * h) continue;
    out.push({ cx: r.center.x, cy: r.center.y, ux, uy, length: w, thickness: h });
  }
  return out;
}

/**
 * Walks outward from both ends of each long line along the black-hat image and takes in print
 * the thresholded blob missed: characters faded by a glare halo or uneven light still stand
 * out from their own surroundings at half the level. A gap of 1.5 pitches ends the line.
 */
function extendEnds(hat: Mat, blobs: Blob[], level: Level, pitch: number): Blob[] {
  const w = hat.cols;
  const h = hat.rows;
  const data = hat.getData();
  const low = level.print * 0.5;
  const inkAt = (b: Blob, t: number): boolean => {
    const x = b.cx + b.ux * t;
    const y = b.cy + b.uy * t;
    const half = b.thickness * 0.45;
    for (let k = -half; k <= half; k += 1) {
      const px = Math.round(x - b.uy * k);
      const py = Math.round(y + b.ux * k);
      if (px >= 0 && py >= 0 && px < w && py < h && data[py * w + px]! >= low) return true;
    }
    return false;
  };
  return blobs.map((b) => {
    if (b.length < 10 * pitch) return b;
    const reach = (dir: 1 | -1): number => {
      let last = b.length / 2;
      for (let t = b.length / 2; t <= b.length / 2 + 8 * pitch; t += 1) {
        const x = b.cx + b.ux * t * dir;
        if (x < 0 || x >= w) break;
        if (inkAt(b, t * dir)) last = t;
        else if (t - last > 1.5 * pitch) break;
      }
      return last;
    };
    const right = reach(1);
    const left = reach(-1);
    const mid = (right - left) / 2;
    return { ...b, cx: b.cx + b.ux * mid, cy: b.cy + b.uy * mid, length: right + left };
  });
}

/** Rotation about the origin, for mapping between the working image and its deskewed copy. */
function rotateBlob(b: Blob, cos: number, sin: number, from: Point, to: Point): Blob {
  const x = b.cx - from.x;
  const y = b.cy - from.y;
  let ux = b.ux * cos - b.uy * sin;
  let uy = b.ux * sin + b.uy * cos;
  if (ux < 0) {
    ux = -ux;
    uy = -uy;
  }
  return { ...b, cx: to.x + x * cos - y * sin, cy: to.y + x * sin + y * cos, ux, uy };
}

/** Length-weighted median direction of the long blobs, radians (0 = horizontal). */
function dominantAngle(blobs: Blob[]): number {
  const long = blobs.filter((b) => b.length >= 8 * b.thickness).map((b) => ({ a: Math.atan2(b.uy, b.ux), w: b.length }));
  if (long.length === 0) return 0;
  long.sort((p, q) => p.a - q.a);
  const total = long.reduce((s, v) => s + v.w, 0);
  let acc = 0;
  for (const v of long) {
    acc += v.w;
    if (acc >= total / 2) return v.a;
  }
  return 0;
}

/**
 * Text-line blobs of the working image. Closing joins characters along rows, which works for
 * text within a few degrees of horizontal; for a page turned further, the image is turned
 * upright by the dominant text direction first and the blobs are turned back.
 */
function lineBlobs(small: Mat, pxPerMm: number): Blob[] {
  const cv = opencv();
  const pitch = 2.54 * pxPerMm;
  const kernel = cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(Math.round(pitch * 1.6) | 1, Math.round(pitch * 1.3) | 1));
  const hat = small.morphologyEx(kernel, cv.MORPH_BLACKHAT);
  const { t, high } = otsu(hat.getData());
  // Strokes of printed text stand well above the background's line work in the black-hat image.
  const level: Level = { print: Math.max(t, 0.35 * high, 18) };
  const first = textBlobs(hat, level, pitch);
  const angle = dominantAngle(first);
  if (Math.abs(angle) < (1.5 * Math.PI) / 180) {
    const blobs = extendEnds(hat, first, level, pitch);
    hat.release();
    return blobs;
  }
  // Turn by −angle about the image centre into a canvas large enough for the whole image.
  const cos = Math.cos(-angle);
  const sin = Math.sin(-angle);
  const w = Math.ceil(Math.abs(small.cols * cos) + Math.abs(small.rows * sin));
  const h = Math.ceil(Math.abs(small.cols * sin) + Math.abs(small.rows * cos));
  const c = { x: small.cols / 2, y: small.rows / 2 };
  const c2 = { x: w / 2, y: h / 2 };
  const m = new cv.Mat([[cos, -sin, c2.x - (c.x * cos - c.y * sin)], [sin, cos, c2.y - (c.x * sin + c.y * cos)]], cv.CV_64F);
  const turned = hat.warpAffine(m, new cv.Size(w, h), cv.INTER_LINEAR, cv.BORDER_CONSTANT);
  hat.release();
  const blobs = extendEnds(turned, textBlobs(turned, level, pitch), level, pitch);
  turned.release();
  return blobs.map((b) => rotateBlob(b, Math.cos(angle), Math.sin(angle), c2, c));
}

/** Joins pieces of one line (split by glare or a gap) that lie on one straight line. */
function mergeCollinear(blobs: Blob[]): Blob[] {
  const list = [...blobs];
  let merged = true;
  while (merged) {
    merged = false;
    outer: for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i]!;
        const b = list[j]!;
        if (Math.abs(a.ux * b.uy - a.uy * b.ux) > 0.05) continue;
        const th = Math.max(a.thickness, b.thickness);
        const nx = -a.uy;
        const ny = a.ux;
        if (Math.abs(dot(b.cx - a.cx, b.cy - a.cy, nx, ny)) > 0.45 * th) continue;
        if (Math.abs(a.thickness - b.thickness) > 0.5 * th) continue;
        const along = dot(b.cx - a.cx, b.cy - a.cy, a.ux, a.uy);
        const gap = Math.abs(along) - (a.length + b.length) / 2;
        if (gap > 6 * th) continue;
        const s0 = Math.min(-a.length / 2, along - b.length / 2);
        const s1 = Math.max(a.length / 2, along + b.length / 2);
        const mid = (s0 + s1) / 2;
        const weight = a.length / (a.length + b.length);
        const ux = a.ux * weight + b.ux * (1 - weight);
        const uy = a.uy * weight + b.uy * (1 - weight);
        const norm = Math.hypot(ux, uy);
        list[i] = { cx: a.cx + a.ux * mid, cy: a.cy + a.uy * mid, ux: ux / norm, uy: uy / norm, length: s1 - s0, thickness: (a.thickness * a.length + b.thickness * b.length) / (a.length + b.length) };
        list.splice(j, 1);
        merged = true;
        break outer;
      }
    }
  }
  return list;
}

/** Are b and a neighbouring lines of one MRZ (b below or above a)? Returns the signed spacing. */
function neighbours(a: Blob, b: Blob): number | undefined {
  // Tolerances allow for perspective (lines converge) and for a faded end shortening a line.
  if (Math.abs(a.ux * b.uy - a.uy * b.ux) > 0.1) return undefined;
  const ratio = b.length / a.length;
  if (ratio < 0.85 || ratio > 1.18) return undefined;
  const th = (a.thickness + b.thickness) / 2;
  const normal = dot(b.cx - a.cx, b.cy - a.cy, -a.uy, a.ux);
  const along = dot(b.cx - a.cx, b.cy - a.cy, a.ux, a.uy);
  if (Math.abs(along) > 0.1 * a.length + th) return undefined;
  const gap = Math.abs(normal);
  if (gap < 1.2 * th || gap > 3.2 * th) return undefined;
  return normal;
}

/**
 * Line length over line spacing of a group: ICAO's 2.54 mm pitch and 4.23 mm spacing give
 * about 17.5 (TD1), 21.4 (TD2) and 26.2 (TD3); print tolerances stay well inside 14 … 31.
 */
function lengthOverSpacing(g: readonly Blob[]): number {
  const a = g[0]!;
  const b = g[g.length - 1]!;
  const spacing = Math.abs(dot(b.cx - a.cx, b.cy - a.cy, -a.uy, a.ux)) / (g.length - 1);
  return (a.length + b.length) / 2 / spacing;
}

/** Groups of 2 or 3 MRZ-like lines. A run of 4 or more equal lines is a paragraph, not an MRZ. */
function groupLines(blobs: Blob[], pxPerMm: number): Blob[][] {
  // An MRZ line is at least a TD1 line (30 × 2.54 mm), allowing for a resolution 40% off.
  const minLength = 0.6 * 29 * 2.54 * pxPerMm;
  const long = blobs.filter((b) => b.length >= minLength && b.length >= 14 * b.thickness);
  const used = new Set<Blob>();
  const groups: Blob[][] = [];
  const sorted = [...long].sort((p, q) => p.cy - q.cy);
  for (const start of sorted) {
    if (used.has(start)) continue;
    const chain = [start];
    let step: number | undefined;
    for (;;) {
      const last = chain[chain.length - 1]!;
      let next: Blob | undefined;
      for (const c of sorted) {
        if (chain.includes(c) || used.has(c)) continue;
        const n = neighbours(last, c);
        if (n === undefined || n <= 0) continue;
        if (step !== undefined && Math.abs(n - step) > 0.25 * step) continue;
        if (!next || c.cy < next.cy) {
          next = c;
          step = n;
        }
      }
      if (!next) break;
      chain.push(next);
    }
    if (chain.length < 2) continue;
    for (const c of chain) used.add(c);
    const ratio = lengthOverSpacing(chain);
    if (chain.length <= 3 && ratio >= 14 && ratio <= 31) groups.push(chain);
  }
  return groups;
}

/**
 * Every line of an MRZ has the same number of characters from the same left margin
 * (ICAO 9303-3 §4.2.2), so the lines' ends agree. A faded end shortens a line and print
 * nearby can lengthen one: with three lines each end takes the median, with two the outermost.
 */
function harmoniseEnds(g: readonly Blob[]): Blob[] {
  const ref = g[0]!;
  // Along-line coordinates of each line's ends, on the first line's axis.
  const ends = g.map((b) => {
    const c = dot(b.cx - ref.cx, b.cy - ref.cy, ref.ux, ref.uy);
    return { l: c - b.length / 2, r: c + b.length / 2 };
  });
  const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
  const ls = sorted(ends.map((e) => e.l));
  const rs = sorted(ends.map((e) => e.r));
  const l = g.length >= 3 ? ls[1]! : ls[0]!;
  const r = g.length >= 3 ? rs[1]! : rs[rs.length - 1]!;
  return g.map((b, i) => {
    const e = ends[i]!;
    const mid = ((l - e.l) + (r - e.r)) / 2;
    return { ...b, cx: b.cx + b.ux * mid, cy: b.cy + b.uy * mid, length: r - l };
  });
}

function toLine(b: Blob, scale: number): TextLine {
  const hx = (b.ux * b.length) / 2;
  const hy = (b.uy * b.length) / 2;
  return {
    left: { x: (b.cx - hx) * scale, y: (b.cy - hy) * scale },
    right: { x: (b.cx + hx) * scale, y: (b.cy + hy) * scale },
    thickness: b.thickness * scale,
  };
}

/**
 * Looks for the page and for MRZ line groups on a grey capture. `pxPerMm` is the capture's
 * nominal resolution (the reader's); the search tolerates it being some 40% off.
 */
export function detectMrz(grey: Mat, pxPerMm: number): Detection {
  const cv = opencv();
  const f = Math.min(1, WORK_PX_PER_MM / pxPerMm);
  // Smaller than half an ID-1 card at the nominal resolution: no document can be on it.
  if (grey.cols * f < 0.5 * 85.6 * WORK_PX_PER_MM || grey.rows * f < 0.5 * 53.98 * WORK_PX_PER_MM) {
    return { documentPresent: false, pages: [], candidates: [], scale: 1 / f };
  }
  const small = f < 1 ? grey.resize(new cv.Size(Math.round(grey.cols * f), Math.round(grey.rows * f)), 0, 0, cv.INTER_AREA) : grey;
  const scale = grey.cols / small.cols;
  const workPxPerMm = pxPerMm / scale;
  const pages = findPages(small, workPxPerMm).map((p) => ({ centre: { x: p.centre.x * scale, y: p.centre.y * scale }, area: p.area * scale * scale }));
  if (pages.length === 0) {
    if (small !== grey) small.release();
    return { documentPresent: false, pages, candidates: [], scale };
  }
  const blobs = mergeCollinear(lineBlobs(small, workPxPerMm));
  if (small !== grey) small.release();
  const groups = groupLines(blobs, workPxPerMm);
  return { documentPresent: true, pages, candidates: groups.map((g) => ({ lines: harmoniseEnds(g).map((b) => toLine(b, scale)) })), scale };
}
