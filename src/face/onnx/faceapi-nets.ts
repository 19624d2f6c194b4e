// Converters from face-api's TensorFlow.js weights (MIT, @vladmandic/face-api) to ONNX graphs.
// The architectures were learned by reading face-api's TypeScript sources (faceRecognitionNet/,
// faceFeatureExtractor/ + faceLandmarkNet/, tinyYolov2/ + tinyFaceDetector/); the graphs are
// written from that description:
//  - recognition: dlib's ResNet-34-style metric net (150×150 input, 29 conv layers, 128-d
//    output). Each conv is followed by an affine "scale" layer, folded here into the conv.
//    Down-sampling residual blocks use a stride-2 "valid" conv on the main path and a 2×2
//    average pool on the shortcut; when their sizes differ the main path gets one zero row and
//    column at the end, and the shortcut's channels are doubled with zeros.
//  - landmarks: four "dense blocks" of depthwise-separable convs (112×112 input) with summed
//    skip connections, a 7×7 average pool and a fully-connected layer to 136 values.
//  - tiny face detector: a MobileNet-style YOLOv2 head (416×416 input, 13×13 cells, 5 anchors).
// (SSD MobileNet v1 is in faceapi-ssd.ts.)
// Graph inputs are NCHW float32, already normalised ((rgb − mean) / 255, see the descriptors).
import { ParseError } from '../../errors.js';
import { depthwiseToOihw, GraphBuilder, hwioToOihw, type Padding } from './graph.js';
import type { WeightSet } from './tfjs-weights.js';

export const RECOGNITION_INPUT = 150;
export const LANDMARK_INPUT = 112;
export const TINY_DETECTOR_INPUT = 416;

function fail(what: string, detail: string): never {
  throw new ParseError(what, detail);
}

// ---------------------------------------------------------------------------------------------
// Recognition net

/** conv (+bias) then the scale layer (x·w + b), folded into one conv's weight and bias. */
function scaledConv(g: GraphBuilder, ws: WeightSet, x: string, prefix: string, stride: number, padding: Padding, relu: boolean): string {
  const inC = g.shape(x)[1] ?? 0;
  const fShape = ws.shapeOf(`${prefix}/conv/filters`);
  const k = fShape[0] ?? 0;
  const outC = fShape[3] ?? 0;
  if (fShape.length !== 4 || fShape[1] !== k || k < 1 || k > 11 || outC < 1) fail('face_recognition_model', `${prefix} filter shape is not [k,k,in,out]`);
  const filters = ws.take(`${prefix}/conv/filters`, [k, k, inC, outC]);
  const bias = ws.take(`${prefix}/conv/bias`, [outC]);
  const sw = ws.take(`${prefix}/scale/weights`, [outC]);
  const sb = ws.take(`${prefix}/scale/biases`, [outC]);
  const { weight, dims } = hwioToOihw(filters, [k, k, inC, outC]);
  const per = inC * k * k;
  const b = new Float32Array(outC);
  for (let o = 0; o < outC; o++) {
    const s = sw[o] ?? 0;
    for (let j = 0; j < per; j++) weight[o * per + j] = (weight[o * per + j] ?? 0) * s;
    b[o] = (bias[o] ?? 0) * s + (sb[o] ?? 0);
  }
  const y = g.conv(x, { weight, weightDims: dims, bias: b, stride, padding });
  return relu ? g.relu(y) : y;
}

function residual(g: GraphBuilder, ws: WeightSet, x: string, prefix: string): string {
  const a = scaledConv(g, ws, x, `${prefix}/conv1`, 1, 'same', true);
  const b = scaledConv(g, ws, a, `${prefix}/conv2`, 1, 'same', false);
  return g.relu(g.add(b, x));
}

function residualDown(g: GraphBuilder, ws: WeightSet, x: string, prefix: string): string {
  const a = scaledConv(g, ws, x, `${prefix}/conv1`, 2, 'valid', true);
  let b = scaledConv(g, ws, a, `${prefix}/conv2`, 1, 'same', false);
  let pooled = g.avgPool(x, 2, 2, 'valid');
  const [, pc = 0, ph = 0, pw = 0] = g.shape(pooled);
  const [, bc = 0, bh = 0, bw = 0] = g.shape(b);
  if (bh !== ph || bw !== pw) {
    if (ph - bh !== 1 || pw - bw !== 1) fail('face_recognition_model', `${prefix}: main path and shortcut sizes differ by more than one`);
    b = g.zeroPad(b, [0, 0, 1, 1]);
  }
  if (bc !== pc) {
    if (bc !== 2 * pc) fail('face_recognition_model', `${prefix}: channel count is not doubled`);
    pooled = g.zeroPad(pooled, [0, 0, 0, 0], pc);
  }
  return g.relu(g.add(pooled, b));
}

/** face_recognition_model → graph input [1,3,150,150], output "embedding" [1,128]. */
export function buildRecognitionNet(ws: WeightSet): GraphBuilder {
  const g = new GraphBuilder('faceapi_recognition');
  let x = g.input('input', [1, 3, RECOGNITION_INPUT, RECOGNITION_INPUT]);
  x = scaledConv(g, ws, x, 'conv32_down', 2, 'valid', true);
  x = g.maxPool(x, 3, 2, 'valid');
  for (const p of ['conv32_1', 'conv32_2', 'conv32_3']) x = residual(g, ws, x, p);
  x = residualDown(g, ws, x, 'conv64_down');
  for (const p of ['conv64_1', 'conv64_2', 'conv64_3']) x = residual(g, ws, x, p);
  x = residualDown(g, ws, x, 'conv128_down');
  for (const p of ['conv128_1', 'conv128_2']) x = residual(g, ws, x, p);
  x = residualDown(g, ws, x, 'conv256_down');
  for (const p of ['conv256_1', 'conv256_2']) x = residual(g, ws, x, p);
  x = residualDown(g, ws, x, 'conv256_down_out');
  x = g.globalAveragePool(x);
  const c = g.shape(x)[1] ?? 0;
  const fcShape = ws.shapeOf('fc');
  const dim = fcShape[1] ?? 0;
  if (fcShape.length !== 2 || dim < 1 || dim > 4096) fail('face_recognition_model', 'fc is not [channels, dim]');
  x = g.dense(x, ws.take('fc', [c, dim]), c, dim);
  g.output(x, 'embedding');
  return g;
}

// ---------------------------------------------------------------------------------------------
// Shared: depthwise-separable conv (depthwise without bias, pointwise with bias)

function separable(g: GraphBuilder, ws: WeightSet, x: string, prefix: string, stride: number, what: string): string {
  const c = g.shape(x)[1] ?? 0;
  const dw = ws.take(`${prefix}/depthwise_filter`, [3, 3, c, 1]);
  const pwShape = ws.shapeOf(`${prefix}/pointwise_filter`);
  const outC = pwShape[3] ?? 0;
  if (pwShape.length !== 4 || outC < 1) fail(what, `${prefix} pointwise filter is not [1,1,in,out]`);
  const pw = ws.take(`${prefix}/pointwise_filter`, [1, 1, c, outC]);
  const bias = ws.take(`${prefix}/bias`, [outC]);
  const d = depthwiseToOihw(dw, [3, 3, c, 1]);
  const y = g.conv(x, { weight: d.weight, weightDims: d.dims, stride, padding: 'same', group: c });
  const p = hwioToOihw(pw, [1, 1, c, outC]);
  return g.conv(y, { weight: p.weight, weightDims: p.dims, bias });
}

function plainConv(g: GraphBuilder, ws: WeightSet, x: string, prefix: string, stride: number, padding: Padding, what: string): string {
  const c = g.shape(x)[1] ?? 0;
  const fShape = ws.shapeOf(`${prefix}/filters`);
  const k = fShape[0] ?? 0;
  const outC = fShape[3] ?? 0;
  if (fShape.length !== 4 || fShape[1] !== k || k < 1 || k > 11 || outC < 1) fail(what, `${prefix} filter shape is not [k,k,in,out]`);
  const f = hwioToOihw(ws.take(`${prefix}/filters`, [k, k, c, outC]), [k, k, c, outC]);
  return g.conv(x, { weight: f.weight, weightDims: f.dims, bias: ws.take(`${prefix}/bias`, [outC]), stride, padding });
}

// ---------------------------------------------------------------------------------------------
// 68-point landmark net

function denseBlock4(g: GraphBuilder, ws: WeightSet, x: string, prefix: string, first: boolean): string {
  const what = 'face_landmark_68_model';
  const out1 = g.relu(first ? plainConv(g, ws, x, `${prefix}/conv0`, 2, 'same', what) : separable(g, ws, x, `${prefix}/conv0`, 2, what));
  const out2 = separable(g, ws, out1, `${prefix}/conv1`, 1, what);
  const in3 = g.relu(g.add(out1, out2));
  const out3 = separable(g, ws, in3, `${prefix}/conv2`, 1, what);
  const sum3 = g.add(out1, g.add(out2, out3));
  const out4 = separable(g, ws, g.relu(sum3), `${prefix}/conv3`, 1, what);
  return g.relu(g.add(out1, g.add(out2, g.add(out3, out4))));
}

/** face_landmark_68_model → input [1,3,112,112], output "landmarks" [1,136] (x,y interleaved, 0..1 of the input square). */
export function buildLandmarkNet(ws: WeightSet): GraphBuilder {
  const g = new GraphBuilder('faceapi_landmark68');
  let x = g.input('input', [1, 3, LANDMARK_INPUT, LANDMARK_INPUT]);
  x = denseBlock4(g, ws, x, 'dense0', true);
  for (const p of ['dense1', 'dense2', 'dense3']) x = denseBlock4(g, ws, x, p, false);
  x = g.avgPool(x, 7, 2, 'valid');
  const [, c = 0, h = 0, w = 0] = g.shape(x);
  const k = c * h * w;
  x = g.reshape(x, [1, k]);
  x = g.dense(x, ws.take('fc/weights', [k, 136]), k, 136, ws.take('fc/bias', [136]));
  g.output(x, 'landmarks');
  return g;
}

// ---------------------------------------------------------------------------------------------
// Tiny face detector (YOLOv2 head over a separable-conv backbone)

export const TINY_ANCHORS: readonly (readonly [number, number])[] = [
  // tinyFaceDetector/const.ts BOX_ANCHORS (in grid cells)
  [1.603231, 2.094468], [6.041143, 7.080126], [2.882459, 3.518061], [4.266906, 5.178857], [9.041765, 10.66308],
];
/** tinyFaceDetector/const.ts MEAN_RGB. */
export const TINY_MEAN_RGB: readonly [number, number, number] = [117.001, 114.697, 97.404];
/** face-api's `leaky`: relu(x − 0.1x) + 0.1x, which is LeakyRelu with alpha 0.1 (as float32). */
const LEAKY_ALPHA = 0.10000000149011612;

/** tiny_face_detector_model → input [1,3,S,S] (S a multiple of 32), output "grid" [1, anchors·5, S/32, S/32]. */
export function buildTinyFaceDetector(ws: WeightSet, inputSize = TINY_DETECTOR_INPUT): GraphBuilder {
  const what = 'tiny_face_detector_model';
  if (!Number.isInteger(inputSize) || inputSize % 32 !== 0 || inputSize < 64 || inputSize > 2048) fail(what, 'input size is not a multiple of 32 in 64..2048');
  const g = new GraphBuilder('faceapi_tiny_face_detector');
  let x = g.input('input', [1, 3, inputSize, inputSize]);
  x = g.leakyRelu(plainConv(g, ws, x, 'conv0', 1, 'valid', what), LEAKY_ALPHA);
  for (let i = 1; i <= 5; i++) {
    x = g.maxPool(x, 2, 2, 'same');
    // face-api pads by one and then convolves "valid": the same as SAME for a 3×3 stride-1 conv.
    x = g.leakyRelu(separable(g, ws, x, `conv${i}`, 1, what), LEAKY_ALPHA);
  }
  x = g.maxPool(x, 2, 1, 'same');
  for (const p of ['conv6', 'conv7']) if (ws.has(`${p}/depthwise_filter`)) x = g.leakyRelu(separable(g, ws, x, p, 1, what), LEAKY_ALPHA);
  const c = g.shape(x)[1] ?? 0;
  const out = TINY_ANCHORS.length * 5;
  const f = hwioToOihw(ws.take('conv8/filters', [1, 1, c, out]), [1, 1, c, out]);
  x = g.conv(x, { weight: f.weight, weightDims: f.dims, bias: ws.take('conv8/bias', [out]) });
  g.output(x, 'grid');
  return g;
}
