// face-api's SSD MobileNet v1 face detector → ONNX. Architecture learned from face-api's
// ssdMobilenetv1/ sources: a MobileNet v1 backbone (a stride-2 3×3 conv, then 13 depthwise +
// pointwise pairs with batch norm and ReLU6, the depthwise convs of pairs 2, 4, 6 and 12 with
// stride 2), four extra stride-2 feature maps, six box predictors (3 anchors on
// layer 11's 32×32 map, 6 on the others) and the standard SSD box decoding against the prior
// boxes stored in the weights (Output/extra_dim). The decoding is part of the graph; NMS is not.
// Graph input [1,3,512,512] = pixel / 127.5 − 1; outputs "boxes" [1,N,4] (ymin, xmin, ymax,
// xmax relative to the letterboxed square) and "scores" [1,N] (face probability).
import { ParseError } from '../../errors.js';
import { depthwiseToOihw, GraphBuilder, hwioToOihw } from './graph.js';
import type { WeightSet } from './tfjs-weights.js';

export const SSD_INPUT = 512;
const WHAT = 'ssd_mobilenetv1_model';
/** mobileNetV1.ts batch-norm epsilon (float32 0.001). */
const BN_EPSILON = 0.0010000000474974513;
/** Depthwise layers (1-based) with stride 2. */
const STRIDE2 = new Set([2, 4, 6, 12]);

function pointwise(g: GraphBuilder, ws: WeightSet, x: string, prefix: string, stride: number): string {
  const c = g.shape(x)[1] ?? 0;
  const shape = ws.shapeOf(`${prefix}/weights`);
  const k = shape[0] ?? 0;
  const outC = shape[3] ?? 0;
  if (shape.length !== 4 || shape[1] !== k || (k !== 1 && k !== 3) || outC < 1) throw new ParseError(WHAT, `${prefix} weights are not [k,k,in,out]`);
  const f = hwioToOihw(ws.take(`${prefix}/weights`, [k, k, c, outC]), [k, k, c, outC]);
  const y = g.conv(x, { weight: f.weight, weightDims: f.dims, bias: ws.take(`${prefix}/convolution_bn_offset`, [outC]), stride, padding: 'same' });
  return g.relu6(y);
}

function depthwise(g: GraphBuilder, ws: WeightSet, x: string, prefix: string, stride: number): string {
  const c = g.shape(x)[1] ?? 0;
  const d = depthwiseToOihw(ws.take(`${prefix}/depthwise_weights`, [3, 3, c, 1]), [3, 3, c, 1]);
  const gamma = ws.take(`${prefix}/BatchNorm/gamma`, [c]);
  const beta = ws.take(`${prefix}/BatchNorm/beta`, [c]);
  const mean = ws.take(`${prefix}/BatchNorm/moving_mean`, [c]);
  const variance = ws.take(`${prefix}/BatchNorm/moving_variance`, [c]);
  // Batch norm folded into the (bias-free) depthwise conv: w·s, β − μ·s with s = γ / √(σ² + ε).
  const bias = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    const v = variance[i] ?? 0;
    if (v + BN_EPSILON <= 0) throw new ParseError(WHAT, `${prefix} has a negative variance`);
    const s = (gamma[i] ?? 0) / Math.sqrt(v + BN_EPSILON);
    for (let j = 0; j < 9; j++) d.weight[i * 9 + j] = (d.weight[i * 9 + j] ?? 0) * s;
    bias[i] = (beta[i] ?? 0) - (mean[i] ?? 0) * s;
  }
  return g.relu6(g.conv(x, { weight: d.weight, weightDims: d.dims, bias, stride, padding: 'same', group: c }));
}

/** Conv → NHWC → [1, H·W·anchors, k] (the order TF's reshape of an NHWC map gives). */
function predictor(g: GraphBuilder, ws: WeightSet, x: string, prefix: string, per: number): string {
  const c = g.shape(x)[1] ?? 0;
  const shape = ws.shapeOf(`${prefix}/weights`);
  const outC = shape[3] ?? 0;
  if (outC < per || outC % per !== 0) throw new ParseError(WHAT, `${prefix} output channels are not a multiple of ${per}`);
  const f = hwioToOihw(ws.take(`${prefix}/weights`, [1, 1, c, outC]), [1, 1, c, outC]);
  const y = g.conv(x, { weight: f.weight, weightDims: f.dims, bias: ws.take(`${prefix}/biases`, [outC]), padding: 'same' });
  const [, , h = 0, w = 0] = g.shape(y);
  return g.reshape(g.transpose(y, [0, 2, 3, 1]), [1, h * w * (outC / per), per]);
}

export function buildSsdMobilenetV1(ws: WeightSet): GraphBuilder {
  // TF graph bookkeeping (shape/axis constants) that face-api loads but never uses.
  ws.ignore(/^(Prediction\/BoxPredictor_\d+\/(stack|strided_slice)|Postprocessor\/|Preprocessor\/|concat_1\/axis$)/);
  const g = new GraphBuilder('faceapi_ssd_mobilenetv1');
  let x = g.input('input', [1, 3, SSD_INPUT, SSD_INPUT]);
  x = pointwise(g, ws, x, 'MobilenetV1/Conv2d_0_pointwise', 2);
  let conv11 = '';
  for (let i = 1; i <= 13; i++) {
    x = depthwise(g, ws, x, `MobilenetV1/Conv2d_${i}_depthwise`, STRIDE2.has(i) ? 2 : 1);
    x = pointwise(g, ws, x, `MobilenetV1/Conv2d_${i}_pointwise`, 1);
    if (i === 11) conv11 = x;
  }
  const maps = [conv11, x];
  let y = x;
  for (let i = 0; i < 8; i++) {
    y = pointwise(g, ws, y, `Prediction/Conv2d_${i}_pointwise`, i % 2 === 1 ? 2 : 1);
    if (i % 2 === 1) maps.push(y);
  }
  const enc: string[] = [];
  const cls: string[] = [];
  maps.forEach((m, i) => {
    enc.push(predictor(g, ws, m, `Prediction/BoxPredictor_${i}/BoxEncodingPredictor`, 4));
    cls.push(predictor(g, ws, m, `Prediction/BoxPredictor_${i}/ClassPredictor`, 3));
  });
  const boxEnc = g.concat(enc, 1);
  const classes = g.concat(cls, 1);
  const n = g.shape(boxEnc)[1] ?? 0;

  // Prior boxes [1, N, 4] as (ymin, xmin, ymax, xmax) → centres and sizes, computed once here.
  const priors = ws.take('Output/extra_dim', [1, n, 4]);
  const centre = new Float32Array(n * 2);
  const size = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (const k of [0, 1]) {
      const lo = priors[i * 4 + k] ?? 0;
      const s = Math.fround((priors[i * 4 + k + 2] ?? 0) - lo);
      size[i * 2 + k] = s;
      centre[i * 2 + k] = Math.fround(lo + Math.fround(s / 2));
    }
  }
  const centreP = g.constant('prior_centre', [1, n, 2], centre);
  const sizeP = g.constant('prior_size', [1, n, 2], size);
  // SSD decoding with scale factors 10 (centre) and 5 (size), as face-api's outputLayer.ts.
  const t01 = g.slice(boxEnc, 2, 0, 2);
  const t23 = g.slice(boxEnc, 2, 2, 4);
  const half = g.binary('Div', g.binary('Mul', g.unary('Exp', g.binary('Div', t23, g.scalar(5))), sizeP), g.scalar(2));
  const mid = g.binary('Add', g.binary('Mul', g.binary('Div', t01, g.scalar(10)), sizeP), centreP);
  const boxes = g.concat([g.binary('Sub', mid, half), g.binary('Add', mid, half)], 2);
  g.output(boxes, 'boxes');
  const scores = g.reshape(g.unary('Sigmoid', g.slice(classes, 2, 1, 2)), [1, n]);
  g.output(scores, 'scores');
  return g;
}
