// Proof of the face-api → ONNX conversion (issue 4, "Models"): on the same inputs, the converted
// graphs run by onnxruntime-node agree with face-api's own TensorFlow.js output —
// descriptors cosine ≥ 0.999, boxes and landmarks within 1 px. Inputs: face-api's demo images
// (sample1..6.jpg, in its npm package) and crops of them (the detected face box, the box grown
// by 30 %, a non-square strip), plus dlib's labelled crops when the face test data is available.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t, { type Test } from 'tap';
import { decodeImage, type Image } from '../../src/document/image.js';
import { convertFaceApiModels } from '../../src/face/onnx/convert.js';
import { computeEmbedding, detectFaces, detectLandmarks } from '../../src/face/models/faces.js';
import { faceApiAlignedRegion, faceApiShiftedLandmarks } from '../../src/face/models/faceapi-compat.js';
import { faceRegion, type Region } from '../../src/face/models/preprocess.js';
import { loadFaceModel, type FaceModel } from '../../src/face/models/session.js';
import { faceData } from '../helpers/face-data.js';
import { loadFaceApi, type FaceApiRef, type TfTensor } from '../../bench/faceapi-reference.js';

const COSINE_MIN = 0.999;
const PX_MAX = 1;

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

interface Figures {
  minCosine: number;
  maxLandmarkPx: number;
  maxBoxPx: number;
  maxScoreDiff: number;
  faces: number;
  crops: number;
  maxSsdBoxPx: number;
  ssdFaces: number;
  minCosinePipeline: number;
  minCosinePipelineExactShift: number;
  pipelineFaces: number;
  ms: Record<'detect' | 'ssd' | 'landmarks' | 'embed' | 'faceApiDetect' | 'faceApiSsd' | 'faceApiLandmarks' | 'faceApiEmbed', number[]>;
}

const figures: Figures = {
  minCosine: 1, maxLandmarkPx: 0, maxBoxPx: 0, maxScoreDiff: 0, faces: 0, crops: 0, maxSsdBoxPx: 0, ssdFaces: 0, minCosinePipeline: 1, minCosinePipelineExactShift: 1, pipelineFaces: 0,
  ms: { detect: [], ssd: [], landmarks: [], embed: [], faceApiDetect: [], faceApiSsd: [], faceApiLandmarks: [], faceApiEmbed: [] },
};

async function timed<T>(bucket: number[], f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const r = await f();
  bucket.push(performance.now() - t0);
  return r;
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;

interface Models { det: FaceModel; ssd: FaceModel; lm: FaceModel; rec: FaceModel }

/** Landmarks and descriptor of one region, ours vs face-api's. */
async function compareRegion(t: Test, ref: FaceApiRef, m: Models, img: Image, whole: TfTensor, r: Region, label: string): Promise<void> {
  const crop = ref.crop(whole, r);
  try {
    const refLm = await timed(figures.ms.faceApiLandmarks, () => ref.landmarks(crop));
    const ourLm = await timed(figures.ms.landmarks, () => detectLandmarks(m.lm, img, r));
    const shifted = refLm.map((v, i) => v + (i % 2 === 0 ? r.x : r.y));
    const dLm = maxAbs(shifted, ourLm);
    figures.maxLandmarkPx = Math.max(figures.maxLandmarkPx, dLm);
    t.ok(dLm <= PX_MAX, `${label}: landmarks within ${PX_MAX} px (max ${dLm.toFixed(4)})`);

    const refDesc = await timed(figures.ms.faceApiEmbed, () => ref.descriptor(crop));
    const ourDesc = await timed(figures.ms.embed, () => computeEmbedding(m.rec, img, r));
    t.equal(ourDesc.length, 128);
    const cos = cosine(refDesc, ourDesc);
    figures.minCosine = Math.min(figures.minCosine, cos);
    t.ok(cos >= COSINE_MIN, `${label}: descriptor cosine ≥ ${COSINE_MIN} (${cos.toFixed(7)})`);
    figures.crops += 1;
  } finally {
    ref.dispose(crop);
  }
}

const outDir = mkdtempSync(join(tmpdir(), 'face-models-'));
t.teardown(() => { rmSync(outDir, { recursive: true, force: true }); });

t.test('face-api → ONNX equivalence', async (t) => {
  const ref = await loadFaceApi();
  const results = convertFaceApiModels(ref.modelDir, outDir);
  t.equal(results.length, 4, 'four models converted');
  const models: Models = {
    det: await loadFaceModel(join(outDir, 'tiny_face_detector.json')),
    ssd: await loadFaceModel(join(outDir, 'ssd_mobilenetv1.json')),
    lm: await loadFaceModel(join(outDir, 'face_landmark_68.json')),
    rec: await loadFaceModel(join(outDir, 'face_recognition.json')),
  };
  t.teardown(async () => { await Promise.all([models.det, models.ssd, models.lm, models.rec].map((m) => m.dispose())); });

  const demoDir = join(dirname(ref.modelDir), 'demo');
  for (let n = 1; n <= 6; n++) {
    const file = `sample${n}.jpg`;
    const img = decodeImage(readFileSync(join(demoDir, file)), file);
    const whole = ref.tensor(img);
    try {
      const refBoxes = await timed(figures.ms.faceApiDetect, () => ref.detect(whole));
      const ourBoxes = await timed(figures.ms.detect, () => detectFaces(models.det, img));
      t.equal(ourBoxes.length, refBoxes.length, `${file}: same number of faces (${refBoxes.length})`);
      t.ok(refBoxes.length > 0, `${file}: face-api finds faces`);
      for (const [i, rb] of refBoxes.entries()) {
        const ob = ourBoxes[i];
        if (!ob) break;
        const d = maxAbs([rb.x, rb.y, rb.width, rb.height], [ob.x, ob.y, ob.width, ob.height]);
        figures.maxBoxPx = Math.max(figures.maxBoxPx, d);
        figures.maxScoreDiff = Math.max(figures.maxScoreDiff, Math.abs(rb.score - ob.score));
        t.ok(d <= PX_MAX, `${file} face ${i}: box within ${PX_MAX} px (max ${d.toFixed(4)})`);
        figures.faces += 1;
        const r = faceRegion(rb, img.width, img.height);
        if (!r) continue;
        await compareRegion(t, ref, models, img, whole, r, `${file} face ${i}`);
        if (i >= 2) continue;
        // The box grown by 30 % (clipped): a looser crop, a different letterbox.
        const g = faceRegion({ x: rb.x - 0.15 * rb.width, y: rb.y - 0.15 * rb.height, width: 1.3 * rb.width, height: 1.3 * rb.height }, img.width, img.height);
        if (g) await compareRegion(t, ref, models, img, whole, g, `${file} face ${i} grown`);
      }
      // SSD MobileNet v1: same faces, same boxes.
      const refSsd = await timed(figures.ms.faceApiSsd, () => ref.detectSsd(whole));
      const ourSsd = await timed(figures.ms.ssd, () => detectFaces(models.ssd, img));
      t.equal(ourSsd.length, refSsd.length, `${file}: SSD finds the same number of faces (${refSsd.length})`);
      for (const [i, rb] of refSsd.entries()) {
        const ob = ourSsd[i];
        if (!ob) break;
        const d = maxAbs([rb.x, rb.y, rb.width, rb.height], [ob.x, ob.y, ob.width, ob.height]);
        figures.maxSsdBoxPx = Math.max(figures.maxSsdBoxPx, d);
        figures.maxScoreDiff = Math.max(figures.maxScoreDiff, Math.abs(rb.score - ob.score));
        t.ok(d <= PX_MAX, `${file} SSD face ${i}: box within ${PX_MAX} px (max ${d.toFixed(4)})`);
        figures.ssdFaces += 1;
      }
      // A non-square strip through the first face: letterboxing on the other axis.
      const first = refBoxes[0];
      if (first && n % 2 === 1) {
        const s = faceRegion({ x: first.x - first.width, y: first.y, width: first.width * 3, height: first.height }, img.width, img.height);
        if (s) await compareRegion(t, ref, models, img, whole, s, `${file} strip`);
      }
    } finally {
      ref.dispose(whole);
    }
  }

  // face-api's whole pipeline (detectAllFaces → withFaceLandmarks → withFaceDescriptors) against
  // ours with face-api's crop choice (faceApiAlignedRegion). face-api shifts the landmarks by the
  // unfloored detection box while computing them on the floored crop; "quirk" reproduces that,
  // "exact" uses our landmarks as they are (in true image pixels).
  t.test('whole pipeline: same faces, same descriptors', async (t) => {
    for (const n of [1, 2, 3]) {
      const file = `sample${n}.jpg`;
      const img = decodeImage(readFileSync(join(demoDir, file)), file);
      const whole = ref.tensor(img);
      try {
        const theirs = await ref.pipeline(whole);
        const boxes = await detectFaces(models.det, img);
        t.equal(boxes.length, theirs.length, `${file}: same number of faces`);
        for (const [i, b] of boxes.entries()) {
          const r = faceRegion(b, img.width, img.height);
          const th = theirs[i];
          if (!r || !th) continue;
          const lm = await detectLandmarks(models.lm, img, r);
          const quirk = faceApiShiftedLandmarks(lm, r, b);
          for (const [variant, points] of [['quirk', quirk], ['exact', lm]] as const) {
            const region = faceApiAlignedRegion(points, img.width, img.height);
            if (!region) continue;
            const cos = cosine(th.descriptor, await computeEmbedding(models.rec, img, region));
            if (variant === 'quirk') {
              figures.minCosinePipeline = Math.min(figures.minCosinePipeline, cos);
              t.ok(cos >= COSINE_MIN, `${file} face ${i}: pipeline descriptor cosine ≥ ${COSINE_MIN} (${cos.toFixed(7)})`);
            } else {
              figures.minCosinePipelineExactShift = Math.min(figures.minCosinePipelineExactShift, cos);
            }
          }
          figures.pipelineFaces += 1;
        }
      } finally {
        ref.dispose(whole);
      }
    }
  });

  // The same comparison against tfjs's plain-JS CPU kernels on a few crops, so that the proof
  // does not rest on one tfjs backend.
  t.test('cross-check against the tfjs CPU backend', async (t) => {
    const wasReference = ref.backend;
    await ref.useBackend('cpu');
    try {
      const img = decodeImage(readFileSync(join(demoDir, 'sample2.jpg')), 'sample2.jpg');
      const whole = ref.tensor(img);
      try {
        const boxes = await ref.detect(whole);
        const ours = await detectFaces(models.det, img);
        t.equal(ours.length, boxes.length);
        for (const [i, b] of boxes.slice(0, 2).entries()) {
          const o = ours[i];
          if (o) t.ok(maxAbs([b.x, b.y, b.width, b.height], [o.x, o.y, o.width, o.height]) <= PX_MAX, `cpu: box ${i} within ${PX_MAX} px`);
          const r = faceRegion(b, img.width, img.height);
          if (r) await compareRegion(t, ref, models, img, whole, r, `cpu: sample2 face ${i}`);
        }
      } finally {
        ref.dispose(whole);
      }
    } finally {
      await ref.useBackend(wasReference === 'cpu' ? 'cpu' : 'wasm');
    }
  });

  const data = await faceData();
  t.test('dlib labelled crops (face test data)', { skip: data.ok ? false : data.reason }, async (t) => {
    if (!data.ok) return;
    for (const [person, files] of Object.entries(data.johns)) {
      for (const f of files.slice(0, 1)) {
        const img = decodeImage(readFileSync(f), 'dlib crop');
        const whole = ref.tensor(img);
        try {
          await compareRegion(t, ref, models, img, whole, { x: 0, y: 0, width: img.width, height: img.height }, `${person} crop`);
        } finally {
          ref.dispose(whole);
        }
      }
    }
  });

  t.test('figures', async (t) => {
    const report = {
      reference: `face-api 1.7.15, tfjs ${ref.backend} (plus a cpu-backend cross-check)`,
      minCosine: figures.minCosine, maxLandmarkPx: figures.maxLandmarkPx, maxBoxPx: figures.maxBoxPx, maxSsdBoxPx: figures.maxSsdBoxPx,
      maxScoreDiff: figures.maxScoreDiff, faces: figures.faces, ssdFaces: figures.ssdFaces, crops: figures.crops,
      minCosinePipeline: figures.minCosinePipeline, minCosinePipelineExactShift: figures.minCosinePipelineExactShift, pipelineFaces: figures.pipelineFaces,
      medianMs: Object.fromEntries(Object.entries(figures.ms).map(([k, v]) => [k, Number(median(v).toFixed(2))])),
    };
    t.comment(JSON.stringify(report));
    t.ok(figures.faces >= 6 && figures.ssdFaces >= 6 && figures.crops >= 12, 'enough faces and crops compared');
  });
});
