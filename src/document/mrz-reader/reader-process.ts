// The MRZ reader off the daemon's JavaScript thread: a read takes some 70 ms of OpenCV and
// template matching, so it runs in an engine child process (src/platform/engine-process.ts:
// one read at a time, timeouts and aborts kill the child, the next read starts a fresh one).
import { EngineProcess, type EngineCallOptions } from '../../platform/engine-process.js';
import { checkImage, type Image } from '../image.js';
import type { MrzEngineOptions } from './engine.js';
import type { MrzReadResult } from './read.js';

export type ReadOptions = Pick<EngineCallOptions, 'signal' | 'timeoutMs'>;

export class MrzReaderProcess {
  readonly #engine: EngineProcess<Image, MrzReadResult>;

  constructor(options: MrzEngineOptions = {}) {
    this.#engine = new EngineProcess('mrz-reader', options);
  }

  /** Reads one capture in the child. Rejects with TimeoutError, AbortedError or NativeError. */
  read(image: Image, o: ReadOptions = {}): Promise<MrzReadResult> {
    checkImage(image);
    return this.#engine.call(image, { ...o, describe: `${image.width}x${image.height}` });
  }

  /** Stops the child process (a later read starts a new one). */
  close(): Promise<void> {
    return this.#engine.close();
  }
}
