// The face test-data fetcher (scripts/face-test-data.sh and tests/helpers/face-data.ts): the
// fetch works from the configured apt sources, dlib's johns set has 5 people with at least 10
// decodable images each, a second run is instant, parallel runs into a fresh directory both
// succeed with one complete data set, and a package apt cannot fetch gives a skip reason.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { decodeImage } from '../../src/document/image.js';
import { faceData } from '../helpers/face-data.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/face-test-data.sh', import.meta.url));

function run(env: Record<string, string>): Promise<{ code: number; stderr: string; ms: number }> {
  const start = Date.now();
  return new Promise((done) => {
    execFile(SCRIPT, { env: { ...process.env, ...env }, timeout: 300_000 }, (error, _stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr, ms: Date.now() - start });
    });
  });
}

const data = await faceData();

t.test('the data is fetched and indexed: 5 people with ≥ 10 images each', { skip: data.ok ? false : data.reason }, async (t) => {
  if (!data.ok) return;
  const people = Object.keys(data.johns);
  t.equal(people.length, 5, 'dlib examples/johns holds five people');
  for (const person of people) {
    const images = data.johns[person] ?? [];
    t.ok(images.length >= 10, `${person}: ${images.length} images`);
    for (const path of images) {
      const img = decodeImage(await readFile(path), 'johns image');
      t.ok(img.width >= 50 && img.height >= 50, 'a decodable face crop');
    }
  }
  t.ok(data.groupPhotos.length >= 5, 'group photos');
  t.ok(data.faceApiSamples.length >= 1, 'face-api demo images');
  t.ok(data.landmarks.training?.endsWith('.xml'), 'landmark annotations');
  const again = await run({});
  t.equal(again.code, 0);
  t.ok(again.ms < 2000, `a second run is fast (${again.ms} ms)`);
});

t.test('parallel fetches into a fresh directory both succeed with one data set', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'face-data-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const [a, b] = await Promise.all([run({ FACE_DATA_DIR: dir }), run({ FACE_DATA_DIR: dir })]);
  if (a.code === 2) {
    // apt cannot fetch here: the first test reports the skip; nothing more to check.
    t.pass(`not checked: ${a.stderr.trim().split('\n').at(-1) ?? 'apt unreachable'}`);
    return;
  }
  t.equal(a.code, 0, a.stderr);
  t.equal(b.code, 0, b.stderr);
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { version: number; johns: Record<string, string[]> };
  t.equal(index.version, 1);
  t.equal(Object.keys(index.johns).length, 5);
});

t.test('a package apt cannot fetch: exit 2 and a reason on the last line', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'face-data-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // FACE_DATA_NO_UPDATE: no `apt-get update` for a package that is known not to exist.
  const r = await run({ FACE_DATA_DIR: dir, FACE_DATA_PACKAGE: 'libkiosk-no-such-package', FACE_DATA_NO_UPDATE: '1' });
  t.equal(r.code, 2);
  t.match(r.stderr.trim().split('\n').at(-1) ?? '', /apt-get download libkiosk-no-such-package failed/);
});
