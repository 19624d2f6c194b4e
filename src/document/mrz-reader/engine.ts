// The MRZ reader as an engine for a child process (src/platform/engine-process.ts).
import type { Image } from '../image.js';
import { MrzReader, type MrzReaderOptions, type MrzReadResult } from './read.js';

export type MrzEngineOptions = Pick<MrzReaderOptions, 'dpi' | 'upsideDown'>;

export function createEngine(options: unknown): (request: unknown) => MrzReadResult {
  const reader = new MrzReader(options as MrzEngineOptions);
  return (request) => {
    const image = request as Image;
    // Structured clone delivers a Uint8Array; the engine works on Buffers.
    const data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
    return reader.read({ ...image, data });
  };
}
