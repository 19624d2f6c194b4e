// A document camera over V4L2 through OpenCV's VideoCapture (@u4/opencv4nodejs over Debian's
// libopencv-dev): a UVC camera under the kiosk's glass, lit by the kiosk's white light. See
// ./discovery.ts for which readers this reaches (UVC ones; full-page passport readers are
// driven by their vendors' SDKs).
//
// The device itself (opening, configuring, warm-up, one grab at a time, unplug and re-plug) is
// the V4L2 core shared with the face camera, ../video/v4l2.ts. What is the document camera's:
// a capture first drains the frames the driver buffered before the call, so that its image
// shows the glass as it is now; and presence.
//
// Presence: a plain camera has no document sensor. With a `presence` detector (the
// composition root passes one built on capture-quality.ts) the camera grabs a frame every
// `intervalMs` while idle and reports documentPlaced/documentRemoved once `confirmFrames`
// frames agree. Without one there are no presence events.
//
// Unplug: the camera reports readerDetached (after documentRemoved when a document lay on the
// glass), fails the capture in progress and queued ones with DeviceGoneError, and is opened
// again when it comes back (readerAttached).
import { EventEmitter } from 'node:events';
import { InvalidArgumentError, isDeviceGoneError } from '../../errors.js';
import type { Image } from '../../document/image.js';
import type { Cv, Mat } from '../../native/opencv.js';
import { asError } from '../card-reader/common.js';
import { describeStep } from '../video/common.js';
import { toImage, V4l2Video, type V4l2VideoOptions } from '../video/v4l2.js';
import { captureIlluminations, PresenceDebouncer, waitForDocument } from './common.js';
import { DEFAULT_TIMEOUTS, type CameraState, type CaptureOptions, type DocumentCamera, type DocumentCameraCapabilities, type DocumentCameraEvents, type DocumentCapture, type WaitOptions } from './contract.js';

export { CAMERA_RETRY_MS, DEFAULT_BUFFERED_FRAMES, WARM_UP_FRAMES, type VideoCaptureFactory, type VideoCaptureLike } from '../video/v4l2.js';

const NS = 'kiosk:dev:v4l2';

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

/** The V4L2 core's options (device, size, format, seams) and the document camera's own. */
export interface V4l2CameraOptions extends V4l2VideoOptions {
  /** Resolution at the glass, from calibration (a ruler or a TD3 page measured on a frame). */
  readonly resolutionDpi?: number;
  readonly presence?: PresenceDetection;
}

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
  readonly #video: V4l2Video;
  readonly #presence: PresenceDebouncer | undefined;
  #poll: unknown;
  /** Whether a document lay on the glass when the camera was last detached. */
  #hadDocument = false;

  constructor(options: V4l2CameraOptions) {
    this.#o = options;
    this.#video = new V4l2Video(
      options,
      { logNamespace: NS, readVerb: 'grab', frameTimeoutMs: DEFAULT_TIMEOUTS.captureMs, stopTimeoutMs: DEFAULT_TIMEOUTS.stopMs, positiveOptions: [['resolutionDpi', options.resolutionDpi]] },
      {
        configured: (get, cv) => {
          this.#configured(get, cv);
        },
        attached: () => {
          this.events.emit('readerAttached', { device: this.name });
          if (this.#presence) this.#schedulePoll(0);
        },
        detaching: () => {
          this.#hadDocument = this.#presence?.state === true;
          this.#clearPoll();
          this.#presence?.reset();
        },
        lost: () => {
          if (this.#hadDocument) this.events.emit('documentRemoved', { device: this.name });
          this.events.emit('readerDetached', { device: this.name });
        },
        fault: (error) => {
          this.#fault(error);
        },
      },
    );
    this.name = this.#video.name;
    this.capabilities = { illuminations: ['white'], presence: options.presence ? 'image' : 'none', resolutionDpi: options.resolutionDpi };
    this.#presence = options.presence ? new PresenceDebouncer(options.presence.confirmFrames ?? PRESENCE_CONFIRM_FRAMES) : undefined;
  }

  get state(): CameraState {
    return this.#video.state('noReader');
  }

  get documentPresent(): boolean | undefined {
    return this.#video.attached ? this.#presence?.state : undefined;
  }

  start(signal: AbortSignal): Promise<void> {
    return this.#video.start(signal);
  }

  stop(): Promise<void> {
    // A second stop() while the first waits for a grab in flight waits for the same end.
    return this.#video.stop();
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
    const video = this.#video;
    const handle = video.handle;
    if (!handle) return Promise.reject(video.absent());
    const { cap, queue } = handle;
    let step = 'capture.queue';
    return queue.run(
      async (signal) => {
        // Drain what the driver buffered before this call, then keep the next frame.
        await video.skip(cap, signal, video.buffered, (n) => {
          step = `capture.flush${n}`;
        });
        step = 'capture.white';
        const white = toImage(await video.grab(cap, signal));
        const capturedAt = video.now();
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

  /** The driver's frame size, read back after configuring; a differing one is logged. */
  #configured(get: (property: number) => number, cv: Cv): void {
    const o = this.#o;
    const width = get(cv.CAP_PROP_FRAME_WIDTH);
    const height = get(cv.CAP_PROP_FRAME_HEIGHT);
    if ((o.width !== undefined && width !== o.width) || (o.height !== undefined && height !== o.height)) {
      this.#video.logger.warn(NS, 'camera gives another frame size', { device: this.name, width, height });
    }
  }

  async #pollOnce(): Promise<void> {
    const video = this.#video;
    const handle = video.handle;
    const detector = this.#o.presence;
    const presence = this.#presence;
    if (!handle || !detector || !presence) return;
    const { cap, queue } = handle;
    // A capture in progress or waiting has priority; presence waits for the next round.
    if (queue.busy || queue.waiting > 0) return;
    let present: boolean;
    try {
      present = await queue.run(async (signal) => detector.detect(toImage(await downscale(await video.grab(cap, signal), PRESENCE_LONG_SIDE))), {
        timeoutMs: PRESENCE_GRAB_MS,
        describe: () => describeStep(this.name, 'presence'),
      });
    } catch (e) {
      if (!isDeviceGoneError(e)) this.#fault(asError(e));
      return;
    }
    if (!video.owns(cap)) return;
    const before = presence.state;
    const changed = presence.feed(present);
    if (changed === true) this.events.emit('documentPlaced', { device: this.name });
    // The first verdict after attaching, "empty", is a state and not a removal.
    if (changed === false && before === true) this.events.emit('documentRemoved', { device: this.name });
  }

  #schedulePoll(ms: number): void {
    this.#clearPoll();
    this.#poll = this.#video.timers.setTimeout(() => {
      this.#poll = undefined;
      void this.#pollOnce().finally(() => {
        if (this.#video.attached && this.#video.started && this.#poll === undefined) this.#schedulePoll(this.#o.presence?.intervalMs ?? PRESENCE_INTERVAL_MS);
      });
    }, ms);
  }

  #clearPoll(): void {
    if (this.#poll !== undefined) this.#video.timers.clearTimeout(this.#poll);
    this.#poll = undefined;
  }

  #fault(error: Error): void {
    this.events.emit('fault', { device: this.name, error });
  }
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

/** A configured device (platformPaths().documentCamera): a decimal string is an index. */
export function parseCameraDevice(v: string): string | number {
  if (/^\d{1,3}$/.test(v)) return Number(v);
  if (!v.startsWith('/')) throw new InvalidArgumentError('document camera device', 'an absolute path or an index', v);
  return v;
}
