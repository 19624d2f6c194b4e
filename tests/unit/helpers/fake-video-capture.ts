// A fake OpenCV VideoCapture for the V4L2 camera classes (the VideoCaptureLike seam of
// src/devices/video/v4l2.ts, STYLE.md P2), and the scaffolding both cameras' tests build on it:
// a device that can be unplugged (its node gone, its reads empty) and plugged back in, with
// every handle opened kept for inspection.
import { toMat, type Image } from '../../../src/document/image.js';
import { opencv, type Mat } from '../../../src/native/opencv.js';
import type { VideoCaptureFactory, VideoCaptureLike } from '../../../src/devices/video/v4l2.js';

const cv = opencv();

/** A tiny frame whose pixels all hold `n` (the read's sequence number, mod 256). */
export const numbered = (n: number): Image => ({ width: 8, height: 6, channels: 3, data: Buffer.alloc(8 * 6 * 3, n % 256) });

/** Throws any value: opencv4nodejs throws and rejects with plain strings, which the fake imitates. */
export function raise(value: unknown): never {
  throw value;
}

/**
 * A camera's VideoCapture. Each read takes `periodMs` (the camera's rate), or one turn of the
 * event loop when that is undefined, and can be held; settings are kept (or what `grant` says
 * the driver grants instead), and a release while a read is in flight is recorded.
 */
export class FakeCapture implements VideoCaptureLike {
  readonly props = new Map<number, number>();
  readonly setOrder: number[] = [];
  readonly refuse = new Set<number>();
  /** What the driver grants instead of what was asked, by property. */
  readonly grant = new Map<number, number>();
  /** What the next read shows; by default its own sequence number. */
  frame: (n: number) => Image = numbered;
  grabs = 0;
  inFlight = 0;
  maxInFlight = 0;
  released = false;
  releasedInFlight = false;
  gone = false;
  rejectWith: unknown;
  #hold: Promise<void> | undefined;
  #release: (() => void) | undefined;

  constructor(readonly periodMs?: number) {}

  hold(): void {
    this.#hold = new Promise((r) => (this.#release = r));
  }
  let(): void {
    this.#release?.();
    this.#hold = undefined;
  }
  async readAsync(): Promise<Mat> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => (this.periodMs === undefined ? setImmediate(r) : setTimeout(r, this.periodMs)));
      if (this.#hold) await this.#hold;
      if (this.rejectWith !== undefined) raise(this.rejectWith);
      if (this.gone) return new cv.Mat();
      this.grabs++;
      return toMat(this.frame(this.grabs));
    } finally {
      this.inFlight--;
    }
  }
  set(property: number, value: number): boolean {
    this.setOrder.push(property);
    if (this.refuse.has(property)) return false;
    this.props.set(property, this.grant.get(property) ?? value);
    return true;
  }
  get(property: number): number {
    return this.props.get(property) ?? 0;
  }
  release(): void {
    if (this.inFlight > 0) this.releasedInFlight = true;
    this.released = true;
  }
}

/** A device node that can be unplugged, and every capture opened on it. */
export interface FakeDevice {
  readonly opened: FakeCapture[];
  readonly present: { value: boolean };
  /** The seams a V4L2 camera takes (its `exists` and `factory` options). */
  readonly exists: () => boolean;
  readonly factory: VideoCaptureFactory;
  /** The capture opened last. */
  current(): FakeCapture;
}

/** A present device whose captures are made by `make` and then given to `prepare`. */
export function fakeDevice(make: () => FakeCapture, prepare: (c: FakeCapture) => void): FakeDevice {
  const opened: FakeCapture[] = [];
  const present = { value: true };
  return {
    opened,
    present,
    exists: () => present.value,
    factory: () => {
      const c = make();
      prepare(c);
      opened.push(c);
      return c;
    },
    current: () => {
      const c = opened.at(-1);
      if (!c) throw new Error('no capture opened');
      return c;
    },
  };
}

/** Waits until `cond` holds (checked every few ms), failing after two seconds. */
export async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((res) => setTimeout(res, 2));
  }
}
