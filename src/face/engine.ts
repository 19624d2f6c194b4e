// The face pipeline as an engine for a child process (src/platform/engine-process.ts):
// onnxruntime-node runs a model on the calling thread and OpenCV cannot be loaded by a second
// thread, so detection, landmarks, alignment, embedding and the portrait checks of a frame all
// run in the face engine's own process, one request at a time.
import type { Image } from '../document/image.js';
import { InvalidArgumentError } from '../errors.js';
import { analyseImage, loadFaceModels, type AnalyseOptions, type Analysis } from './pipeline.js';
import { assessPortrait, CAPTURE_LIMITS, PORTRAIT_LIMITS, type PortraitAssessment } from './quality/index.js';

export interface FaceEngineOptions {
  /** Folder of model descriptors (scripts/convert-face-models.ts writes build/models). */
  readonly modelsDir: string;
  readonly intraOpNumThreads?: number;
}

export type FaceRequest =
  | { readonly op: 'analyse'; readonly image: Image; readonly options?: AnalyseOptions }
  /** Analysis plus the portrait checks: `live` judges a camera frame, `portrait` a finished photo. */
  | { readonly op: 'quality'; readonly image: Image; readonly limits: 'live' | 'portrait'; readonly options?: AnalyseOptions };

export type FaceResponse = { readonly analysis: Analysis; readonly quality?: PortraitAssessment };

/** Structured clone delivers Uint8Arrays; the engine works on Buffers. */
const asBuffer = (img: Image): Image => ({ ...img, data: Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength) });

export async function createEngine(options: unknown): Promise<(request: unknown) => Promise<FaceResponse>> {
  const o = options as FaceEngineOptions;
  if (typeof o.modelsDir !== 'string') throw new InvalidArgumentError('modelsDir', 'a folder of face model descriptors', typeof o.modelsDir);
  const models = await loadFaceModels(o.modelsDir, o.intraOpNumThreads !== undefined ? { intraOpNumThreads: o.intraOpNumThreads } : {});
  return async (request) => {
    const r = request as FaceRequest;
    const image = asBuffer(r.image);
    const analysis = await analyseImage(models, image, r.options ?? {});
    if (r.op === 'analyse') return { analysis };
    const faces = analysis.faces.map((f) => ({ box: f.box, landmarks: f.landmarks }));
    return { analysis, quality: assessPortrait(image, faces, { limits: r.limits === 'live' ? CAPTURE_LIMITS : PORTRAIT_LIMITS }) };
  };
}
