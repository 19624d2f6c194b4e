// The simulated document reader (STYLE.md P1): the document-camera contract over images held
// in memory or read from files, with controls to place a document and take it away, and to
// plug and unplug the reader. It runs the kiosk on a laptop and drives the visit's tests with
// rendered data pages (src/document/render/).
//
// A placed document is one page, or a sequence of pages that successive captures go through
// (the last one repeats): the applicant lays the page crooked, then straightens it. Each page
// has its white-light image and, optionally, UV and IR images. A page without its own UV image
// gets a dark frame (a genuine document's UV-dull substrate, as ICAO Doc 9303-2 asks of it);
// one without its own IR image gets its white image in grey (the MRZ's ink is visible in the
// B900 band, as ICAO Doc 9303-3 asks). Presence comes from place()/remove(), as from a reader
// with a sensor.
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { DeviceGoneError, InvalidArgumentError } from '../../errors.js';
import { checkImage, decodeImage, toGrey, type Image } from '../../document/image.js';
import { silentLogger, type Logger } from '../../log.js';
import { SerialQueue, type Timers } from '../card-reader/serial-queue.js';
import { closeAndWait, describeStep, Lifecycle, REAL_TIMERS, sleep } from '../video/common.js';
import { captureIlluminations, waitForDocument } from './common.js';
import { DEFAULT_TIMEOUTS, ILLUMINATIONS, type CameraState, type CaptureOptions, type DocumentCamera, type DocumentCameraCapabilities, type DocumentCameraEvents, type DocumentCapture, type Illumination, type WaitOptions } from './contract.js';

const NS = 'kiosk:dev:sim-camera';

/** An image, or the path of an image file (decoded when a capture needs it). */
export type ImageSource = Image | string;

export interface SimulatedPage {
  readonly white: ImageSource;
  readonly uv?: ImageSource;
  readonly ir?: ImageSource;
}

export interface SimulatedCameraOptions {
  /** Defaults to "Simulated Document Reader". */
  readonly name?: string;
  /** The lamps the simulated reader has; all three by default. */
  readonly illuminations?: readonly Illumination[];
  readonly resolutionDpi?: number;
  /** Time each illumination's exposure takes; 0 (instant) by default. */
  readonly frameDelayMs?: number;
  /** Whether the reader is plugged in when started; true by default. */
  readonly attached?: boolean;
  /** What the camera sees with nothing on the glass; a dark 1102 × 787 frame by default. */
  readonly emptyGlass?: Image;
  /** Reads an image file (tests pass a map-backed one); node:fs and decodeImage by default. */
  readonly load?: (path: string) => Promise<Image>;
  readonly now?: () => Date;
  readonly timers?: Timers;
  readonly logger?: Logger;
}

/**
 * The empty glass: a closed dark lid (grey 24) at 200 dpi over a 140 × 100 mm window, the size
 * the capture-quality checks were calibrated on.
 */
const EMPTY_GLASS = { width: 1102, height: 787, level: 24 } as const;

export class SimulatedDocumentCamera implements DocumentCamera {
  readonly events = new EventEmitter<DocumentCameraEvents>();
  readonly name: string;
  readonly capabilities: DocumentCameraCapabilities;
  readonly #o: SimulatedCameraOptions;
  readonly #logger: Logger;
  readonly #timers: Timers;
  readonly #life = new Lifecycle();
  #attached: boolean;
  #pages: readonly SimulatedPage[] | undefined;
  #next = 0;
  #served = 0;
  #queue: SerialQueue | undefined;

  constructor(options: SimulatedCameraOptions = {}) {
    this.#o = options;
    this.name = options.name ?? 'Simulated Document Reader';
    const lamps = options.illuminations ?? ILLUMINATIONS;
    this.capabilities = {
      illuminations: ILLUMINATIONS.filter((i) => i === 'white' || lamps.includes(i)),
      presence: 'sensor',
      resolutionDpi: options.resolutionDpi,
    };
    this.#attached = options.attached ?? true;
    this.#logger = options.logger ?? silentLogger;
    this.#timers = options.timers ?? REAL_TIMERS;
  }

  get state(): CameraState {
    return this.#life.state(this.#attached, 'noReader');
  }

  get documentPresent(): boolean | undefined {
    return this.state === 'attached' ? this.#pages !== undefined : undefined;
  }

  /** How many captures have been served since start (for tests and the demo). */
  get capturesServed(): number {
    return this.#served;
  }

  start(signal: AbortSignal): Promise<void> {
    if (this.#life.started) return Promise.resolve();
    this.#served = 0;
    if (this.#life.begin(signal, () => this.stop()) && this.#attached) this.#attach();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    // A second stop() while the first waits for a capture in flight waits for the same end.
    return this.#life.end(() => this.#closeQueue('camera stopped'));
  }

  /**
   * Lays a document on the glass: one page, or a sequence that successive captures go through
   * (the last repeats). A document already there is taken away first.
   */
  place(page: SimulatedPage | readonly SimulatedPage[]): void {
    const pages = isPageList(page) ? page : [page];
    if (pages.length === 0) throw new InvalidArgumentError('pages', 'at least one page', pages);
    for (const p of pages) for (const src of [p.white, p.uv, p.ir]) if (src !== undefined && typeof src !== 'string') checkImage(src);
    if (this.#pages) this.remove();
    this.#pages = pages;
    this.#next = 0;
    this.#logger.debug(NS, 'document placed', { device: this.name, pages: pages.length });
    if (this.state === 'attached') this.events.emit('documentPlaced', { device: this.name });
  }

  /** Takes the document away; a capture in progress still completes with what it saw. */
  remove(): void {
    if (!this.#pages) return;
    this.#pages = undefined;
    this.#logger.debug(NS, 'document removed', { device: this.name });
    if (this.state === 'attached') this.events.emit('documentRemoved', { device: this.name });
  }

  /** Moves a sequence on to its next page without a capture (the applicant adjusts it). */
  advance(): void {
    if (this.#pages && this.#next < this.#pages.length - 1) this.#next++;
  }

  /** Unplugs the reader: a capture in progress fails with DeviceGoneError. */
  detach(): void {
    if (!this.#attached) return;
    this.#attached = false;
    if (!this.#life.started) return;
    void this.#closeQueue('camera unplugged');
    if (this.#pages) this.events.emit('documentRemoved', { device: this.name });
    this.events.emit('readerDetached', { device: this.name });
  }

  /** Plugs the reader back in; a document on the glass is reported again. */
  attach(): void {
    if (this.#attached) return;
    this.#attached = true;
    if (this.#life.started) this.#attach();
  }

  waitForDocument(options?: WaitOptions): Promise<void> {
    return waitForDocument(this, options, DEFAULT_TIMEOUTS.waitForDocumentMs);
  }

  capture(options: CaptureOptions = {}): Promise<DocumentCapture> {
    let lamps: Illumination[];
    try {
      lamps = captureIlluminations(options.illumination, this.capabilities, this.name);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error('invalid illumination'));
    }
    const queue = this.#queue;
    if (!queue || this.state !== 'attached') return Promise.reject(this.#life.absent(this.name));
    let step = 'capture.queue';
    return queue.run(
      async (signal) => {
        // The page is chosen when the capture starts, as a camera sees what lies there then.
        const page = this.#pages?.[this.#next];
        if (this.#pages && this.#next < this.#pages.length - 1) this.#next++;
        this.#served++;
        const out: { white?: Image; uv?: Image; ir?: Image } = {};
        let capturedAt: Date | undefined;
        for (const lamp of lamps) {
          step = `capture.${lamp}`;
          if ((this.#o.frameDelayMs ?? 0) > 0) await sleep(this.#o.frameDelayMs ?? 0, signal, () => describeStep(this.name, step, lamps), this.#timers);
          capturedAt ??= this.#o.now?.() ?? new Date();
          out[lamp] = await this.#image(page, lamp, out.white);
        }
        const white = out.white;
        if (!white || !capturedAt) throw new DeviceGoneError(this.name, 'no white-light frame');
        return {
          white,
          ...(out.uv ? { uv: out.uv } : {}),
          ...(out.ir ? { ir: out.ir } : {}),
          capturedAt,
          ...(this.capabilities.resolutionDpi !== undefined ? { resolutionDpi: this.capabilities.resolutionDpi } : {}),
          device: this.name,
        };
      },
      { signal: options.signal, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUTS.captureMs, describe: () => describeStep(this.name, step, lamps) },
    );
  }

  async #image(page: SimulatedPage | undefined, lamp: Illumination, white: Image | undefined): Promise<Image> {
    if (!page) return lamp === 'white' ? this.#emptyGlass() : toGrey(white ?? this.#emptyGlass());
    const src = page[lamp];
    if (src !== undefined) return this.#resolve(src);
    if (lamp === 'white') throw new DeviceGoneError(this.name, 'page without a white-light image');
    const base = white ?? (await this.#resolve(page.white));
    if (lamp === 'ir') return toGrey(base);
    return { width: base.width, height: base.height, channels: 1, data: Buffer.alloc(base.width * base.height, 8) };
  }

  async #resolve(src: ImageSource): Promise<Image> {
    if (typeof src !== 'string') return src;
    const load = this.#o.load ?? defaultLoad;
    return load(src);
  }

  #emptyGlass(): Image {
    const e = this.#o.emptyGlass;
    if (e) return e;
    return { width: EMPTY_GLASS.width, height: EMPTY_GLASS.height, channels: 3, data: Buffer.alloc(EMPTY_GLASS.width * EMPTY_GLASS.height * 3, EMPTY_GLASS.level) };
  }

  #attach(): void {
    this.#queue = new SerialQueue(this.#timers);
    this.events.emit('readerAttached', { device: this.name });
    if (this.#pages) this.events.emit('documentPlaced', { device: this.name });
  }

  async #closeQueue(detail: string): Promise<void> {
    const q = this.#queue;
    this.#queue = undefined;
    if (!q) return;
    await closeAndWait(q, () => new DeviceGoneError(this.name, detail), this.name, 'stop', DEFAULT_TIMEOUTS.stopMs).catch(() => undefined);
  }
}

function isPageList(p: SimulatedPage | readonly SimulatedPage[]): p is readonly SimulatedPage[] {
  return Array.isArray(p);
}

async function defaultLoad(path: string): Promise<Image> {
  return decodeImage(await readFile(path), 'simulated page image');
}
