// Is a white-light capture from the document reader good enough to read, and if not, what
// should the applicant do? From one frame: whether a page lies on the glass (none, one, partly
// outside the window, two documents), the page's quadrilateral, then on the page itself its
// sharpness, glare (over the whole page and over the band where the MRZ is), whether it looks
// like a printed paper page at all (a cover or a blank page was placed), and ambient light.
//
// Each check reports its measured value, its limit and its result; the limits are named
// constants with the reason for each (QUALITY_LIMITS), overridable per reader after
// calibration. Failed checks map to guidance codes (./capture-guidance.ts).
//
// Assumptions, from how full-page readers are built: the camera looks square-on at the glass
// from below, the reader's own white light makes paper the brightest thing in the frame, and
// behind the glass is dark (a closed lid or the reader's hood). The window is larger than the
// page on every side, so a page touching the frame's edge lies partly outside the window.
// What a single frame cannot tell is left to the caller: motion needs the previous capture's
// quadrilateral (`options.previous`); the MRZ's side is unknown before the MRZ is read, so
// glare is checked over both long-edge bands unless `options.mrzEdge` says which.
import { InvalidArgumentError } from '../errors.js';
import { opencv, type Mat } from '../native/opencv.js';
import { orderGuidance, type GuidanceCode } from './capture-guidance.js';
import { checkImage, toMat, type Image } from './image.js';
import { findPages, orderQuad, withMats, type PageRegion } from './page-finder.js';
import type { Point, Quad } from './plane.js';

export { GUIDANCE_CODES, GUIDANCE_TEXTS_EN, orderGuidance, type GuidanceCode } from './capture-guidance.js';

/** Limits of the checks; each is explained where it is set (QUALITY_LIMITS). */
export interface QualityLimits {
  /** Smallest grey-level difference between bright regions and the rest that counts as a page. */
  readonly minPageContrast: number;
  /** Smallest region, as a fraction of the frame, that counts as a page. */
  readonly minPageArea: number;
  /** Largest median grey level behind the glass (the frame's border ring). */
  readonly maxAmbient: number;
  /** Smallest gap between page and frame edge, as a fraction of the frame's short side. */
  readonly minEdgeClearance: number;
  /** Smallest ratio of page area to its convex hull's area. */
  readonly minSolidity: number;
  /** Largest deviation of a page corner from 90°, degrees. */
  readonly maxCornerDeviationDeg: number;
  /** Largest rotation of the page against the glass's edges, degrees. */
  readonly maxSkewDeg: number;
  /** Smallest 90th-percentile grey level on the page (its paper). */
  readonly minPaperWhite: number;
  /** Smallest standard deviation of grey on the page at print scale. */
  readonly minPrintContrast: number;
  /** Smallest variance of the Laplacian on the rectified page. */
  readonly minSharpness: number;
  /** Largest saturated fraction of the page. */
  readonly maxGlarePage: number;
  /** Largest saturated fraction of the MRZ band. */
  readonly maxGlareMrz: number;
  /** Largest movement of a page corner since the previous capture, fraction of the diagonal. */
  readonly maxMotion: number;
}

export const QUALITY_LIMITS: QualityLimits = {
  // Otsu's split always finds two classes, even in an empty frame of sensor noise and lid
  // texture: for Gaussian noise of σn the class means differ by ~1.6 σn (3 at σn = 2, 13 at 8),
  // more with vignetting. Lit paper is 150–230 over a 10–40 background, a dark passport cover
  // ~50 (the synthetic one: ~25 above the lid). 20 keeps noise out and lets a cover be seen, so
  // that the applicant is asked to turn it over rather than to place a document.
  minPageContrast: 20,
  // An ID-1 card (85.6 × 54 mm, ISO/IEC 7810) on a ~140 × 100 mm TD3 window covers 33%, a TD3
  // page 79%; 8% lets a card be seen partly outside the window and ignores receipts and fingers.
  minPageArea: 0.08,
  // Under a closed lid the glass shows 10–40; room light or daylight through an open lid lifts
  // the background towards the paper's level, where presence can no longer be told and glare
  // appears on the laminate. 80 is half-way between a dark lid and dim paper (~160).
  maxAmbient: 80,
  // A page touching the frame edge (gap 0) lies partly outside the window. 0.5% of the short
  // side (~4 px at 800 px) absorbs the page-outline's jitter from noise and the closing filter.
  minEdgeClearance: 0.005,
  // A page is a convex rectangle (solidity ≈ 0.99 with its rounded corners); a second document
  // sticking out from under it makes an L-shaped region (solidity ~0.8). 0.95 is between.
  minSolidity: 0.95,
  // The camera looks square-on, so a flat page is a rectangle up to lens distortion (readers
  // keep that near 1°). A page bowing off the glass shrinks its far edge: trapezoid corners.
  // 4° is a lift of about 15% of the page's height over its width, clearly visible blur too.
  maxCornerDeviationDeg: 4,
  // The MRZ reader is built for ±10° (issue 3, item 2: rotation up to ±10° in the renderer's
  // defects), and reader software commonly reads that range; beyond it, ask to straighten.
  maxSkewDeg: 10,
  // Paper under the reader's white LEDs is 180–240 (synthetic pages: 220); a passport cover
  // (dark red, blue, green or black) stays under ~100 (synthetic burgundy cover: 51). Below 110
  // the visible side is not a printed paper page (or the lamp has failed: a technician sees the
  // value in the log).
  minPaperWhite: 110,
  // Standard deviation of grey at a quarter of the rectified scale: a data page (portrait,
  // printed fields, MRZ) keeps 30–50 even when blurred, since blur moves ink about but keeps its
  // amount (synthetic pages: 32–49 for σ 0–4); a blank page or a cover stays under 10 (synthetic:
  // 0.4 and 4.4; real guilloche printing is faint). 18 sits between.
  minPrintContrast: 18,
  // Variance of the 3×3 Laplacian on the page rectified to 500 px across (half of
  // RECTIFIED_LONG_SIDE), so the figure does not depend on the camera's resolution and sensor
  // noise weighs little. Measured on the synthetic TD3 pages of tests/unit/capture-quality.test.ts
  // (200-dpi frames, Gaussian blur of σ px, sensor noise σn 0–8): σ 0 ≈ 21000, σ 1.5 ≈ 4800–5200,
  // σ 2 ≈ 2200–2600, σ 2.5 ≈ 1000–1350, σ 3 ≈ 500–840. OCR-B strokes at 200 dpi are ~3 px wide;
  // beyond σ ≈ 2 px the MRZ's 0/O and 8/B begin to merge. 1500 passes σ 2 and fails σ 2.5 at
  // every noise level measured. Real data pages carry more fine print (guilloches) than these
  // synthetic ones, so this errs towards accepting: recalibrate on rendered pages and the MRZ
  // reader's accuracy per σ.
  minSharpness: 1500,
  // A few saturated glints on the laminate do not hide anything; 2% of a TD3 page is a
  // 17 × 12 mm patch, the size of a portrait's face, which the portrait check needs.
  maxGlarePage: 0.02,
  // One OCR-B character cell of the TD3 MRZ is 2.54 × ~4 mm (ICAO Doc 9303-3: OCR-B size 1,
  // 10 characters per inch); the bottom third of the page is 125 × 29 mm, so one hidden
  // character is ~0.28% of it. Glare over less than one character cell is tolerated: 0.25%.
  maxGlareMrz: 0.0025,
  // Between two captures a page lying on the glass does not move; a page still being placed
  // or held moves several percent. 1% of the diagonal (~1.5 mm) absorbs outline jitter.
  maxMotion: 0.01,
};

/**
 * Pixels at or above this grey level count as saturated (glare): the sensor clips at 255, and
 * noise and JPEG ringing pull clipped areas a few levels down.
 */
export const SATURATION_LEVEL = 250;
/** The rectified page's long side, px: the page measures are made at this fixed scale. */
export const RECTIFIED_LONG_SIDE = 1000;
/**
 * Share of the page's height, from the MRZ's edge, that the MRZ band check covers: the TD3
 * MRZ's two lines and their clear area (zone VII of the TD3 layout, ICAO Doc 9303-4) take the
 * bottom ~23 mm of the 88 mm page; a third leaves room for a page found a little off.
 */
export const MRZ_BAND = 1 / 3;

export type PagePresence = 'none' | 'present' | 'partlyOutside' | 'multiple' | 'indeterminate';

export const CHECK_IDS = [
  'ambientLight',
  'pageFound',
  'pageCount',
  'edgeClearance',
  'solidity',
  'squareness',
  'skew',
  'paperWhite',
  'printContrast',
  'sharpness',
  'glarePage',
  'glareMrz',
  'motion',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface QualityCheck {
  readonly id: CheckId;
  /** The measured value; undefined when the check could not be made (no page, no previous). */
  readonly value: number | undefined;
  readonly limit: number;
  /** `min`: the value must be at least the limit; `max`: at most. */
  readonly bound: 'min' | 'max';
  readonly result: 'pass' | 'fail' | 'notApplicable';
}

export interface PageGeometry {
  /** Corners in the capture's pixels: top-left, top-right, bottom-right, bottom-left. */
  readonly quad: Quad;
  /** Page area as a fraction of the frame. */
  readonly areaFraction: number;
  /** Long side over short side (TD3 1.42, ID-1 1.59). */
  readonly aspectRatio: number;
  /** Rotation of the page's long side against the nearest frame axis, degrees, in (−45, 45]. */
  readonly skewDeg: number;
  /** Whether the long side runs along the frame's width. */
  readonly landscape: boolean;
}

export interface CaptureAssessment {
  readonly presence: PagePresence;
  /** The page, when exactly one lies on the glass (wholly, or partly outside the window). */
  readonly page: PageGeometry | undefined;
  /** Every page-sized region (two or more when `presence` is `multiple`). */
  readonly pages: readonly PageGeometry[];
  readonly checks: readonly QualityCheck[];
  /** Most important first; empty when `ok`. */
  readonly guidance: readonly GuidanceCode[];
  /** A single page, fully on the glass, and no check failed. */
  readonly ok: boolean;
}

export interface AssessOptions {
  /** The previous capture's page quadrilateral, for the motion check. */
  readonly previous?: Quad | undefined;
  /**
   * Which long edge of the page the MRZ runs along, when already known (after a first MRZ
   * read): `bottom`/`top` of the rectified landscape page. `either` (default) checks both.
   */
  readonly mrzEdge?: 'bottom' | 'top' | 'either' | undefined;
  readonly limits?: Partial<QualityLimits> | undefined;
}

/** Assesses a white-light capture (grey or BGR). Pure: no I/O, no state. */
export function assessCapture(white: Image, options: AssessOptions = {}): CaptureAssessment {
  checkImage(white);
  return withMats((keep) => {
    const cv = opencv();
    const src = keep(toMat(white));
    const grey = white.channels === 1 ? src : keep(src.cvtColor(cv.COLOR_BGR2GRAY));
    return assessGrey(grey, white, options);
  });
}

function assessGrey(grey: Mat, white: Image, options: AssessOptions): CaptureAssessment {
  const limits: QualityLimits = { ...QUALITY_LIMITS, ...options.limits };
  const found = findPages(grey, limits.minPageContrast, limits.minPageArea);
  const frameShort = Math.min(white.width, white.height);

  const checks: QualityCheck[] = [];
  const add = (id: CheckId, value: number | undefined, limit: number, bound: 'min' | 'max'): QualityCheck => {
    const result = value === undefined ? 'notApplicable' : (bound === 'min' ? value >= limit : value <= limit) ? 'pass' : 'fail';
    const c: QualityCheck = { id, value, limit, bound, result };
    checks.push(c);
    return c;
  };
  const guidance: GuidanceCode[] = [];
  const onFail = (c: QualityCheck, code: GuidanceCode): void => {
    if (c.result === 'fail') guidance.push(code);
  };

  const ambient = add('ambientLight', found.backgroundLevel, limits.maxAmbient, 'max');
  const pages = found.regions.map((r) => geometry(r, white.width * white.height));
  const largest = found.regions[0];
  const page = pages[0];
  add('pageFound', found.largestAreaFraction, limits.minPageArea, 'min');
  const count = add('pageCount', pages.length, 1, 'max');
  onFail(count, 'removeOtherDocument');

  let presence: PagePresence;
  if (!largest || !page) presence = 'none';
  else if (pages.length > 1) presence = 'multiple';
  else if (largest.edgeDistance / frameShort < limits.minEdgeClearance) presence = 'partlyOutside';
  else presence = 'present';
  // With light flooding the glass, a region touching the edge or none at all may be the light
  // itself: the page's position cannot be told, only the light be blamed.
  if (ambient.result === 'fail' && presence !== 'present' && presence !== 'multiple') presence = 'indeterminate';
  onFail(ambient, 'shadeFromLight');
  if (presence === 'none') guidance.push('placeDocument');

  const single = presence === 'present' || presence === 'partlyOutside' ? largest : undefined;
  const clearance = add('edgeClearance', single && single.edgeDistance / frameShort, limits.minEdgeClearance, 'min');
  onFail(clearance, 'moveOntoGlass');
  const solid = add('solidity', single?.solidity, limits.minSolidity, 'min');
  onFail(solid, 'removeOtherDocument');
  // An outline that is not one page's (two documents merged) has no meaningful corners.
  const shaped = single && solid.result === 'pass' ? single : undefined;
  onFail(add('squareness', shaped && cornerDeviationDeg(shaped.quad), limits.maxCornerDeviationDeg, 'max'), 'placeFlat');
  onFail(add('skew', shaped && page && Math.abs(page.skewDeg), limits.maxSkewDeg, 'max'), 'straightenDocument');

  const m = shaped && page ? measurePage(grey, page, options.mrzEdge ?? 'either') : undefined;
  const paper = add('paperWhite', m?.paperWhite, limits.minPaperWhite, 'min');
  const print = add('printContrast', m?.printContrast, limits.minPrintContrast, 'min');
  const isPrintedPage = paper.result === 'pass' && print.result === 'pass';
  if (paper.result === 'fail' || print.result === 'fail') guidance.push('photoPageDown');
  // Sharpness and glare are only meaningful on a printed page: a blank page has no edges to be
  // sharp, a cover no paper to glare.
  const sharp = add('sharpness', isPrintedPage ? m?.sharpness : undefined, limits.minSharpness, 'min');
  onFail(add('glarePage', isPrintedPage ? m?.glarePage : undefined, limits.maxGlarePage, 'max'), 'shadeFromLight');
  onFail(add('glareMrz', isPrintedPage ? m?.glareMrz : undefined, limits.maxGlareMrz, 'max'), 'shadeFromLight');
  const prev = options.previous;
  const motion = add('motion', single && prev && page ? quadMotion(prev, page.quad) : undefined, limits.maxMotion, 'max');
  onFail(motion, 'holdStill');
  // A blurred frame of a page that moved was taken while it was being placed: hold still. A
  // blurred frame of a page that did not move (or with nothing to compare) is out of the
  // camera's depth of field: the page is lifted off the glass.
  if (sharp.result === 'fail') guidance.push(motion.result === 'fail' ? 'holdStill' : 'placeFlat');

  const ordered = orderGuidance(guidance);
  const ok = presence === 'present' && checks.every((c) => c.result !== 'fail');
  return { presence, page: single ? page : undefined, pages, checks, guidance: ok ? [] : ordered, ok };
}

/** Checks and converts an options object from configuration (e.g. per-reader limits). */
export function qualityLimits(overrides: Readonly<Record<string, unknown>>): QualityLimits {
  const out: Record<string, number> = { ...QUALITY_LIMITS };
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in QUALITY_LIMITS)) throw new InvalidArgumentError('quality limit', `one of ${Object.keys(QUALITY_LIMITS).join(', ')}`, k);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InvalidArgumentError(`quality limit ${k}`, 'a finite number ≥ 0', v);
    out[k] = v;
  }
  return out as unknown as QualityLimits;
}

function geometry(r: PageRegion, frameArea: number): PageGeometry {
  const [tl, tr, br, bl] = r.quad;
  const top = (dist(tl, tr) + dist(bl, br)) / 2;
  const left = (dist(tl, bl) + dist(tr, br)) / 2;
  const landscape = top >= left;
  // The long sides' mean angle against their own axis (x for a landscape page, y for a
  // portrait one): the mean, so that a trapezoid (a lifted edge) does not read as rotation.
  const angle = (a: Point, b: Point): number => (landscape ? Math.atan2(b.y - a.y, b.x - a.x) : -Math.atan2(b.x - a.x, b.y - a.y));
  const raw = landscape ? (angle(tl, tr) + angle(bl, br)) / 2 : (angle(tl, bl) + angle(tr, br)) / 2;
  let skewDeg = (raw * 180) / Math.PI;
  if (skewDeg <= -45) skewDeg += 90;
  if (skewDeg > 45) skewDeg -= 90;
  const long = Math.max(top, left);
  const short = Math.min(top, left);
  return { quad: r.quad, areaFraction: r.area / frameArea, aspectRatio: short > 0 ? long / short : 0, skewDeg, landscape };
}

interface PageMeasures {
  readonly paperWhite: number;
  readonly printContrast: number;
  readonly sharpness: number;
  readonly glarePage: number;
  readonly glareMrz: number;
}

/** The page rectified to a landscape rectangle at a fixed scale, measured inside a small inset. */
function measurePage(grey: Mat, page: PageGeometry, mrzEdge: 'bottom' | 'top' | 'either'): PageMeasures {
  return withMats((keep) => measureRectified(grey, page, mrzEdge, keep));
}

function measureRectified(grey: Mat, page: PageGeometry, mrzEdge: 'bottom' | 'top' | 'either', keep: <M extends Mat>(m: M) => M): PageMeasures {
  const cv = opencv();
  const [tl, tr, br, bl] = page.quad;
  // Corners in the order that makes the long side the rectified page's top edge.
  const corners = page.landscape ? [tl, tr, br, bl] : [bl, tl, tr, br];
  const w = RECTIFIED_LONG_SIDE;
  const h = Math.max(16, Math.round(w / Math.max(1, page.aspectRatio)));
  const m = keep(cv.getPerspectiveTransform(
    corners.map((p) => new cv.Point2(p.x, p.y)),
    [new cv.Point2(0, 0), new cv.Point2(w, 0), new cv.Point2(w, h), new cv.Point2(0, h)],
  ));
  const rect = keep(grey.warpPerspective(m, new cv.Size(w, h), cv.INTER_AREA, cv.BORDER_REPLICATE));
  // Leave out a 3% rim: the outline's jitter puts slivers of background and the page's own
  // edge there, which would count as print and as sharpness.
  const ix = Math.round(w * 0.03);
  const iy = Math.round(h * 0.03);
  const inner = keep(keep(rect.getRegion(new cv.Rect(ix, iy, w - 2 * ix, h - 2 * iy))).copy());
  const data = inner.getData();
  const hist = new Uint32Array(256);
  for (const v of data) hist[v]!++;
  const paperWhite = percentile(hist, data.length, 0.9);
  // Print contrast at a coarse scale (250 px across): ink against paper, little affected by blur.
  const coarse = keep(inner.resize(Math.max(4, Math.round(inner.rows / 4)), Math.max(4, Math.round(inner.cols / 4)), 0, 0, cv.INTER_AREA));
  const printContrast = stddev(coarse);
  // Sharpness at half the rectified scale: averaging 2 × 2 pixels quarters the sensor noise's
  // share of the Laplacian's variance (noise alone would otherwise pass for detail).
  const half = keep(inner.resize(Math.round(inner.rows / 2), Math.round(inner.cols / 2), 0, 0, cv.INTER_AREA));
  const sharpness = stddev(keep(half.laplacian(cv.CV_64F, 3))) ** 2;
  let saturated = 0;
  for (let v = SATURATION_LEVEL; v < 256; v++) saturated += hist[v]!;
  const glarePage = saturated / data.length;
  const band = Math.round(inner.rows * MRZ_BAND);
  const bandGlare = (y0: number): number => saturatedFraction(keep(keep(inner.getRegion(new cv.Rect(0, y0, inner.cols, band))).copy()));
  const bottom = mrzEdge === 'top' ? 0 : bandGlare(inner.rows - band);
  const top = mrzEdge === 'bottom' ? 0 : bandGlare(0);
  return { paperWhite, printContrast, sharpness, glarePage, glareMrz: Math.max(bottom, top) };
}

function saturatedFraction(m: Mat): number {
  const d = m.getData();
  let n = 0;
  for (const v of d) if (v >= SATURATION_LEVEL) n++;
  return d.length === 0 ? 0 : n / d.length;
}

function stddev(m: Mat): number {
  const { stddev: s } = m.meanStdDev();
  return s.at(0, 0);
}

function percentile(hist: Uint32Array, total: number, q: number): number {
  const target = total * q;
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (acc >= target) return v;
  }
  return 255;
}

/** Largest deviation of a corner angle from 90°, degrees. */
export function cornerDeviationDeg(q: Quad): number {
  let worst = 0;
  for (let i = 0; i < 4; i++) {
    const p = q[i]!;
    const a = q[(i + 3) % 4]!;
    const b = q[(i + 1) % 4]!;
    const v1 = { x: a.x - p.x, y: a.y - p.y };
    const v2 = { x: b.x - p.x, y: b.y - p.y };
    const cos = (v1.x * v2.x + v1.y * v2.y) / (Math.hypot(v1.x, v1.y) * Math.hypot(v2.x, v2.y) || 1);
    const deg = (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
    worst = Math.max(worst, Math.abs(deg - 90));
  }
  return worst;
}

/** Largest corner movement between two quadrilaterals, as a fraction of the page's diagonal. */
export function quadMotion(previous: Quad, current: Quad): number {
  const a = orderQuad(previous);
  const diag = dist(current[0], current[2]) || 1;
  let worst = 0;
  for (let i = 0; i < 4; i++) worst = Math.max(worst, dist(a[i]!, current[i]!));
  return worst / diag;
}

const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
