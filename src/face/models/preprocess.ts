// Image → model input tensor, as the descriptor says: crop a region, letterbox it to a square
// with zeros, bilinear-resize to the input size, reorder channels, normalise, lay out NCHW or
// NHWC. The resize uses TensorFlow's legacy bilinear mapping (align_corners = false,
// half_pixel_centers = false: source = dest · in/out, neighbours floor and min(ceil, in−1)),
// the mapping face-api's models were run with, so converted models see the same pixels.
import { InvalidArgumentError } from '../../errors.js';
import type { Image } from '../../document/image.js';
import type { FaceBox } from '../types.js';
import type { InputSpec } from './descriptor.js';

/** An integer pixel rectangle inside an image. */
export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Where the model's square input sits in the image: image = region origin + input / scale − pad. */
export interface Letterbox {
  readonly region: Region;
  /** Input pixels per region pixel (input side / square side). */
  readonly scale: number;
  /** Zero padding before the region inside the square, in region pixels. */
  readonly padLeft: number;
  readonly padTop: number;
  /** The square's side in region pixels (max of width and height). */
  readonly side: number;
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly mode: InputSpec['letterbox'];
}

export interface Prepared {
  readonly tensor: Float32Array;
  readonly letterbox: Letterbox;
}

/**
 * The pixel region for a face box: clipped to the image and floored, as face-api does before
 * running its landmark and recognition nets on a detection. Undefined when nothing is left.
 */
export function faceRegion(box: Pick<FaceBox, 'x' | 'y' | 'width' | 'height'>, imageWidth: number, imageHeight: number): Region | undefined {
  const vals = [box.x, box.y, box.width, box.height];
  if (!vals.every(Number.isFinite)) return undefined;
  const x = Math.max(box.x, 0);
  const y = Math.max(box.y, 0);
  const w = Math.min(box.x + box.width - x, imageWidth - x);
  const h = Math.min(box.y + box.height - y, imageHeight - y);
  const r = { x: Math.floor(x), y: Math.floor(y), width: Math.floor(w), height: Math.floor(h) };
  return r.width > 0 && r.height > 0 && r.x < imageWidth && r.y < imageHeight ? r : undefined;
}

function inputSize(spec: InputSpec): [h: number, w: number] {
  const s = spec.shape;
  return spec.layout === 'NCHW' ? [s[2] ?? 0, s[3] ?? 0] : [s[1] ?? 0, s[2] ?? 0];
}

/** Builds the model input for `region` of `img` (whole image by default). */
export function prepareInput(img: Image, spec: InputSpec, region: Region = { x: 0, y: 0, width: img.width, height: img.height }): Prepared {
  const { x: rx, y: ry, width: rw, height: rh } = region;
  if (![rx, ry, rw, rh].every(Number.isInteger) || rw < 1 || rh < 1 || rx < 0 || ry < 0 || rx + rw > img.width || ry + rh > img.height) {
    throw new InvalidArgumentError('region', `an integer rectangle inside ${img.width}x${img.height}`, `${rw}x${rh}`);
  }
  if (img.data.length !== img.width * img.height * img.channels) throw new InvalidArgumentError('image.data', `${img.width * img.height * img.channels} bytes`, img.data);
  const [outH, outW] = inputSize(spec);
  if (outH !== outW) throw new InvalidArgumentError('input.shape', 'a square input', `${outH}x${outW}`);
  const side = Math.max(rw, rh);
  const diff = side - Math.min(rw, rh);
  // pad-end: all padding after the image; pad-center: round(diff/2) after, the rest before.
  const before = spec.letterbox === 'pad-center' ? diff - Math.round(diff / 2) : 0;
  const padLeft = rw < rh ? before : 0;
  const padTop = rh < rw ? before : 0;
  const ratio = side / outH;
  const plane = outH * outW;
  const out = new Float32Array(plane * 3);
  const ch = img.channels;
  const data = img.data;
  // Engine images are BGR (OpenCV order): the source byte for model channel c.
  const srcC = ch === 1 ? [0, 0, 0] : spec.channels === 'RGB' ? [2, 1, 0] : [0, 1, 2];
  // Per output column: the two source columns' byte offsets within a row (−1 = padding) and
  // the interpolation weight; per output row the same for rows. Hoisted out of the pixel loop.
  const cols = axisTable(outW, ratio, side, padLeft, rw, ch, rx * ch);
  const rows = axisTable(outH, ratio, side, padTop, rh, img.width * ch, ry * img.width * ch);
  const nchw = spec.layout === 'NCHW';
  for (let y = 0; y < outH; y++) {
    const r0 = rows.off0[y] ?? -1;
    const r1 = rows.off1[y] ?? -1;
    const dy = rows.frac[y] ?? 0;
    for (let x = 0; x < outW; x++) {
      const c0 = cols.off0[x] ?? -1;
      const c1 = cols.off1[x] ?? -1;
      const dx = cols.frac[x] ?? 0;
      const tl = r0 < 0 || c0 < 0 ? -1 : r0 + c0;
      const tr = r0 < 0 || c1 < 0 ? -1 : r0 + c1;
      const bl = r1 < 0 || c0 < 0 ? -1 : r1 + c0;
      const br = r1 < 0 || c1 < 0 ? -1 : r1 + c1;
      const o = y * outW + x;
      for (let c = 0; c < 3; c++) {
        const sc = srcC[c] ?? 0;
        const vtl = tl < 0 ? 0 : data[tl + sc] ?? 0;
        const vtr = tr < 0 ? 0 : data[tr + sc] ?? 0;
        const vbl = bl < 0 ? 0 : data[bl + sc] ?? 0;
        const vbr = br < 0 ? 0 : data[br + sc] ?? 0;
        const top = vtl + (vtr - vtl) * dx;
        const bottom = vbl + (vbr - vbl) * dx;
        const v = Math.fround((Math.fround(top + (bottom - top) * dy) - (spec.mean[c] ?? 0)) * (spec.scale[c] ?? 1));
        out[nchw ? c * plane + o : o * 3 + c] = v;
      }
    }
  }
  return { tensor: out, letterbox: { region, scale: outH / side, padLeft, padTop, side, inputWidth: outW, inputHeight: outH, mode: spec.letterbox } };
}

interface AxisTable {
  readonly off0: Int32Array;
  readonly off1: Int32Array;
  readonly frac: Float64Array;
}

/**
 * TF legacy bilinear sampling along one axis of the letterboxed square: output i reads square
 * positions floor(i·ratio) and min(ceil(i·ratio), side − 1); positions in the padding map to −1.
 */
function axisTable(n: number, ratio: number, side: number, pad: number, extent: number, stride: number, base: number): AxisTable {
  const off0 = new Int32Array(n);
  const off1 = new Int32Array(n);
  const frac = new Float64Array(n);
  const at = (p: number): number => {
    const i = p - pad;
    return i < 0 || i >= extent ? -1 : base + i * stride;
  };
  for (let i = 0; i < n; i++) {
    const f = i * ratio;
    const p0 = Math.floor(f);
    off0[i] = at(p0);
    off1[i] = at(Math.min(side - 1, Math.ceil(f)));
    frac[i] = f - p0;
  }
  return { off0, off1, frac };
}
