// The live face camera device class (STYLE.md P1): the camera in the kiosk's front that looks
// at the applicant, for the 1:1 comparison with the chip photo, liveness and the residence
// permit's photo. One contract that the V4L2 camera (./v4l2.ts) and the simulated camera
// (./simulated.ts) both implement, with a typed event map; the face pipeline sees only this.
//
// Frames come as a stream at the camera's own rate, or one at a time (grab). The stream never
// queues without bound: each consumer has a small buffer (one frame by default), and when the
// consumer is slower than the camera the oldest buffered frame is dropped and counted, so that
// the pipeline always works on the newest frame (guidance about a face that has since moved is
// worse than none). Every wait takes an AbortSignal and a timeout; timeout and abort errors name
// the camera and the step. A camera unplugged while frames are awaited ends the wait with a
// DeviceGoneError; the camera is opened again when it comes back (`attached`).
//
// Frames are images of a person's face: personal data. They travel in frames only; no
// implementation logs them or puts anything of them in an error message.
import type { EventEmitter } from 'node:events';
import type { Image } from '../../document/image.js';
import { VIDEO_STOP_MS, type CameraDeviceEvent, type CameraFaultEvent, type VideoDevice, type VideoDeviceEvents, type VideoDeviceState } from '../video/contract.js';

export type { CameraFaultEvent };

export interface CameraCapabilities {
  /** The frame size the camera delivers (read back from the driver); undefined until known. */
  readonly width: number | undefined;
  readonly height: number | undefined;
  /** Frames per second the camera delivers (as the driver states it); undefined until known. */
  readonly fps: number | undefined;
}

export interface Frame {
  readonly image: Image;
  /** When the frame arrived (the camera's clock, injected). */
  readonly capturedAt: Date;
  /**
   * Frame number since the camera's frame loop started, counting frames no consumer took: a gap
   * between two frames a consumer sees is the frames it missed.
   */
  readonly sequence: number;
  /** The camera's name, as in events and messages. */
  readonly device: string;
}

export interface GrabOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

export interface FrameStreamOptions {
  /** Aborting ends the stream: a waiting next() rejects with AbortedError. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Longest wait for one frame; past it next() rejects with TimeoutError naming the camera and
   * step `frames` (the stream stays open). DEFAULT_TIMEOUTS.frameMs by default.
   */
  readonly frameTimeoutMs?: number | undefined;
  /**
   * Frames held for a consumer that is busy; beyond this the oldest is dropped. 1 (only the
   * newest frame) by default; at most MAX_STREAM_BUFFER.
   */
  readonly buffer?: number | undefined;
}

/**
 * A stream of frames: an async iterator (`for await (const f of camera.frames())`). Breaking out
 * of the loop, or close(), ends it; the camera stops reading frames when no stream is open.
 */
export interface FrameStream extends AsyncIterableIterator<Frame> {
  /** Frames dropped because this consumer was slower than the camera. */
  readonly dropped: number;
  /** Frames delivered to this consumer. */
  readonly delivered: number;
  close(): void;
}

export type CameraEvent = CameraDeviceEvent;

/** The typed event map; `fault` as every camera has (VideoDeviceEvents). */
export interface CameraEvents extends VideoDeviceEvents {
  /** The camera appeared: at start, after re-plug; it is configured and warmed up. */
  attached: [event: CameraEvent];
  /** The camera disappeared: unplugged, or it stopped delivering frames. */
  detached: [event: CameraEvent];
}

export type CameraEmitter = EventEmitter<CameraEvents>;

/** `stopped` before `start()` and after `stop()`; `noCamera` while the camera is absent. */
export type CameraState = VideoDeviceState<'noCamera'>;

/**
 * The face camera: name, state, events, start() (`attached` says when the camera appears) and
 * stop() (open streams end with DeviceGoneError, as does a grab in progress) as every camera
 * has them (VideoDevice), and frames.
 */
export interface Camera extends VideoDevice<CameraEvents, CameraState> {
  readonly capabilities: CameraCapabilities;
  /**
   * The next frame the camera delivers after the call. Rejects with TimeoutError or
   * AbortedError naming the camera and step, DeviceGoneError when the camera is absent or goes
   * away.
   */
  grab(options?: GrabOptions): Promise<Frame>;
  /**
   * A stream of the frames the camera delivers from now on, at its rate (see FrameStream).
   * When the camera is absent, or goes away while the stream is open, the next next() rejects
   * with DeviceGoneError, once, and the stream ends: open a new one after `attached`. Throws
   * InvalidArgumentError for a buffer or timeout out of range.
   */
  frames(options?: FrameStreamOptions): FrameStream;
}

/** Largest per-consumer buffer: a second of frames at 30 frames/s. */
export const MAX_STREAM_BUFFER = 30;

/** Timeouts used when a caller gives none; named so that every wait has a stated reason. */
export const DEFAULT_TIMEOUTS = {
  /**
   * One grab: a UVC camera delivers at 5–30 frames/s, after draining up to 4 frames the driver
   * buffered while nobody read (OpenCV's default, see ./v4l2.ts): under a second; auto-exposure
   * in a dark kiosk may halve the rate. 5 s leaves room.
   */
  grabMs: 5000,
  /** One frame of a stream: a camera at 5 frames/s in low light takes 400 ms; 2 s means stalled. */
  frameMs: 2000,
  /** Stopping waits for the frame read in flight (see VIDEO_STOP_MS). */
  stopMs: VIDEO_STOP_MS,
} as const;
