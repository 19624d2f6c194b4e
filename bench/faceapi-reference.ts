// face-api (TensorFlow.js) as the reference the converted ONNX models are proven against. The
// node-wasm build is loaded because it needs only @tensorflow/tfjs and tfjs-backend-wasm (no
// tfjs-node). Backend 'wasm' (face-api's own choice for Node without tfjs-node, ~8× faster) or
// 'cpu' (tfjs's plain-JS kernels); both compute in float32. Tests and bench:face only; nothing in src/ loads it.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Image } from '../src/document/image.js';

const require = createRequire(import.meta.url);

/** An opaque tfjs tensor. */
export interface TfTensor {
  readonly shape: number[];
}

interface Box { x: number; y: number; width: number; height: number }

/** The slice of face-api's API used here (its bundle is loaded untyped). */
interface FaceApiModule {
  tf: {
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    getBackend(): string;
    tensor3d(values: Int32Array, shape: number[], dtype: 'int32'): TfTensor;
    slice3d(t: TfTensor, begin: number[], size: number[]): TfTensor;
    dispose(t: TfTensor): void;
  };
  TinyFaceDetectorOptions: new (o: { inputSize: number; scoreThreshold: number }) => unknown;
  detectAllFaces(t: TfTensor, o: unknown): { withFaceLandmarks(): { withFaceDescriptors(): Promise<{ detection: { box: Box }; descriptor: Float32Array }[]> } };
  nets: {
    ssdMobilenetv1: { loadFromDisk(dir: string): Promise<void>; locateFaces(t: TfTensor, o: { minConfidence: number; maxResults: number }): Promise<{ box: Box; score: number }[]> };
    tinyFaceDetector: { loadFromDisk(dir: string): Promise<void>; locateFaces(t: TfTensor, o: { inputSize: number; scoreThreshold: number }): Promise<{ box: Box; score: number }[]> };
    faceLandmark68Net: { loadFromDisk(dir: string): Promise<void>; detectLandmarks(t: TfTensor): Promise<{ positions: { x: number; y: number }[] }> };
    faceRecognitionNet: { loadFromDisk(dir: string): Promise<void>; computeFaceDescriptor(t: TfTensor): Promise<Float32Array> };
  };
}

export interface FaceApiRef {
  readonly modelDir: string;
  readonly backend: string;
  /** Switches tfjs's backend (tensors made before the switch must not be reused). */
  useBackend(name: 'wasm' | 'cpu'): Promise<void>;
  /** RGB int32 tensor [h, w, 3] of an engine (BGR/grey) image; caller disposes. */
  tensor(img: Image): TfTensor;
  crop(t: TfTensor, r: Box): TfTensor;
  detect(t: TfTensor, inputSize?: number, scoreThreshold?: number): Promise<(Box & { score: number })[]>;
  detectSsd(t: TfTensor, minConfidence?: number): Promise<(Box & { score: number })[]>;
  /** 68 points in the coordinates of the tensor given (136 values, interleaved). */
  landmarks(t: TfTensor): Promise<Float32Array>;
  descriptor(t: TfTensor): Promise<Float32Array>;
  /** face-api's whole pipeline (tiny detector → landmarks → dlib-aligned crop → descriptor). */
  pipeline(t: TfTensor): Promise<{ box: Box; descriptor: Float32Array }[]>;
  dispose(t: TfTensor): void;
}

export async function loadFaceApi(backend: 'wasm' | 'cpu' = 'wasm'): Promise<FaceApiRef> {
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiModule;
  const { tf, nets } = faceapi;
  await tf.setBackend(backend);
  await tf.ready();
  const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await nets.tinyFaceDetector.loadFromDisk(modelDir);
  await nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await nets.faceLandmark68Net.loadFromDisk(modelDir);
  await nets.faceRecognitionNet.loadFromDisk(modelDir);
  return {
    modelDir,
    get backend() {
      return tf.getBackend();
    },
    async useBackend(name) {
      await tf.setBackend(name);
      await tf.ready();
    },
    tensor(img) {
      const rgb = new Int32Array(img.width * img.height * 3);
      for (let i = 0; i < img.width * img.height; i++) {
        for (let c = 0; c < 3; c++) rgb[i * 3 + c] = img.data[img.channels === 1 ? i : i * 3 + (2 - c)]!;
      }
      return tf.tensor3d(rgb, [img.height, img.width, 3], 'int32');
    },
    crop(t, r) {
      return tf.slice3d(t, [r.y, r.x, 0], [r.height, r.width, 3]);
    },
    async detect(t, inputSize = 416, scoreThreshold = 0.5) {
      const dets = await nets.tinyFaceDetector.locateFaces(t, { inputSize, scoreThreshold });
      return dets.map((d) => ({ x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height, score: d.score }));
    },
    async detectSsd(t, minConfidence = 0.5) {
      const dets = await nets.ssdMobilenetv1.locateFaces(t, { minConfidence, maxResults: 100 });
      return dets.map((d) => ({ x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height, score: d.score }));
    },
    async landmarks(t) {
      const lm = await nets.faceLandmark68Net.detectLandmarks(t);
      return Float32Array.from(lm.positions.flatMap((p) => [p.x, p.y]));
    },
    descriptor(t) {
      return nets.faceRecognitionNet.computeFaceDescriptor(t);
    },
    async pipeline(t) {
      const opts = new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 });
      const res = await faceapi.detectAllFaces(t, opts).withFaceLandmarks().withFaceDescriptors();
      return res.map((r) => ({ box: r.detection.box, descriptor: r.descriptor }));
    },
    dispose(t) {
      tf.dispose(t);
    },
  };
}
