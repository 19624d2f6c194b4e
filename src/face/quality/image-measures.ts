// Measures of the pixels around a face whose landmarks are known: sharpness, exposure,
// dynamic range and lighting balance over the face, and the uniformity of the background
// outside the head and shoulders. Each works at a scale set by the inter-eye distance, so a
// figure means the same for a face 90 px or 400 px wide.
import { checkImage, toMat, type Image } from '../../document/image.js';
import { withMats } from '../../document/page-finder.js';
import { opencv, type Mat } from '../../native/opencv.js';
import type { Landmarks68, Point } from '../types.js';
import { LM } from './face-model.js';
import { CANONICAL_EYE_DISTANCE_PX } from './limits.js';
import { chinAndCrown, dist, faceOutline, interEyeDistance, landmarkBounds, pt } from './landmarks.js';

export interface FaceMeasures {
  readonly sharpness: number;
  /** Standard deviation of grey over the face. */
  readonly contrast: number;
  readonly exposure: number;
  readonly dynamicRange: number;
  readonly lightingBalance: number;
}

/** Longest side of the canonical face crop, px (a face 64 px between the eyes is ~250 px tall). */
const MAX_CANONICAL_SIDE = 512;

/** Scale of the background measure: the eyes this many pixels apart (this project's). */
export const BACKGROUND_EYE_DISTANCE_PX = 32;

function greyMat(image: Image, keep: <M extends Mat>(m: M) => M): Mat {
  const m = keep(toMat(image));
  return image.channels === 1 ? m : keep(m.cvtColor(opencv().COLOR_BGR2GRAY));
}

/** The face region, rescaled so the eyes are CANONICAL_EYE_DISTANCE_PX apart, and its mask. */
function canonicalFace(grey: Mat, lm: Landmarks68, keep: <M extends Mat>(m: M) => M): { face: Mat; mask: Mat; midline: readonly [Point, Point]; scale: number } {
  const cv = opencv();
  const ied = Math.max(1, interEyeDistance(lm));
  const b = landmarkBounds(lm);
  // Landmarks that put the eyes almost together would blow the crop up without bound: the
  // canonical face is never larger than MAX_CANONICAL_SIDE.
  const extent = Math.max(1, b.maxX - b.minX, b.maxY - b.minY);
  const scale = Math.min(CANONICAL_EYE_DISTANCE_PX / ied, MAX_CANONICAL_SIDE / extent);
  const pad = 0.1 * extent;
  // The region around the landmarks, clipped to the image (a face may reach past its edge).
  const x0 = Math.min(grey.cols - 1, Math.max(0, Math.floor(b.minX - pad)));
  const y0 = Math.min(grey.rows - 1, Math.max(0, Math.floor(b.minY - pad)));
  const w = Math.min(grey.cols - x0, Math.max(1, Math.ceil(b.maxX + pad) - x0));
  const h = Math.min(grey.rows - y0, Math.max(1, Math.ceil(b.maxY + pad) - y0));
  const roi = keep(keep(grey.getRegion(new cv.Rect(x0, y0, w, h))).copy());
  const cw = Math.max(8, Math.round(roi.cols * scale));
  const ch = Math.max(8, Math.round(roi.rows * scale));
  const face = keep(roi.resize(ch, cw, 0, 0, scale < 1 ? cv.INTER_AREA : cv.INTER_LINEAR));
  const sx = cw / roi.cols;
  const sy = ch / roi.rows;
  const outline = faceOutline(lm).map((p) => ({ x: (p.x - x0) * sx, y: (p.y - y0) * sy }));
  const mask = keep(new cv.Mat(ch, cw, cv.CV_8UC1, 0));
  mask.drawFillPoly([outline.map((p) => new cv.Point2(Math.round(p.x), Math.round(p.y)))], new cv.Vec3(255, 255, 255));
  // The midline through the nasion and the chin splits the face into halves for the lighting
  // balance; in canonical coordinates.
  return { face, mask, midline: [toCanon(pt(lm, LM.nasion)), toCanon(pt(lm, LM.chin))], scale };

  function toCanon(p: Point): Point {
    return { x: (p.x - x0) * sx, y: (p.y - y0) * sy };
  }
}

/** Sharpness, exposure, dynamic range and lighting balance over the face outline. */
export function measureFace(image: Image, lm: Landmarks68): FaceMeasures {
  checkImage(image);
  return withMats((keep) => {
    const cv = opencv();
    const grey = greyMat(image, keep);
    const { face, mask, midline } = canonicalFace(grey, lm, keep);
    const lap = keep(face.laplacian(cv.CV_64F, 3));
    const sd = lap.meanStdDev(mask);
    const sharpness = (sd.stddev.at(0, 0)) ** 2;
    sd.mean.release();
    sd.stddev.release();

    const pixels = face.getData();
    const m = mask.getData();
    const [nasion, chin] = midline;
    const hist = new Array<number>(256).fill(0);
    let n = 0;
    let sum = 0;
    let sum2 = 0;
    const half = [
      [0, 0],
      [0, 0],
    ] as [[number, number], [number, number]];
    for (let y = 0; y < face.rows; y++) {
      for (let x = 0; x < face.cols; x++) {
        const i = y * face.cols + x;
        if (m[i] === 0) continue;
        const v = pixels[i] ?? 0;
        hist[v] = (hist[v] ?? 0) + 1;
        n++;
        sum += v;
        sum2 += v * v;
        // Which side of the nasion–chin line the pixel lies on (sign of the cross product).
        const side = (chin.x - nasion.x) * (y - nasion.y) - (chin.y - nasion.y) * (x - nasion.x) > 0 ? 0 : 1;
        half[side][0] += v;
        half[side][1] += 1;
      }
    }
    if (n === 0) return { sharpness: 0, contrast: 0, exposure: 0, dynamicRange: 0, lightingBalance: 0 };
    const meanA = half[0][1] > 0 ? half[0][0] / half[0][1] : 0;
    const meanB = half[1][1] > 0 ? half[1][0] / half[1][1] : 0;
    const brighter = Math.max(meanA, meanB);
    return {
      sharpness,
      contrast: Math.sqrt(Math.max(0, sum2 / n - (sum / n) ** 2)),
      exposure: sum / n,
      dynamicRange: percentile(hist, n, 0.995) - percentile(hist, n, 0.005),
      lightingBalance: brighter > 0 ? Math.min(meanA, meanB) / brighter : 0,
    };
  });
}

function percentile(hist: readonly number[], n: number, q: number): number {
  const target = q * n;
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v] ?? 0;
    if (acc >= target) return v;
  }
  return 255;
}

/**
 * The head-and-shoulders region that is not background, in the image's pixels: an ellipse
 * over the head from a little above the estimated crown to below the chin (1.2 head heights
 * tall), 1.4 times the face outline's width
 * (hair and ears), and below the chin a band 3.5 face-widths wide down to the bottom edge
 * (neck and shoulders).
 */
export function headAndShoulders(lm: Landmarks68): { readonly head: { centre: Point; halfWidth: number; halfHeight: number; angleDeg: number }; readonly shouldersTop: number; readonly shouldersHalfWidth: number; readonly centreX: number } {
  const { chin, crown, height } = chinAndCrown(lm);
  const faceWidth = dist(pt(lm, LM.jaw[0]), pt(lm, LM.jaw[1]));
  // The head's axis from crown to chin, as OpenCV's RotatedRect angle (clockwise on screen).
  const angleDeg = (-Math.atan2(chin.x - crown.x, chin.y - crown.y) * 180) / Math.PI;
  return {
    head: { centre: { x: (chin.x + crown.x) / 2, y: (chin.y + crown.y) / 2 }, halfWidth: 0.7 * faceWidth, halfHeight: 0.6 * height, angleDeg },
    shouldersTop: chin.y,
    shouldersHalfWidth: 1.75 * faceWidth,
    centreX: chin.x,
  };
}

/**
 * Mean gradient magnitude (Sobel, grey levels per pixel) of the background — everything
 * outside `headAndShoulders` — after a Gaussian blur of 1 px, with the image rescaled so the
 * eyes are BACKGROUND_EYE_DISTANCE_PX apart. 0 when no background is visible.
 */
export function backgroundGradient(image: Image, lm: Landmarks68): number {
  checkImage(image);
  return withMats((keep) => {
    const cv = opencv();
    const grey = greyMat(image, keep);
    const scale = Math.min(1, BACKGROUND_EYE_DISTANCE_PX / Math.max(1, interEyeDistance(lm)));
    const w = Math.max(8, Math.round(grey.cols * scale));
    const h = Math.max(8, Math.round(grey.rows * scale));
    const small = scale < 1 ? keep(grey.resize(h, w, 0, 0, cv.INTER_AREA)) : grey;
    const sx = small.cols / grey.cols;
    const sy = small.rows / grey.rows;
    const smooth = keep(small.gaussianBlur(new cv.Size(5, 5), 1));
    const gx = keep(smooth.sobel(cv.CV_32F, 1, 0, 3));
    const gy = keep(smooth.sobel(cv.CV_32F, 0, 1, 3));
    const mag = keep(keep(keep(gx.hMul(gx)).add(keep(gy.hMul(gy)))).sqrt());
    // Sobel's 3×3 kernel weighs the central difference by 8 (1+2+1 rows × 2 px): divide to get
    // grey levels per pixel.
    const region = headAndShoulders(lm);
    const mask = keep(new cv.Mat(small.rows, small.cols, cv.CV_8UC1, 255));
    const white = new cv.Vec3(0, 0, 0);
    mask.drawEllipse(
      new cv.RotatedRect(new cv.Point2(region.head.centre.x * sx, region.head.centre.y * sy), new cv.Size(2 * region.head.halfWidth * sx, 2 * region.head.halfHeight * sy), region.head.angleDeg),
      white,
      -1,
    );
    mask.drawRectangle(
      new cv.Point2(Math.round((region.centreX - region.shouldersHalfWidth) * sx), Math.round(region.shouldersTop * sy)),
      new cv.Point2(Math.round((region.centreX + region.shouldersHalfWidth) * sx), small.rows),
      white,
      -1,
    );
    // Keep a 2 px margin off the image's edge, where the blur and Sobel see the border.
    mask.drawRectangle(new cv.Point2(0, 0), new cv.Point2(small.cols - 1, small.rows - 1), white, 2);
    if (mask.countNonZero() === 0) return 0;
    const ms = mag.meanStdDev(mask);
    const v = ms.mean.at(0, 0) / 8;
    ms.mean.release();
    ms.stddev.release();
    return v;
  });
}
