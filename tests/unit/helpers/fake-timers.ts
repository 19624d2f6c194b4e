// Timers a test drives itself (the Timers seam of src/devices/card-reader/serial-queue.ts):
// advance() runs the timers that fall due, in time order, and lets the promise chains they
// start settle before the next one, so that a device loop paced by timers runs as it would.
import type { Timers } from '../../../src/devices/card-reader/serial-queue.js';

export const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Several turns of the event loop: enough for a chain that waits on setImmediate itself (a fake
 * VideoCapture's read) to reach its next timer before time moves on.
 */
async function settleTurns(): Promise<void> {
  for (let i = 0; i < 5; i++) await flush();
}

export class FakeTimers implements Timers {
  /** Milliseconds since the test began. */
  now = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Moves time on by `ms`, running each timer due on the way (and what it sets off). */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      await settleTurns();
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.#timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = end;
    await settleTurns();
  }

  /** The clock the devices are given. */
  readonly date = (): Date => new Date(Date.UTC(2030, 0, 1) + this.now);

  get pending(): number {
    return this.#timers.size;
  }
}
