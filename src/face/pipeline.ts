// The face pipeline: detect → landmarks → align → embed, on one image.
//
// Detection runs on the whole image; each face's landmarks come from its box; the recogniser
// reads the aligned chip (./align.ts: eyes level, the landmarks' square plus padding) rather
// than the detector's box, so that a tilted head and a loose box give the same crop. Tight
// crops (a chip photo, a labelled face crop) can defeat a detector trained on scenes: when a
// search finds no face, the image is framed with a plain border and searched again.
//
// The models come from descriptors (src/face/models/), so any ONNX detector, landmark and
// embedding model with a descriptor drops in; only their kinds matter here.
import { join } from 'node:path';
import { fromMat, toMat, type Image } from '../document/image.js';
import { InvalidArgumentError } from '../errors.js';
import { opencv } from '../native/opencv.js';
import { faceChip, type ChipOptions } from './align.js';
import { computeEmbedding, detectFaces, detectLandmarks } from './models/faces.js';
import { faceRegion } from './models/preprocess.js';
import { loadFaceModel, type FaceModel, type SessionOptions } from './models/session.js';
import type { Embedding, FaceBox, Landmarks68 } from './types.js';

export interface FaceModels {
  readonly detector: FaceModel;
  readonly landmarks: FaceModel;
  readonly embedding: FaceModel;
}

/** Descriptor file names in a models folder (scripts/convert-face-models.ts writes these). */
export const MODEL_FILES = { detector: 'tiny_face_detector.json', landmarks: 'face_landmark_68.json', embedding: 'face_recognition.json' } as const;

export async function loadFaceModels(dir: string, o: SessionOptions = {}): Promise<FaceModels> {
  const [detector, landmarks, embedding] = await Promise.all([
    loadFaceModel(join(dir, MODEL_FILES.detector), o),
    loadFaceModel(join(dir, MODEL_FILES.landmarks), o),
    loadFaceModel(join(dir, MODEL_FILES.embedding), o),
  ]);
  return { detector, landmarks, embedding };
}

export async function disposeFaceModels(m: FaceModels): Promise<void> {
  await Promise.all([m.detector.dispose(), m.landmarks.dispose(), m.embedding.dispose()]);
}

/**
 * The recogniser's chip: 150 px (the dlib-style ResNet's input) around the landmarks with a
 * quarter of their extent as margin on every side — the framing of dlib's own face chips
 * (a 0.25 padding), which the network was trained on.
 */
export const RECOGNISER_CHIP: ChipOptions = { size: 150, padding: 0.25 };

export interface AnalysedFace {
  readonly box: FaceBox;
  readonly landmarks: Landmarks68;
  /** Present for the faces that were embedded (see AnalyseOptions.embed). */
  readonly embedding?: Embedding;
}

export interface AnalyseOptions {
  /** Which faces get an embedding: all, only the largest, or none (guidance only). */
  readonly embed?: 'all' | 'largest' | 'none';
  /** Detector score threshold (the descriptor's by default). */
  readonly minScore?: number;
  /** Frame the image with a border and search again when no face is found (default true). */
  readonly retryFramed?: boolean;
  /** At most this many faces are analysed, largest first (default 8). */
  readonly maxFaces?: number;
}

export interface Analysis {
  /** Largest first; coordinates in the given image's pixels. */
  readonly faces: readonly AnalysedFace[];
  /** Whether the faces were found only after framing the image with a border. */
  readonly framed: boolean;
  /** Wall time per stage, ms. */
  readonly timings: { readonly detectMs: number; readonly landmarksMs: number; readonly embedMs: number };
}

/** Border added on each side when framing a tight crop, as a share of its larger side. */
const FRAME_BORDER = 0.5;

export async function analyseImage(models: FaceModels, image: Image, o: AnalyseOptions = {}): Promise<Analysis> {
  const maxFaces = o.maxFaces ?? 8;
  if (!(Number.isInteger(maxFaces) && maxFaces >= 1 && maxFaces <= 64)) throw new InvalidArgumentError('maxFaces', '1 to 64', maxFaces);
  const t0 = performance.now();
  const opts = o.minScore !== undefined ? { scoreThreshold: o.minScore } : {};
  let boxes = await detectFaces(models.detector, image, opts);
  let framed = false;
  let work = image;
  let offset = 0;
  if (boxes.length === 0 && o.retryFramed !== false) {
    offset = Math.round(Math.max(image.width, image.height) * FRAME_BORDER);
    work = frame(image, offset);
    boxes = await detectFaces(models.detector, work, opts);
    framed = boxes.length > 0;
    if (!framed) {
      work = image;
      offset = 0;
    }
  }
  const t1 = performance.now();
  boxes = [...boxes].sort((a, b) => b.width * b.height - a.width * a.height).slice(0, maxFaces);
  const found: { box: FaceBox; landmarks: Landmarks68 }[] = [];
  for (const box of boxes) {
    const region = faceRegion(box, work.width, work.height);
    if (!region) continue;
    found.push({ box, landmarks: await detectLandmarks(models.landmarks, work, region) });
  }
  const t2 = performance.now();
  const faces: AnalysedFace[] = [];
  for (const [i, f] of found.entries()) {
    const wanted = o.embed === 'all' || ((o.embed ?? 'largest') === 'largest' && i === 0);
    const embedding = wanted ? await embedChip(models, work, f.landmarks) : undefined;
    faces.push({ box: shiftBox(f.box, -offset), landmarks: shiftLandmarks(f.landmarks, -offset), ...(embedding ? { embedding } : {}) });
  }
  const t3 = performance.now();
  return { faces, framed, timings: { detectMs: t1 - t0, landmarksMs: t2 - t1, embedMs: t3 - t2 } };
}

/** The embedding of the face with these landmarks (image pixels). */
export async function embedChip(models: FaceModels, image: Image, landmarks: Landmarks68): Promise<Embedding> {
  const { chip } = faceChip(image, landmarks, RECOGNISER_CHIP);
  return computeEmbedding(models.embedding, chip);
}

/** The image on a mid-grey border `border` px wide on every side. */
function frame(image: Image, border: number): Image {
  const cv = opencv();
  const src = toMat(image);
  const out = src.copyMakeBorder(border, border, border, border, cv.BORDER_CONSTANT, image.channels === 1 ? 128 : new cv.Vec3(128, 128, 128));
  try {
    return fromMat(out);
  } finally {
    src.release();
    out.release();
  }
}

const shiftBox = (b: FaceBox, d: number): FaceBox => ({ ...b, x: b.x + d, y: b.y + d });

function shiftLandmarks(lm: Landmarks68, d: number): Landmarks68 {
  if (d === 0) return lm;
  return Float32Array.from(lm, (v) => v + d);
}
