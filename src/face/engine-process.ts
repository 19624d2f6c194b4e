// The face engine off the daemon's JavaScript thread (src/platform/engine-process.ts): one
// child process holding the models; a frame's analysis is one request, bounded by a timeout
// and an AbortSignal.
import { checkImage, type Image } from '../document/image.js';
import { EngineProcess, type EngineCallOptions } from '../platform/engine-process.js';
import type { FaceEngineOptions, FaceRequest, FaceResponse } from './engine.js';
import type { AnalyseOptions } from './pipeline.js';

export type FaceCallOptions = Pick<EngineCallOptions, 'signal' | 'timeoutMs'>;

export class FaceEngineProcess {
  readonly #engine: EngineProcess<FaceRequest, FaceResponse>;

  constructor(options: FaceEngineOptions) {
    this.#engine = new EngineProcess('face', options);
  }

  analyse(image: Image, options: AnalyseOptions = {}, o: FaceCallOptions = {}): Promise<FaceResponse> {
    checkImage(image);
    return this.#engine.call({ op: 'analyse', image, options }, { ...o, describe: `analyse ${image.width}x${image.height}` });
  }

  quality(image: Image, limits: 'live' | 'portrait', options: AnalyseOptions = {}, o: FaceCallOptions = {}): Promise<FaceResponse> {
    checkImage(image);
    return this.#engine.call({ op: 'quality', image, limits, options }, { ...o, describe: `quality ${image.width}x${image.height}` });
  }

  close(): Promise<void> {
    return this.#engine.close();
  }
}
