// Loads a face model by its descriptor and runs it with onnxruntime-node. Model files are
// produced at build time (scripts/convert-face-models.ts) or dropped in by an operator; nothing
// is downloaded at run time. The .onnx bytes are checked against the descriptor's sha256 and
// the session's input/output names against the descriptor before the model is used.
// Note: onnxruntime-node's run() executes on the calling (JS) thread after a setImmediate; a
// caller that must keep the event loop free runs models in a worker thread.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ParseError } from '../../errors.js';
import { parseDescriptor, type ModelDescriptor } from './descriptor.js';
import { FaceModelError } from './errors.js';

export interface SessionOptions {
  /** Threads inside one operator (default 1: the kiosk runs several models and a matcher on few cores). */
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
}

/** Largest .onnx file accepted (face-api's recogniser is 22 MB as float32). */
export const MAX_MODEL_BYTES = 512 * 1024 * 1024;
const MAX_DESCRIPTOR_BYTES = 64 * 1024;

export interface FaceModel {
  readonly descriptor: ModelDescriptor;
  /** Runs the model on one input tensor (shape = descriptor.input.shape) → outputs by name. */
  run(input: Float32Array): Promise<Map<string, Float32Array>>;
  dispose(): Promise<void>;
}

function readFileBounded(path: string, max: number, model: string): Buffer {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new FaceModelError('MODEL_MISSING', model, `${basename(path)} is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof FaceModelError) throw e;
    throw new FaceModelError('MODEL_MISSING', model, `${basename(path)} not found (run scripts/convert-face-models.ts)`);
  }
  if (size > max) throw new FaceModelError('MODEL_INVALID', model, `${basename(path)} is larger than ${max} bytes`);
  return readFileSync(path);
}

/** Reads and validates a descriptor file. */
export function readDescriptor(path: string): ModelDescriptor {
  const model = basename(path);
  const raw = readFileBounded(path, MAX_DESCRIPTOR_BYTES, model);
  try {
    return parseDescriptor(JSON.parse(raw.toString('utf8')) as unknown, model);
  } catch (e) {
    const detail = e instanceof ParseError ? e.message : 'descriptor is not valid JSON';
    throw new FaceModelError('MODEL_INVALID', model, detail, { cause: e });
  }
}

/** Loads `<dir>/<name>.json` and the .onnx it names. */
export async function loadFaceModel(descriptorPath: string, opts: SessionOptions = {}): Promise<FaceModel> {
  const descriptor = readDescriptor(descriptorPath);
  const model = descriptor.name;
  const bytes = readFileBounded(join(dirname(descriptorPath), descriptor.file), MAX_MODEL_BYTES, model);
  if (descriptor.sha256 !== undefined && createHash('sha256').update(bytes).digest('hex') !== descriptor.sha256) {
    throw new FaceModelError('MODEL_MISMATCH', model, `${descriptor.file} does not match the descriptor's sha256`);
  }
  const threads = (v: number | undefined, name: string): number => {
    const n = v ?? 1;
    if (!Number.isInteger(n) || n < 0 || n > 64) throw new FaceModelError('MODEL_INVALID', model, `${name} is not an integer in 0..64`);
    return n;
  };
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads(opts.intraOpNumThreads, 'intraOpNumThreads'),
      interOpNumThreads: threads(opts.interOpNumThreads, 'interOpNumThreads'),
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    });
  } catch (e) {
    if (e instanceof FaceModelError) throw e;
    throw new FaceModelError('MODEL_INVALID', model, `onnxruntime cannot load ${descriptor.file}`, { cause: e });
  }
  const { input, outputs } = descriptor;
  const missing = [input.name].filter((n) => !session.inputNames.includes(n))
    .concat(outputs.map((o) => o.name).filter((n) => !session.outputNames.includes(n)));
  if (missing.length > 0) {
    await session.release();
    throw new FaceModelError('MODEL_MISMATCH', model, `graph lacks the descriptor's input/output ${missing.join(', ')}`);
  }
  const inputCount = input.shape.reduce((a, b) => a * b, 1);
  return {
    descriptor,
    async run(data: Float32Array): Promise<Map<string, Float32Array>> {
      if (data.length !== inputCount) throw new FaceModelError('MODEL_RUN', model, `input has ${data.length} values, expected ${inputCount}`);
      let result: ort.InferenceSession.OnnxValueMapType;
      try {
        result = await session.run({ [input.name]: new ort.Tensor('float32', data, input.shape) });
      } catch (e) {
        throw new FaceModelError('MODEL_RUN', model, 'inference failed', { cause: e });
      }
      const out = new Map<string, Float32Array>();
      for (const o of outputs) {
        const t = result[o.name];
        const expect = o.shape.reduce((a, b) => a * b, 1);
        if (!t || !(t.data instanceof Float32Array) || t.data.length !== expect) {
          throw new FaceModelError('MODEL_MISMATCH', model, `output ${o.name} is not ${expect} float32 values`);
        }
        out.set(o.name, t.data);
      }
      return out;
    },
    async dispose(): Promise<void> {
      await session.release();
    },
  };
}
