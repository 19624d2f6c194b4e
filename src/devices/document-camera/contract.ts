// The document-camera device class (STYLE.md P1): a full-page document reader, i.e. a camera
// under a glass window with its own lighting, on which the applicant lays the passport's data
// page face down. One contract that the V4L2 camera (./v4l2.ts) and the simulated reader
// (./simulated.ts) both implement, with a typed event map; the visit machine sees only this.
//
// A capture always has a white-light image; readers with ultraviolet (UV-A, ~365 nm) and
// near-infrared (~870 nm, the B900 band in which ICAO Doc 9303-3 requires the MRZ to be
// readable) lamps add those images when asked, and their capabilities say which they have.
// One capture runs at a time (STYLE.md P8); every capture takes an AbortSignal and a timeout,
// and a timeout error names the camera and the step it was in. A camera unplugged during a
// capture ends it with a DeviceGoneError.
//
// Images of a passport page are personal data: they travel in captures only, and no
// implementation logs them or puts anything of them in an error message.
import type { EventEmitter } from 'node:events';
import type { Image } from '../../document/image.js';
import { VIDEO_STOP_MS, type CameraDeviceEvent, type CameraFaultEvent, type VideoDevice, type VideoDeviceEvents, type VideoDeviceState } from '../video/contract.js';

export type { CameraFaultEvent };

export const ILLUMINATIONS = ['white', 'uv', 'ir'] as const;
export type Illumination = (typeof ILLUMINATIONS)[number];

/**
 * How the reader knows that a document lies on the glass:
 * - `sensor`: the reader itself reports it (a light barrier or the vendor SDK's detection);
 * - `image`: frames are analysed while idle (a plain camera, ./v4l2.ts with a detector);
 * - `none`: no presence events; the caller captures and assesses (capture-quality.ts).
 */
export type PresenceSensing = 'sensor' | 'image' | 'none';

export interface DocumentCameraCapabilities {
  /** Always has `white`; `uv` and `ir` where the reader has those lamps. */
  readonly illuminations: readonly Illumination[];
  readonly presence: PresenceSensing;
  /** Resolution at the glass, where calibrated or stated by the reader. */
  readonly resolutionDpi: number | undefined;
}

export interface DocumentCapture {
  readonly white: Image;
  readonly uv?: Image;
  readonly ir?: Image;
  /** When the white-light frame was taken (the camera's clock, injected). */
  readonly capturedAt: Date;
  readonly resolutionDpi?: number;
  /** The camera's name, as in timeout messages. */
  readonly device: string;
}

export interface CaptureOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
  /**
   * The images wanted. White light is always captured (every check needs it); `uv` and `ir`
   * must be among the capabilities' illuminations, or the capture fails at once with an
   * InvalidArgumentError.
   */
  readonly illumination?: readonly Illumination[] | undefined;
}

export interface WaitOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

export type DocumentEvent = CameraDeviceEvent;

/** The typed event map; `fault` as every camera has (VideoDeviceEvents). */
export interface DocumentCameraEvents extends VideoDeviceEvents {
  /** A document now lies on the glass (also sent when one was there as the camera appeared). */
  documentPlaced: [event: DocumentEvent];
  /** The document was taken away (also sent before `readerDetached` when one was present). */
  documentRemoved: [event: DocumentEvent];
  /** The camera appeared: at start, after re-plug; it is configured and warmed up. */
  readerAttached: [event: DocumentEvent];
  /** The camera disappeared: unplugged, or it stopped delivering frames. */
  readerDetached: [event: DocumentEvent];
}

export type DocumentCameraEmitter = EventEmitter<DocumentCameraEvents>;

/** `stopped` before `start()` and after `stop()`; `noReader` while the camera is absent. */
export type CameraState = VideoDeviceState<'noReader'>;

/**
 * The document camera: name, state, events, start() (`readerAttached` says when the camera
 * appears) and stop() (a capture in progress fails with DeviceGoneError) as every camera has
 * them (VideoDevice), and captures.
 */
export interface DocumentCamera extends VideoDevice<DocumentCameraEvents, CameraState> {
  readonly capabilities: DocumentCameraCapabilities;
  /** Whether a document lies on the glass; undefined while unknown (or presence is `none`). */
  readonly documentPresent: boolean | undefined;
  /**
   * Takes one capture: the white-light image and the requested UV/IR images, each from a frame
   * taken after the call. Captures wait their turn (one at a time). Rejects with TimeoutError
   * or AbortedError naming the camera and step, DeviceGoneError when the camera is absent or
   * goes away, InvalidArgumentError for an illumination the camera does not have.
   */
  capture(options?: CaptureOptions): Promise<DocumentCapture>;
  /**
   * Resolves when a document lies on the glass (at once if one does). Needs presence sensing:
   * with `none` it rejects with InvalidArgumentError.
   */
  waitForDocument(options?: WaitOptions): Promise<void>;
}

/** Timeouts used when a caller gives none; named so that every wait has a stated reason. */
export const DEFAULT_TIMEOUTS = {
  /**
   * One capture. A UVC camera at 5 frames/s (a document camera's full resolution over USB 2)
   * needs up to 5 frames (a flush of 4 buffered ones, then a fresh one): 1 s; full-page
   * readers switch lamps and expose three times, 1–3 s. 5 s leaves room for both.
   */
  captureMs: 5000,
  /** The applicant is asked to place the document; the visit machine has its own idle limit. */
  waitForDocumentMs: 60_000,
  /** Stopping waits for the frame grab in flight (see VIDEO_STOP_MS). */
  stopMs: VIDEO_STOP_MS,
} as const;
