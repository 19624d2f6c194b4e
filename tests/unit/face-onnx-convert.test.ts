// The face-api converters on face-api's real weights (read from its npm package as fixtures):
// each graph loads in onnxruntime with the shapes its descriptor states; weights that do not
// fit (missing, reshaped, left over) are ParseErrors; descriptors are validated like any file.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import * as ort from 'onnxruntime-node';
import t from 'tap';
import { ParseError } from '../../src/errors.js';
import { convertModel, type FaceApiModel } from '../../src/face/onnx/convert.js';
import { decodeGroup, parseManifest, type WeightTensor } from '../../src/face/onnx/tfjs-weights.js';
import { parseDescriptor } from '../../src/face/models/descriptor.js';
import { onlyParseError } from './helpers/parse-errors.js';

const require = createRequire(import.meta.url);
const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');

function weightsOf(source: string): Map<string, WeightTensor> {
  const groups = parseManifest(JSON.parse(readFileSync(join(modelDir, `${source}-weights_manifest.json`), 'utf8')) as unknown);
  const out = new Map<string, WeightTensor>();
  for (const g of groups) for (const w of decodeGroup(g, Buffer.concat(g.paths.map((p) => readFileSync(join(modelDir, p)))))) out.set(w.name, w);
  return out;
}

const MODELS: [FaceApiModel, string][] = [
  ['face_recognition', 'face_recognition_model'],
  ['face_landmark_68', 'face_landmark_68_model'],
  ['tiny_face_detector', 'tiny_face_detector_model'],
  ['ssd_mobilenetv1', 'ssd_mobilenetv1_model'],
];


for (const [model, source] of MODELS) {
  t.test(`${model}: graph and descriptor agree`, async (t) => {
    const { onnx, descriptor } = convertModel(model, weightsOf(source));
    t.same(parseDescriptor(JSON.parse(JSON.stringify(descriptor)) as unknown), descriptor, 'descriptor survives JSON and validation');
    const s = await ort.InferenceSession.create(onnx);
    t.same(s.inputNames, [descriptor.input.name]);
    t.same(s.outputNames, descriptor.outputs.map((o) => o.name));
    const n = descriptor.input.shape.reduce((a, b) => a * b, 1);
    const out = await s.run({ [descriptor.input.name]: new ort.Tensor('float32', new Float32Array(n), descriptor.input.shape) });
    for (const o of descriptor.outputs) t.same(out[o.name]?.dims, o.shape, `${o.name} shape`);
    await s.release();
  });
}

t.test('weights that do not fit the architecture are ParseErrors', async (t) => {
  const base = weightsOf('face_landmark_68_model');
  const names = [...base.keys()];
  const missing = new Map(base);
  missing.delete('dense2/conv1/bias');
  t.throws(() => convertModel('face_landmark_68', missing), { name: 'ParseError', message: /missing/ });
  const extra = new Map(base).set('stray', { name: 'stray', shape: [1], data: new Float32Array(1) });
  t.throws(() => convertModel('face_landmark_68', extra), { name: 'ParseError', message: /not used/ });
  // Any one weight reshaped (same element count or not) is refused, never mis-wired or a TypeError.
  fc.assert(fc.property(fc.integer({ min: 0, max: names.length - 1 }), fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 0, maxLength: 4 }).filter((s) => s.reduce((a, b) => a * b, 1) <= 2_000_000), (i, shape) => {
    const name = names[i]!;
    const orig = base.get(name)!;
    if (shape.length === orig.shape.length && shape.every((d, k) => d === orig.shape[k])) return true;
    const count = shape.reduce((a, b) => a * b, 1);
    const w = new Map(base).set(name, { name, shape, data: new Float32Array(count) });
    let threw = false;
    const ok = onlyParseError(() => {
      try {
        convertModel('face_landmark_68', w);
      } catch (e) {
        threw = true;
        throw e;
      }
    });
    return ok && threw;
  }), { numRuns: 60 });
  t.pass();
});

t.test('descriptors: mutations and random JSON are ParseErrors', async (t) => {
  const { descriptor } = convertModel('tiny_face_detector', weightsOf('tiny_face_detector_model'));
  const good = JSON.parse(JSON.stringify(descriptor)) as Record<string, unknown>;
  const mutations: [string, (d: Record<string, unknown>) => void][] = [
    ['format', (d) => { d.format = 'other/1'; }],
    ['file path', (d) => { d.file = '../x.onnx'; }],
    ['sha256', (d) => { d.sha256 = 'zz'; }],
    ['kind', (d) => { d.kind = 'classifier'; }],
    ['layout', (d) => { (d.input as Record<string, unknown>).layout = 'CHW'; }],
    ['mean', (d) => { (d.input as Record<string, unknown>).mean = [1, 2]; }],
    ['shape channels', (d) => { (d.input as Record<string, unknown>).shape = [1, 4, 416, 416]; }],
    ['anchors', (d) => { d.anchors = [[1, -2]]; }],
    ['grid vs anchors', (d) => { d.anchors = [[1, 2]]; }],
    ['threshold', (d) => { d.scoreThreshold = 1.5; }],
    ['outputs', (d) => { d.outputs = []; }],
    ['decoder', (d) => { d.decoder = 'ssd'; }],
  ];
  for (const [label, mutate] of mutations) {
    const d = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
    mutate(d);
    t.throws(() => parseDescriptor(d, 'x.json'), ParseError, label);
  }
  fc.assert(fc.property(fc.jsonValue(), (j) => onlyParseError(() => parseDescriptor(j))), { numRuns: 300 });
  const ssd = JSON.parse(JSON.stringify(convertModel('ssd_mobilenetv1', weightsOf('ssd_mobilenetv1_model')).descriptor)) as Record<string, unknown>;
  t.ok(parseDescriptor(ssd));
  t.throws(() => parseDescriptor({ ...ssd, maxResults: 0 }), ParseError, 'ssd maxResults');
  t.throws(() => parseDescriptor({ ...ssd, outputs: (ssd.outputs as unknown[]).slice(0, 1) }), ParseError, 'ssd without scores');
  // Random values at random keys of a valid descriptor.
  const keys = Object.keys(good);
  fc.assert(fc.property(fc.constantFrom(...keys), fc.jsonValue(), (k, v) => onlyParseError(() => parseDescriptor({ ...good, [k]: v }))), { numRuns: 300 });
  t.pass();
});
