// Finding pages on a document reader's glass: the bright, page-sized regions of a frame whose
// background is dark (see ./capture-quality.ts for the assumptions), each with its
// quadrilateral. Works on a copy scaled to ANALYSIS_LONG_SIDE, where the outline is as exact as
// the quality checks need and the work takes a few milliseconds.
import { InvalidArgumentError } from '../errors.js';
import { opencv, type Mat } from '../native/opencv.js';
import type { Point, Quad } from './plane.js';


export interface PageRegion {
  /** Corners in the source frame's pixels. */
  readonly quad: Quad;
  /** Area of the region's outline, source pixels². */
  readonly area: number;
  /** Outline area over its convex hull's area. */
  readonly solidity: number;
  /** Smallest distance from the outline's bounding box to the frame's edge, source pixels. */
  readonly edgeDistance: number;
}

export interface FoundPages {
  /** Page-sized regions, largest first. */
  readonly regions: readonly PageRegion[];
  /** The largest bright region's share of the frame (0 when the frame has no contrast). */
  readonly largestAreaFraction: number;
  /** Median grey level of the frame's border ring: what lies behind the glass. */
  readonly backgroundLevel: number;
}

/** Long side of the working copy, px. */
export const ANALYSIS_LONG_SIDE = 800;
/** Width of the border ring that measures the background, as a share of the short side. */
const BORDER_RING = 0.03;
/**
 * Side of the closing filter at the working scale, px: bridges printing that reaches the
 * page's edge (text, guilloche), which Otsu's threshold leaves dark, so that the outline stays
 * the paper's edge. 15 px at 800 is ~2.5 mm of a TD3 page.
 */
const CLOSE_KERNEL = 15;

/**
 * Runs `fn` with `keep`, which records each Mat it is given, and releases them all when `fn`
 * returns or throws. OpenCV is loaded with V8's external-memory tracking off (src/native/
 * opencv.ts), so the garbage collector does not see a Mat's pixels: a frame-sized Mat would
 * otherwise stay allocated until some later collection, and the camera makes one per frame.
 */
export function withMats<T>(fn: (keep: <M extends Mat>(m: M) => M) => T): T {
  const mats: Mat[] = [];
  try {
    return fn((m) => {
      mats.push(m);
      return m;
    });
  } finally {
    for (const m of mats) m.release();
  }
}

export function findPages(grey: Mat, minContrast: number, minAreaFraction: number): FoundPages {
  return withMats((keep) => {
    const cv = opencv();
    const scale = Math.min(1, ANALYSIS_LONG_SIDE / Math.max(grey.cols, grey.rows));
    const small = scale < 1 ? keep(grey.resize(Math.max(1, Math.round(grey.rows * scale)), Math.max(1, Math.round(grey.cols * scale)), 0, 0, cv.INTER_AREA)) : grey;
    const backgroundLevel = borderMedian(small);
    const smooth = keep(small.gaussianBlur(new cv.Size(5, 5), 0));
    const bin = keep(smooth.threshold(0, 255, cv.THRESH_BINARY | cv.THRESH_OTSU));
    const fg = bin.countNonZero();
    const total = small.rows * small.cols;
    if (fg === 0 || fg === total) return { regions: [], largestAreaFraction: 0, backgroundLevel };
    const fgMean = smooth.meanStdDev(bin).mean.at(0, 0);
    const bgMean = smooth.meanStdDev(keep(bin.bitwiseNot())).mean.at(0, 0);
    if (fgMean - bgMean < minContrast) return { regions: [], largestAreaFraction: 0, backgroundLevel };
    const kernel = keep(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(CLOSE_KERNEL, CLOSE_KERNEL)));
    // Opening after closing removes specks of noise that Otsu let through, so they do not
    // join the page's outline at its edge.
    const closed = keep(keep(bin.morphologyEx(kernel, cv.MORPH_CLOSE)).morphologyEx(kernel, cv.MORPH_OPEN));
    return outlines(closed, scale, minAreaFraction, backgroundLevel);
  });
}

function outlines(closed: Mat, scale: number, minAreaFraction: number, backgroundLevel: number): FoundPages {
  const cv = opencv();
  const total = closed.rows * closed.cols;
  const contours = closed.findContours(cv.RETR_EXTERNAL, cv.CHAIN_APPROX_SIMPLE);
  let largest = 0;
  const regions: PageRegion[] = [];
  for (const c of contours) {
    const area = c.area;
    largest = Math.max(largest, area);
    if (area < minAreaFraction * total) continue;
    const hull = c.convexHull();
    const hullArea = hull.area;
    const approx: readonly Point[] = hull.approxPolyDP(0.02 * hull.arcLength(true), true);
    const pts = approx.length === 4 ? approx : rotatedCorners(c.minAreaRect());
    const box = c.boundingRect();
    const edge = Math.min(box.x, box.y, closed.cols - (box.x + box.width), closed.rows - (box.y + box.height));
    const quad = orderQuad(pts.map((p) => ({ x: p.x / scale, y: p.y / scale })));
    regions.push({ quad, area: area / (scale * scale), solidity: hullArea > 0 ? area / hullArea : 0, edgeDistance: Math.max(0, edge) / scale });
  }
  regions.sort((a, b) => b.area - a.area);
  return { regions, largestAreaFraction: largest / total, backgroundLevel };
}

/** Orders four points as top-left, top-right, bottom-right, bottom-left (by angle about the centre). */
export function orderQuad(points: readonly Point[]): Quad {
  if (points.length !== 4) throw new InvalidArgumentError('quad', 'four points', points.length);
  const cx = points.reduce((s, p) => s + p.x, 0) / 4;
  const cy = points.reduce((s, p) => s + p.y, 0) / 4;
  // Clockwise in image coordinates (y down), starting from the corner nearest the top-left.
  const sorted = [...points].sort((a, b) => Math.atan2(a.y - cy, a.x - cx) - Math.atan2(b.y - cy, b.x - cx));
  let start = 0;
  let best = Infinity;
  sorted.forEach((p, i) => {
    if (p.x + p.y < best) {
      best = p.x + p.y;
      start = i;
    }
  });
  const at = (i: number): Point => {
    const p = sorted[(start + i) % 4]!;
    return { x: p.x, y: p.y };
  };
  return [at(0), at(1), at(2), at(3)];
}

function rotatedCorners(r: { center: Point; size: { width: number; height: number }; angle: number }): Point[] {
  const a = (r.angle * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const hw = r.size.width / 2;
  const hh = r.size.height / 2;
  return [
    [-hw, -hh],
    [hw, -hh],
    [hw, hh],
    [-hw, hh],
  ].map(([x, y]) => ({ x: r.center.x + x! * c - y! * s, y: r.center.y + x! * s + y! * c }));
}

/** Median grey level of the ring of width BORDER_RING around the frame's edge. */
function borderMedian(m: Mat): number {
  const ring = Math.max(1, Math.round(Math.min(m.rows, m.cols) * BORDER_RING));
  const data = m.getData();
  const hist = new Uint32Array(256);
  let n = 0;
  for (let y = 0; y < m.rows; y++) {
    const inner = y >= ring && y < m.rows - ring;
    const row = y * m.cols;
    for (let x = 0; x < m.cols; x++) {
      if (inner && x >= ring && x < m.cols - ring) {
        x = m.cols - ring - 1;
        continue;
      }
      hist[data[row + x]!]!++;
      n++;
    }
  }
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (acc * 2 >= n) return v;
  }
  return 255;
}
