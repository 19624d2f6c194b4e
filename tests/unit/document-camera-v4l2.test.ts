// The V4L2 document camera over an injected fake VideoCapture (STYLE.md P2): configuration
// order and values, warm-up, the drain of buffered frames before a capture, one grab at a
// time, timeouts and aborts that name the camera and step, unplug in the middle of a capture
// (no release while a grab is in flight) and re-plug, a camera absent at start, presence from
// frame analysis with the capture-quality checks, and stop.
import { once } from 'node:events';
import t from 'tap';
import { AbortedError, DeviceGoneError, InvalidArgumentError, TimeoutError } from '../../src/errors.js';
import { assessCapture } from '../../src/document/capture-quality.js';
import type { Image } from '../../src/document/image.js';
import { opencv } from '../../src/native/opencv.js';
import { parseCameraDevice, PRESENCE_LONG_SIDE, V4l2DocumentCamera, WARM_UP_FRAMES, type V4l2CameraOptions } from '../../src/devices/document-camera/v4l2.js';
import type { DocumentCameraEvents } from '../../src/devices/document-camera/contract.js';
import { goodPage, scene } from './helpers/document-scenes.js';
import { FakeCapture, fakeDevice, until } from './helpers/fake-video-capture.js';
import { cameraRig, checkAbortStops, checkFailedReadIsLoss, checkReplugged, checkRetriedUntilPresent, rigOptions, startRig, type CameraRig, type V4l2CameraSpec } from './helpers/v4l2-camera-checks.js';

const cv = opencv();

type Rig = CameraRig<V4l2DocumentCamera>;

const SPEC: V4l2CameraSpec = { make: (o) => new V4l2DocumentCamera(o), capture: () => new FakeCapture(), attached: 'readerAttached', absent: 'noReader' };

function rig(extra: Partial<V4l2CameraOptions> = {}, prepare: (c: FakeCapture) => void = () => undefined): Rig {
  const device = fakeDevice(SPEC.capture, prepare);
  const camera = new V4l2DocumentCamera({ device: '/dev/v4l/by-id/usb-Test_Cam-video-index0', ...rigOptions(device), ...extra });
  return cameraRig(camera, device, ['readerAttached', 'readerDetached', 'documentPlaced', 'documentRemoved'] satisfies (keyof DocumentCameraEvents)[]);
}

const started = (r: Rig): Promise<void> => startRig(r, SPEC.attached);

t.test('constructor does nothing; start configures, warms up and attaches', async (t) => {
  const r = rig({ width: 3264, height: 2448, fourcc: 'MJPG', fps: 5, controls: [{ property: cv.CAP_PROP_AUTOFOCUS, value: 0 }], resolutionDpi: 400 }, (c) => {
    c.refuse.add(cv.CAP_PROP_BUFFERSIZE);
  });
  t.equal(r.opened.length, 0, 'nothing opened by the constructor');
  t.equal(r.camera.state, 'stopped');
  t.same(r.camera.capabilities, { illuminations: ['white'], presence: 'none', resolutionDpi: 400 });
  await started(r);
  const c = r.current();
  t.equal(r.camera.state, 'attached');
  t.equal(c.setOrder[0], cv.CAP_PROP_FOURCC, 'the pixel format is set first');
  t.equal(c.props.get(cv.CAP_PROP_FOURCC), cv.VideoWriter.fourcc('MJPG'));
  t.equal(c.props.get(cv.CAP_PROP_FRAME_WIDTH), 3264);
  t.equal(c.props.get(cv.CAP_PROP_FRAME_HEIGHT), 2448);
  t.equal(c.props.get(cv.CAP_PROP_FPS), 5);
  t.equal(c.props.get(cv.CAP_PROP_AUTOFOCUS), 0);
  t.equal(c.grabs, 3, 'three warm-up frames thrown away');
  t.same(r.log, ['readerAttached Cam']);
  t.equal(r.camera.documentPresent, undefined, 'no presence sensing without a detector');
  await t.rejects(r.camera.waitForDocument(), InvalidArgumentError);
  r.life.abort();
  await r.camera.stop();
  t.ok(c.released);
  t.equal(r.camera.state, 'stopped');
});

t.test('a capture drains the buffered frames and keeps the next one', async (t) => {
  // The driver granted one buffer: one stale frame, then the capture's own.
  const one = rig({}, (c) => c.props.set(cv.CAP_PROP_BUFFERSIZE, 1));
  await started(one);
  const cap = await one.camera.capture({ timeoutMs: 1000 });
  t.equal(cap.white.data[0], 3 + 2, 'grab 5: after 3 warm-up frames and 1 drained');
  t.equal(cap.device, 'Cam');
  t.same(cap.capturedAt, new Date('2030-01-02T03:04:05Z'));
  t.equal(cap.uv, undefined);
  t.equal(cap.ir, undefined);
  t.notOk('resolutionDpi' in cap, 'no resolution when none is calibrated');
  await one.camera.stop();
  // The buffer size cannot be read: OpenCV's default of 4 buffers is assumed.
  const four = rig({}, (c) => c.refuse.add(cv.CAP_PROP_BUFFERSIZE));
  await started(four);
  const cap4 = await four.camera.capture();
  t.equal(cap4.white.data[0], 3 + 5, 'grab 8: 4 drained');
  await four.camera.stop();
});

t.test('one grab at a time, presence polls included', async (t) => {
  const r = rig({ presence: { detect: () => false, intervalMs: 1 } });
  await started(r);
  const caps = await Promise.all([r.camera.capture(), r.camera.capture(), r.camera.capture()]);
  t.equal(caps.length, 3);
  t.equal(r.current().maxInFlight, 1);
  const seq = caps.map((c) => c.white.data[0]!);
  t.ok(seq[0]! < seq[1]! && seq[1]! < seq[2]!, 'in call order');
  await r.camera.stop();
});

t.test('illuminations the camera lacks are refused before any grab', async (t) => {
  const r = rig();
  await started(r);
  const before = r.current().grabs;
  await t.rejects(r.camera.capture({ illumination: ['white', 'uv'] }), { name: 'InvalidArgumentError', message: /illumination of Cam/ });
  await t.rejects(r.camera.capture({ illumination: ['xray' as 'uv'] }), InvalidArgumentError);
  t.equal(r.current().grabs, before);
  await r.camera.stop();
});

t.test('timeouts and aborts name the camera and the step', async (t) => {
  const r = rig({}, (c) => c.props.set(cv.CAP_PROP_BUFFERSIZE, 1));
  await started(r);
  const c = r.current();
  c.hold();
  const timedOut = await r.camera.capture({ timeoutMs: 30 }).catch((e: unknown) => e);
  t.ok(timedOut instanceof TimeoutError);
  t.equal((timedOut as Error).message, 'Timeout after 30ms [device=Cam step=capture.flush1 illumination=white]');
  const ac = new AbortController();
  const p = r.camera.capture({ signal: ac.signal, timeoutMs: 1000 });
  ac.abort();
  await t.rejects(p, AbortedError);
  c.let();
  const ok = await r.camera.capture();
  t.ok(ok.white.width === 8, 'the camera still works after a caller gave up');
  t.equal(c.maxInFlight, 1, 'the abandoned grab was not overlapped');
  await r.camera.stop();
});

t.test('unplug during a capture: DeviceGoneError, release after the grab, re-plug', async (t) => {
  const r = rig({}, (c) => c.props.set(cv.CAP_PROP_BUFFERSIZE, 1));
  await started(r);
  const first = r.current();
  first.hold();
  const p = r.camera.capture({ timeoutMs: 2000 });
  await new Promise((res) => setTimeout(res, 5));
  const detached = once(r.camera.events, 'readerDetached');
  r.present.value = false;
  first.gone = true;
  first.let();
  await t.rejects(p, DeviceGoneError);
  await detached;
  t.equal(r.camera.state, 'noReader');
  await t.rejects(r.camera.capture(), { name: 'DeviceGoneError', message: /no camera attached/ });
  await until(() => first.released);
  t.ok(first.released, 'the lost handle is released');
  t.notOk(first.releasedInFlight, 'never while a grab was in flight');
  await checkReplugged(t, r, SPEC, ['readerAttached Cam', 'readerDetached Cam', 'readerAttached Cam']);
  const cap = await r.camera.capture();
  t.equal(cap.white.data[0], 3 + 2);
  await r.camera.stop();
});

t.test('a failed grab (opencv4nodejs rejects with a string) is a lost camera', async (t) => {
  const r = rig();
  await checkFailedReadIsLoss(t, r, SPEC, () => r.camera.capture());
});

t.test('a camera absent at start, or failing to open, is retried', (t) => checkRetriedUntilPresent(t, SPEC));

t.test('presence from frame analysis: placed and removed after two agreeing frames', async (t) => {
  const empty = scene({});
  const page = scene({ pages: [goodPage()] });
  let onGlass = false;
  const widths = new Set<number>();
  const detect = (img: Image): boolean => {
    widths.add(img.width);
    return assessCapture(img).presence !== 'none';
  };
  const r = rig(
    {
      warmUpFrames: 1,
      presence: { detect, intervalMs: 2, confirmFrames: 2 },
    },
    (c) => {
      c.frame = () => (onGlass ? page : empty);
    },
  );
  await started(r);
  await until(() => r.camera.documentPresent !== undefined);
  t.equal(r.camera.documentPresent, false, 'an empty glass is known after the first frames');
  t.same(r.log, ['readerAttached Cam'], 'no event for the initial empty state');
  const placed = once(r.camera.events, 'documentPlaced');
  onGlass = true;
  await Promise.all([placed, r.camera.waitForDocument({ timeoutMs: 2000 })]);
  t.equal(r.camera.documentPresent, true);
  t.same([...widths], [PRESENCE_LONG_SIDE], `presence frames are scaled down from ${page.width} px`);
  const cap = await r.camera.capture();
  t.equal(cap.white.width, page.width, 'captures are full size');
  t.ok(assessCapture(cap.white).ok, 'the capture is the page');
  const removed = once(r.camera.events, 'documentRemoved');
  onGlass = false;
  await removed;
  t.same(r.log, ['readerAttached Cam', 'documentPlaced Cam', 'documentRemoved Cam']);
  await t.rejects(r.camera.waitForDocument({ timeoutMs: 20 }), { name: 'TimeoutError', message: /device=Cam step=waitForDocument/ });
  // Unplugged with a document on the glass: removed, then detached (as the card reader does).
  onGlass = true;
  await once(r.camera.events, 'documentPlaced');
  const detached = once(r.camera.events, 'readerDetached');
  r.present.value = false;
  r.current().gone = true;
  await detached;
  t.same(r.log.slice(-2), ['documentRemoved Cam', 'readerDetached Cam']);
  t.equal(r.camera.documentPresent, undefined);
  await r.camera.stop();
});

t.test('stop fails a pending capture and releases the handle; abort stops too', async (t) => {
  const r = rig();
  await started(r);
  const c = r.current();
  c.hold();
  const p = r.camera.capture({ timeoutMs: 5000 });
  const stopping = r.camera.stop();
  await t.rejects(p, { name: 'DeviceGoneError', message: /camera stopped/ });
  c.let();
  await stopping;
  t.ok(c.released);
  t.notOk(c.releasedInFlight);
  await t.rejects(r.camera.capture(), { name: 'DeviceGoneError', message: /not started/ });
  const r2 = rig();
  await checkAbortStops(t, r2, SPEC);
  t.ok(r2.current().released);
});

t.test('options are checked at start; device strings parse', async (t) => {
  await t.rejects(new V4l2DocumentCamera({ device: '/dev/video0', fourcc: 'MJPEG' }).start(new AbortController().signal), InvalidArgumentError);
  await t.rejects(new V4l2DocumentCamera({ device: -1 }).start(new AbortController().signal), InvalidArgumentError);
  await t.rejects(new V4l2DocumentCamera({ device: '/dev/video0', width: 0 }).start(new AbortController().signal), InvalidArgumentError);
  t.equal(parseCameraDevice('2'), 2);
  t.equal(parseCameraDevice('/dev/video2'), '/dev/video2');
  t.throws(() => parseCameraDevice('video2'), InvalidArgumentError);
  t.equal(WARM_UP_FRAMES, 5);
});
