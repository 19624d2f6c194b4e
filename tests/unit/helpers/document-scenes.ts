// Synthetic document-reader frames with known defects, for the capture-quality and
// document-camera tests: what a full-page reader's camera sees through its glass (a dark lid or
// dark room behind, the page face down and lit), with pages placed, rotated, tilted, partly off
// the glass, blurred with a known sigma, a glare spot of a known size, ambient light and sensor
// noise. The data-page renderer (src/document/render/) will give realistic pages; these only
// need the properties the quality checks measure: a bright paper rectangle with printing on it.
// Every value is fake; nothing here resembles a real person's data.
import { fromMat, type Image } from '../../../src/document/image.js';
import { opencv, type Mat } from '../../../src/native/opencv.js';

/** ID-3 size (ISO/IEC 7810), the TD3 data page of ICAO Doc 9303-4: 125 × 88 mm. */
export const TD3_MM = { width: 125, height: 88 } as const;
/** Scenes are drawn at 200 dpi by default: a TD3 page is then 984 × 693 pixels. */
export const SCENE_DPI = 200;
export const mmToPx = (mm: number, dpi = SCENE_DPI): number => Math.round((mm / 25.4) * dpi);

export type PageContent = 'dataPage' | 'blank' | 'cover';

export interface PagePlacement {
  /** Centre in frame pixels. */
  readonly cx: number;
  readonly cy: number;
  /** Size in pixels; a TD3 page at SCENE_DPI by default. */
  readonly width?: number;
  readonly height?: number;
  /** Rotation in the plane of the glass, degrees, clockwise in image coordinates. */
  readonly angleDeg?: number;
  /**
   * A lifted edge seen through a lens: the right edge shrinks by this fraction (a trapezoid),
   * as a page bowing off the glass looks to a camera square to the glass.
   */
  readonly lift?: number;
  readonly content?: PageContent;
}

export interface GlareSpot {
  /** Centre in frame pixels; radius in pixels. A saturated disc (255). */
  readonly cx: number;
  readonly cy: number;
  readonly radius: number;
}

export interface SceneOptions {
  /** A 140 × 100 mm window at 200 dpi by default. */
  readonly width?: number;
  readonly height?: number;
  /** Grey level behind the glass (closed dark lid): 24 by default. */
  readonly background?: number;
  readonly pages?: readonly PagePlacement[];
  readonly glare?: readonly GlareSpot[];
  /** Gaussian blur applied to the whole frame (defocus), in pixels. */
  readonly blurSigma?: number;
  /** Additive Gaussian sensor noise, grey levels; 2 by default. */
  readonly noiseSigma?: number;
  readonly seed?: number;
}

export const FRAME = { width: mmToPx(140), height: mmToPx(100) } as const;
export const TD3_PX = { width: mmToPx(TD3_MM.width), height: mmToPx(TD3_MM.height) } as const;

/** A frame with the given pages, glare and defects; BGR. */
export function scene(o: SceneOptions = {}): Image {
  const cv = opencv();
  const width = o.width ?? FRAME.width;
  const height = o.height ?? FRAME.height;
  const bg = o.background ?? 24;
  let frame = filled(height, width, [bg, bg, bg]);
  for (const p of o.pages ?? []) frame = placePage(frame, p);
  for (const g of o.glare ?? []) frame.drawCircle(new cv.Point2(g.cx, g.cy), g.radius, new cv.Vec3(255, 255, 255), -1, cv.LINE_8);
  if (o.blurSigma !== undefined && o.blurSigma > 0) {
    frame = frame.gaussianBlur(new cv.Size(0, 0), o.blurSigma);
  }
  const img = fromMat(frame);
  addNoise(img.data, o.noiseSigma ?? 2, o.seed ?? 1);
  return img;
}

/** The corners (TL, TR, BR, BL before rotation) of a placed page, in frame pixels. */
export function pageCorners(p: PagePlacement): [number, number][] {
  const w = p.width ?? TD3_PX.width;
  const h = p.height ?? TD3_PX.height;
  const lift = p.lift ?? 0;
  const a = ((p.angleDeg ?? 0) * Math.PI) / 180;
  const local: [number, number][] = [
    [-w / 2, -h / 2],
    [w / 2, (-h / 2) * (1 - lift)],
    [w / 2, (h / 2) * (1 - lift)],
    [-w / 2, h / 2],
  ];
  return local.map(([x, y]) => [p.cx + x * Math.cos(a) - y * Math.sin(a), p.cy + x * Math.sin(a) + y * Math.cos(a)]);
}

function placePage(frame: Mat, p: PagePlacement): Mat {
  const cv = opencv();
  const w = p.width ?? TD3_PX.width;
  const h = p.height ?? TD3_PX.height;
  const page = drawPage(w, h, p.content ?? 'dataPage');
  const src = [new cv.Point2(0, 0), new cv.Point2(w, 0), new cv.Point2(w, h), new cv.Point2(0, h)];
  const dst = pageCorners(p).map(([x, y]) => new cv.Point2(x, y));
  const m = cv.getPerspectiveTransform(src, dst);
  const size = new cv.Size(frame.cols, frame.rows);
  const warped = page.warpPerspective(m, size, cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Vec3(0, 0, 0));
  const mask = new cv.Mat(h, w, cv.CV_8UC1).setTo(255).warpPerspective(m, size, cv.INTER_NEAREST, cv.BORDER_CONSTANT);
  const out = frame.copy();
  warped.copyTo(out, mask);
  return out;
}

/** A BGR Mat of one colour (`new Mat(rows, cols, type, fill)` fills per element and is slow). */
function filled(rows: number, cols: number, [b, g, r]: [number, number, number]): Mat {
  const cv = opencv();
  return new cv.Mat(rows, cols, cv.CV_8UC3).setTo(new cv.Vec3(b, g, r));
}

/** A page, upright: paper, a portrait area, printed fields and two MRZ-like lines at the bottom. */
function drawPage(w: number, h: number, content: PageContent): Mat {
  const cv = opencv();
  if (content === 'cover') {
    // A burgundy cover with a lighter emblem: darker than paper, little printing.
    const m = filled(h, w, [38, 30, 92]);
    m.drawCircle(new cv.Point2(w / 2, h / 2), Math.round(h / 6), new cv.Vec3(60, 110, 140), 3, cv.LINE_AA);
    return m;
  }
  // Slightly warm paper (BGR): a data page's substrate under the reader's white LEDs.
  const m = filled(h, w, [205, 218, 226]);
  if (content === 'blank') return m;
  const ink = new cv.Vec3(40, 40, 50);
  const s = w / 984;
  // Portrait: a grey box with a lighter oval, at the left as on a TD3 data page (zone V).
  const px = Math.round(30 * s);
  const py = Math.round(90 * s);
  const pw = Math.round(260 * s);
  const ph = Math.round(340 * s);
  m.drawRectangle(new cv.Point2(px, py), new cv.Point2(px + pw, py + ph), new cv.Vec3(120, 125, 135), -1);
  m.drawCircle(new cv.Point2(px + pw / 2, py + ph * 0.42), Math.round(pw * 0.3), new cv.Vec3(170, 180, 195), -1, cv.LINE_AA);
  m.putText('PASSPORT   SPECIMEN', new cv.Point2(Math.round(30 * s), Math.round(55 * s)), cv.FONT_HERSHEY_SIMPLEX, 1.1 * s, ink, Math.max(1, Math.round(2 * s)), cv.LINE_AA);
  const fields = ['SURNAME / NOM', 'SPECIMEN', 'GIVEN NAMES', 'TEST SAMPLE', 'NATIONALITY  UTOPIAN', 'DATE OF BIRTH  01 JAN 70', 'SEX  F', 'DATE OF EXPIRY  01 JAN 35'];
  fields.forEach((f, i) => {
    m.putText(f, new cv.Point2(Math.round(320 * s), Math.round((110 + i * 44) * s)), cv.FONT_HERSHEY_SIMPLEX, 0.8 * s, ink, Math.max(1, Math.round(2 * s)), cv.LINE_AA);
  });
  // Two 44-character lines where the TD3 MRZ runs (zone VII, the bottom ~23 mm of the page).
  const mrz = ['P<UTOSPECIMEN<<TEST<SAMPLE<<<<<<<<<<<<<<<<<<', 'X00000000<UTO7001011F3501017<<<<<<<<<<<<<<04'];
  mrz.forEach((line, i) => {
    m.putText(line, new cv.Point2(Math.round(30 * s), Math.round(h - (75 - i * 45) * s)), cv.FONT_HERSHEY_PLAIN, 2.6 * s, ink, Math.max(1, Math.round(2 * s)), cv.LINE_AA);
  });
  return m;
}

/**
 * Adds N(0, sigma²) noise with a seeded generator: a table of 65536 standard normal samples
 * (mulberry32 + Box–Muller), indexed by a second stream, which is fast and random enough for
 * sensor noise.
 */
function addNoise(data: Buffer, sigma: number, seed: number): void {
  if (sigma <= 0) return;
  let a = seed >>> 0;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const table = new Float32Array(65536);
  for (let i = 0; i < table.length; i++) table[i] = Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd()) * sigma;
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < data.length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    data[i] = Math.max(0, Math.min(255, Math.round(data[i]! + table[x >>> 16]!)));
  }
}

/** A centred, straight TD3 page: the reference capture. */
export function goodPage(extra: Partial<PagePlacement> = {}): PagePlacement {
  return { cx: FRAME.width / 2, cy: FRAME.height / 2, angleDeg: 2, ...extra };
}
