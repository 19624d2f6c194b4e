// Worker-thread side of loadFaceModelInWorker (worker.ts): loads one model and runs it on the
// tensors it is sent, so that inference (synchronous inside onnxruntime-node) never blocks the
// kiosk's event loop. Messages are plain data; tensors move as transferred ArrayBuffers.
import { parentPort, workerData } from 'node:worker_threads';
import { FaceModelError } from './errors.js';
import { loadFaceModel, type SessionOptions } from './session.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const port = parentPort;
const init = workerData as { descriptorPath: string; options: SessionOptions };

function errorOf(e: unknown): Extract<FromWorker, { type: 'error' }>['error'] {
  if (e instanceof FaceModelError) return { reason: e.reason, model: e.model, message: e.message };
  return { reason: 'MODEL_RUN', model: '', message: e instanceof Error ? e.message : 'worker error' };
}

if (port) {
  const p = port;
  const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void => { p.postMessage(m, transfer); };
  loadFaceModel(init.descriptorPath, init.options).then((model) => {
    post({ type: 'ready', descriptor: model.descriptor });
    p.on('message', (m: ToWorker) => {
      if (m.type === 'dispose') {
        void model.dispose().finally(() => { p.close(); });
        return;
      }
      model.run(m.input).then((out) => {
        const outputs = [...out.entries()].map(([name, data]) => [name, Float32Array.from(data)] as [string, Float32Array]);
        post({ type: 'result', id: m.id, outputs }, outputs.map(([, d]) => d.buffer as ArrayBuffer));
      }, (e: unknown) => { post({ type: 'error', id: m.id, error: errorOf(e) }); });
    });
  }, (e: unknown) => { post({ type: 'error', id: -1, error: errorOf(e) }); });
}
