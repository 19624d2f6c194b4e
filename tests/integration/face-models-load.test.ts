// Loading face models and weights from disk: a missing, altered or mismatched model is a typed
// FaceModelError; hostile weight files (path tricks, truncation, oversize) are ParseErrors; the
// converter is idempotent (a second run rewrites nothing) and rebuilds what was damaged.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import { ParseError } from '../../src/errors.js';
import { convertFaceApiModels } from '../../src/face/onnx/convert.js';
import { readTfjsWeights } from '../../src/face/onnx/tfjs-weights.js';
import { FaceModelError } from '../../src/face/models/errors.js';
import { computeEmbedding, detectFaces } from '../../src/face/models/faces.js';
import { loadFaceModel } from '../../src/face/models/session.js';
import { loadFaceModelInWorker } from '../../src/face/models/worker.js';

const require = createRequire(import.meta.url);
const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
const dir = mkdtempSync(join(tmpdir(), 'face-load-'));
t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });

t.test('converter writes once, then skips; a damaged output is rebuilt', async (t) => {
  const out = join(dir, 'models');
  const first = convertFaceApiModels(modelDir, out);
  t.same(first.map((r) => r.skipped), [false, false, false, false]);
  const mtime = statSync(join(out, 'face_recognition.onnx')).mtimeMs;
  const second = convertFaceApiModels(modelDir, out);
  t.same(second.map((r) => r.skipped), [true, true, true, true]);
  t.equal(statSync(join(out, 'face_recognition.onnx')).mtimeMs, mtime, 'not rewritten');
  writeFileSync(join(out, 'face_landmark_68.onnx'), 'garbage');
  const third = convertFaceApiModels(modelDir, out);
  t.same(third.map((r) => r.skipped), [true, false, true, true], 'the damaged model alone is rebuilt');
});

t.test('model loading errors are FaceModelErrors with a reason', async (t) => {
  const out = join(dir, 'models');
  const bad = join(dir, 'bad');
  convertFaceApiModels(modelDir, bad);
  await t.rejects(loadFaceModel(join(dir, 'nope.json')), { name: 'FaceModelError', reason: 'MODEL_MISSING' });
  // Descriptor that is not JSON / not a descriptor.
  writeFileSync(join(bad, 'x.json'), '{');
  await t.rejects(loadFaceModel(join(bad, 'x.json')), { name: 'FaceModelError', reason: 'MODEL_INVALID' });
  writeFileSync(join(bad, 'x.json'), '{"format":"kiosk-face-model/1"}');
  await t.rejects(loadFaceModel(join(bad, 'x.json')), { name: 'FaceModelError', reason: 'MODEL_INVALID' });
  // ONNX file altered after the descriptor was written.
  const onnx = readFileSync(join(bad, 'tiny_face_detector.onnx'));
  onnx[onnx.length - 1] = onnx[onnx.length - 1]! ^ 1;
  writeFileSync(join(bad, 'tiny_face_detector.onnx'), onnx);
  await t.rejects(loadFaceModel(join(bad, 'tiny_face_detector.json')), { name: 'FaceModelError', reason: 'MODEL_MISMATCH' });
  // Not an ONNX file at all (descriptor without sha256 so the bytes reach onnxruntime).
  const desc = JSON.parse(readFileSync(join(out, 'face_landmark_68.json'), 'utf8')) as Record<string, unknown>;
  delete desc.sha256;
  writeFileSync(join(bad, 'face_landmark_68.onnx'), Buffer.from('not a protobuf at all \u00ff\u00fe'));
  writeFileSync(join(bad, 'lm.json'), JSON.stringify(desc));
  await t.rejects(loadFaceModel(join(bad, 'lm.json')), { name: 'FaceModelError', reason: 'MODEL_INVALID' });
  // A graph whose names do not match its descriptor.
  copyFileSync(join(out, 'face_landmark_68.onnx'), join(bad, 'face_landmark_68.onnx'));
  writeFileSync(join(bad, 'lm.json'), JSON.stringify({ ...desc, outputs: [{ name: 'points', shape: [1, 136], meaning: '' }] }));
  await t.rejects(loadFaceModel(join(bad, 'lm.json')), { name: 'FaceModelError', reason: 'MODEL_MISMATCH' });
  await t.rejects(loadFaceModel(join(out, 'face_landmark_68.json'), { intraOpNumThreads: -1 }), { name: 'FaceModelError', reason: 'MODEL_INVALID' });

  // The wrong kind of model for the call, and a wrong-sized input.
  const lm = await loadFaceModel(join(out, 'face_landmark_68.json'), { intraOpNumThreads: 2 });
  const img = { width: 8, height: 8, channels: 1 as const, data: Buffer.alloc(64) };
  await t.rejects(detectFaces(lm, img), { name: 'FaceModelError', reason: 'MODEL_MISMATCH' });
  await t.rejects(computeEmbedding(lm, img), FaceModelError);
  await t.rejects(lm.run(new Float32Array(5)), { name: 'FaceModelError', reason: 'MODEL_RUN' });
  await lm.dispose();
});

t.test('hostile weight files on disk are ParseErrors', async (t) => {
  const w = join(dir, 'weights');
  rmSync(w, { recursive: true, force: true });
  mkdirSync(w);
  const manifest = 'tiny_face_detector_model-weights_manifest.json';
  const bin = readFileSync(join(modelDir, 'tiny_face_detector_model.bin'));
  copyFileSync(join(modelDir, manifest), join(w, manifest));
  t.throws(() => readTfjsWeights(w, 'tiny_face_detector_model'), { name: 'ParseError', message: /cannot be read/ }, 'shard missing');
  writeFileSync(join(w, 'tiny_face_detector_model.bin'), bin.subarray(0, 1000));
  t.throws(() => readTfjsWeights(w, 'tiny_face_detector_model'), ParseError, 'shard truncated');
  writeFileSync(join(w, 'tiny_face_detector_model.bin'), bin);
  t.equal(readTfjsWeights(w, 'tiny_face_detector_model').size, 19, 'intact copy reads');
  const m = JSON.parse(readFileSync(join(w, manifest), 'utf8')) as { paths: string[] }[];
  m[0]!.paths = ['../../etc/passwd'];
  writeFileSync(join(w, manifest), JSON.stringify(m));
  t.throws(() => readTfjsWeights(w, 'tiny_face_detector_model'), { name: 'ParseError', message: /plain file name/ });
  writeFileSync(join(w, manifest), 'not json');
  t.throws(() => readTfjsWeights(w, 'tiny_face_detector_model'), { name: 'ParseError', message: /JSON/ });
  t.throws(() => readTfjsWeights(w, 'absent_model'), ParseError, 'manifest missing');
});

t.test('a model in a worker thread gives the same outputs as in-thread, and typed errors', async (t) => {
  const out = join(dir, 'models');
  convertFaceApiModels(modelDir, out);
  const path = join(out, 'face_recognition.json');
  const local = await loadFaceModel(path);
  const remote = await loadFaceModelInWorker(path);
  t.same(remote.descriptor, local.descriptor);
  const input = Float32Array.from({ length: 3 * 150 * 150 }, (_, i) => Math.sin(i) * 0.5);
  const [a, b, c] = await Promise.all([local.run(input), remote.run(input), remote.run(input)]);
  t.same(Array.from(b.get('embedding')!), Array.from(a.get('embedding')!), 'identical embedding');
  t.same(Array.from(c.get('embedding')!), Array.from(a.get('embedding')!), 'concurrent runs keep their ids');
  t.equal(input[1], Math.fround(Math.sin(1) * 0.5), "the caller's tensor is not detached");
  await t.rejects(remote.run(new Float32Array(3)), { name: 'FaceModelError', reason: 'MODEL_RUN' });
  await remote.dispose();
  await t.rejects(remote.run(input), FaceModelError, 'disposed');
  await local.dispose();
  await t.rejects(loadFaceModelInWorker(join(dir, 'absent.json')), { name: 'FaceModelError', reason: 'MODEL_MISSING' });
});
