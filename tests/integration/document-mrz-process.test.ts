// The MRZ reader in its child process: the same answer as in-process, one read at a time, and
// timeouts and aborts end a read with typed errors and leave the reader usable.
import t from 'tap';
import { AbortedError, NativeError, TimeoutError } from '../../src/errors.js';
import { EngineProcess } from '../../src/platform/engine-process.js';
import type { EngineName } from '../../src/platform/engines.js';
import { MrzReaderProcess } from '../../src/document/mrz-reader/reader-process.js';
import { DEFAULT_GLASS, randomCapture } from '../../src/document/render/defects.js';
import { renderDataPage } from '../../src/document/render/page.js';
import { seededRng } from '../../src/document/render/random.js';
import { randomSpecimen } from '../../src/document/render/specimen.js';

const rng = seededRng(900);
const spec = randomSpecimen(rng, 'TD1');
const capture = randomCapture(renderDataPage(spec, rng, { dpi: 300 }), rng, { ...DEFAULT_GLASS, dpi: 300 });

t.test('reads in the child process, queued reads one after the other', async (t) => {
  const p = new MrzReaderProcess();
  t.teardown(() => p.close());
  const [a, b] = await Promise.all([p.read(capture.image, { timeoutMs: 30_000 }), p.read(capture.image, { timeoutMs: 30_000 })]);
  for (const r of [a, b]) {
    t.equal(r.ok, true);
    if (r.ok) t.equal(r.mrz, spec.mrz);
  }
});

t.test('timeout and abort end a read with typed errors; the next read still works', async (t) => {
  const p = new MrzReaderProcess();
  t.teardown(() => p.close());
  // The first read starts the process (Node, OpenCV, templates): far longer than 1 ms.
  await t.rejects(p.read(capture.image, { timeoutMs: 1 }), TimeoutError);
  const ac = new AbortController();
  const pending = p.read(capture.image, { signal: ac.signal, timeoutMs: 30_000 });
  setTimeout(() => ac.abort(), 5);
  await t.rejects(pending, AbortedError);
  await t.rejects(p.read(capture.image, { signal: ac.signal }), AbortedError, 'already aborted');
  const r = await p.read(capture.image, { timeoutMs: 30_000 });
  t.equal(r.ok && r.mrz, spec.mrz);
});

t.test('an engine name outside the table: the child loads nothing and the call fails typed', async (t) => {
  const p = new EngineProcess<unknown, unknown>('../../../etc/evil' as EngineName);
  t.teardown(() => p.close());
  await t.rejects(p.call({}, { timeoutMs: 30_000 }), NativeError);
});
