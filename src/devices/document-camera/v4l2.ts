// A document camera over V4L2 through OpenCV's VideoCapture (@u4/opencv4nodejs over Debian's
// libopencv-dev): a UVC camera under the kiosk's glass, lit by the kiosk's white light. See
// ./discovery.ts for which readers this reaches (UVC ones; full-page passport readers are
// driven by their vendors' SDKs).
//
// Opening configures the pixel format, resolution, frame rate and a one-frame driver buffer,
// then throws away WARM_UP_FRAMES while auto-exposure and white balance settle. Every frame
// grab is `readAsync()`, which runs on libuv's thread pool (STYLE.md P4), and goes through a
// serial queue (one grab at a time, STYLE.md P8). A capture first drains the frames the driver
// buffered before the call, so that its image shows the glass as it is now.
//
// Presence: a plain camera has no document sensor. With a `presence` detector (the
// composition root passes one built on capture-quality.ts) the camera grabs a frame every
// `intervalMs` while idle and reports documentPlaced/documentRemoved once `confirmFrames`
// frames agree. Without one there are no presence events.
//
// Unplug: an empty frame or a failed grab means the device is gone (OpenCV's V4L2 backend
// returns no frame once VIDIOC_DQBUF fails with ENODEV, or after its select() timeout). The
// camera reports readerDetached, fails the capture in progress and queued ones with
// DeviceGoneError, releases the handle once no grab is in flight (releasing under a running
// grab would free memory the worker thread is writing), and tries to open the device again
// every `retryDelayMs`, first checking that the device node exists so that a missing camera
// costs a stat() rather than a blocking open and OpenCV's warning on standard error.
//
// Opening itself (`new VideoCapture`) is synchronous in opencv4nodejs and blocks the event
// loop for the driver's open and format negotiation (tens to a few hundred milliseconds on
// UVC cameras); it happens at start and on re-plug only.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { AbortedError, DeviceGoneError, errorSummary, InvalidArgumentError, isDeviceGoneError } from '../../errors.js';
import { fromMat, type Image } from '../../document/image.js';
import { silentLogger, type Logger } from '../../log.js';
import { opencv, type Cv, type Mat } from '../../native/opencv.js';
import { stopOnAbort } from '../../util/abort.js';
import { asError, boundedWait } from '../card-reader/common.js';
import { SerialQueue, type Timers } from '../card-reader/serial-queue.js';
import { captureIlluminations, describeStep, PresenceDebouncer, REAL_TIMERS, waitForDocument } from './common.js';
import {
  DEFAULT_TIMEOUTS,
  type CameraState,
  type CaptureOptions,
  type DocumentCamera,
  type DocumentCameraCapabilities,
  type DocumentCameraEvents,
  type DocumentCapture,
  type WaitOptions,
} from './contract.js';

const NS = 'kiosk:dev:v4l2';

/** What this class needs of OpenCV's VideoCapture; tests inject a fake (STYLE.md P2). */
export interface VideoCaptureLike {
  readAsync(): Promise<Mat>;
  set(property: number, value: number): boolean;
  get(property: number): number;
  release(): void;
}

/** Opens a device (path or index) with a backend preference (OpenCV's CAP_V4L2). */
export type VideoCaptureFactory = (device: string | number, apiPreference: number) => VideoCaptureLike;

export interface PresenceDetection {
  /**
   * Whether a document lies on the glass in this frame (e.g. assessCapture(...).presence). The
   * frame is scaled down to PRESENCE_LONG_SIDE first, off the JavaScript thread, so that the
   * detector's own work on the event loop stays a few milliseconds per frame.
   */
  readonly detect: (frame: Image) => boolean | Promise<boolean>;
  /** Time between presence frames while idle; PRESENCE_INTERVAL_MS by default. */
  readonly intervalMs?: number;
  /** Consecutive agreeing frames before a change is reported; PRESENCE_CONFIRM_FRAMES by default. */
  readonly confirmFrames?: number;
}

export interface V4l2CameraOptions {
  /** A device path (`/dev/video0`, a `/dev/v4l/by-id/…` link) or an index (platformPaths().documentCamera). */
  readonly device: string | number;
  /** Defaults to `V4L2 <device>`. */
  readonly name?: string;
  /** Requested frame size; the driver picks the nearest it has (read back and logged). */
  readonly width?: number;
  readonly height?: number;
  /**
   * Pixel format, four characters (`MJPG`, `YUYV`). Many UVC document cameras offer their full
   * resolution only as MJPG over USB 2 (uncompressed YUYV at 8 MP would need ~80 MB/s at 5
   * frames/s); the driver's default is kept when unset.
   */
  readonly fourcc?: string;
  readonly fps?: number;
  /** Further V4L2 controls as OpenCV properties (CAP_PROP_FOCUS, CAP_PROP_EXPOSURE, ...). */
  readonly controls?: readonly { readonly property: number; readonly value: number }[];
  readonly warmUpFrames?: number;
  /** Resolution at the glass, from calibration (a ruler or a TD3 page measured on a frame). */
  readonly resolutionDpi?: number;
  readonly presence?: PresenceDetection;
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

/**
 * Frames thrown away after opening. UVC cameras start with auto-exposure and white balance at
 * their defaults and converge within a few frames; 5 frames (under a second at 5–30 frames/s)
 * covers the common webcam and document-camera sensors.
 */
export const WARM_UP_FRAMES = 5;
/**
 * Frames drained before a capture's own frame when the driver's buffer count cannot be read.
 * OpenCV's V4L2 backend queues 4 buffers by default (DEFAULT_V4L_BUFFERS in
 * modules/videoio/src/cap_v4l.cpp); a full queue holds frames from before the call.
 */
export const DEFAULT_BUFFERED_FRAMES = 4;
/** Re-open attempts after unplug: udev creates the node within about a second of plug-in. */
export const CAMERA_RETRY_MS = 1000;
/** Presence frames while idle: twice a second notices a placed page before the applicant waits. */
export const PRESENCE_INTERVAL_MS = 500;
/** Two agreeing frames: one frame with a hand over the glass is not a document. */
export const PRESENCE_CONFIRM_FRAMES = 2;
/** Long side of presence frames: page finding works at 800 px (ANALYSIS_LONG_SIDE) anyway. */
export const PRESENCE_LONG_SIDE = 800;
/** Time limit of one presence round; past it the round is reported as a fault and skipped. */
const PRESENCE_GRAB_MS = 3000;

export class V4l2DocumentCamera implements DocumentCamera {
  readonly events = new EventEmitter<DocumentCameraEvents>();
  readonly name: string;
  readonly capabilities: DocumentCameraCapabilities;
  readonly #o: V4l2CameraOptions;
  readonly #logger: Logger;
  readonly #timers: Timers;
  readonly #presence: PresenceDebouncer | undefined;
  #cv: Cv | undefined;
  #started = false;
  #cap: VideoCaptureLike | undefined;
  #queue: SerialQueue | undefined;
  #attached = false;
  #buffered = DEFAULT_BUFFERED_FRAMES;
  #retry: unknown;
  #poll: unknown;
  #onStop: (() => void) | undefined;
  #stopping: Promise<void> | undefined;
  #lastFault = '';

  constructor(options: V4l2CameraOptions) {
    this.#o = options;
    this.name = options.name ?? `V4L2 ${String(options.device)}`;
    this.capabilities = { illuminations: ['white'], presence: options.presence ? 'image' : 'none', resolutionDpi: options.resolutionDpi };
    this.#logger = options.logger ?? silentLogger;
    this.#timers = options.timers ?? REAL_TIMERS;
    this.#presence = options.presence ? new PresenceDebouncer(options.presence.confirmFrames ?? PRESENCE_CONFIRM_FRAMES) : undefined;
  }

  get state(): CameraState {
    if (!this.#started) return 'stopped';
    return this.#attached ? 'attached' : 'noReader';
  }

  get documentPresent(): boolean | undefined {
    return this.#attached ? this.#presence?.state : undefined;
  }

  start(signal: AbortSignal): Promise<void> {
    if (this.#started) return Promise.resolve();
    try {
      checkOptions(this.#o);
      this.#cv = this.#o.cv ?? opencv();
    } catch (e) {
      return Promise.reject(asError(e));
    }
    this.#started = true;
    this.#onStop = stopOnAbort(signal, () => this.stop());
    if (signal.aborted) return Promise.resolve();
    this.#schedule('retry', 0);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    // A second stop() while the first waits for a grab in flight waits for the same end.
    if (!this.#started) return this.#stopping ?? Promise.resolve();
    this.#started = false;
    this.#onStop?.();
    this.#onStop = undefined;
    this.#clear('retry');
    this.#clear('poll');
    this.#stopping = this.#close(() => new DeviceGoneError(this.name, 'camera stopped'), false).finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  waitForDocument(options?: WaitOptions): Promise<void> {
    return waitForDocument(this, options, DEFAULT_TIMEOUTS.waitForDocumentMs);
  }

  capture(options: CaptureOptions = {}): Promise<DocumentCapture> {
    let lamps: ReturnType<typeof captureIlluminations>;
    try {
      lamps = captureIlluminations(options.illumination, this.capabilities, this.name);
    } catch (e) {
      return Promise.reject(asError(e));
    }
    const queue = this.#queue;
    const cap = this.#cap;
    if (!this.#attached || !queue || !cap) {
      return Promise.reject(new DeviceGoneError(this.name, this.#started ? 'no camera attached' : 'camera not started'));
    }
    let step = 'capture.queue';
    return queue.run(
      async (signal) => {
        // Drain what the driver buffered before this call, then keep the next frame.
        for (let i = 0; i < this.#buffered; i++) {
          step = `capture.flush${i + 1}`;
          (await this.#grab(cap, signal)).release();
        }
        step = 'capture.white';
        const white = toImage(await this.#grab(cap, signal));
        const capturedAt = this.#o.now?.() ?? new Date();
        return {
          white,
          capturedAt,
          ...(this.capabilities.resolutionDpi !== undefined ? { resolutionDpi: this.capabilities.resolutionDpi } : {}),
          device: this.name,
        };
      },
      { signal: options.signal, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUTS.captureMs, describe: () => describeStep(this.name, step, lamps) },
    );
  }

  /** One frame; a failed or empty grab means the camera is gone (and is handled as such). */
  async #grab(cap: VideoCaptureLike, signal: AbortSignal): Promise<Mat> {
    // The caller gave up (timeout, abort): grab no further frames for it.
    if (signal.aborted) throw new AbortedError(describeStep(this.name, 'grab'));
    let frame: Mat;
    try {
      frame = await cap.readAsync();
    } catch (e) {
      // opencv4nodejs rejects with strings, not Errors.
      throw this.#lost(cap, new DeviceGoneError(this.name, 'frame grab failed', { cause: asError(e) }));
    }
    if (frame.empty) throw this.#lost(cap, new DeviceGoneError(this.name, 'no frame from the device'));
    return frame;
  }

  /** Opens and configures the device; on success the camera is attached. */
  async #connect(): Promise<void> {
    if (!this.#started || this.#attached) return;
    const cv = this.#cv;
    if (!cv) return;
    const device = this.#o.device;
    const exists = this.#o.exists ?? defaultExists;
    if (!exists(device)) {
      this.#faultOnce(new DeviceGoneError(this.name, 'device node not present'));
      this.#schedule('retry', this.#o.retryDelayMs ?? CAMERA_RETRY_MS);
      return;
    }
    let cap: VideoCaptureLike;
    try {
      const factory = this.#o.factory ?? ((d, api) => new cv.VideoCapture(d, api));
      cap = factory(device, cv.CAP_V4L2);
    } catch (e) {
      this.#faultOnce(new DeviceGoneError(this.name, 'cannot open the device', { cause: asError(e) }));
      this.#schedule('retry', this.#o.retryDelayMs ?? CAMERA_RETRY_MS);
      return;
    }
    this.#configure(cv, cap);
    const queue = new SerialQueue(this.#timers);
    this.#cap = cap;
    this.#queue = queue;
    const warmUp = this.#o.warmUpFrames ?? WARM_UP_FRAMES;
    let step = 'warmUp';
    try {
      await queue.run(
        async (signal) => {
          for (let i = 0; i < warmUp; i++) {
            step = `warmUp${i + 1}`;
            (await this.#grab(cap, signal)).release();
          }
        },
        // Warm-up frames come at the camera's rate; allow the capture timeout for each.
        { timeoutMs: DEFAULT_TIMEOUTS.captureMs * Math.max(1, warmUp), describe: () => describeStep(this.name, step) },
      );
    } catch (e) {
      // A camera that opens but delivers nothing is handled as unplugged (#lost has run when a
      // grab failed; a timeout has not, so make sure).
      this.#lost(cap, isDeviceGoneError(e) ? e : new DeviceGoneError(this.name, 'no frames after opening', { cause: asError(e) }));
      return;
    }
    // Stopped, or lost and re-opened, while warming up: this handle is no longer the camera's.
    if (!this.#isCurrent(cap)) return;
    this.#attached = true;
    this.#lastFault = '';
    this.#logger.info(NS, 'camera attached', { device: this.name, bufferedFrames: this.#buffered });
    this.events.emit('readerAttached', { device: this.name });
    if (this.#presence) this.#schedule('poll', 0);
  }

  #isCurrent(cap: VideoCaptureLike): boolean {
    return this.#started && this.#cap === cap;
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
      if (!ok) this.#logger.warn(NS, 'camera refused a setting', { device: this.name, setting: what, value });
    };
    // The pixel format first: V4L2 negotiates the frame sizes and rates per format.
    if (o.fourcc !== undefined) set(cv.CAP_PROP_FOURCC, cv.VideoWriter.fourcc(o.fourcc), 'fourcc');
    if (o.width !== undefined) set(cv.CAP_PROP_FRAME_WIDTH, o.width, 'width');
    if (o.height !== undefined) set(cv.CAP_PROP_FRAME_HEIGHT, o.height, 'height');
    if (o.fps !== undefined) set(cv.CAP_PROP_FPS, o.fps, 'fps');
    for (const c of o.controls ?? []) set(c.property, c.value, `property ${c.property}`);
    // One driver buffer keeps a capture's drain short (OpenCV >= 3.4.2 passes it to
    // VIDIOC_REQBUFS); what the driver granted is read back, and drained before each capture.
    set(cv.CAP_PROP_BUFFERSIZE, 1, 'buffer size');
    const granted = safeGet(cap, cv.CAP_PROP_BUFFERSIZE);
    this.#buffered = Number.isInteger(granted) && granted >= 1 && granted <= 32 ? granted : DEFAULT_BUFFERED_FRAMES;
    const width = safeGet(cap, cv.CAP_PROP_FRAME_WIDTH);
    const height = safeGet(cap, cv.CAP_PROP_FRAME_HEIGHT);
    if ((o.width !== undefined && width !== o.width) || (o.height !== undefined && height !== o.height)) {
      this.#logger.warn(NS, 'camera gives another frame size', { device: this.name, width, height });
    }
  }

  /**
   * Handles a lost camera (once per handle): detaches, fails pending captures, releases the
   * handle when no grab is in flight, and schedules a re-open. Returns `error` for throwing.
   */
  #lost(cap: VideoCaptureLike, error: DeviceGoneError): DeviceGoneError {
    if (this.#cap !== cap) return error;
    const wasAttached = this.#attached;
    const hadDocument = this.#presence?.state === true;
    this.#clear('poll');
    // Pending and queued captures fail with this error (and its cause), not a generic one.
    void this.#close(() => error, true);
    if (wasAttached) {
      this.#logger.warn(NS, 'camera lost', { device: this.name, error: errorSummary(error) });
      if (hadDocument) this.events.emit('documentRemoved', { device: this.name });
      this.events.emit('readerDetached', { device: this.name });
    }
    this.#fault(error);
    if (this.#started) this.#schedule('retry', this.#o.retryDelayMs ?? CAMERA_RETRY_MS);
    return error;
  }

  /** Detaches and releases the handle after the grab in flight (bounded by stopMs). */
  async #close(error: () => Error, lost: boolean): Promise<void> {
    const cap = this.#cap;
    const queue = this.#queue;
    this.#cap = undefined;
    this.#queue = undefined;
    this.#attached = false;
    this.#presence?.reset();
    if (!cap || !queue) return;
    queue.close(error);
    try {
      await boundedWait(() => queue.idle(), { timeoutMs: DEFAULT_TIMEOUTS.stopMs, describe: () => describeStep(this.name, lost ? 'release' : 'stop') });
    } catch (e) {
      // A grab that never returns: the handle is left unreleased rather than freed under it.
      this.#fault(asError(e));
      return;
    }
    try {
      cap.release();
    } catch (e) {
      this.#fault(new DeviceGoneError(this.name, 'release failed', { cause: asError(e) }));
    }
  }

  async #pollOnce(): Promise<void> {
    const queue = this.#queue;
    const cap = this.#cap;
    const detector = this.#o.presence;
    const presence = this.#presence;
    if (!this.#attached || !queue || !cap || !detector || !presence) return;
    // A capture in progress or waiting has priority; presence waits for the next round.
    if (queue.busy || queue.waiting > 0) return;
    let present: boolean;
    try {
      present = await queue.run(async (signal) => detector.detect(toImage(await downscale(await this.#grab(cap, signal), PRESENCE_LONG_SIDE))), {
        timeoutMs: PRESENCE_GRAB_MS,
        describe: () => describeStep(this.name, 'presence'),
      });
    } catch (e) {
      if (!isDeviceGoneError(e)) this.#fault(asError(e));
      return;
    }
    if (this.#cap !== cap) return;
    const before = presence.state;
    const changed = presence.feed(present);
    if (changed === true) this.events.emit('documentPlaced', { device: this.name });
    // The first verdict after attaching, "empty", is a state and not a removal.
    if (changed === false && before === true) this.events.emit('documentRemoved', { device: this.name });
  }

  #schedule(which: 'retry' | 'poll', ms: number): void {
    this.#clear(which);
    const handle = this.#timers.setTimeout(() => {
      if (which === 'retry') {
        this.#retry = undefined;
        void this.#connect();
        return;
      }
      this.#poll = undefined;
      void this.#pollOnce().finally(() => {
        if (this.#attached && this.#started && this.#poll === undefined) this.#schedule('poll', this.#o.presence?.intervalMs ?? PRESENCE_INTERVAL_MS);
      });
    }, ms);
    if (which === 'retry') this.#retry = handle;
    else this.#poll = handle;
  }

  #clear(which: 'retry' | 'poll'): void {
    const h = which === 'retry' ? this.#retry : this.#poll;
    if (h !== undefined) this.#timers.clearTimeout(h);
    if (which === 'retry') this.#retry = undefined;
    else this.#poll = undefined;
  }

  #fault(error: Error): void {
    this.events.emit('fault', { device: this.name, error });
  }

  /** A fault that repeats on every retry (camera absent) is reported once until it changes. */
  #faultOnce(error: Error): void {
    if (error.message === this.#lastFault) return;
    this.#lastFault = error.message;
    this.#fault(error);
  }
}

/** Rejects options that cannot work, at start rather than on a timer later. */
function checkOptions(o: V4l2CameraOptions): void {
  if (typeof o.device === 'number' ? !Number.isInteger(o.device) || o.device < 0 : o.device === '') {
    throw new InvalidArgumentError('device', 'a device path or an index ≥ 0', o.device);
  }
  if (o.fourcc !== undefined && !/^[ -~]{4}$/.test(o.fourcc)) throw new InvalidArgumentError('fourcc', 'four printable characters', o.fourcc);
  for (const [k, v] of [
    ['width', o.width],
    ['height', o.height],
    ['fps', o.fps],
    ['resolutionDpi', o.resolutionDpi],
  ] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v <= 0)) throw new InvalidArgumentError(k, 'a number > 0', v);
  }
  const warm = o.warmUpFrames;
  if (warm !== undefined && (!Number.isInteger(warm) || warm < 0 || warm > 100)) throw new InvalidArgumentError('warmUpFrames', 'an integer 0..100', warm);
}

/** `m` with its long side at most `max`, resized on libuv's thread pool (`m` is released). */
async function downscale(m: Mat, max: number): Promise<Mat> {
  if (Math.max(m.cols, m.rows) <= max) return m;
  try {
    return await m.resizeToMaxAsync(max);
  } finally {
    m.release();
  }
}

/**
 * The frame's pixels as an Image (a copy), and the frame released: OpenCV is loaded with V8's
 * external-memory tracking off (src/native/opencv.ts), so an unreleased frame would hold its
 * megabytes until some later garbage collection.
 */
function toImage(frame: Mat): Image {
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

/** A configured device (platformPaths().documentCamera): a decimal string is an index. */
export function parseCameraDevice(v: string): string | number {
  if (/^\d{1,3}$/.test(v)) return Number(v);
  if (!v.startsWith('/')) throw new InvalidArgumentError('document camera device', 'an absolute path or an index', v);
  return v;
}
