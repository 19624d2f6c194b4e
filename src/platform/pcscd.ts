// Starting and stopping pcscd for the integration tests, the demo and the benchmark.
//
// Two modes:
// - `system`: the host's pcscd at the compiled-in socket (/run/pcscd/pcscd.comm) with the
//   host's reader configuration (Debian's /etc/reader.conf.d/vpcd: "Virtual PCD" on port
//   35963). A pcscd that already answers is reused and left running; otherwise one is started
//   and stopped again. Users of this shared instance take a lock file first, so two test files
//   never drive the same vpcd slot at once.
// - `private`: a pcscd of our own in a private mount namespace (unshare(1), needs root), with
//   its own socket directory bind-mounted over /run/pcscd and its own reader configuration and
//   vpcd port. Nothing is shared, so test files run in parallel (tap --jobs) and a test may
//   restart "its" pcscd. Clients reach it through PCSCLITE_CSOCK_NAME (see ./paths.ts).
//
// pcsc-lite 1.9 takes its IPC directory from the build (USE_IPCDIR) and only its clients honour
// PCSCLITE_CSOCK_NAME, hence the mount namespace. pcscd runs with --foreground (we own the
// process; no daemonising) and --auto-exit, so that one orphaned by a killed test process ends
// itself after 60 s without clients.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { AbortedError, errorSummary, InvalidArgumentError, KioskError, TimeoutError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { PCSCD_SOCKET_NAME, type PlatformPaths } from './paths.js';

const NS = 'kiosk:platform:pcscd';

/** pcsc-lite's compiled-in IPC directory (Debian pcscd 1.9.9, USE_IPCDIR). */
export const PCSCD_COMPILED_IPC_DIR = '/run/pcscd';

/** Readiness polling interval: cheap (a socket connect and a /proc read) and short. */
const POLL_MS = 50;
/** pcscd exits within milliseconds of SIGTERM; after this it gets SIGKILL. */
const TERM_GRACE_MS = 5000;
/** Private instances live in <runDir>/pcscd-XXXXXX. */
const PRIVATE_PREFIX = 'pcscd-';
/** No test run holds a private pcscd this long without its pcscd running (auto-exit: 60 s). */
const STALE_DIR_MS = 10 * 60 * 1000;

export type PcscdMode = 'system' | 'private';

export interface PcscdOptions {
  readonly paths: PlatformPaths;
  readonly mode: PcscdMode;
  readonly logger?: Logger;
  /** How long pcscd may take to answer and vpcd to listen; 10 s by default. */
  readonly readyTimeoutMs?: number;
  /** Whether readiness includes vpcd listening on its port (true by default). */
  readonly expectVpcd?: boolean;
  /** Private mode: vpcd's port for slot 0 (slot 1 is the next); a free pair by default. */
  readonly vpcdPort?: number;
  /** System mode: how long to wait for another user's lock; 5 minutes by default. */
  readonly lockTimeoutMs?: number;
  /** Extra pcscd arguments, e.g. ["--debug", "--apdu"] when chasing a problem. */
  readonly extraArgs?: readonly string[];
}

export class PcscdError extends KioskError {
  readonly code = 'PCSCD';
}

export class Pcscd {
  readonly #o: PcscdOptions;
  readonly #logger: Logger;
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #dir: string | undefined;
  #lock: string | undefined;
  #port: number;
  #owned = false;
  #started = false;
  #killOnExit: (() => void) | undefined;

  constructor(options: PcscdOptions) {
    this.#o = options;
    this.#logger = options.logger ?? silentLogger;
    this.#port = options.mode === 'private' ? (options.vpcdPort ?? 0) : options.paths.vpcdPort;
  }

  /** Whether this object started pcscd (and so stops it). */
  get owned(): boolean {
    return this.#owned;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The client socket: give it to the PC/SC reader as `socketPath`. */
  get socketPath(): string {
    return this.#dir ? join(this.#dir, 'run', PCSCD_SOCKET_NAME) : this.#o.paths.pcscdSocket;
  }

  /** vpcd's TCP port for slot 0 (valid after start in private mode). */
  get vpcdPort(): number {
    return this.#port;
  }

  /** The PC/SC name pcscd gives vpcd's slot (reader 00, slot 0 or 1). */
  readerName(slot: 0 | 1 = 0): string {
    return `Virtual PCD 00 0${slot}`;
  }

  async start(signal?: AbortSignal): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    try {
      if (this.#o.mode === 'system') await this.#startSystem(signal);
      else await this.#startPrivate(signal);
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  /** Stops pcscd if this object started it, removes private files, releases the lock. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    await this.#kill('SIGTERM');
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
    if (this.#lock) {
      try {
        unlinkSync(this.#lock);
      } catch {
        // Already gone: nothing to release.
      }
    }
    this.#lock = undefined;
    this.#owned = false;
    this.#started = false;
  }

  /**
   * Stops the pcscd this object owns and starts it again with the same socket and ports (for
   * recovery tests). `signal` chooses a clean stop or a crash; `downMs` how long it stays down.
   */
  async restart(options: { kill?: 'SIGTERM' | 'SIGKILL'; downMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    if (!this.#owned) throw new PcscdError('restart: this pcscd was not started here (reused)');
    await this.#kill(options.kill ?? 'SIGTERM');
    if (options.downMs) await delay(options.downMs);
    if (this.#o.mode === 'private') this.#spawnPrivate();
    else this.#spawnSystem();
    await this.#waitReady(options.signal);
  }

  async #startSystem(signal: AbortSignal | undefined): Promise<void> {
    this.#lock = await acquireLock(join(this.#o.paths.runDir, 'pcscd-system.lock'), this.#o.lockTimeoutMs ?? 300_000, signal);
    if (await socketAnswers(this.#o.paths.pcscdSocket)) {
      this.#logger.info(NS, 'reusing the running pcscd', { socket: this.#o.paths.pcscdSocket });
      await this.#waitReady(signal);
      return;
    }
    this.#spawnSystem();
    await this.#waitReady(signal);
  }

  #spawnSystem(): void {
    this.#spawn(this.#o.paths.pcscdBinary, ['--foreground', '--auto-exit', ...(this.#o.extraArgs ?? [])]);
  }

  async #startPrivate(signal: AbortSignal | undefined): Promise<void> {
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      throw new PcscdError('private pcscd: needs root for its mount namespace (use mode "system")');
    }
    mkdirSync(this.#o.paths.runDir, { recursive: true });
    this.#sweepStale();
    const dir = mkdtempSync(join(this.#o.paths.runDir, PRIVATE_PREFIX));
    this.#dir = dir;
    mkdirSync(join(dir, 'run'));
    mkdirSync(join(dir, 'reader.conf.d'));
    if (this.#port === 0) this.#port = await freePortPair();
    const hex = `0x${this.#port.toString(16).toUpperCase()}`;
    // The vpcd entry of Debian's /etc/reader.conf.d/vpcd with our own port: DEVICENAME
    // "/dev/null:<port>" makes vpcd listen on that port (slot 1 on the next).
    writeFileSync(
      join(dir, 'reader.conf.d', 'vpcd'),
      `FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:${hex}\nLIBPATH      ${this.#o.paths.vpcdDriver}\nCHANNELID    ${hex}\n`,
    );
    this.#spawnPrivate();
    await this.#waitReady(signal);
  }

  /**
   * Removes private directories left by test runs that were killed before their teardown:
   * older than STALE_DIR_MS and without a running pcscd (its pid file gone or dead). Younger
   * ones may belong to an instance another process is setting up right now.
   */
  #sweepStale(): void {
    const root = this.#o.paths.runDir;
    for (const name of readdirSync(root)) {
      if (!name.startsWith(PRIVATE_PREFIX)) continue;
      const dir = join(root, name);
      try {
        if (Date.now() - statSync(dir).mtimeMs < STALE_DIR_MS) continue;
        const pidFile = join(dir, 'run', 'pcscd.pid');
        if (existsSync(pidFile) && pidAlive(Number.parseInt(readFileSync(pidFile, 'utf8'), 10))) continue;
        rmSync(dir, { recursive: true, force: true });
        this.#logger.debug(NS, 'removed a stale private pcscd directory', { dir });
      } catch (e) {
        this.#logger.debug(NS, 'could not check a private pcscd directory', { dir, error: errorSummary(e) });
      }
    }
  }

  #spawnPrivate(): void {
    const dir = this.#dir!;
    // unshare gives sh a private mount namespace (propagation private: nothing leaks to the
    // host); sh bind-mounts our directory over pcsc-lite's IPC directory and becomes pcscd.
    const script = 'set -e; mkdir -p "$1"; mount --bind "$2" "$1"; bin=$3; conf=$4; shift 4; exec "$bin" --foreground --auto-exit --config "$conf" "$@"';
    this.#spawn('unshare', [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      script,
      'pcscd-private',
      PCSCD_COMPILED_IPC_DIR,
      join(dir, 'run'),
      this.#o.paths.pcscdBinary,
      join(dir, 'reader.conf.d'),
      ...(this.#o.extraArgs ?? []),
    ]);
  }

  #spawn(cmd: string, args: readonly string[]): void {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#owned = true;
    const log = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.#logger.debug(NS, line.trim(), { pid: child.pid });
    };
    child.stdout.on('data', log);
    child.stderr.on('data', log);
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, sig) => {
        if (this.#child === child) this.#child = undefined;
        this.#logger.debug(NS, 'pcscd exited', { pid: child.pid, code, signal: sig });
        resolve();
      });
      child.once('error', (e) => {
        if (this.#child === child) this.#child = undefined;
        this.#logger.error(NS, 'pcscd could not be started', { error: errorSummary(e) });
        resolve();
      });
    });
    // Safety net for an abrupt exit of this process: pcscd must not outlive a test run.
    this.#killOnExit ??= () => this.#child?.kill('SIGKILL');
    process.once('exit', this.#killOnExit);
    this.#logger.info(NS, 'pcscd started', { pid: child.pid, mode: this.#o.mode, vpcdPort: this.#port });
  }

  async #kill(sig: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    if (this.#killOnExit) process.removeListener('exit', this.#killOnExit);
    const child = this.#child;
    const exited = this.#exited;
    if (!child || !exited) return;
    child.kill(sig);
    const timer = delay(TERM_GRACE_MS).then(() => 'late' as const);
    if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'late') {
      this.#logger.warn(NS, 'pcscd ignored SIGTERM; killing it', { pid: child.pid });
      child.kill('SIGKILL');
      await exited;
    }
  }

  async #waitReady(signal: AbortSignal | undefined): Promise<void> {
    const timeoutMs = this.#o.readyTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    const expectVpcd = this.#o.expectVpcd ?? true;
    for (;;) {
      if (signal?.aborted) throw new AbortedError('pcscd start', { cause: signal.reason });
      if (this.#owned && !this.#child) throw new PcscdError(`pcscd exited during start (mode ${this.#o.mode})`);
      const answers = await socketAnswers(this.socketPath);
      if (answers && (!expectVpcd || tcpListening(this.#port))) return;
      if (Date.now() > deadline) {
        throw new TimeoutError(timeoutMs, `pcscd start mode=${this.#o.mode} socket=${answers ? 'up' : 'down'} vpcdPort=${this.#port}`);
      }
      await delay(POLL_MS);
    }
  }
}

/** True when something accepts connections on the UNIX socket at `path`. */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      resolve(false);
    });
  });
}

/**
 * True when a TCP socket listens on `port` (Linux /proc/net/tcp and tcp6: local address
 * "ADDR:PORT" in hex, state 0A = LISTEN). Looking, not connecting: a connection to vpcd's
 * port would be a card insertion.
 */
export function tcpListening(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && f[1]?.endsWith(`:${hexPort}`)) return true;
    }
  }
  return false;
}

/** A port p such that p and p + 1 are both free now, derived from the pid so parallel runs differ. */
async function freePortPair(): Promise<number> {
  const span = 20_000;
  let p = 30_000 + ((process.pid * 2) % span);
  for (let i = 0; i < 200; i++, p = 30_000 + ((p - 30_000 + 2) % span)) {
    if ((await portFree(p)) && (await portFree(p + 1))) return p;
  }
  throw new PcscdError('no free TCP port pair for vpcd');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => {
      resolve(false);
    });
    srv.listen({ port, host: '0.0.0.0', exclusive: true }, () => {
      srv.close(() => {
        resolve(true);
      });
    });
  });
}

/**
 * Takes the lock file at `path`, holding our pid. The file is written under a temporary name
 * and hard-linked into place, which either succeeds whole or fails with EEXIST, so a reader
 * never sees a half-written lock. A lock whose pid no longer runs is stale and taken over (two
 * processes finding the same stale lock at the same instant could both take it; stale locks
 * only follow a crash, so that is accepted). Returns the path to unlink on release.
 */
export async function acquireLock(path: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new InvalidArgumentError('lockTimeoutMs', 'a finite number > 0', timeoutMs);
  mkdirSync(join(path, '..'), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${process.pid}\n`);
  try {
    for (;;) {
      if (signal?.aborted) throw new AbortedError(`lock ${path}`, { cause: signal.reason });
      try {
        linkSync(tmp, path);
        return path;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      if (!lockHolderAlive(path)) {
        try {
          unlinkSync(path);
        } catch {
          // Someone else removed it first; try again.
        }
        continue;
      }
      if (Date.now() > deadline) throw new TimeoutError(timeoutMs, `lock=${path}`);
      await delay(200);
    }
  } finally {
    unlinkSync(tmp);
  }
}

function lockHolderAlive(path: string): boolean {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
  } catch {
    return true; // Vanished or unreadable: treat as held and look again after the pause.
  }
  return pidAlive(pid);
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
