// The face camera over V4L2 through OpenCV's VideoCapture (@u4/opencv4nodejs over Debian's
// libopencv-dev): a UVC camera in the kiosk's front. See ./discovery.ts for which cameras this
// reaches. The device itself (opening, configuring, warm-up, one read at a time, unplug and
// re-plug) is the V4L2 core shared with the document camera, ../video/v4l2.ts; what the driver
// granted after configuring is read back into the capabilities.
//
// Reads happen only while a stream or grab wants frames (./common.ts): the camera then
// delivers at its own rate, which paces the loop. When the loop starts after an idle spell, the
// frames the driver buffered meanwhile are drained first, so that the first frame shows the
// applicant now.
//
// Unplug: the camera reports `detached`, fails open streams and grabs with DeviceGoneError,
// and is opened again when it comes back (`attached`).
import { EventEmitter } from 'node:events';
import type { Image } from '../../document/image.js';
import type { Cv } from '../../native/opencv.js';
import { describeStep } from '../video/common.js';
import { toImage, V4l2Video, type V4l2VideoOptions, type VideoHandle } from '../video/v4l2.js';
import { failedStream, FrameHub } from './common.js';
import { DEFAULT_TIMEOUTS, type Camera, type CameraCapabilities, type CameraEvents, type CameraState, type Frame, type FrameStream, type FrameStreamOptions, type GrabOptions } from './contract.js';

export type { VideoCaptureFactory, VideoCaptureLike } from '../video/v4l2.js';
export { parseCameraDevice } from '../document-camera/v4l2.js';

const NS = 'kiosk:dev:face-camera';

/** The V4L2 core's options: device, frame size, pixel format and rate, controls, seams. */
export type V4l2CameraOptions = V4l2VideoOptions;

export class V4l2Camera implements Camera {
  readonly events = new EventEmitter<CameraEvents>();
  readonly name: string;
  readonly #o: V4l2CameraOptions;
  readonly #video: V4l2Video;
  #caps: CameraCapabilities;
  #hub: FrameHub | undefined;

  constructor(options: V4l2CameraOptions) {
    this.#o = options;
    this.#caps = { width: undefined, height: undefined, fps: undefined };
    this.#video = new V4l2Video(
      options,
      { logNamespace: NS, readVerb: 'read', frameTimeoutMs: DEFAULT_TIMEOUTS.grabMs, stopTimeoutMs: DEFAULT_TIMEOUTS.stopMs },
      {
        configured: (get, cv) => {
          this.#configured(get, cv);
        },
        attachedLogFields: () => ({ width: this.#caps.width, height: this.#caps.height, fps: this.#caps.fps }),
        attached: (handle) => {
          const video = this.#video;
          this.#hub = new FrameHub({ device: this.name, read: this.#reader(handle), now: video.now, timers: video.timers });
          this.events.emit('attached', { device: this.name });
        },
        detaching: (error) => {
          const hub = this.#hub;
          this.#hub = undefined;
          hub?.close(error);
        },
        lost: () => {
          this.events.emit('detached', { device: this.name });
        },
        fault: (error) => {
          this.events.emit('fault', { device: this.name, error });
        },
      },
    );
    this.name = this.#video.name;
  }

  get capabilities(): CameraCapabilities {
    return this.#caps;
  }

  get state(): CameraState {
    return this.#video.state('noCamera');
  }

  start(signal: AbortSignal): Promise<void> {
    return this.#video.start(signal);
  }

  stop(): Promise<void> {
    return this.#video.stop();
  }

  grab(options: GrabOptions = {}): Promise<Frame> {
    const hub = this.#hub;
    if (!this.#video.attached || !hub) return Promise.reject(this.#video.absent());
    return hub.grab(options);
  }

  frames(options: FrameStreamOptions = {}): FrameStream {
    const hub = this.#hub;
    if (!this.#video.attached || !hub) return failedStream(this.#video.absent());
    return hub.frames(options);
  }

  /** One frame read for the hub: after an idle spell, the buffered frames are drained first. */
  #reader({ cap, queue }: VideoHandle): (signal: AbortSignal, fresh: boolean) => Promise<Image> {
    const video = this.#video;
    return (signal, fresh) => {
      let step = 'frame';
      return queue.run(
        async (s) => {
          if (fresh) {
            await video.skip(cap, s, video.buffered, (n) => {
              step = `drain${n}`;
            });
            step = 'frame';
          }
          return toImage(await video.grab(cap, s));
        },
        // A frame comes at the camera's rate; a read that takes the grab timeout is a stall.
        { signal, timeoutMs: DEFAULT_TIMEOUTS.grabMs, describe: () => describeStep(this.name, step) },
      );
    };
  }

  /** What the driver granted, as it states it; implausible values are left unknown. */
  #configured(get: (property: number) => number, cv: Cv): void {
    const o = this.#o;
    const width = get(cv.CAP_PROP_FRAME_WIDTH);
    const height = get(cv.CAP_PROP_FRAME_HEIGHT);
    const fps = get(cv.CAP_PROP_FPS);
    const plausible = (v: number, max: number): number | undefined => (Number.isFinite(v) && v > 0 && v <= max ? v : undefined);
    this.#caps = { width: plausible(width, 16384), height: plausible(height, 16384), fps: plausible(fps, 1000) };
    if ((o.width !== undefined && width !== o.width) || (o.height !== undefined && height !== o.height) || (o.fps !== undefined && fps !== o.fps)) {
      this.#video.logger.warn(NS, 'camera gives another frame size or rate', { device: this.name, width, height, fps });
    }
  }
}
