// The face test data (scripts/face-test-data.sh): dlib's labelled face crops and group photos
// from Debian's libdlib19.1 package, and face-api's demo images, fetched into .cache/face-data
// on first use. Tests call faceData(); it runs the script at most once per test process (the
// script itself serialises parallel test files with flock and is instant once done) and gives
// the index with absolute paths, or the reason the data cannot be had, for `t.skip`/`{ skip }`.
//
//   const data = await faceData();
//   t.test('…', { skip: data.ok ? false : data.reason }, async (t) => {
//     if (!data.ok) return;
//     data.johns['John_Simm'] // absolute paths of that person's images
//   });
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SCRIPT = join(ROOT, 'scripts', 'face-test-data.sh');
/** Exit code of the script when the package cannot be fetched (see the script). */
const UNREACHABLE = 2;
/** The fetch is ~4 MB from the apt mirror; waiting for another process's fetch is bounded by the script. */
const SCRIPT_TIMEOUT_MS = 10 * 60_000;

export interface FaceDataIndex {
  /** The directory the data lives in. */
  readonly dir: string;
  /** Person → absolute paths of their face crops (dlib examples/johns: 5 people × 11). */
  readonly johns: Readonly<Record<string, readonly string[]>>;
  /** Group photos (dlib examples/faces/*.jpg). */
  readonly groupPhotos: readonly string[];
  /** dlib's 68-point landmark annotations of the group photos (imglab XML), by set name. */
  readonly landmarks: Readonly<Record<string, string>>;
  /** face-api's demo images (sample1..6.jpg). */
  readonly faceApiSamples: readonly string[];
}

export type FaceData = ({ readonly ok: true } & FaceDataIndex) | { readonly ok: false; readonly reason: string };

let pending: Promise<FaceData> | undefined;

/** Ensures the data is there (fetching it once per process) and returns its index. */
export function faceData(dir: string = process.env.FACE_DATA_DIR ?? join(ROOT, '.cache', 'face-data')): Promise<FaceData> {
  pending ??= load(dir);
  return pending;
}

async function load(dir: string): Promise<FaceData> {
  const run = await runScript(dir);
  if (!run.ok) return run;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
  } catch (e) {
    return { ok: false, reason: `face test data: unreadable index.json (${e instanceof Error ? e.message : 'error'})` };
  }
  const index = toIndex(raw, dir);
  if (!index) return { ok: false, reason: 'face test data: index.json has an unexpected shape' };
  const missing = [...Object.values(index.johns).flat(), ...index.groupPhotos, ...index.faceApiSamples].filter((p) => !existsSync(p));
  if (missing.length > 0) return { ok: false, reason: `face test data: ${missing.length} indexed files missing (delete ${dir} to fetch again)` };
  return { ok: true, ...index };
}

function runScript(dir: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  return new Promise((done) => {
    execFile(SCRIPT, { env: { ...process.env, FACE_DATA_DIR: dir }, timeout: SCRIPT_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (!error) {
        done({ ok: true });
        return;
      }
      const last = stderr.trim().split('\n').at(-1) ?? '';
      const why = error.code === UNREACHABLE ? last : `face-test-data.sh failed (${typeof error.code === 'number' ? `exit ${error.code}` : error.message}): ${last}`;
      done({ ok: false, reason: why });
    });
  });
}

function strings(v: unknown, dir: string): string[] | undefined {
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) return undefined;
  return v.map((p) => join(dir, p));
}

function toIndex(raw: unknown, dir: string): FaceDataIndex | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const johnsRaw = r.johns;
  if (typeof johnsRaw !== 'object' || johnsRaw === null) return undefined;
  const johns: Record<string, string[]> = {};
  for (const [person, paths] of Object.entries(johnsRaw)) {
    const list = strings(paths, dir);
    if (!list) return undefined;
    johns[person] = list;
  }
  const groupPhotos = strings(r.groupPhotos, dir);
  const faceApiSamples = strings(r.faceApiSamples, dir);
  if (!groupPhotos || !faceApiSamples) return undefined;
  const landmarks: Record<string, string> = {};
  if (typeof r.landmarks === 'object' && r.landmarks !== null) {
    for (const [k, v] of Object.entries(r.landmarks)) if (typeof v === 'string') landmarks[k] = join(dir, v);
  }
  return { dir, johns, groupPhotos, landmarks, faceApiSamples };
}
