// Checks of the V4L2 core (src/devices/video/v4l2.ts) that both V4L2 camera classes' tests run
// against their own class, over the fake VideoCapture: the test rig (a camera on a fake device,
// its events recorded), a camera absent at start or failing to open, a failed read, and
// re-plug after an absence. Each class names its own events and absent state, passed in.
import type { EventEmitter } from 'node:events';
import { once } from 'node:events';
import type { Test } from 'tap';
import { DeviceGoneError } from '../../../src/errors.js';
import { opencv } from '../../../src/native/opencv.js';
import type { CameraDeviceEvent, CameraFaultEvent } from '../../../src/devices/video/contract.js';
import type { V4l2VideoOptions } from '../../../src/devices/video/v4l2.js';
import { raise, until, type FakeCapture, type FakeDevice } from './fake-video-capture.js';

const cv = opencv();

/** What the checks need of a camera class (both contracts have it, with their own events). */
export interface CameraLike {
  readonly name: string;
  readonly state: string;
  readonly events: EventEmitter;
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

/** A camera on a fake device, its events (`<event> <device>`) and faults recorded. */
export interface CameraRig<C extends CameraLike> extends FakeDevice {
  camera: C;
  log: string[];
  faults: Error[];
  life: AbortController;
}

/** The class under test: how to make one, its fake captures, and its words. */
export interface V4l2CameraSpec {
  readonly make: (options: V4l2VideoOptions) => CameraLike;
  readonly capture: () => FakeCapture;
  /** The event that says the camera appeared. */
  readonly attached: string;
  /** The state of a started camera that is absent. */
  readonly absent: string;
}

/** The options of a rig's camera besides its device path: named `Cam`, on `device`, quick retries. */
export function rigOptions(device: FakeDevice): Omit<V4l2VideoOptions, 'device'> {
  return { name: 'Cam', warmUpFrames: 3, retryDelayMs: 5, exists: device.exists, factory: device.factory, now: () => new Date('2030-01-02T03:04:05Z') };
}

/** Records `logged` events and the faults of `camera` on `device`. */
export function cameraRig<C extends CameraLike>(camera: C, device: FakeDevice, logged: readonly string[]): CameraRig<C> {
  const log: string[] = [];
  const faults: Error[] = [];
  for (const name of logged) camera.events.on(name, (e: CameraDeviceEvent) => log.push(`${name} ${e.device}`));
  camera.events.on('fault', (e: CameraFaultEvent) => faults.push(e.error));
  return { ...device, camera, log, faults, life: new AbortController() };
}

/** Starts the rig's camera and waits until it has attached. */
export async function startRig(r: CameraRig<CameraLike>, attached: string): Promise<void> {
  const appeared = once(r.camera.events, attached);
  await r.camera.start(r.life.signal);
  await appeared;
}

/** A camera absent at start, then failing to open twice, is retried until it attaches. */
export async function checkRetriedUntilPresent(t: Test, spec: V4l2CameraSpec): Promise<void> {
  let failOpens = 2;
  const present = { value: false };
  const camera = spec.make({
    device: 0,
    warmUpFrames: 0,
    retryDelayMs: 2,
    exists: () => present.value,
    factory: (device, api) => {
      t.equal(device, 0);
      t.equal(api, cv.CAP_V4L2, 'the V4L2 backend is asked for');
      if (failOpens-- > 0) raise('VideoCapture::New - failed to open capture');
      return spec.capture();
    },
  });
  const faults: Error[] = [];
  camera.events.on('fault', (e: CameraFaultEvent) => faults.push(e.error));
  const attached = once(camera.events, spec.attached);
  await camera.start(new AbortController().signal);
  t.equal(camera.name, 'V4L2 0');
  await until(() => faults.length >= 1);
  t.equal(camera.state, spec.absent);
  present.value = true;
  await attached;
  t.equal(camera.state, 'attached');
  t.same(
    faults.map((e) => e.message),
    ['V4L2 0: device node not present', 'V4L2 0: cannot open the device'],
    'each distinct fault once',
  );
  await camera.stop();
}

/** Aborting the signal given to start() stops the camera, and its handle is released. */
export async function checkAbortStops(t: Test, r: CameraRig<CameraLike>, spec: V4l2CameraSpec): Promise<void> {
  await startRig(r, spec.attached);
  r.life.abort();
  await until(() => r.current().released);
  t.equal(r.camera.state, 'stopped');
}

/** A failed read (opencv4nodejs rejects with a string) through `take` is a lost camera. */
export async function checkFailedReadIsLoss(t: Test, r: CameraRig<CameraLike>, spec: V4l2CameraSpec, take: () => Promise<unknown>): Promise<void> {
  await startRig(r, spec.attached);
  r.current().rejectWith = 'VideoCapture::ReadAsync - failed';
  const err = await take().catch((e: unknown) => e);
  t.ok(err instanceof DeviceGoneError);
  t.ok((err as Error).cause instanceof Error, 'the native message is kept as an Error cause');
  t.equal(r.camera.state, spec.absent);
  await r.camera.stop();
}

/**
 * After an unplug (the rig's device node gone, its capture empty): the loss was a fault, the
 * absence is reported once over several retries, and the camera is opened again on re-plug,
 * its log then being `expectedLog`.
 */
export async function checkReplugged(t: Test, r: CameraRig<CameraLike>, spec: V4l2CameraSpec, expectedLog: readonly string[]): Promise<void> {
  t.ok(r.faults.some((e) => e instanceof DeviceGoneError && /no frame/.test(e.message)));
  await until(() => r.faults.some((e) => /not present/.test(e.message)));
  await new Promise((res) => setTimeout(res, 30)); // several more retries (every 5 ms)
  const faultsWhileAbsent = r.faults.filter((e) => /not present/.test(e.message)).length;
  t.equal(faultsWhileAbsent, 1, 'an absent camera is reported once, not at every retry');
  const back = once(r.camera.events, spec.attached);
  r.present.value = true;
  await back;
  t.equal(r.opened.length, 2, 'opened again');
  t.same(r.log, expectedLog);
}
