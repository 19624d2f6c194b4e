// Entry point of the MRZ reader's child process (see reader-process.ts): one MrzReader, one
// request at a time over the IPC channel, results sent back as plain data.
import type { Image } from '../image.js';
import { MrzReader, type MrzReaderOptions } from './read.js';

interface Request {
  readonly id: number;
  readonly image: Image;
}

const send = process.send?.bind(process);
if (send) {
  const options = JSON.parse(process.env.KIOSK_MRZ_READER_OPTIONS ?? '{}') as Pick<MrzReaderOptions, 'dpi' | 'upsideDown'>;
  const reader = new MrzReader(options);
  process.on('message', (req: Request) => {
    try {
      const data = Buffer.from(req.image.data.buffer, req.image.data.byteOffset, req.image.data.byteLength);
      send({ id: req.id, result: reader.read({ ...req.image, data }) });
    } catch (e) {
      send({ id: req.id, error: e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error' });
    }
  });
  // The parent going away ends the reader too.
  process.on('disconnect', () => process.exit(0));
}
