// A FaceModel whose inference runs in a worker thread (STYLE.md P4: blocking native work off
// the JS thread). onnxruntime-node's run() is synchronous on the calling thread, so a 10-20 ms
// detector would otherwise stall camera frames, device events and the UI socket. Same
// interface as loadFaceModel's, so callers choose per deployment (worker for the daemon,
// in-thread for tools and tests).
import { Worker } from 'node:worker_threads';
import { FaceModelError } from './errors.js';
import type { FaceModel, SessionOptions } from './session.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

interface Pending {
  resolve(v: Map<string, Float32Array>): void;
  reject(e: Error): void;
}

/**
 * Compiled, the worker is model-worker.js next to this file. From source (tsx: tests, tools) it
 * is a .ts file, and tsx's loader does not reach a worker's entry point, so a two-line
 * bootstrap registers tsx inside the worker first. tsx is a dev dependency; that branch is
 * never taken in the built daemon.
 */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./model-worker.js', import.meta.url), { workerData });
  const entry = new URL('./model-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/** Loads the model in a new worker thread; resolves once it is ready to run. */
export function loadFaceModelInWorker(descriptorPath: string, options: SessionOptions = {}): Promise<FaceModel> {
  const worker = startWorker({ descriptorPath, options });
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let dead: FaceModelError | undefined;
  let name = descriptorPath;
  const idle = (): void => { if (pending.size === 0) worker.unref(); };

  const failAll = (e: FaceModelError): void => {
    dead ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };

  return new Promise<FaceModel>((resolveLoad, rejectLoad) => {
    worker.on('error', (e) => {
      const err = new FaceModelError('MODEL_RUN', name, 'model worker failed', { cause: e });
      failAll(err);
      rejectLoad(err);
    });
    worker.on('exit', () => {
      const err = new FaceModelError('MODEL_RUN', name, 'model worker exited');
      failAll(err);
      rejectLoad(err);
    });
    worker.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'ready': {
          name = m.descriptor.name;
          idle();
          resolveLoad(model(m.descriptor));
          break;
        }
        case 'result': {
          const p = pending.get(m.id);
          pending.delete(m.id);
          idle();
          p?.resolve(new Map(m.outputs));
          break;
        }
        case 'error': {
          const err = new FaceModelError(m.error.reason, m.error.model || name, m.error.message.replace(/^\S+ \S+: /, ''));
          if (m.id === -1) {
            rejectLoad(err);
            void worker.terminate();
            return;
          }
          const p = pending.get(m.id);
          pending.delete(m.id);
          idle();
          p?.reject(err);
          break;
        }
      }
    });
  });

  function model(descriptor: FaceModel['descriptor']): FaceModel {
    return {
      descriptor,
      run(input: Float32Array): Promise<Map<string, Float32Array>> {
        if (dead) return Promise.reject(dead);
        const id = nextId++;
        // The caller keeps its tensor; a copy is transferred.
        const copy = Float32Array.from(input);
        return new Promise((resolve, reject) => {
          pending.set(id, { resolve, reject });
          worker.ref();
          const msg: ToWorker = { type: 'run', id, input: copy };
          worker.postMessage(msg, [copy.buffer]);
        });
      },
      async dispose(): Promise<void> {
        if (dead) return;
        const msg: ToWorker = { type: 'dispose' };
        worker.postMessage(msg);
        await worker.terminate();
      },
    };
  }
}
