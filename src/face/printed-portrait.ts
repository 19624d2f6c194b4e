// The printed portrait on the data page against the chip's DG2 portrait, for the document
// check (src/document/check.ts): the largest face found on the page capture is the printed
// portrait (a ghost image, where the page has one, is smaller), the chip's face comes from DG2,
// and the two are judged at the calibrated threshold. A page whose portrait was swapped — the
// classic photo substitution — fails here while its chip still verifies.
import type { Image } from '../document/image.js';
import type { PortraitComparison } from '../document/cross-checks.js';
import { operatingPoint, type Calibration } from './calibration.js';
import { cosine } from './compare.js';
import { chipEmbedding } from './one-to-one.js';
import { analyseImage, type FaceModels } from './pipeline.js';

export function printedPortraitComparer(models: FaceModels, calibration: Calibration, fmr = 1e-3): (page: Image, dg2: Buffer) => Promise<PortraitComparison> {
  const point = operatingPoint(calibration, fmr);
  return async (page, dg2) => {
    const chip = await chipEmbedding(models, dg2);
    if ('code' in chip) return { result: 'no-face', side: 'chip', detail: chip.detail };
    const printed = (await analyseImage(models, page)).faces[0]?.embedding;
    if (!printed) return { result: 'no-face', side: 'printed', detail: 'no face found on the page' };
    const score = cosine(printed, chip.embedding);
    return { result: 'compared', match: score >= point.threshold, score, threshold: point.threshold, fmr };
  };
}
