// kioskctl as a user runs it (the compiled build, a child process): usage errors exit 2, the
// generator writes a folder the reader accepts, and `mrtd read --reader` reads a passport
// through a private pcscd and the vpcd virtual reader, exactly as with a hardware reader.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadPassportFolder } from '../../src/mrtd/chip/folder.js';
import { VpcdCard } from '../../src/mrtd/chip/vpcd.js';
import { virtualChipOf } from '../../src/cli/card-source.js';
import { MrtdNative } from '../../src/native/mrtd.js';
import { Pcscd } from '../../src/platform/pcscd.js';
import { platformPaths } from '../../src/platform/paths.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const kioskctl = join(root, 'bin', 'kioskctl');
const dir = mkdtempSync(join(tmpdir(), 'kioskctl-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const MRZ = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10';
const run = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [kioskctl, ...args], { encoding: 'utf8', env, timeout: 60000 });
/** spawnSync would block the event loop that serves the virtual card; this one does not. */
const runAsync = (args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const c = spawn(process.execPath, [kioskctl, ...args], { env });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });

t.test('bad arguments exit with status 2 and say why on standard error', async (t) => {
  for (const args of [[], ['nonsense'], ['mrtd', 'read'], ['mrtd', 'read', '--virtual', dir, '--can', '12', '--trust', dir], ['conformance', 'sm', '--cipher', 'rot13'], ['mrtd', 'make-passport', join(dir, 'x')]]) {
    const r = run(args);
    t.equal(r.status, 2, `kioskctl ${args.join(' ')}`);
    t.equal(r.stdout, '', 'nothing on standard output');
    t.match(r.stderr, /kioskctl: /);
  }
});

t.test('make-passport, then read it in process', async (t) => {
  const made = run(['mrtd', 'make-passport', join(dir, 'p1'), '--mrz', MRZ, '--pki', join(dir, 'pki'), '--pace', '--ca', 'ecdh', '--aa', 'rsa']);
  t.equal(made.status, 0, made.stderr);
  const out = JSON.parse(made.stdout) as { files: Record<string, number>; trust: string };
  t.ok(out.files['EF.CardAccess'] && out.files.DG14 && out.files.DG15, 'PACE, CA and AA files written');
  const read = run(['mrtd', 'read', '--virtual', join(dir, 'p1'), '--mrz', MRZ, '--trust', out.trust, '--json']);
  t.equal(read.status, 0, read.stderr);
  const report = JSON.parse(read.stdout) as { verdict: string; access: { protocol: string } };
  t.equal(report.verdict, 'genuine');
  t.equal(report.access.protocol, 'PACE');
});

t.test('mrtd read --reader over a private pcscd and vpcd', async (t) => {
  const folder = join(dir, 'p2');
  const made = run(['mrtd', 'make-passport', folder, '--mrz', MRZ, '--pki', join(dir, 'pki'), '--pace', '--pace-mapping', 'cam', '--aa', 'ecdsa']);
  t.equal(made.status, 0, made.stderr);
  const trust = (JSON.parse(made.stdout) as { trust: string }).trust;
  const pcscd = new Pcscd({ paths: platformPaths(process.env), mode: 'private' });
  const life = new AbortController();
  await pcscd.start(life.signal);
  const passport = await loadPassportFolder(folder);
  const card = new VpcdCard({ chip: virtualChipOf(passport, new MrtdNative()), host: '127.0.0.1', port: pcscd.vpcdPort });
  t.teardown(async () => {
    life.abort();
    await card.stop();
    await pcscd.stop();
  });
  await card.start(life.signal);
  await card.insert({ timeoutMs: 10000 });
  const env = { ...process.env, PCSCLITE_CSOCK_NAME: pcscd.socketPath };
  const r = await runAsync(['mrtd', 'read', '--reader', pcscd.readerName(0), '--mrz', MRZ, '--trust', trust, '--json'], env);
  t.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { verdict: string; access: { variant: string }; chip: { method: string } };
  t.equal(report.verdict, 'genuine');
  t.equal(report.access.variant, 'ECDH-CAM-AES-128');
  t.equal(report.chip.method, 'PACE-CAM');
});
