// The V4L2 core both camera classes are built on (the document camera, ../document-camera/
// v4l2.ts, and the face camera, ../camera/v4l2.ts): one UVC device through OpenCV's
// VideoCapture (@u4/opencv4nodejs over Debian's libopencv-dev), from looking for it to losing
// it. The classes own what they do with frames (captures, presence, a frame hub) and their
// events; this owns the handle.
//
// Opening configures the pixel format, frame size, frame rate and a one-frame driver buffer,
// reads back what the driver granted, then throws away WARM_UP_FRAMES while auto-exposure and
// white balance settle. Every frame read is `readAsync()`, which runs on libuv's thread pool
// (STYLE.md P4), and goes through the handle's serial queue (one read at a time, STYLE.md P8).
// A class that wants the glass or the applicant as they are now first drains the frames the
// driver buffered (`buffered` of them) before the frame it keeps.
//
// Unplug: an empty frame or a failed read means the device is gone (OpenCV's V4L2 backend
// returns no frame once VIDIOC_DQBUF fails with ENODEV, or after its select() timeout). The core
// detaches, fails what is queued with DeviceGoneError, releases the handle once no read is in
// flight (releasing under a running read would free memory the worker thread is writing), and
// tries to open the device again every `retryDelayMs`, first checking that the device node
// exists so that a missing camera costs a stat() rather than a blocking open and OpenCV's
// warning on standard error.
//
// Opening itself (`new VideoCapture`) is synchronous in opencv4nodejs and blocks the event loop
// for the driver's open and format negotiation (tens to a few hundred milliseconds on UVC
// cameras); it happens at start and on re-plug only.
import { existsSync } from 'node:fs';
import { AbortedError, DeviceGoneError, errorSummary, InvalidArgumentError, isDeviceGoneError } from '../../errors.js';
import { fromMat, type Image } from '../../document/image.js';
import { silentLogger, type Logger } from '../../log.js';
import { opencv, type Cv, type Mat } from '../../native/opencv.js';
import { asError } from '../card-reader/common.js';
import { SerialQueue, type Timers } from '../card-reader/serial-queue.js';
import { closeAndWait, describeStep, Lifecycle, REAL_TIMERS } from './common.js';
import type { VideoDeviceState } from './contract.js';

/** What the camera classes need of OpenCV's VideoCapture; tests inject a fake (STYLE.md P2). */
export interface VideoCaptureLike {
  readAsync(): Promise<Mat>;
  set(property: number, value: number): boolean;
  get(property: number): number;
  release(): void;
}

/** Opens a device (path or index) with a backend preference (OpenCV's CAP_V4L2). */
export type VideoCaptureFactory = (device: string | number, apiPreference: number) => VideoCaptureLike;

/** The options both V4L2 camera classes take. */
export interface V4l2VideoOptions {
  /** A device path (`/dev/video0`, a `/dev/v4l/by-id/…` link) or an index (platformPaths()). */
  readonly device: string | number;
  /** Defaults to `V4L2 <device>`. */
  readonly name?: string;
  /** Requested frame size; the driver picks the nearest it has (read back and logged). */
  readonly width?: number;
  readonly height?: number;
  /**
   * Pixel format, four characters (`MJPG`, `YUYV`). Over USB 2 many UVC cameras give their
   * larger sizes only as MJPG (uncompressed YUYV needs ~55 MB/s at 1280 × 720 and 30 frames/s,
   * ~80 MB/s at 8 MP and 5 frames/s); the driver's default is kept when unset.
   */
  readonly fourcc?: string;
  readonly fps?: number;
  /** Further V4L2 controls as OpenCV properties (CAP_PROP_FOCUS, CAP_PROP_AUTO_EXPOSURE, ...). */
  readonly controls?: readonly { readonly property: number; readonly value: number }[];
  readonly warmUpFrames?: number;
  /** `new cv.VideoCapture(device, api)` by default. */
  readonly factory?: VideoCaptureFactory;
  /** Whether the device node exists; existsSync for paths, `/dev/videoN` for an index. */
  readonly exists?: (device: string | number) => boolean;
  /** The OpenCV module (constants); opencv() at start by default. */
  readonly cv?: Cv;
  readonly retryDelayMs?: number;
  readonly timers?: Timers;
  readonly now?: () => Date;
  readonly logger?: Logger;
}

/** How one camera class words and bounds the core's work. */
export interface V4l2VideoSettings {
  /** The logger namespace of the class. */
  readonly logNamespace: string;
  /** What the class calls one frame read (`grab`, `read`), in steps and fault messages. */
  readonly readVerb: string;
  /** Time limit of one frame read; each warm-up frame gets this much. */
  readonly frameTimeoutMs: number;
  /** Time limit for the read in flight when the handle is closed. */
  readonly stopTimeoutMs: number;
  /** Further options that must be numbers > 0 when given, checked at start. */
  readonly positiveOptions?: readonly (readonly [string, number | undefined])[];
}

/** An open, configured, warmed-up device: its handle and the queue its reads go through. */
export interface VideoHandle {
  readonly cap: VideoCaptureLike;
  readonly queue: SerialQueue;
}

/** What the owning class does at each turn of the device's life. */
export interface V4l2VideoHooks {
  /** After configuring: read back what the driver granted (`get` gives NaN when unreadable). */
  configured(get: (property: number) => number, cv: Cv): void;
  /** Fields of the `camera attached` log entry besides the device and its buffered frames. */
  attachedLogFields?(): Record<string, unknown>;
  /** The device is attached (configured and warmed up). */
  attached(handle: VideoHandle): void;
  /** The device is being detached (stop or loss): end what uses it; `error` is why. */
  detaching(error: () => Error): void;
  /** An attached device was lost (after detaching). */
  lost(): void;
  /** A fault the core recovers from by itself. */
  fault(error: Error): void;
}

/**
 * Frames thrown away after opening. UVC cameras start with auto-exposure and white balance at
 * their defaults and converge within a few frames; 5 frames (under a second at 5–30 frames/s)
 * covers the common webcam and document-camera sensors.
 */
export const WARM_UP_FRAMES = 5;
/**
 * Frames drained before a fresh frame when the driver's buffer count cannot be read. OpenCV's
 * V4L2 backend queues 4 buffers by default (DEFAULT_V4L_BUFFERS in
 * modules/videoio/src/cap_v4l.cpp); a full queue holds frames from before the call.
 */
export const DEFAULT_BUFFERED_FRAMES = 4;
/** Re-open attempts after unplug: udev creates the node within about a second of plug-in. */
export const CAMERA_RETRY_MS = 1000;

export class V4l2Video {
  readonly name: string;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly #o: V4l2VideoOptions;
  readonly #s: V4l2VideoSettings;
  readonly #h: V4l2VideoHooks;
  readonly #life = new Lifecycle();
  #cv: Cv | undefined;
  #cap: VideoCaptureLike | undefined;
  #queue: SerialQueue | undefined;
  #attached = false;
  #buffered = DEFAULT_BUFFERED_FRAMES;
  #retry: unknown;
  #lastFault = '';

  constructor(options: V4l2VideoOptions, settings: V4l2VideoSettings, hooks: V4l2VideoHooks) {
    this.#o = options;
    this.#s = settings;
    this.#h = hooks;
    this.name = options.name ?? `V4L2 ${String(options.device)}`;
    this.timers = options.timers ?? REAL_TIMERS;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
  }

  get started(): boolean {
    return this.#life.started;
  }

  get attached(): boolean {
    return this.#attached;
  }

  /** The open handle and its queue while attached. */
  get handle(): VideoHandle | undefined {
    const cap = this.#cap;
    const queue = this.#queue;
    return this.#attached && cap && queue ? { cap, queue } : undefined;
  }

  /** Frames the driver holds that were taken before a read (what it granted, or the default). */
  get buffered(): number {
    return this.#buffered;
  }

  /** `stopped`, `attached`, or the class's word for an absent device. */
  state<A extends string>(absent: A): VideoDeviceState<A> {
    return this.#life.state(this.#attached, absent);
  }

  /** Whether `cap` is still the device's handle (not lost, stopped or replaced). */
  owns(cap: VideoCaptureLike): boolean {
    return this.#cap === cap;
  }

  /** The error for work asked of an absent device. */
  absent(): DeviceGoneError {
    return this.#life.absent(this.name);
  }

  start(signal: AbortSignal): Promise<void> {
    if (this.#life.started) return Promise.resolve();
    try {
      checkVideoOptions(this.#o, this.#s.positiveOptions ?? []);
      this.#cv = this.#o.cv ?? opencv();
    } catch (e) {
      return Promise.reject(asError(e));
    }
    if (this.#life.begin(signal, () => this.stop())) this.#scheduleRetry(0);
    return Promise.resolve();
  }

  /** Stops: detaches, and releases the handle after the read in flight. Never throws. */
  stop(): Promise<void> {
    return this.#life.end(() => {
      this.#clearRetry();
      return this.#close(() => new DeviceGoneError(this.name, 'camera stopped'), false);
    });
  }

  /** One frame; a failed or empty read means the camera is gone (and is handled as such). */
  async grab(cap: VideoCaptureLike, signal: AbortSignal): Promise<Mat> {
    // The caller gave up (timeout, abort): read no further frames for it.
    if (signal.aborted) throw new AbortedError(describeStep(this.name, this.#s.readVerb));
    let frame: Mat;
    try {
      frame = await cap.readAsync();
    } catch (e) {
      // opencv4nodejs rejects with strings, not Errors.
      throw this.#lost(cap, new DeviceGoneError(this.name, `frame ${this.#s.readVerb} failed`, { cause: asError(e) }));
    }
    if (frame.empty) throw this.#lost(cap, new DeviceGoneError(this.name, 'no frame from the device'));
    return frame;
  }

  /** Reads and throws away `count` frames; `onFrame(n)` (1-based) names each step first. */
  async skip(cap: VideoCaptureLike, signal: AbortSignal, count: number, onFrame: (n: number) => void): Promise<void> {
    for (let i = 0; i < count; i++) {
      onFrame(i + 1);
      (await this.grab(cap, signal)).release();
    }
  }

  /** Opens and configures the device; on success the device is attached. */
  async #connect(): Promise<void> {
    if (!this.#life.started || this.#attached) return;
    const cv = this.#cv;
    if (!cv) return;
    const device = this.#o.device;
    const exists = this.#o.exists ?? defaultExists;
    if (!exists(device)) {
      this.#faultOnce(new DeviceGoneError(this.name, 'device node not present'));
      this.#scheduleRetry(this.#o.retryDelayMs ?? CAMERA_RETRY_MS);
      return;
    }
    let cap: VideoCaptureLike;
    try {
      const factory = this.#o.factory ?? ((d, api) => new cv.VideoCapture(d, api));
      cap = factory(device, cv.CAP_V4L2);
    } catch (e) {
      this.#faultOnce(new DeviceGoneError(this.name, 'cannot open the device', { cause: asError(e) }));
      this.#scheduleRetry(this.#o.retryDelayMs ?? CAMERA_RETRY_MS);
      return;
    }
    this.#configure(cv, cap);
    const queue = new SerialQueue(this.timers);
    this.#cap = cap;
    this.#queue = queue;
    const warmUp = this.#o.warmUpFrames ?? WARM_UP_FRAMES;
    let step = 'warmUp';
    try {
      await queue.run(
        (signal) =>
          this.skip(cap, signal, warmUp, (n) => {
            step = `warmUp${n}`;
          }),
        // Warm-up frames come at the camera's rate; allow one read's time limit for each.
        { timeoutMs: this.#s.frameTimeoutMs * Math.max(1, warmUp), describe: () => describeStep(this.name, step) },
      );
    } catch (e) {
      // A camera that opens but delivers nothing is handled as unplugged (#lost has run when a
      // read failed; a timeout has not, so make sure).
      this.#lost(cap, isDeviceGoneError(e) ? e : new DeviceGoneError(this.name, 'no frames after opening', { cause: asError(e) }));
      return;
    }
    // Stopped, or lost and re-opened, while warming up: this handle is no longer the device's.
    if (!this.#isCurrent(cap)) return;
    this.#attached = true;
    this.#lastFault = '';
    this.logger.info(this.#s.logNamespace, 'camera attached', { device: this.name, ...this.#h.attachedLogFields?.(), bufferedFrames: this.#buffered });
    this.#h.attached({ cap, queue });
  }

  #isCurrent(cap: VideoCaptureLike): boolean {
    return this.#life.started && this.#cap === cap;
  }

  #configure(cv: Cv, cap: VideoCaptureLike): void {
    const o = this.#o;
    const set = (property: number, value: number, what: string): void => {
      let ok = false;
      try {
        ok = cap.set(property, value);
      } catch {
        ok = false;
      }
      if (!ok) this.logger.warn(this.#s.logNamespace, 'camera refused a setting', { device: this.name, setting: what, value });
    };
    // The pixel format first: V4L2 negotiates the frame sizes and rates per format.
    if (o.fourcc !== undefined) set(cv.CAP_PROP_FOURCC, cv.VideoWriter.fourcc(o.fourcc), 'fourcc');
    if (o.width !== undefined) set(cv.CAP_PROP_FRAME_WIDTH, o.width, 'width');
    if (o.height !== undefined) set(cv.CAP_PROP_FRAME_HEIGHT, o.height, 'height');
    if (o.fps !== undefined) set(cv.CAP_PROP_FPS, o.fps, 'fps');
    for (const c of o.controls ?? []) set(c.property, c.value, `property ${c.property}`);
    // One driver buffer keeps frames recent and a drain short (OpenCV >= 3.4.2 passes it to
    // VIDIOC_REQBUFS); what the driver granted is read back, and drained before fresh frames.
    set(cv.CAP_PROP_BUFFERSIZE, 1, 'buffer size');
    const get = (property: number): number => safeGet(cap, property);
    const granted = get(cv.CAP_PROP_BUFFERSIZE);
    this.#buffered = Number.isInteger(granted) && granted >= 1 && granted <= 32 ? granted : DEFAULT_BUFFERED_FRAMES;
    this.#h.configured(get, cv);
  }

  /**
   * Handles a lost device (once per handle): detaches, fails what is queued, releases the
   * handle when no read is in flight, and schedules a re-open. Returns `error` for throwing.
   */
  #lost(cap: VideoCaptureLike, error: DeviceGoneError): DeviceGoneError {
    if (this.#cap !== cap) return error;
    const wasAttached = this.#attached;
    // Pending and queued work fails with this error (and its cause), not a generic one.
    void this.#close(() => error, true);
    if (wasAttached) {
      this.logger.warn(this.#s.logNamespace, 'camera lost', { device: this.name, error: errorSummary(error) });
      this.#h.lost();
    }
    this.#h.fault(error);
    if (this.#life.started) this.#scheduleRetry(this.#o.retryDelayMs ?? CAMERA_RETRY_MS);
    return error;
  }

  /** Detaches and releases the handle after the read in flight (bounded by stopTimeoutMs). */
  async #close(error: () => Error, lost: boolean): Promise<void> {
    const cap = this.#cap;
    const queue = this.#queue;
    this.#cap = undefined;
    this.#queue = undefined;
    this.#attached = false;
    this.#h.detaching(error);
    if (!cap || !queue) return;
    try {
      await closeAndWait(queue, error, this.name, lost ? 'release' : 'stop', this.#s.stopTimeoutMs);
    } catch (e) {
      // A read that never returns: the handle is left unreleased rather than freed under it.
      this.#h.fault(asError(e));
      return;
    }
    try {
      cap.release();
    } catch (e) {
      this.#h.fault(new DeviceGoneError(this.name, 'release failed', { cause: asError(e) }));
    }
  }

  #scheduleRetry(ms: number): void {
    this.#clearRetry();
    this.#retry = this.timers.setTimeout(() => {
      this.#retry = undefined;
      void this.#connect();
    }, ms);
  }

  #clearRetry(): void {
    if (this.#retry !== undefined) this.timers.clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  /** A fault that repeats on every retry (camera absent) is reported once until it changes. */
  #faultOnce(error: Error): void {
    if (error.message === this.#lastFault) return;
    this.#lastFault = error.message;
    this.#h.fault(error);
  }
}

/** Rejects options that cannot work, at start rather than on a timer later. */
function checkVideoOptions(o: V4l2VideoOptions, positive: readonly (readonly [string, number | undefined])[]): void {
  if (typeof o.device === 'number' ? !Number.isInteger(o.device) || o.device < 0 : o.device === '') {
    throw new InvalidArgumentError('device', 'a device path or an index ≥ 0', o.device);
  }
  if (o.fourcc !== undefined && !/^[ -~]{4}$/.test(o.fourcc)) throw new InvalidArgumentError('fourcc', 'four printable characters', o.fourcc);
  const numbers: readonly (readonly [string, number | undefined])[] = [['width', o.width], ['height', o.height], ['fps', o.fps], ...positive];
  for (const [k, v] of numbers) {
    if (v !== undefined && (!Number.isFinite(v) || v <= 0)) throw new InvalidArgumentError(k, 'a number > 0', v);
  }
  const warm = o.warmUpFrames;
  if (warm !== undefined && (!Number.isInteger(warm) || warm < 0 || warm > 100)) throw new InvalidArgumentError('warmUpFrames', 'an integer 0..100', warm);
}

/**
 * The frame's pixels as an Image (a copy), and the frame released: OpenCV is loaded with V8's
 * external-memory tracking off (src/native/opencv.ts), so an unreleased frame would hold its
 * megabytes until some later garbage collection.
 */
export function toImage(frame: Mat): Image {
  try {
    return fromMat(frame);
  } finally {
    frame.release();
  }
}

function safeGet(cap: VideoCaptureLike, property: number): number {
  try {
    return cap.get(property);
  } catch {
    return NaN;
  }
}

function defaultExists(device: string | number): boolean {
  return existsSync(typeof device === 'number' ? `/dev/video${device}` : device);
}
