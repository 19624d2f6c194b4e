// Contract pieces both camera device classes share (the document camera, ../document-camera/
// contract.ts, and the face camera, ../camera/contract.ts): the lifecycle and naming every
// camera has, the payloads of their events, and the bound on stopping. Each class extends these
// with its own operations, event names and state words.
import type { EventEmitter } from 'node:events';

/** The payload of a camera's plain events (attached, detached, document placed, ...). */
export interface CameraDeviceEvent {
  readonly device: string;
}

/** A fault the camera reports and recovers from by itself (open failed, frame lost, ...). */
export interface CameraFaultEvent {
  readonly device: string;
  readonly error: Error;
}

/**
 * Stopping waits for a frame read in flight (it cannot be cancelled, and the capture handle
 * must not be released under it); OpenCV's V4L2 backend gives up a read after 10 s itself.
 */
export const VIDEO_STOP_MS = 11_000;

/** `stopped` before `start()` and after `stop()`, `attached`, or `Absent` while the camera is absent. */
export type VideoDeviceState<Absent extends string> = 'stopped' | Absent | 'attached';

/** The events every camera sends besides its own (attached, detached, ...). */
export interface VideoDeviceEvents {
  /** Not named "error" on purpose: an unhandled "error" event would throw. */
  fault: [event: CameraFaultEvent];
}

/**
 * What every camera is: a named device that is looked for from start() to stop(), with typed
 * events (Node's generic EventEmitter) and a state (VideoDeviceState).
 */
export interface VideoDevice<Events extends VideoDeviceEvents & Record<keyof Events, unknown[]>, State extends string> {
  /** The camera's name (configuration or discovery), used in events and messages. */
  readonly name: string;
  readonly state: State;
  readonly events: EventEmitter<Events>;
  /**
   * Begins looking for the camera. Constructors do nothing (STYLE.md P13); this resolves once
   * looking has begun, not when the camera appears (the class's attached event says that).
   * Aborting `signal` stops the camera as `stop()` does.
   */
  start(signal: AbortSignal): Promise<void>;
  /** Stops; what waits for the camera (a capture, a grab, a stream) fails with DeviceGoneError. Never throws. */
  stop(): Promise<void>;
}
