// Pieces both document-camera implementations share: checking the requested illuminations,
// waiting for a document, and the presence debouncer. What all cameras share (step
// descriptions, sleep, timers) is in ../video/common.ts.
import { InvalidArgumentError } from '../../errors.js';
import { boundedWait } from '../card-reader/common.js';
import { describeStep } from '../video/common.js';
import { ILLUMINATIONS, type DocumentCamera, type DocumentCameraCapabilities, type Illumination, type WaitOptions } from './contract.js';

/**
 * The illuminations a capture takes, in ILLUMINATIONS order: white always, and each requested
 * one, which must be among the camera's. Throws InvalidArgumentError otherwise.
 */
export function captureIlluminations(requested: readonly Illumination[] | undefined, caps: DocumentCameraCapabilities, device: string): Illumination[] {
  const wanted = new Set<Illumination>(['white']);
  for (const i of requested ?? []) {
    if (!(ILLUMINATIONS as readonly string[]).includes(i)) throw new InvalidArgumentError('illumination', `one of ${ILLUMINATIONS.join(', ')}`, i);
    if (!caps.illuminations.includes(i)) throw new InvalidArgumentError(`illumination of ${device}`, `one of ${caps.illuminations.join(', ')}`, i);
    wanted.add(i);
  }
  return ILLUMINATIONS.filter((i) => wanted.has(i));
}

/** Resolves when `camera` reports a document, at once if one lies on the glass. */
export function waitForDocument(camera: DocumentCamera, options: WaitOptions | undefined, defaultTimeoutMs: number): Promise<void> {
  if (camera.capabilities.presence === 'none') {
    return Promise.reject(new InvalidArgumentError(`presence sensing of ${camera.name}`, 'sensor or image', 'none'));
  }
  if (camera.documentPresent === true) return Promise.resolve();
  return boundedWait(
    (signal) =>
      new Promise<void>((resolve) => {
        const onPlaced = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          camera.events.off('documentPlaced', onPlaced);
        };
        camera.events.once('documentPlaced', onPlaced);
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    { signal: options?.signal, timeoutMs: options?.timeoutMs ?? defaultTimeoutMs, describe: () => describeStep(camera.name, 'waitForDocument') },
  );
}

/**
 * Turns per-frame presence verdicts into state changes: a change counts once `confirm`
 * consecutive frames agree, so a hand passing over the glass or one noisy frame does not
 * send documentPlaced/documentRemoved.
 */
export class PresenceDebouncer {
  readonly #confirm: number;
  #state: boolean | undefined;
  #candidate: boolean | undefined;
  #count = 0;

  constructor(confirm: number) {
    if (!Number.isInteger(confirm) || confirm < 1) throw new InvalidArgumentError('confirmFrames', 'an integer ≥ 1', confirm);
    this.#confirm = confirm;
  }

  get state(): boolean | undefined {
    return this.#state;
  }

  /** Feeds one verdict; returns the new state when it changed, else undefined. */
  feed(present: boolean): boolean | undefined {
    if (present === this.#state) {
      this.#candidate = undefined;
      this.#count = 0;
      return undefined;
    }
    if (present === this.#candidate) this.#count++;
    else {
      this.#candidate = present;
      this.#count = 1;
    }
    if (this.#count < this.#confirm) return undefined;
    this.#state = present;
    this.#candidate = undefined;
    this.#count = 0;
    return present;
  }

  reset(): void {
    this.#state = undefined;
    this.#candidate = undefined;
    this.#count = 0;
  }
}
