// The face pipeline on real faces (dlib's labelled crops and group photos, face-api's
// samples, fetched from the package registries by scripts/face-test-data.sh): detection in
// scenes and tight crops, genuine and impostor scores, the committed calibration re-measured,
// the engine in its child process giving the in-process answer, and bad input.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, type Image } from '../../src/document/image.js';
import { CALIBRATION } from '../../src/face/calibration-data.js';
import { calibrate, operatingPoint, pairScores } from '../../src/face/calibration.js';
import { cosine } from '../../src/face/compare.js';
import { FaceEngineProcess } from '../../src/face/engine-process.js';
import { labelledFaceSet } from '../../src/face/face-set.js';
import { findModelsDir } from '../../src/face/models-dir.js';
import { analyseImage, disposeFaceModels, loadFaceModels } from '../../src/face/pipeline.js';
import { faceData } from '../helpers/face-data.js';

const data = await faceData();
const skip = data.ok ? false : data.reason;
const modelsDir = findModelsDir();
const models = await loadFaceModels(modelsDir);
t.teardown(() => disposeFaceModels(models));
const read = (p: string): Image => decodeImage(readFileSync(p), 'test image');

t.test('scenes: every face-api sample has faces, each with landmarks inside its box and a 128-d embedding', { skip }, async (t) => {
  if (!data.ok) return;
  for (const p of data.faceApiSamples) {
    const a = await analyseImage(models, read(p), { embed: 'all' });
    t.ok(a.faces.length >= 1, `${p.split('/').pop()!}: ${String(a.faces.length)} faces`);
    for (const f of a.faces) {
      t.equal(f.embedding?.length, 128);
      let inside = 0;
      for (let i = 0; i < 68; i++) {
        const x = f.landmarks[2 * i]!;
        const y = f.landmarks[2 * i + 1]!;
        if (x >= f.box.x - 0.25 * f.box.width && x <= f.box.x + 1.25 * f.box.width && y >= f.box.y - 0.25 * f.box.height && y <= f.box.y + 1.25 * f.box.height) inside++;
      }
      t.ok(inside >= 60, `landmarks near the box (${String(inside)}/68)`);
    }
  }
});

t.test('the committed calibration is what the data measures now, and genuine pairs pass at FMR 1e-3', { skip }, async (t) => {
  if (!data.ok) return;
  const set = await labelledFaceSet(models, data.dir);
  const scores = pairScores(set.items);
  const now = calibrate(scores, CALIBRATION.model, set.description);
  t.equal(now.genuinePairs, CALIBRATION.genuinePairs);
  t.equal(now.impostorPairs, CALIBRATION.impostorPairs);
  t.equal(CALIBRATION.model.sha256, models.embedding.descriptor.sha256, 'calibrated for the model in use');
  for (const p of now.points) {
    const committed = operatingPoint(CALIBRATION, p.fmr);
    t.ok(Math.abs(p.threshold - committed.threshold) < 1e-4, `FMR ${String(p.fmr)}: threshold ${p.threshold.toFixed(5)} vs committed ${committed.threshold.toFixed(5)} (${p.basis})`);
    t.comment(`FMR ${String(p.fmr)}: threshold ${p.threshold.toFixed(4)}, FNMR ${(100 * p.fnmr).toFixed(1)} % over ${String(now.genuinePairs)} genuine pairs, ${String(now.impostorPairs)} impostor pairs (${p.basis})`);
  }
  t.equal(operatingPoint(now, 1e-3).basis, 'measured');
  t.ok(operatingPoint(now, 1e-3).fnmr <= 0.05, 'FNMR at FMR 1e-3 at most 5 %');
  const genMin = Math.min(...scores.genuine);
  const impMax = Math.max(...scores.impostor);
  t.comment(`genuine min ${genMin.toFixed(4)}, impostor max ${impMax.toFixed(4)}`);
});

t.test('the engine in its child process gives the in-process answer; timeouts are typed', { skip }, async (t) => {
  if (!data.ok) return;
  const img = read(data.faceApiSamples[1]!);
  const local = await analyseImage(models, img);
  const engine = new FaceEngineProcess({ modelsDir });
  t.teardown(() => engine.close());
  const remote = await engine.analyse(img, {}, { timeoutMs: 60_000 });
  t.equal(remote.analysis.faces.length, local.faces.length);
  t.ok(cosine(remote.analysis.faces[0]!.embedding!, local.faces[0]!.embedding!) > 0.99999, 'same embedding');
  const q = await engine.quality(img, 'live', {}, { timeoutMs: 60_000 });
  t.ok(q.quality && 'checks' in q.quality, 'quality checks come back');
});

t.test('no face, a tiny face, several faces: clear results', { skip }, async (t) => {
  if (!data.ok) return;
  const blank: Image = { width: 640, height: 480, channels: 3, data: Buffer.alloc(640 * 480 * 3, 200) };
  t.same((await analyseImage(models, blank)).faces, [], 'a blank frame has no face');
  const noise: Image = { width: 320, height: 240, channels: 3, data: Buffer.from(Array.from({ length: 320 * 240 * 3 }, (_, i) => (i * 7919) % 251)) };
  t.same((await analyseImage(models, noise)).faces, [], 'noise has no face');
  const scene = read(join(data.dir, 'dlib', 'faces', '2008_002079.jpg'));
  t.ok((await analyseImage(models, scene, { embed: 'none' })).faces.length > 1, 'a group photo has several faces');
  // A face of ~12 px: shrink a sample eight times.
  const big = read(data.faceApiSamples[1]!);
  const { opencv } = await import('../../src/native/opencv.js');
  const { toMat, fromMat } = await import('../../src/document/image.js');
  const cv = opencv();
  const m = toMat(big);
  const small = m.resize(Math.round(big.height / 8), Math.round(big.width / 8), 0, 0, cv.INTER_AREA);
  const tiny = fromMat(small);
  m.release();
  small.release();
  const a = await analyseImage(models, tiny);
  t.ok(a.faces.every((f) => f.box.width < 40), `a tiny face is found tiny or not at all (${String(a.faces.length)})`);
});
