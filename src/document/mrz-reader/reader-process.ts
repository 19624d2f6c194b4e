// The MRZ reader off the daemon's JavaScript thread (ARCHITECTURE.md: blocking native work
// runs elsewhere): a read takes some 70 ms of OpenCV and template matching. It runs in a child
// process, not a worker thread, because @u4/opencv4nodejs keeps V8 handles in static storage
// and aborts the process when a second thread loads it. A child also keeps a native crash in
// OpenCV away from the daemon. One read at a time (a second call waits for the first); every
// read is bounded by a timeout and an AbortSignal, and a read that times out or is aborted
// kills the child — the next read starts a fresh one.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AbortedError, InvalidArgumentError, NativeError, TimeoutError } from '../../errors.js';
import { checkImage, type Image } from '../image.js';
import type { MrzReaderOptions, MrzReadResult } from './read.js';

export interface ReadOptions {
  readonly signal?: AbortSignal;
  /** Default 5000 ms (a first read also starts the process, loads OpenCV and renders templates). */
  readonly timeoutMs?: number;
}

interface Reply {
  readonly id: number;
  readonly result?: MrzReadResult;
  readonly error?: string;
}

export class MrzReaderProcess {
  readonly #options: Pick<MrzReaderOptions, 'dpi' | 'upsideDown'>;
  #child: ChildProcess | undefined;
  #next = 1;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: Pick<MrzReaderOptions, 'dpi' | 'upsideDown'> = {}) {
    this.#options = options;
  }

  #start(): ChildProcess {
    if (this.#child) return this.#child;
    // Compiled, the entry is the sibling .js; from source (tests, tsx) the .ts through tsx.
    const fromSource = import.meta.url.endsWith('.ts');
    const entry = fileURLToPath(new URL(fromSource ? './reader-process-main.ts' : './reader-process-main.js', import.meta.url));
    const child = fork(entry, [], {
      serialization: 'advanced',
      execArgv: fromSource ? ['--import=tsx'] : [],
      env: { ...process.env, KIOSK_MRZ_READER_OPTIONS: JSON.stringify(this.#options) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.on('exit', () => {
      if (this.#child === child) this.#child = undefined;
    });
    this.#child = child;
    return child;
  }

  /** Reads one capture in the child. Rejects with TimeoutError, AbortedError or NativeError. */
  read(image: Image, o: ReadOptions = {}): Promise<MrzReadResult> {
    checkImage(image);
    const timeoutMs = o.timeoutMs ?? 5000;
    if (!(timeoutMs > 0)) throw new InvalidArgumentError('timeoutMs', 'a positive number', timeoutMs);
    const run = this.#queue.then(() => this.#readNow(image, timeoutMs, o.signal));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #readNow(image: Image, timeoutMs: number, signal: AbortSignal | undefined): Promise<MrzReadResult> {
    if (signal?.aborted) return Promise.reject(new AbortedError('mrz-reader.read', { cause: signal.reason }));
    const child = this.#start();
    const id = this.#next++;
    return new Promise<MrzReadResult>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const kill = (): void => {
        if (this.#child === child) this.#child = undefined;
        child.kill('SIGKILL');
      };
      const onMessage = (m: Reply): void => {
        if (m.id !== id) return;
        done();
        if (m.result) resolve(m.result);
        else reject(new NativeError('mrz-reader', 'ERR_READ', m.error ?? 'no result'));
      };
      const onExit = (code: number | null, sig: NodeJS.Signals | null): void => {
        done();
        reject(new NativeError('mrz-reader', 'ERR_PROCESS_EXIT', `the reader process ended (${sig ?? `exit ${String(code)}`}) during a read`));
      };
      const onAbort = (): void => {
        done();
        kill();
        reject(new AbortedError('mrz-reader.read', { cause: signal?.reason }));
      };
      const timer = setTimeout(() => {
        done();
        kill();
        reject(new TimeoutError(timeoutMs, `mrz-reader.read ${image.width}x${image.height}`));
      }, timeoutMs);
      child.on('message', onMessage);
      child.on('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      child.send({ id, image });
    });
  }

  /** Stops the child process (a later read starts a new one). */
  close(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => {
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
