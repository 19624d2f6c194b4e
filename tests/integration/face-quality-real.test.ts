// Portrait quality on real photographs: face-api's demo images (in its npm package), faces and
// landmarks from the converted face-api models (src/face/onnx, src/face/models). Checks the
// measures behave on real skin and real landmark layouts, not only on the drawn faces of the
// unit tests: every value finite, no upside-down pose solutions, open eyes read as open, and
// the sharpness limit (MIN_SHARPNESS, calibrated on these faces) passes every face as shot
// and fails every face once defocused by σ 2 canonical pixels. Prints the figures.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import { decodeImage, fromMat, toMat, type Image } from '../../src/document/image.js';
import { detectFaces, detectLandmarks } from '../../src/face/models/faces.js';
import { faceRegion } from '../../src/face/models/preprocess.js';
import { loadFaceModel } from '../../src/face/models/session.js';
import { convertFaceApiModels } from '../../src/face/onnx/convert.js';
import { assessPortrait, type LandmarkedFace } from '../../src/face/quality/assess.js';
import { measureFace } from '../../src/face/quality/image-measures.js';
import { eyeAspectRatios, interEyeDistance } from '../../src/face/quality/landmarks.js';
import { CANONICAL_EYE_DISTANCE_PX, MIN_EYE_ASPECT_RATIO, MIN_SHARPNESS } from '../../src/face/quality/limits.js';
import { opencv } from '../../src/native/opencv.js';

const require = createRequire(import.meta.url);
const pkg = dirname(require.resolve('@vladmandic/face-api/package.json'));
const dir = mkdtempSync(join(tmpdir(), 'face-quality-real-'));
t.teardown(() => {
  rmSync(dir, { recursive: true, force: true });
});

function blurred(img: Image, sigma: number): Image {
  const cv = opencv();
  const m = toMat(img);
  const b = m.gaussianBlur(new cv.Size(0, 0), sigma);
  try {
    return fromMat(b);
  } finally {
    m.release();
    b.release();
  }
}

t.test('real faces: finite measures, sane pose, open eyes, the sharpness limit', async (t) => {
  const models = convertFaceApiModels(join(pkg, 'model'), join(dir, 'models'));
  const path = (name: string): string => models.find((m) => m.model === name)?.descriptor ?? '';
  const detector = await loadFaceModel(path('tiny_face_detector'));
  const landmarker = await loadFaceModel(path('face_landmark_68'));
  const samples = readdirSync(join(pkg, 'demo')).filter((f) => /^sample\d\.jpg$/.test(f));
  t.ok(samples.length >= 6, 'face-api demo images present');
  const rows: string[] = [];
  let faces = 0;
  for (const name of samples) {
    const img = decodeImage(readFileSync(join(pkg, 'demo', name)));
    const found: LandmarkedFace[] = [];
    for (const box of await detectFaces(detector, img)) {
      const region = faceRegion(box, img.width, img.height);
      if (region) found.push({ box, landmarks: await detectLandmarks(landmarker, img, region) });
    }
    const a = assessPortrait(img, found);
    t.ok(a.faceFound, `${name}: faces found`);
    if (a.faceFound) {
      for (const [check, c] of Object.entries(a.checks)) t.ok(Number.isFinite(c.value), `${name}: ${check} finite`);
      t.ok(Math.abs(a.pose.roll) < 45 && Math.abs(a.pose.yaw) < 60 && Math.abs(a.pose.pitch) < 45, `${name}: pose ${JSON.stringify(a.pose)} (no mirror solution)`);
    }
    for (const f of found) {
      faces++;
      const ied = interEyeDistance(f.landmarks);
      const sharp = measureFace(img, f.landmarks).sharpness;
      const soft = measureFace(blurred(img, (2 * ied) / CANONICAL_EYE_DISTANCE_PX), f.landmarks).sharpness;
      const ear = Math.min(...eyeAspectRatios(f.landmarks));
      rows.push(`${name} ied ${ied.toFixed(0)} sharpness ${sharp.toFixed(0)} → σ2 ${soft.toFixed(0)} EAR ${ear.toFixed(2)}`);
      t.ok(sharp >= MIN_SHARPNESS, `${name}: as shot ${sharp.toFixed(0)} ≥ ${MIN_SHARPNESS}`);
      t.ok(soft < MIN_SHARPNESS, `${name}: defocused ${soft.toFixed(0)} < ${MIN_SHARPNESS}`);
      // Everyone in these photos has their eyes open.
      t.ok(ear >= MIN_EYE_ASPECT_RATIO, `${name}: EAR ${ear.toFixed(2)} reads as open`);
    }
  }
  t.ok(faces >= 15, `${faces} faces measured`);
  t.comment(rows.join('\n'));
});
