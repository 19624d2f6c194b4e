// The pcscd manager itself: the lock that serialises users of the shared (system) pcscd, its
// stale-lock takeover, reuse of a pcscd that already answers (left running on stop), and a
// private instance that leaves no process, file or mount behind.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TimeoutError } from '../../src/errors.js';
import { acquireLock, Pcscd, socketAnswers, tcpListening } from '../../src/platform/pcscd.js';
import { platformPaths } from '../../src/platform/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-pcscd-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('the lock: exclusive, waits for its holder, takes over a dead holder\'s lock', async (t) => {
  const path = join(dir, 'a.lock');
  t.equal(await acquireLock(path, 1000), path);
  t.equal(readFileSync(path, 'utf8').trim(), String(process.pid));
  const e = await acquireLock(path, 300).catch((x: unknown) => x);
  t.type(e, TimeoutError, 'held by a live process (us)');
  setTimeout(() => rmSync(path), 250);
  t.equal(await acquireLock(path, 5000), path, 'free again after release');
  rmSync(path);
  // A pid that cannot be running: a crashed holder's lock.
  const dead = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => dead.once('exit', r));
  writeFileSync(path, `${dead.pid}\n`);
  t.equal(await acquireLock(path, 1000), path, 'stale lock taken over');
  t.equal(readFileSync(path, 'utf8').trim(), String(process.pid));
  rmSync(path);
  const ac = new AbortController();
  writeFileSync(path, `${process.pid}\n`);
  const p = acquireLock(path, 5000, ac.signal);
  ac.abort();
  await t.rejects(p, { name: 'AbortedError' });
  t.notOk(existsSync(`${path}.${process.pid}.tmp`), 'no temporary file left');
});

t.test('a private pcscd: ready when it answers and vpcd listens; nothing left after stop', async (t) => {
  const paths = platformPaths({ ...process.env, KIOSK_RUN_DIR: join(dir, 'run') });
  const p = new Pcscd({ paths, mode: 'private' });
  t.teardown(() => p.stop());
  await p.start();
  t.ok(p.owned);
  const pid = p.pid!;
  const socket = p.socketPath;
  t.ok(await socketAnswers(socket), 'its socket answers');
  t.ok(tcpListening(p.vpcdPort) && tcpListening(p.vpcdPort + 1), 'vpcd listens on both slots');
  t.not(p.socketPath, paths.pcscdSocket, 'not the host socket');
  await p.stop();
  t.notOk(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'), 'the process is gone');
  t.notOk(await socketAnswers(socket), 'its socket is gone');
  t.notOk(tcpListening(p.vpcdPort), 'the port is free again');
  t.notOk(existsSync(dirname(dirname(socket))), 'its directory is removed');
});

// Without a host pcscd, system mode would start its own on the host socket, racing whatever
// else uses it; the private test above covers the start/stop path, so this one then skips.
const systemPaths = platformPaths({ ...process.env, KIOSK_RUN_DIR: join(dir, 'run') });
const hostPcscd = await socketAnswers(systemPaths.pcscdSocket);

t.test('system mode: a pcscd already answering is reused and left running', { skip: hostPcscd ? false : 'no host pcscd running' }, async (t) => {
  const paths = systemPaths;
  const p = new Pcscd({ paths, mode: 'system', expectVpcd: false });
  await p.start();
  t.notOk(p.owned, 'reused');
  t.equal(p.socketPath, paths.pcscdSocket);
  t.ok(existsSync(join(paths.runDir, 'pcscd-system.lock')), 'the lock is held while in use');
  await t.rejects(p.restart(), { name: 'PcscdError' }, 'a reused pcscd is not ours to restart');
  await p.stop();
  t.notOk(existsSync(join(paths.runDir, 'pcscd-system.lock')), 'and released');
  t.ok(await socketAnswers(paths.pcscdSocket), 'the host pcscd still runs');
});
