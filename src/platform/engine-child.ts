// Entry point of an engine's child process (./engine-process.ts): one engine from the fixed
// table (./engines.ts), one request at a time over the IPC channel, answers as plain data.
import { ENGINE_ENV } from './engine-process.js';
import { ENGINES, isEngineName } from './engines.js';

interface Request {
  readonly id: number;
  readonly request: unknown;
}

const send = process.send?.bind(process);
const name = process.env[ENGINE_ENV.name];
if (send && isEngineName(name)) {
  const options: unknown = JSON.parse(process.env[ENGINE_ENV.options] ?? '{}');
  const answer = ENGINES[name]().then((m) => m.createEngine(options));
  process.on('message', (req: Request) => {
    answer
      .then((engine) => engine(req.request))
      .then((result) => {
        send({ id: req.id, result });
      })
      .catch((e: unknown) => {
        send({ id: req.id, error: e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error' });
      });
  });
  // The parent going away ends the engine too.
  process.on('disconnect', () => process.exit(0));
} else if (send) {
  process.stderr.write(`engine-child: unknown engine\n`);
  process.exit(2);
}
