// Blocking engine work off the daemon's JavaScript thread (ARCHITECTURE.md): the MRZ reader,
// and the face pipeline, each in a child process of its own. A child process, not a worker
// thread, because @u4/opencv4nodejs keeps V8 handles in static storage and aborts the process
// when a second thread loads it; a child also keeps a native crash away from the daemon.
//
// One request at a time per engine (a second call waits for the first); every request is
// bounded by a timeout and an AbortSignal, and a request that times out or is aborted kills
// the child: the next request starts a fresh one, so a wedged engine never blocks a visit.
// Which modules may run as engines is a fixed table (./engines.ts): the child loads nothing
// else, whatever its environment says.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AbortedError, InvalidArgumentError, NativeError, TimeoutError } from '../errors.js';
import type { EngineName } from './engines.js';

export interface EngineCallOptions {
  readonly signal?: AbortSignal | undefined;
  /** Default 5000 ms (a first call also starts the process and loads the engine). */
  readonly timeoutMs?: number | undefined;
  /** Names the request in a timeout message (no personal data: sizes, kinds). */
  readonly describe?: string | undefined;
}

/** What the child sends back for request `id`. */
export interface EngineReply<R> {
  readonly id: number;
  readonly result?: R;
  readonly error?: string;
}

export const ENGINE_ENV = { name: 'KIOSK_ENGINE', options: 'KIOSK_ENGINE_OPTIONS' } as const;

export class EngineProcess<Q, R> {
  readonly #name: EngineName;
  readonly #options: unknown;
  #child: ChildProcess | undefined;
  #next = 1;
  #queue: Promise<unknown> = Promise.resolve();

  /** `options` travel to the engine's factory as JSON. */
  constructor(name: EngineName, options: unknown = {}) {
    this.#name = name;
    this.#options = options;
  }

  #start(): ChildProcess {
    if (this.#child) return this.#child;
    // Compiled, the entry is the sibling .js; from source (tests, tsx) the .ts through tsx.
    const fromSource = import.meta.url.endsWith('.ts');
    const entry = fileURLToPath(new URL(fromSource ? './engine-child.ts' : './engine-child.js', import.meta.url));
    const child = fork(entry, [], {
      serialization: 'advanced',
      execArgv: fromSource ? ['--import=tsx'] : [],
      env: { ...process.env, [ENGINE_ENV.name]: this.#name, [ENGINE_ENV.options]: JSON.stringify(this.#options) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.on('exit', () => {
      if (this.#child === child) this.#child = undefined;
    });
    this.#child = child;
    return child;
  }

  /** Runs one request in the child. Rejects with TimeoutError, AbortedError or NativeError. */
  call(request: Q, o: EngineCallOptions = {}): Promise<R> {
    const timeoutMs = o.timeoutMs ?? 5000;
    if (!(timeoutMs > 0)) throw new InvalidArgumentError('timeoutMs', 'a positive number', timeoutMs);
    const run = this.#queue.then(() => this.#callNow(request, timeoutMs, o));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #callNow(request: Q, timeoutMs: number, o: EngineCallOptions): Promise<R> {
    const { signal } = o;
    const step = `${this.#name}.call`;
    if (signal?.aborted) return Promise.reject(new AbortedError(step, { cause: signal.reason }));
    const child = this.#start();
    const id = this.#next++;
    return new Promise<R>((resolve, reject) => {
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
      const onMessage = (m: EngineReply<R>): void => {
        if (m.id !== id) return;
        done();
        if (m.result !== undefined) resolve(m.result);
        else reject(new NativeError(this.#name, 'ERR_ENGINE', m.error ?? 'no result'));
      };
      const onExit = (code: number | null, sig: NodeJS.Signals | null): void => {
        done();
        reject(new NativeError(this.#name, 'ERR_PROCESS_EXIT', `the engine process ended (${sig ?? `exit ${String(code)}`}) during a request`));
      };
      const onAbort = (): void => {
        done();
        kill();
        reject(new AbortedError(step, { cause: signal?.reason }));
      };
      const timer = setTimeout(() => {
        done();
        kill();
        reject(new TimeoutError(timeoutMs, o.describe ? `${step} ${o.describe}` : step));
      }, timeoutMs);
      child.on('message', onMessage);
      child.on('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      child.send({ id, request });
    });
  }

  /** Stops the child process (a later call starts a new one). */
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
