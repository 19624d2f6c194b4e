// What the reader's UV and IR lamps would show of a rendered capture, for the simulator and
// the UV/IR checks' tests. Physics kept to what the checks rely on (ICAO 9303-2 §3.1, 9303-3
// §4.2.3):
// - genuine: the substrate is UV-dull (dark under 365 nm) with a fluorescent emblem; in IR
//   (~870 nm) the MRZ and the portrait stay dark (carbon-based, IR-absorbing), while the
//   background print and the coloured visual-zone inks drop out;
// - photocopy: office paper with optical brighteners glows under UV; toner is carbon, so in IR
//   everything printed stays visible, background included;
// - IR-transparent MRZ: a forger's dye ink that looks right in white light vanishes in IR.
import { opencv, type Mat } from '../../native/opencv.js';
import { fromMat, toGrey, toMat, type Image } from '../image.js';
import type { Capture } from './defects.js';
import type { Quad } from '../plane.js';

export type Substrate = 'genuine' | 'photocopy' | 'ir-transparent-mrz';

/** Grey level below which a pixel in white light is dark enough to be carbon print. */
const CARBON_LEVEL = 110;
/** The glass and the lid under each lamp (the reader's own background). */
const GLASS_UV = 12;
const PAPER_UV_DULL = 35;
const PAPER_UV_BRIGHTENED = 185;
const PAPER_IR = 200;

function fillQuad(m: Mat, q: Quad, level: number): void {
  const cv = opencv();
  m.drawFillPoly([q.map((p) => new cv.Point2(Math.round(p.x), Math.round(p.y)))], new cv.Vec3(level, level, level));
}

/** The UV image of a capture: substrate level on every page, a fluorescent emblem on genuine ones. */
export function uvImage(capture: Capture, substrate: Substrate): Image {
  const cv = opencv();
  const m = new cv.Mat(capture.image.height, capture.image.width, cv.CV_8UC1, GLASS_UV);
  for (const page of capture.pages) {
    fillQuad(m, page.page, substrate === 'photocopy' ? PAPER_UV_BRIGHTENED : PAPER_UV_DULL);
    if (substrate !== 'photocopy') {
      // The emblem: a bright disc at the page's centre (security fibres and planchettes too small to matter here).
      const cx = page.page.reduce((s, p) => s + p.x, 0) / 4;
      const cy = page.page.reduce((s, p) => s + p.y, 0) / 4;
      m.drawCircle(new cv.Point2(Math.round(cx), Math.round(cy)), Math.round(6 * page.pxPerMm), new cv.Vec3(230, 230, 230), -1);
    }
  }
  return fromMat(m);
}

/** The IR image of a capture: carbon print stays, IR-transparent inks drop to paper. */
export function irImage(capture: Capture, substrate: Substrate): Image {
  const cv = opencv();
  const grey = toMat(toGrey(capture.image));
  const paperMask = new cv.Mat(grey.rows, grey.cols, cv.CV_8UC1, 0);
  for (const page of capture.pages) fillQuad(paperMask, page.page, 255);
  const g = grey.getData();
  const onPaper = paperMask.getData();
  const out = Buffer.from(g);
  for (let i = 0; i < out.length; i++) {
    if (!onPaper[i]) continue;
    // Genuine: only carbon-dark pixels keep their level. Photocopy: everything keeps it (toner).
    if (substrate !== 'photocopy' && g[i]! >= CARBON_LEVEL) out[i] = PAPER_IR;
  }
  const ir = new cv.Mat(out, grey.rows, grey.cols, cv.CV_8UC1);
  if (substrate === 'ir-transparent-mrz') for (const page of capture.pages) fillQuad(ir, page.mrzZone, PAPER_IR);
  return fromMat(ir);
}
