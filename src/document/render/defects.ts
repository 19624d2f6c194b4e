// Capture defects: what a full-page reader's camera does to a data page. The page is placed on
// a larger glass (the reader's field of view), turned, tilted into perspective, lit unevenly,
// caught by a glare spot, blurred, noised and JPEG-compressed — in that order, the order of
// the physics (geometry, light, optics, sensor, encoder). Every defect has its own strength
// parameter; `randomDefects` draws all of them from a seeded source. The ground truth is
// carried through the same homography as the pixels.
import { InvalidArgumentError } from '../../errors.js';
import { fromMat, toMat, type Image } from '../image.js';
import { opencv, type Cv, type Mat } from '../../native/opencv.js';
import { homographyFromQuads, mapQuad, quadBounds, quadCentre, type Homography, type Point, type Quad } from '../plane.js';
import type { PageTruth, RenderedPage } from './page.js';
import type { Rng } from './random.js';

/** The reader's glass: its field of view and the look of the empty glass. */
export interface Glass {
  readonly widthMm: number;
  readonly heightMm: number;
  /** Grey level of the empty glass (the reader's hood seen through it). */
  readonly level: number;
  readonly dpi: number;
}

/** A full-page reader's field of view: room for a TD3 page turned by 10° with some play. */
export const DEFAULT_GLASS: Omit<Glass, 'dpi'> = { widthMm: 150, heightMm: 115, level: 42 };

/** Where a page lies on the glass. */
export interface Placement {
  /** Page centre relative to the glass centre. */
  readonly dxMm: number;
  readonly dyMm: number;
  /** Counter-clockwise on the image, degrees; 180 ± x is an upside-down page. */
  readonly rotationDeg: number;
  /** Corner displacements in mm (tl, tr, br, bl) added after the rotation: perspective. */
  readonly corners?: readonly [Point, Point, Point, Point];
}

export interface Lighting {
  /** Fraction of brightness lost across the page along `angleDeg` (0 = even). */
  readonly gradient: number;
  readonly angleDeg: number;
  /** Fraction lost at the corners of the glass (radial fall-off). */
  readonly vignette: number;
}

export interface Glare {
  /** Centre on the glass, in glass pixels. */
  readonly centre: Point;
  /** Radius of the saturated core (0 = none) and standard deviation of the halo, in mm. */
  readonly coreMm: number;
  readonly haloMm: number;
  /** Peak strength of the halo, 0 … 1 (1 = white). */
  readonly strength: number;
}

export interface Optics {
  /** Gaussian defocus, sigma in pixels. */
  readonly gaussianSigmaPx?: number;
  /** Linear motion blur: length in pixels and direction. */
  readonly motionPx?: number;
  readonly motionAngleDeg?: number;
}

export interface CaptureDefects {
  readonly lighting?: Lighting;
  readonly glare?: Glare;
  readonly optics?: Optics;
  /** Standard deviation of Gaussian sensor noise, grey levels. */
  readonly noiseSigma?: number;
  /** JPEG quality 1–100 (absent: no compression). */
  readonly jpegQuality?: number;
}

export interface Capture {
  readonly image: Image;
  /** Ground truth of each page on the glass, in capture pixels. */
  readonly pages: readonly PageTruth[];
}

const deg = (d: number): number => (d * Math.PI) / 180;

/** The homography from page pixels to glass pixels for a placement. */
export function placementHomography(truth: PageTruth, glass: Glass, p: Placement): Homography {
  const k = glass.dpi / 25.4;
  const s = k / truth.pxPerMm; // page px → glass px
  const b = quadBounds(truth.page);
  const pw = (b.x1 - b.x0) * s;
  const ph = (b.y1 - b.y0) * s;
  const cx = (glass.widthMm / 2 + p.dxMm) * k;
  const cy = (glass.heightMm / 2 + p.dyMm) * k;
  const a = deg(-p.rotationDeg); // image y points down: negate for counter-clockwise
  const rot = (x: number, y: number, i: number): Point => {
    const c = p.corners?.[i] ?? { x: 0, y: 0 };
    return { x: cx + x * Math.cos(a) - y * Math.sin(a) + c.x * k, y: cy + x * Math.sin(a) + y * Math.cos(a) + c.y * k };
  };
  const dst: Quad = [rot(-pw / 2, -ph / 2, 0), rot(pw / 2, -ph / 2, 1), rot(pw / 2, ph / 2, 2), rot(-pw / 2, ph / 2, 3)];
  return homographyFromQuads(truth.page, dst);
}

export function mapTruth(t: PageTruth, h: Homography, pxPerMm: number): PageTruth {
  return {
    format: t.format,
    mrz: t.mrz,
    pxPerMm,
    page: mapQuad(h, t.page),
    mrzZone: mapQuad(h, t.mrzZone),
    mrzLines: t.mrzLines.map((q) => mapQuad(h, q)),
    characters: t.characters.map((l) => l.map((q) => mapQuad(h, q))),
    portrait: mapQuad(h, t.portrait),
  };
}

function checkGlass(glass: Glass): void {
  if (!(glass.dpi >= 50 && glass.dpi <= 1200)) throw new InvalidArgumentError('glass.dpi', '50 to 1200', glass.dpi);
  if (!(glass.widthMm > 10 && glass.widthMm <= 400 && glass.heightMm > 10 && glass.heightMm <= 400)) {
    throw new InvalidArgumentError('glass size', '10 to 400 mm each way', `${glass.widthMm}x${glass.heightMm}`);
  }
}

/** The empty glass: its grey level with a faint texture, three channels. */
export function emptyGlass(glass: Glass, rng: Rng): Image {
  checkGlass(glass);
  const k = glass.dpi / 25.4;
  const w = Math.round(glass.widthMm * k);
  const h = Math.round(glass.heightMm * k);
  const data = Buffer.alloc(w * h * 3);
  const base = glass.level;
  const tx = rng.uniform(0, 6.28);
  for (let y = 0; y < h; y++) {
    const row = base + 4 * Math.sin(y / (9 * k) + tx);
    for (let x = 0; x < w; x++) {
      const v = Math.max(0, Math.min(255, Math.round(row + 3 * Math.sin(x / (13 * k)))));
      const i = (y * w + x) * 3;
      data[i] = v + 2 > 255 ? 255 : v + 2;
      data[i + 1] = v;
      data[i + 2] = v;
    }
  }
  return { width: w, height: h, channels: 3, data };
}

/**
 * Warps and returns the pixels, freeing both Mats: OpenCV's memory is invisible to V8's
 * collector (src/native/opencv.ts), and a capture is megabytes.
 */
function warpData(src: Mat, m: Mat, size: InstanceType<Cv['Size']>): Buffer {
  const cv = opencv();
  const out = src.warpPerspective(m, size, cv.INTER_LINEAR, cv.BORDER_CONSTANT);
  const data = out.getData();
  src.release();
  out.release();
  return data;
}

/** Lays pages on the glass (no optical defects yet). */
export function placePages(glassImage: Image, glass: Glass, pages: readonly { page: RenderedPage; placement: Placement }[]): Capture {
  const cv = opencv();
  const k = glass.dpi / 25.4;
  const out = Buffer.from(glassImage.data);
  const truths: PageTruth[] = [];
  for (const { page, placement } of pages) {
    const hm = placementHomography(page.truth, glass, placement);
    const m = new cv.Mat([[hm[0], hm[1], hm[2]], [hm[3], hm[4], hm[5]], [hm[6], hm[7], hm[8]]], cv.CV_64F);
    const size = new cv.Size(glassImage.width, glassImage.height);
    const warped = warpData(toMat(page.image), m, size);
    const alpha = warpData(toMat(page.alpha), m, size);
    for (let i = 0; i < alpha.length; i++) {
      const a = alpha[i]!;
      if (a === 0) continue;
      const j = i * 3;
      if (a === 255) {
        out[j] = warped[j]!;
        out[j + 1] = warped[j + 1]!;
        out[j + 2] = warped[j + 2]!;
      } else {
        const f = a / 255;
        out[j] = Math.round(out[j]! * (1 - f) + warped[j]!);
        out[j + 1] = Math.round(out[j + 1]! * (1 - f) + warped[j + 1]!);
        out[j + 2] = Math.round(out[j + 2]! * (1 - f) + warped[j + 2]!);
      }
    }
    truths.push(mapTruth(page.truth, hm, k));
  }
  return { image: { ...glassImage, data: out }, pages: truths };
}

/** Uneven light and glare, in place on a BGR buffer. */
function light(img: Image, lighting: Lighting | undefined, glare: Glare | undefined, pxPerMm: number): void {
  const { width: w, height: h, data } = img;
  const ca = Math.cos(deg(lighting?.angleDeg ?? 0));
  const sa = Math.sin(deg(lighting?.angleDeg ?? 0));
  const span = Math.abs(ca) * w + Math.abs(sa) * h;
  const x0 = ca < 0 ? w : 0;
  const y0 = sa < 0 ? h : 0;
  const rmax2 = (w * w + h * h) / 4;
  const grad = lighting?.gradient ?? 0;
  const vig = lighting?.vignette ?? 0;
  const core = (glare?.coreMm ?? 0) * pxPerMm;
  const halo = Math.max(1, (glare?.haloMm ?? 1) * pxPerMm);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const t = ((x - x0) * ca + (y - y0) * sa) / span;
      const dx = x - w / 2;
      const dy = y - h / 2;
      let gain = 1 - grad * t - vig * ((dx * dx + dy * dy) / rmax2);
      if (gain < 0) gain = 0;
      let add = 0;
      if (glare) {
        const gx = x - glare.centre.x;
        const gy = y - glare.centre.y;
        const d = Math.sqrt(gx * gx + gy * gy);
        const outside = Math.max(0, d - core);
        add = d <= core ? 1 : glare.strength * Math.exp(-(outside * outside) / (2 * halo * halo));
        if (core > 0 && d > core && d < core + 2) add = Math.max(add, 1 - (d - core) / 2);
      }
      const i = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = data[i + c]! * gain;
        data[i + c] = Math.min(255, Math.round(v + (255 - v) * add));
      }
    }
  }
}

function gaussianTable(rng: Rng): Float32Array {
  const t = new Float32Array(8192);
  for (let i = 0; i < t.length; i++) t[i] = rng.normal();
  return t;
}

/** Applies light, optics, sensor noise and JPEG to a capture, in the order of the physics. */
export function applyDefects(capture: Capture, d: CaptureDefects, rng: Rng, pxPerMm: number): Capture {
  const cv = opencv();
  const img: Image = { ...capture.image, data: Buffer.from(capture.image.data) };
  if (d.lighting ?? d.glare) light(img, d.lighting, d.glare, pxPerMm);
  let m = toMat(img);
  const swap = (next: Mat): void => {
    m.release();
    m = next;
  };
  const sigma = d.optics?.gaussianSigmaPx ?? 0;
  if (sigma > 0) swap(m.gaussianBlur(new cv.Size(0, 0), sigma));
  const motion = d.optics?.motionPx ?? 0;
  if (motion >= 1) {
    const n = Math.ceil(motion) | 1;
    const kernel = new cv.Mat(n, n, cv.CV_32F, 0);
    const a = deg(d.optics?.motionAngleDeg ?? 0);
    const steps = n * 4;
    for (let s = 0; s <= steps; s++) {
      const r = (s / steps - 0.5) * motion;
      const x = Math.round((n - 1) / 2 + r * Math.cos(a));
      const y = Math.round((n - 1) / 2 - r * Math.sin(a));
      kernel.set(y, x, kernel.at(y, x) + 1);
    }
    const sum = kernel.sum() as number;
    swap(m.filter2D(-1, kernel.div(sum)));
  }
  let out = fromMat(m);
  m.release();
  const noise = d.noiseSigma ?? 0;
  if (noise > 0) {
    const table = gaussianTable(rng);
    const data = Buffer.from(out.data);
    let idx = rng.int(0, table.length - 1);
    const stride = 7919; // prime walk through the table, restarted at a random place per row
    for (let i = 0; i < data.length; i++) {
      if (i % (out.width * 3) === 0) idx = rng.int(0, table.length - 1);
      idx = (idx + stride) & (table.length - 1);
      const v = data[i]! + table[idx]! * noise;
      data[i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
    out = { ...out, data };
  }
  if (d.jpegQuality !== undefined) {
    if (!(d.jpegQuality >= 1 && d.jpegQuality <= 100)) throw new InvalidArgumentError('jpegQuality', '1 to 100', d.jpegQuality);
    const raw = toMat(out);
    const decoded = cv.imdecode(cv.imencode('.jpg', raw, [cv.IMWRITE_JPEG_QUALITY, Math.round(d.jpegQuality)]), cv.IMREAD_COLOR);
    out = fromMat(decoded);
    raw.release();
    decoded.release();
  }
  return { image: out, pages: capture.pages };
}

/** Where the page may go so that it stays on the glass, for a rotation; undefined if it cannot. */
function freePlay(truth: PageTruth, glass: Glass, rotationDeg: number): { x: number; y: number } | undefined {
  const b = quadBounds(truth.page);
  const w = (b.x1 - b.x0) / truth.pxPerMm;
  const h = (b.y1 - b.y0) / truth.pxPerMm;
  const a = deg(rotationDeg);
  const bw = Math.abs(w * Math.cos(a)) + Math.abs(h * Math.sin(a));
  const bh = Math.abs(w * Math.sin(a)) + Math.abs(h * Math.cos(a));
  const x = (glass.widthMm - bw) / 2 - 2;
  const y = (glass.heightMm - bh) / 2 - 2;
  return x < 0 || y < 0 ? undefined : { x, y };
}

export interface DefectRanges {
  /** Multiplies every strength (1 = the benchmark's mix). */
  readonly severity?: number;
  readonly maxRotationDeg?: number;
  /** Place the page upside down (rotation 180 ± maxRotationDeg). */
  readonly upsideDown?: boolean;
}

/** A random placement on the glass, within ±maxRotationDeg and keeping the page on the glass. */
export function randomPlacement(rng: Rng, truth: PageTruth, glass: Glass, r: DefectRanges = {}): Placement {
  const sev = r.severity ?? 1;
  const maxRot = r.maxRotationDeg ?? 10;
  let rotation = rng.uniform(-maxRot, maxRot);
  let play = freePlay(truth, glass, rotation);
  if (!play) {
    rotation = 0;
    play = freePlay(truth, glass, 0) ?? { x: 0, y: 0 };
  }
  const b = quadBounds(truth.page);
  const hMm = (b.y1 - b.y0) / truth.pxPerMm;
  const jitter = rng.uniform(0, 0.03) * sev * hMm;
  const corner = (): Point => ({ x: rng.uniform(-jitter, jitter), y: rng.uniform(-jitter, jitter) });
  return {
    dxMm: rng.uniform(-play.x, play.x),
    dyMm: rng.uniform(-play.y, play.y),
    rotationDeg: rotation + (r.upsideDown ? 180 : 0),
    corners: [corner(), corner(), corner(), corner()],
  };
}

/**
 * Random light, glare, optics, noise and JPEG for a placed page. The glare's saturated core
 * never covers MRZ characters (a reader cannot read through a white-out, and the guidance for
 * that is the capture check's business); its halo may cross the MRZ lightly.
 */
export function randomDefects(rng: Rng, placed: PageTruth, r: DefectRanges = {}): CaptureDefects {
  const sev = r.severity ?? 1;
  const k = placed.pxPerMm;
  const scale = k / (300 / 25.4); // blur figures are for a 300 dpi capture
  const defects: { -readonly [K in keyof CaptureDefects]: CaptureDefects[K] } = {
    lighting: { gradient: rng.uniform(0, 0.45) * sev, angleDeg: rng.uniform(0, 360), vignette: rng.uniform(0, 0.35) * sev },
    noiseSigma: rng.uniform(1, 9) * sev,
    jpegQuality: Math.round(rng.uniform(55, 95)),
  };
  const blur = rng.next();
  if (blur < 0.55) defects.optics = { gaussianSigmaPx: rng.uniform(0.3, 1.6) * sev * scale };
  else if (blur < 0.8) defects.optics = { motionPx: rng.uniform(1.5, 4.5) * sev * scale, motionAngleDeg: rng.uniform(0, 180) };
  if (rng.chance(0.5)) {
    const pb = quadBounds(placed.page);
    const centre: Point = { x: rng.uniform(pb.x0, pb.x1), y: rng.uniform(pb.y0, pb.y1) };
    let coreMm = rng.uniform(2, 8) * sev;
    const haloMm = rng.uniform(5, 16);
    let strength = rng.uniform(0.3, 0.85);
    // Keep the core off the MRZ and the halo light where it crosses the characters.
    const zone = placed.mrzZone;
    const zc = quadCentre(zone);
    const zb = quadBounds(zone);
    const dx = Math.max(0, Math.abs(centre.x - zc.x) - (zb.x1 - zb.x0) / 2);
    const dy = Math.max(0, Math.abs(centre.y - zc.y) - (zb.y1 - zb.y0) / 2);
    const dMm = Math.hypot(dx, dy) / k;
    if (dMm < coreMm + 1.5) {
      coreMm = Math.max(0, dMm - 1.5);
      if (coreMm < 1) coreMm = 0;
    }
    const haloAtMrz = strength * Math.exp(-(Math.max(0, dMm - coreMm) ** 2) / (2 * haloMm * haloMm));
    if (haloAtMrz > 0.45) strength *= 0.45 / haloAtMrz;
    defects.glare = { centre, coreMm, haloMm, strength };
  }
  return defects;
}

/** One page on the glass with the given placement and defects. */
export function capturePage(page: RenderedPage, placement: Placement, defects: CaptureDefects, rng: Rng, glass: Glass): Capture {
  const placed = placePages(emptyGlass(glass, rng), glass, [{ page, placement }]);
  return applyDefects(placed, defects, rng, glass.dpi / 25.4);
}

/** One page at a random placement with random defects: the benchmark's and the tests' capture. */
export function randomCapture(page: RenderedPage, rng: Rng, glass: Glass, r: DefectRanges = {}): Capture & { placement: Placement; defects: CaptureDefects } {
  const placement = randomPlacement(rng, page.truth, glass, r);
  const placed = placePages(emptyGlass(glass, rng), glass, [{ page, placement }]);
  const defects = randomDefects(rng, placed.pages[0]!, r);
  return { ...applyDefects(placed, defects, rng, glass.dpi / 25.4), placement, defects };
}
