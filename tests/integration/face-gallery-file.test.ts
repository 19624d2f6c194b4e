// The gallery file (native/matcher/core/format.h): round trips through save/open, in memory
// and memory-mapped, and hostile files (truncated, wrong dims, huge counts, bad magic, bad
// offsets, duplicate ids, bad scales, random corruption) → ParseError, never a crash.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { findAddon } from '../../src/native/load.js';
import { join } from 'node:path';
import { NativeError, ParseError } from '../../src/errors.js';
import { MatcherNative } from '../../src/native/matcher.js';
import { FaceGallery } from '../../src/face/gallery.js';
import { randomVectors, row } from '../unit/helpers/face-vectors.js';

const native = new MatcherNative();
const dir = mkdtempSync(join(tmpdir(), 'face-gallery-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;
const path = (): string => join(dir, `g${seq++}.kgal`);

async function sample(dtype: 'f32' | 'i8', n = 300, dim = 128): Promise<{ file: string; bytes: Buffer; g: FaceGallery; vecs: Float32Array }> {
  const vecs = randomVectors(n, dim, 7);
  const g = FaceGallery.create({ dim, dtype, native });
  g.addMany(Array.from({ length: n }, (_, i) => BigInt(1000 + i)), vecs);
  const file = path();
  await g.save(file);
  return { file, bytes: readFileSync(file), g, vecs };
}

t.test('layout of a saved file', async (t) => {
  const { bytes, g } = await sample('i8', 3, 16);
  g.close();
  t.equal(bytes.subarray(0, 8).toString('latin1'), 'KGALLERY');
  t.equal(bytes.readUInt32LE(8), 1, 'version');
  t.equal(bytes.readUInt32LE(12), 64, 'header size');
  t.equal(bytes.readUInt32LE(16), 16, 'dim');
  t.equal(bytes.readUInt32LE(20), 2, 'dtype int8');
  t.equal(bytes.readUInt32LE(24), 1, 'cosine');
  t.equal(bytes.readBigUInt64LE(32), 3n, 'count');
  t.equal(bytes.readBigUInt64LE(40), 64n, 'ids offset');
  t.equal(bytes.readBigUInt64LE(48), 128n, 'vectors offset: 64 + 24 rounded up to 64');
  t.equal(bytes.readBigUInt64LE(56), 192n, 'scales offset: 128 + 48 rounded up to 64');
  t.equal(bytes.length, 192 + 12);
  t.equal(bytes.readBigUInt64LE(64), 1000n, 'first id');
});

t.test('round trip: in memory and mapped, fp32 and int8', async (t) => {
  for (const dtype of ['f32', 'i8'] as const) {
    const { file, bytes, g, vecs } = await sample(dtype);
    const probes = [0, 1, 2].map((i) => randomVectors(1, 128, 50 + i));
    const want = await Promise.all(probes.map((p) => g.search(p, 7)));
    for (const map of [false, true]) {
      const h = await FaceGallery.open(file, { native, map });
      t.equal(h.info().mapped, map);
      t.equal(h.info().dtype, dtype);
      t.equal(h.size, 300);
      t.ok(h.has(1000n) && h.has(1299n) && !h.has(999n));
      t.same(await Promise.all(probes.map((p) => h.search(p, 7))), want, `${dtype} map=${map}: same results`);
      // Changes after opening: remove from the mapped base (copy-on-write), add to the tail.
      t.ok(h.remove(1000n));
      t.ok(h.remove(1150n));
      h.add(5n, row(vecs, 0, 128));
      t.equal((await h.search(row(vecs, 0, 128), 1))[0]!.id, 5n);
      t.equal((await h.search(row(vecs, 299, 128), 1))[0]!.id, 1299n, 'the moved last row is still found');
      t.same(readFileSync(file), bytes, 'the file on disk is untouched until save');
      const again = path();
      await h.save(again);
      h.close();
      const r = await FaceGallery.open(again, { native, map });
      t.equal(r.size, 299);
      t.notOk(r.has(1000n));
      t.ok(r.has(5n));
      r.close();
    }
    g.close();
  }
});

t.test('saving over the file a gallery has mapped', async (t) => {
  const { file, g } = await sample('f32', 50, 16);
  g.close();
  const h = await FaceGallery.open(file, { native, map: true });
  h.remove(1000n);
  await h.save(file);
  t.equal(h.size, 49);
  t.equal((await h.search(randomVectors(1, 16, 1), 49)).length, 49, 'the old mapping still serves');
  h.close();
  const r = await FaceGallery.open(file, { native });
  t.equal(r.size, 49);
  r.close();
});

t.test('binary sign bits are rebuilt on open', async (t) => {
  const { file, g, vecs } = await sample('f32');
  g.close();
  const h = await FaceGallery.open(file, { native, binary: true });
  t.equal((await h.search(row(vecs, 10, 128), 1, { candidates: 20 }))[0]!.id, 1010n);
  h.close();
});

/** The value a promise rejects with (undefined when it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return undefined;
}

async function expectParseError(t: Test, bytes: Buffer, field: RegExp, name: string): Promise<void> {
  const file = path();
  writeFileSync(file, bytes);
  for (const map of [false, true]) {
    const e = await rejection(FaceGallery.open(file, { native, map }));
    t.ok(e instanceof ParseError && field.test(e.message), `${name} (map=${map}): ${e instanceof Error ? e.message : 'no error'}`);
  }
}

t.test('hostile headers are refused with a ParseError naming the field', async (t) => {
  const { bytes, g } = await sample('i8', 10, 32);
  g.close();
  const edit = (f: (b: Buffer) => void): Buffer => {
    const b = Buffer.from(bytes);
    f(b);
    return b;
  };
  await expectParseError(t, Buffer.alloc(0), /header/, 'empty file');
  await expectParseError(t, bytes.subarray(0, 63), /header/, 'shorter than the header');
  await expectParseError(t, edit((b) => b.write('KGALLERZ', 0, 'latin1')), /magic/, 'bad magic');
  await expectParseError(t, edit((b) => b.writeUInt32LE(2, 8)), /version/, 'future version');
  await expectParseError(t, edit((b) => b.writeUInt32LE(128, 12)), /header size/, 'header size');
  for (const dim of [0, 8, 17, 24, 4112, 0xffffffff]) {
    await expectParseError(t, edit((b) => b.writeUInt32LE(dim, 16)), /dim/, `dim ${dim}`);
  }
  await expectParseError(t, edit((b) => b.writeUInt32LE(64, 16)), /size|count|offset/, 'dim changed to another valid value');
  await expectParseError(t, edit((b) => b.writeUInt32LE(3, 20)), /dtype/, 'dtype');
  await expectParseError(t, edit((b) => b.writeUInt32LE(0, 24)), /metric/, 'metric');
  await expectParseError(t, edit((b) => b.writeUInt32LE(1, 28)), /flags/, 'flags');
  for (const count of [11n, 1n << 31n, 1n << 32n, (1n << 32n) + 1n, 1n << 40n, 0xffff_ffff_ffff_ffffn]) {
    await expectParseError(t, edit((b) => b.writeBigUInt64LE(count, 32)), /count|offset|size/, `count ${count}`);
  }
  await expectParseError(t, edit((b) => b.writeBigUInt64LE(0n, 32)), /offset|size/, 'count 0 with data');
  await expectParseError(t, edit((b) => b.writeBigUInt64LE(65n, 40)), /ids offset/, 'ids offset');
  await expectParseError(t, edit((b) => b.writeBigUInt64LE(0xffff_ffff_ffff_ff00n, 48)), /vectors offset/, 'vectors offset');
  await expectParseError(t, edit((b) => b.writeBigUInt64LE(0n, 56)), /scales offset/, 'scales offset');
  await expectParseError(t, bytes.subarray(0, bytes.length - 1), /size/, 'truncated by one byte');
  await expectParseError(t, Buffer.concat([bytes, Buffer.alloc(1)]), /size/, 'trailing byte');
  await expectParseError(t, edit((b) => b.writeBigUInt64LE(b.readBigUInt64LE(64), 72)), /duplicate/, 'duplicate id');
  const scalesAt = Number(bytes.readBigUInt64LE(56));
  await expectParseError(t, edit((b) => b.writeFloatLE(Number.NaN, scalesAt)), /scales/, 'NaN scale');
  await expectParseError(t, edit((b) => b.writeFloatLE(-1, scalesAt + 4)), /scales/, 'negative scale');
  await expectParseError(t, edit((b) => b.writeFloatLE(Number.POSITIVE_INFINITY, scalesAt + 8)), /scales/, 'infinite scale');
});

t.test('every truncation of a small file is refused', async (t) => {
  for (const dtype of ['f32', 'i8'] as const) {
    const { bytes, g } = await sample(dtype, 4, 16);
    g.close();
    let refused = 0;
    for (let len = 0; len < bytes.length; len++) {
      const file = path();
      writeFileSync(file, bytes.subarray(0, len));
      try {
        (await FaceGallery.open(file, { native, map: len % 2 === 0 })).close();
      } catch (e) {
        if (e instanceof ParseError) refused++;
      }
    }
    t.equal(refused, bytes.length, `${dtype}: all ${bytes.length} truncations refused`);
  }
});

t.test('non-finite vector data in a file is searched without crashing', async (t) => {
  const { bytes, g } = await sample('f32', 20, 16);
  g.close();
  const b = Buffer.from(bytes);
  const at = Number(b.readBigUInt64LE(48));
  for (let i = 0; i < 16 * 5; i++) b.writeFloatLE(i % 2 ? Number.NaN : Number.POSITIVE_INFINITY, at + 4 * i);
  const file = path();
  writeFileSync(file, b);
  const h = await FaceGallery.open(file, { native, binary: true });
  const r = await h.search(randomVectors(1, 16, 3), 20);
  t.ok(r.length <= 20 && r.every((m) => !Number.isNaN(m.score)), 'NaN rows never enter the result');
  t.ok((await h.search(randomVectors(1, 16, 3), 5, { candidates: 20 })).length <= 5);
  h.close();
});

t.test('random corruption: a gallery or a ParseError, nothing else', async (t) => {
  const { bytes, g } = await sample('i8', 6, 16);
  g.close();
  const file = path();
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ at: fc.nat({ max: 71 }), v: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 6 }),
      fc.nat({ max: bytes.length + 8 }),
      fc.boolean(),
      async (edits, len, map) => {
        const b = Buffer.concat([bytes, Buffer.alloc(8)]).subarray(0, len);
        for (const e of edits) if (e.at < b.length) b[e.at] = e.v;
        writeFileSync(file, b);
        try {
          const h = await FaceGallery.open(file, { native, map });
          await h.search(randomVectors(1, h.dim, 1), 3);
          h.close();
        } catch (e) {
          return e instanceof ParseError;
        }
        return true;
      },
    ),
    { numRuns: 300 },
  );
  t.pass('no crash, only ParseError');
});

t.test('I/O failures are NativeErrors, not ParseErrors', async (t) => {
  const missing = await rejection(FaceGallery.open(join(dir, 'missing.kgal'), { native }));
  t.ok(missing instanceof NativeError && missing.nativeCode === 'E_IO', 'missing file');
  const sub = join(dir, 'a-directory');
  mkdirSync(sub);
  await t.rejects(FaceGallery.open(sub, { native }), ParseError);
  const g = FaceGallery.create({ dim: 16, native });
  const unwritable = await rejection(g.save(join(dir, 'no', 'such', 'dir', 'x.kgal')));
  t.ok(unwritable instanceof NativeError && unwritable.nativeCode === 'E_IO', 'unwritable path');
  g.close();
});

t.test('clean shutdown: process exit and worker exit with live galleries and searches in flight', async (t) => {
  // The pool threads belong to the gallery; a kiosk restarting for an update must not hang
  // or crash on them (STYLE.md P11).
  const addon = JSON.stringify(findAddon('matcher'));
  const script = `
    const { Worker, isMainThread } = require('node:worker_threads');
    const m = require(${addon});
    const g = m.create({ dim: 128, threads: 2 });
    const n = 20000, v = new Float32Array(n * 128).map((_, i) => Math.sin(i));
    g.add(BigUint64Array.from({ length: n }, (_, i) => BigInt(i + 1)), v);
    for (let i = 0; i < 8; i++) g.search(v.subarray(0, 128), 5, 0);
    if (isMainThread) {
      const w = new Worker(__filename);
      w.on('exit', (code) => { process.stdout.write('worker exit ' + code + '\\n'); process.exit(0); });
    } else {
      setTimeout(() => process.exit(0), 5);
    }`;
  const file = join(dir, 'shutdown.cjs');
  writeFileSync(file, script);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 0, `exit status (stderr: ${r.stderr.slice(0, 200)})`);
  t.match(r.stdout, /worker exit 0/);
});
