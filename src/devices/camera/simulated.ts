// The simulated face camera (STYLE.md P1): the camera contract over a recording, played at a set
// frame rate — a sequence of images (in memory, or files decoded when their frame comes) or a
// video file read with OpenCV's VideoCapture — looping or played once, with controls to plug
// and unplug the camera and to change what it plays. It runs the kiosk on a laptop and drives
// the face pipeline's tests, including replay attacks (a looped video, a still photo).
//
// Frames are paced by the injected timers: one frame every 1000/fps ms while a stream or grab
// wants frames (./common.ts), as a camera exposes whether or not anybody keeps up; a slow
// consumer loses frames (counted), it does not slow the camera. A recording played once ends
// open streams (done) after its last frame; grabs then fail with DeviceGoneError.
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { DeviceGoneError, InvalidArgumentError, ParseError } from '../../errors.js';
import { checkImage, decodeImage, fromMat, type Image } from '../../document/image.js';
import { silentLogger, type Logger } from '../../log.js';
import { opencv, type Mat } from '../../native/opencv.js';
import { asError } from '../card-reader/common.js';
import type { Timers } from '../card-reader/serial-queue.js';
import { closeAndWait, describeStep, Lifecycle, REAL_TIMERS, sleep } from '../video/common.js';
import type { VideoCaptureLike } from '../video/v4l2.js';
import { failedStream, FrameHub } from './common.js';
import { DEFAULT_TIMEOUTS, type Camera, type CameraCapabilities, type CameraEvents, type CameraState, type Frame, type FrameStream, type FrameStreamOptions, type GrabOptions } from './contract.js';

const NS = 'kiosk:dev:sim-face-camera';

/** An image, or the path of an image file (decoded when its frame comes). */
export type ImageSource = Image | string;

export type Recording =
  | { readonly images: readonly ImageSource[] }
  /** A video file OpenCV can read (Debian's OpenCV reads MJPEG AVI itself, other formats through FFmpeg). */
  | { readonly video: string };

export interface PlayOptions {
  /** Frames per second; 15 by default, or the video file's own rate where it states one. */
  readonly fps?: number;
  /** Start again after the last frame; true by default. */
  readonly loop?: boolean;
}

export interface SimulatedCameraOptions extends PlayOptions {
  /** Defaults to "Simulated Face Camera". */
  readonly name?: string;
  /** What the camera plays; a grey 640 × 480 frame by default (an empty kiosk front). */
  readonly recording?: Recording;
  /** Whether the camera is plugged in when started; true by default. */
  readonly attached?: boolean;
  /** Reads an image file (tests pass a map-backed one); node:fs and decodeImage by default. */
  readonly load?: (path: string) => Promise<Image>;
  /** Opens a video file (tests pass a fake); `new cv.VideoCapture(path)` by default. */
  readonly openVideo?: (path: string) => VideoCaptureLike;
  readonly now?: () => Date;
  readonly timers?: Timers;
  readonly logger?: Logger;
}

/** A camera's common rate in low kiosk light; the pipeline's budget is set against it. */
export const SIMULATED_FPS = 15;
const MAX_FPS = 240;
const EMPTY_FRONT = { width: 640, height: 480, level: 96 } as const;

export class SimulatedCamera implements Camera {
  readonly events = new EventEmitter<CameraEvents>();
  readonly name: string;
  readonly #o: SimulatedCameraOptions;
  readonly #logger: Logger;
  readonly #timers: Timers;
  readonly #life = new Lifecycle();
  #attached: boolean;
  #hub: FrameHub | undefined;
  #recording: Recording;
  #play: PlayOptions;
  #position = 0;
  #video: VideoCaptureLike | undefined;
  #videoFps: number | undefined;
  /** Set by play(): the next read releases the old video handle and opens the new one. */
  #rewindVideo = false;
  #size: { width: number; height: number } | undefined;
  #framesRead = 0;

  constructor(options: SimulatedCameraOptions = {}) {
    this.#o = options;
    this.name = options.name ?? 'Simulated Face Camera';
    this.#attached = options.attached ?? true;
    this.#logger = options.logger ?? silentLogger;
    this.#timers = options.timers ?? REAL_TIMERS;
    this.#recording = options.recording ?? { images: [emptyFront()] };
    this.#play = { ...(options.fps !== undefined ? { fps: options.fps } : {}), ...(options.loop !== undefined ? { loop: options.loop } : {}) };
    checkRecording(this.#recording, this.#play);
  }

  get capabilities(): CameraCapabilities {
    return { width: this.#size?.width, height: this.#size?.height, fps: this.#fps() };
  }

  get state(): CameraState {
    return this.#life.state(this.#attached, 'noCamera');
  }

  /** Frames read from the recording since start (delivered or dropped), for tests and the demo. */
  get framesRead(): number {
    return this.#framesRead;
  }

  start(signal: AbortSignal): Promise<void> {
    if (this.#life.started) return Promise.resolve();
    this.#framesRead = 0;
    if (this.#life.begin(signal, () => this.stop()) && this.#attached) this.#attach();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return this.#life.end(() => this.#closeHub('camera stopped'));
  }

  /**
   * Plays another recording from its first frame (the next applicant steps up, an attacker
   * holds up a photo). Open streams go on with the new recording's frames.
   */
  play(recording: Recording, options: PlayOptions = {}): void {
    checkRecording(recording, options);
    this.#recording = recording;
    this.#play = options;
    this.#position = 0;
    this.#size = undefined;
    this.#videoFps = undefined;
    // The old video handle is released by the next read (never under a read in flight).
    this.#rewindVideo = true;
    this.#logger.debug(NS, 'recording changed', { device: this.name, kind: 'video' in recording ? 'video' : 'images' });
  }

  /** Unplugs the camera: open streams and grabs fail with DeviceGoneError. */
  detach(): void {
    if (!this.#attached) return;
    this.#attached = false;
    if (!this.#life.started) return;
    void this.#closeHub('camera unplugged');
    this.events.emit('detached', { device: this.name });
  }

  /** Plugs the camera back in. */
  attach(): void {
    if (this.#attached) return;
    this.#attached = true;
    if (this.#life.started) this.#attach();
  }

  grab(options: GrabOptions = {}): Promise<Frame> {
    const hub = this.#hub;
    if (!hub || this.state !== 'attached') return Promise.reject(this.#life.absent(this.name));
    return hub.grab(options);
  }

  frames(options: FrameStreamOptions = {}): FrameStream {
    const hub = this.#hub;
    if (!hub || this.state !== 'attached') return failedStream(this.#life.absent(this.name));
    return hub.frames(options);
  }

  #fps(): number {
    return this.#play.fps ?? this.#videoFps ?? SIMULATED_FPS;
  }

  #attach(): void {
    this.#hub = new FrameHub({ device: this.name, read: (signal) => this.#read(signal), now: this.#o.now ?? (() => new Date()), timers: this.#timers });
    this.events.emit('attached', { device: this.name });
  }

  /** The next frame after one frame interval; undefined at the end of a recording played once. */
  async #read(signal: AbortSignal): Promise<Image | undefined> {
    await sleep(1000 / this.#fps(), signal, () => describeStep(this.name, 'frame'), this.#timers);
    const rec = this.#recording;
    // A video played before play() switched to images: released here, where no read is in flight.
    if ('images' in rec && this.#video) this.#releaseVideo();
    const image = 'images' in rec ? await this.#nextImage(rec.images) : await this.#nextVideoFrame(rec.video, signal);
    if (image) {
      this.#framesRead++;
      this.#size = { width: image.width, height: image.height };
    }
    return image;
  }

  async #nextImage(images: readonly ImageSource[]): Promise<Image | undefined> {
    if (this.#position >= images.length) {
      if (this.#play.loop === false) return undefined;
      this.#position = 0;
    }
    const src = images[this.#position++];
    if (src === undefined) return undefined;
    return typeof src === 'string' ? (this.#o.load ?? defaultLoad)(src) : src;
  }

  async #nextVideoFrame(path: string, signal: AbortSignal): Promise<Image | undefined> {
    if (this.#rewindVideo) this.#releaseVideo();
    for (let attempt = 0; attempt < 2; attempt++) {
      const video = this.#openVideo(path);
      let m: Mat;
      try {
        m = await video.readAsync();
      } catch {
        this.#releaseVideo();
        throw new ParseError('simulated camera video', 'cannot read a frame');
      }
      if (signal.aborted) {
        m.release();
        return undefined;
      }
      if (!m.empty) {
        this.#position++;
        try {
          return fromMat(m);
        } finally {
          m.release();
        }
      }
      m.release();
      // The end of the file: once played, or from the start again.
      const emptyFile = this.#position === 0;
      this.#releaseVideo();
      if (this.#play.loop === false) return undefined;
      if (emptyFile) throw new ParseError('simulated camera video', 'the file has no frames');
      this.#position = 0;
    }
    throw new ParseError('simulated camera video', 'no frame after rewinding');
  }

  #openVideo(path: string): VideoCaptureLike {
    if (this.#video) return this.#video;
    let video: VideoCaptureLike;
    try {
      video = this.#o.openVideo ? this.#o.openVideo(path) : new (opencv().VideoCapture)(path);
    } catch {
      throw new ParseError('simulated camera video', 'cannot open the file');
    }
    this.#video = video;
    this.#rewindVideo = false;
    if (this.#play.fps === undefined) {
      let fps = NaN;
      try {
        fps = video.get(opencv().CAP_PROP_FPS);
      } catch {
        fps = NaN;
      }
      this.#videoFps = Number.isFinite(fps) && fps > 0 && fps <= MAX_FPS ? fps : undefined;
    }
    return video;
  }

  #releaseVideo(): void {
    const v = this.#video;
    this.#video = undefined;
    this.#rewindVideo = false;
    if (!v) return;
    try {
      v.release();
    } catch (e) {
      this.events.emit('fault', { device: this.name, error: asError(e) });
    }
  }

  async #closeHub(detail: string): Promise<void> {
    const hub = this.#hub;
    this.#hub = undefined;
    if (!hub) return;
    // The video handle is released once no read is in flight on it.
    await closeAndWait(hub, () => new DeviceGoneError(this.name, detail), this.name, 'stop', DEFAULT_TIMEOUTS.stopMs).catch(() => undefined);
    if (!this.#life.started) this.#releaseVideo();
  }
}

function checkRecording(r: Recording, p: PlayOptions): void {
  if ('images' in r) {
    if (r.images.length === 0) throw new InvalidArgumentError('images', 'at least one image', r.images);
    for (const src of r.images) if (typeof src !== 'string') checkImage(src);
  } else if (r.video === '') throw new InvalidArgumentError('video', 'a file path', r.video);
  if (p.fps !== undefined && (!Number.isFinite(p.fps) || p.fps <= 0 || p.fps > MAX_FPS)) throw new InvalidArgumentError('fps', `a number in (0, ${MAX_FPS}]`, p.fps);
}

function emptyFront(): Image {
  const { width, height, level } = EMPTY_FRONT;
  return { width, height, channels: 3, data: Buffer.alloc(width * height * 3, level) };
}

async function defaultLoad(path: string): Promise<Image> {
  return decodeImage(await readFile(path), 'simulated camera image');
}
