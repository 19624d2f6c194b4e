import type { ModelDescriptor } from './descriptor.js';
import type { FaceModelErrorCode } from './errors.js';

/** Main thread → model worker. */
export type ToWorker = { readonly type: 'run'; readonly id: number; readonly input: Float32Array } | { readonly type: 'dispose' };

/** Model worker → main thread. id −1 is a load failure. */
export type FromWorker =
  | { readonly type: 'ready'; readonly descriptor: ModelDescriptor }
  | { readonly type: 'result'; readonly id: number; readonly outputs: readonly (readonly [string, Float32Array])[] }
  | { readonly type: 'error'; readonly id: number; readonly error: { readonly reason: FaceModelErrorCode; readonly model: string; readonly message: string } };
