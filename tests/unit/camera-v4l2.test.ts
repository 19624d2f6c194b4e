// The V4L2 face camera over an injected fake VideoCapture (STYLE.md P2): configuration order
// and the capabilities read back, warm-up, reading only while somebody wants frames, the drain
// of buffered frames after an idle spell, one read at a time, slow consumers losing the oldest
// frames, timeouts and aborts that name the camera and step, unplug in the middle of a stream
// (no release while a read is in flight) and re-plug, a camera absent at start, and stop.
import { once } from 'node:events';
import t from 'tap';
import { AbortedError, DeviceGoneError, InvalidArgumentError, TimeoutError } from '../../src/errors.js';
import { opencv } from '../../src/native/opencv.js';
import { parseCameraDevice, V4l2Camera, type V4l2CameraOptions } from '../../src/devices/camera/v4l2.js';
import type { Frame } from '../../src/devices/camera/contract.js';
import { FakeCapture, fakeDevice, until } from './helpers/fake-video-capture.js';
import { cameraRig, checkAbortStops, checkFailedReadIsLoss, checkReplugged, checkRetriedUntilPresent, rigOptions, startRig, type CameraRig, type V4l2CameraSpec } from './helpers/v4l2-camera-checks.js';

const cv = opencv();

const readNo = (f: Frame): number => f.image.data[0]!;

/** The face camera under the shared V4L2 checks; its fake captures deliver a frame every 2 ms. */
const SPEC: V4l2CameraSpec = { make: (o) => new V4l2Camera(o), capture: () => new FakeCapture(2), attached: 'attached', absent: 'noCamera' };

type Rig = CameraRig<V4l2Camera>;

function rig(extra: Partial<V4l2CameraOptions> = {}, prepare: (c: FakeCapture) => void = () => undefined): Rig {
  const device = fakeDevice(() => {
    const c = SPEC.capture();
    c.props.set(cv.CAP_PROP_BUFFERSIZE, 1);
    return c;
  }, prepare);
  const camera = new V4l2Camera({ device: '/dev/v4l/by-id/usb-Test_Face_Cam-video-index0', ...rigOptions(device), ...extra });
  return cameraRig(camera, device, ['attached', 'detached']);
}

const started = (r: Rig): Promise<void> => startRig(r, SPEC.attached);

t.test('start configures, reads back what the driver granted, warms up and attaches', async (t) => {
  const r = rig({ width: 1920, height: 1080, fourcc: 'MJPG', fps: 30, controls: [{ property: cv.CAP_PROP_AUTOFOCUS, value: 1 }] }, (c) => {
    c.grant.set(cv.CAP_PROP_FRAME_WIDTH, 1280);
    c.grant.set(cv.CAP_PROP_FRAME_HEIGHT, 720);
  });
  t.equal(r.opened.length, 0, 'nothing opened by the constructor');
  t.equal(r.camera.state, 'stopped');
  t.same(r.camera.capabilities, { width: undefined, height: undefined, fps: undefined });
  await started(r);
  const c = r.current();
  t.equal(r.camera.state, 'attached');
  t.equal(c.setOrder[0], cv.CAP_PROP_FOURCC, 'the pixel format is set first');
  t.equal(c.props.get(cv.CAP_PROP_FOURCC), cv.VideoWriter.fourcc('MJPG'));
  t.equal(c.props.get(cv.CAP_PROP_AUTOFOCUS), 1);
  t.same(r.camera.capabilities, { width: 1280, height: 720, fps: 30 }, 'the granted size, not the requested one');
  t.equal(c.grabs, 3, 'three warm-up frames thrown away');
  t.same(r.log, ['attached Cam']);
  r.life.abort();
  await r.camera.stop();
  t.ok(c.released);
  t.equal(r.camera.state, 'stopped');
});

t.test('frames at the camera rate, only while wanted; buffered frames drained after idling', async (t) => {
  const r = rig();
  await started(r);
  const c = r.current();
  await new Promise((res) => setTimeout(res, 30));
  t.equal(c.grabs, 3, 'no reads while nobody wants frames');
  const s = r.camera.frames({ buffer: 30 });
  const first = await s.next();
  // One buffer granted: one stale frame drained, then read 5 (after 3 warm-up reads).
  t.equal(first.done !== true && readNo(first.value), 5, 'the first frame is taken after the call');
  t.equal(first.done !== true && first.value.sequence, 1);
  t.same(first.done !== true && first.value.capturedAt, new Date('2030-01-02T03:04:05Z'));
  const second = await s.next();
  t.equal(second.done !== true && readNo(second.value), 6, 'then every frame the camera delivers');
  s.close();
  await until(() => c.inFlight === 0);
  const after = c.grabs;
  await new Promise((res) => setTimeout(res, 30));
  t.equal(c.grabs, after, 'reading stops when the stream closes');
  const g = await r.camera.grab();
  t.equal(readNo(g), after + 2, 'a grab after idling drains the stale frame too');
  t.equal(c.maxInFlight, 1, 'one read at a time');
  await r.camera.stop();
});

t.test('a slow consumer gets the newest frame; the rest are dropped and counted', async (t) => {
  const r = rig();
  await started(r);
  const c = r.current();
  const s = r.camera.frames();
  const grab = r.camera.grab();
  await until(() => c.grabs >= 12);
  const latest = await s.next();
  t.ok(latest.done !== true && readNo(latest.value) >= 12, 'the newest frame');
  t.ok(s.dropped >= 6, `older frames dropped (${s.dropped})`);
  t.ok((await grab).image.width === 8, 'a grab alongside a stream gets a frame too');
  t.equal(c.maxInFlight, 1, 'one read at a time for both');
  s.close();
  await r.camera.stop();
});

t.test('timeouts and aborts name the camera and the step', async (t) => {
  const r = rig();
  await started(r);
  const c = r.current();
  c.hold();
  const timedOut = await r.camera.grab({ timeoutMs: 30 }).catch((e: unknown) => e);
  t.ok(timedOut instanceof TimeoutError);
  t.equal((timedOut as Error).message, 'Timeout after 30ms [device=Cam step=grab]');
  const s = r.camera.frames({ frameTimeoutMs: 20 });
  await t.rejects(s.next(), { name: 'TimeoutError', message: 'Timeout after 20ms [device=Cam step=frames]' });
  s.close();
  const ac = new AbortController();
  const p = r.camera.grab({ signal: ac.signal, timeoutMs: 1000 });
  ac.abort();
  await t.rejects(p, AbortedError);
  c.let();
  const ok = await r.camera.grab();
  t.equal(ok.image.width, 8, 'the camera still works after callers gave up');
  t.equal(c.maxInFlight, 1, 'the abandoned read was not overlapped');
  await r.camera.stop();
});

t.test('unplug during a stream: DeviceGoneError, release after the read, re-plug', async (t) => {
  const r = rig();
  await started(r);
  const first = r.current();
  const s = r.camera.frames();
  await s.next();
  first.hold();
  const waiting = s.next().catch((e: unknown) => e);
  await until(() => first.inFlight > 0);
  const detached = once(r.camera.events, 'detached');
  r.present.value = false;
  first.gone = true;
  first.let();
  t.ok((await waiting) instanceof DeviceGoneError, 'the waiting next() fails');
  t.same(await s.next(), { value: undefined, done: true }, 'and the stream has ended');
  await detached;
  t.equal(r.camera.state, 'noCamera');
  await t.rejects(r.camera.grab(), { name: 'DeviceGoneError', message: /no camera attached/ });
  await t.rejects(r.camera.frames().next(), DeviceGoneError);
  await until(() => first.released);
  t.notOk(first.releasedInFlight, 'never released while a read was in flight');
  await checkReplugged(t, r, SPEC, ['attached Cam', 'detached Cam', 'attached Cam']);
  const f = await r.camera.grab();
  t.equal(readNo(f), 3 + 2, 'a fresh handle: warm-up, drain, frame');
  await r.camera.stop();
});

t.test('a failed read (opencv4nodejs rejects with a string) is a lost camera', async (t) => {
  const r = rig();
  await checkFailedReadIsLoss(t, r, SPEC, () => r.camera.grab());
});

t.test('a camera absent at start, or failing to open, is retried', (t) => checkRetriedUntilPresent(t, SPEC));

t.test('stop fails open streams and grabs and releases the handle; abort stops too', async (t) => {
  const r = rig();
  await started(r);
  const c = r.current();
  const s = r.camera.frames();
  await s.next();
  c.hold();
  const waiting = s.next().catch((e: unknown) => e);
  const grab = r.camera.grab({ timeoutMs: 5000 }).catch((e: unknown) => e);
  await until(() => c.inFlight > 0);
  const stopping = r.camera.stop();
  t.match(await waiting, { name: 'DeviceGoneError', message: /camera stopped/ });
  t.match(await grab, { name: 'DeviceGoneError', message: /camera stopped/ });
  c.let();
  await stopping;
  t.ok(c.released);
  t.notOk(c.releasedInFlight);
  await t.rejects(r.camera.grab(), { name: 'DeviceGoneError', message: /not started/ });
  await checkAbortStops(t, rig(), SPEC);
});

t.test('options are checked at start; device strings parse', async (t) => {
  await t.rejects(new V4l2Camera({ device: '/dev/video0', fourcc: 'MJPEG' }).start(new AbortController().signal), InvalidArgumentError);
  await t.rejects(new V4l2Camera({ device: -1 }).start(new AbortController().signal), InvalidArgumentError);
  await t.rejects(new V4l2Camera({ device: '/dev/video0', fps: 0 }).start(new AbortController().signal), InvalidArgumentError);
  await t.rejects(new V4l2Camera({ device: '/dev/video0', warmUpFrames: 1000 }).start(new AbortController().signal), InvalidArgumentError);
  t.equal(parseCameraDevice('1'), 1);
  t.equal(parseCameraDevice('/dev/video1'), '/dev/video1');
});
