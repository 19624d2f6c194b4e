// The simulated face camera against the camera contract, on fake timers: frames at the set
// rate, the camera idle while nobody wants frames, slow consumers losing the oldest frames
// (counted) without slowing the camera, grabs, timeouts and aborts that name the camera and the
// step, unplug and re-plug, recordings played once or looped, image files through an injected
// loader, a video file through an injected VideoCapture, and stop.
import t from 'tap';
import { AbortedError, DeviceGoneError, InvalidArgumentError, ParseError, TimeoutError } from '../../src/errors.js';
import type { Image } from '../../src/document/image.js';
import { toMat } from '../../src/document/image.js';
import { SimulatedCamera, SIMULATED_FPS, type SimulatedCameraOptions } from '../../src/devices/camera/simulated.js';
import type { VideoCaptureLike } from '../../src/devices/camera/v4l2.js';
import type { Frame } from '../../src/devices/camera/contract.js';
import { opencv, type Mat } from '../../src/native/opencv.js';
import { FakeTimers, flush } from './helpers/fake-timers.js';

const cv = opencv();

/** A tiny frame whose pixels all hold `v`: which recording frame a consumer got. */
const solid = (v: number): Image => ({ width: 4, height: 3, channels: 3, data: Buffer.alloc(4 * 3 * 3, v) });
const level = (f: Frame): number => f.image.data[0]!;

/** How a promise ended, without leaving it unhandled. */
async function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await p };
  } catch (error) {
    return { error };
  }
}

function rig(options: SimulatedCameraOptions = {}): { camera: SimulatedCamera; timers: FakeTimers; log: string[] } {
  const timers = new FakeTimers();
  const camera = new SimulatedCamera({ name: 'Sim', timers, now: timers.date, recording: { images: [solid(1), solid(2), solid(3)] }, fps: 10, ...options });
  const log: string[] = [];
  camera.events.on('attached', (e) => log.push(`attached ${e.device}`));
  camera.events.on('detached', (e) => log.push(`detached ${e.device}`));
  return { camera, timers, log };
}

t.test('frames come at the set rate, in recording order, looping; idle without consumers', async (t) => {
  const { camera, timers, log } = rig();
  t.equal(camera.state, 'stopped');
  t.same(log, [], 'the constructor does nothing');
  await camera.start(new AbortController().signal);
  t.same(log, ['attached Sim']);
  await timers.advance(1000);
  t.equal(camera.framesRead, 0, 'no frames are read while nobody wants them');
  const stream = camera.frames({ buffer: 30 });
  await timers.advance(1000);
  t.equal(camera.framesRead, 10, '10 frames/s');
  const got: Frame[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await stream.next();
    if (r.done !== true) got.push(r.value);
  }
  t.same(
    got.map(level),
    [1, 2, 3, 1, 2, 3, 1, 2, 3, 1],
    'the recording, looped',
  );
  t.same(
    got.map((f) => f.sequence),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  t.same(
    got.map((f) => f.capturedAt.getTime() - Date.UTC(2030, 0, 1)),
    [1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900, 2000],
    'one frame every 100 ms on the injected clock, from when the stream opened',
  );
  t.equal(got[0]?.device, 'Sim');
  t.same(camera.capabilities, { width: 4, height: 3, fps: 10 });
  t.equal(stream.dropped, 0);
  t.equal(stream.delivered, 10);
  stream.close();
  await timers.advance(1000);
  t.equal(camera.framesRead, 10, 'reading stops when the last stream closes');
  await camera.stop();
  t.equal(camera.state, 'stopped');
});

t.test('a slow consumer loses the oldest frames, counted, and does not slow the camera', async (t) => {
  const { camera, timers } = rig();
  await camera.start(new AbortController().signal);
  const one = camera.frames();
  const three = camera.frames({ buffer: 3 });
  await timers.advance(1000);
  const latest = await one.next();
  t.equal(latest.done !== true && latest.value.sequence, 10, 'buffer 1: the newest frame');
  t.equal(one.dropped, 9);
  const oldest = await three.next();
  t.equal(oldest.done !== true && oldest.value.sequence, 8, 'buffer 3: the three newest, oldest first');
  t.equal(three.dropped, 7);
  // A consumer that works 250 ms per frame sees every third frame or so; the camera keeps its rate.
  const seen: number[] = [];
  for (let i = 0; i < 4; i++) {
    const p = one.next();
    await timers.advance(100);
    const r = await p;
    if (r.done !== true) seen.push(r.value.sequence);
    await timers.advance(250);
  }
  t.equal(camera.framesRead, 10 + 14, 'still 10 frames/s while the consumer is slow');
  t.ok(one.dropped > 9, `frames dropped while working (${one.dropped})`);
  t.ok(seen.every((s, i) => i === 0 || s > seen[i - 1]!), 'always newer frames');
  one.close();
  three.close();
  await camera.stop();
});

t.test('for-await over a stream; breaking out stops the reading', async (t) => {
  const { camera, timers } = rig({ fps: 20 });
  await camera.start(new AbortController().signal);
  const levels: number[] = [];
  const done = (async () => {
    for await (const f of camera.frames()) {
      levels.push(level(f));
      if (levels.length === 4) break;
    }
  })();
  for (let i = 0; i < 4; i++) await timers.advance(50);
  await done;
  t.same(levels, [1, 2, 3, 1]);
  const read = camera.framesRead;
  await timers.advance(500);
  t.equal(camera.framesRead, read, 'no frames after the loop ended');
  await camera.stop();
});

t.test('a stream opened as another closes gets frames; an aborted signal opens nothing', async (t) => {
  const { camera, timers } = rig();
  await camera.start(new AbortController().signal);
  const s1 = camera.frames();
  await timers.advance(150);
  // The loop is sleeping towards frame 2 when s1 closes; s2 comes in the same turn.
  s1.close();
  const s2 = camera.frames();
  const next = s2.next();
  await timers.advance(100);
  const r = await next;
  t.equal(r.done, false, 'the new stream is served by a restarted loop');
  s2.close();
  const read = camera.framesRead;
  const s3 = camera.frames({ signal: AbortSignal.abort() });
  await t.rejects(s3.next(), AbortedError);
  await timers.advance(1000);
  t.equal(camera.framesRead, read, 'a stream aborted before it began reads no frames');
  await camera.stop();
});

t.test('grab: the next frame; timeouts and aborts name the camera and step', async (t) => {
  const { camera, timers } = rig({ fps: 1 });
  await camera.start(new AbortController().signal);
  const g = camera.grab();
  await timers.advance(1000);
  const f = await g;
  t.equal(level(f), 1);
  const late = settle(camera.grab({ timeoutMs: 500 }));
  await timers.advance(500);
  const timedOut = (await late).error;
  t.ok(timedOut instanceof TimeoutError);
  t.equal((timedOut as Error).message, 'Timeout after 500ms [device=Sim step=grab]');
  const ac = new AbortController();
  const aborted = settle(camera.grab({ signal: ac.signal }));
  ac.abort();
  const e = (await aborted).error;
  t.ok(e instanceof AbortedError);
  t.match((e as Error).message, /device=Sim step=grab/);
  await t.rejects(camera.grab({ signal: ac.signal }), AbortedError, 'an already-aborted signal');
  // A stream's frame timeout leaves the stream open.
  const s = camera.frames({ frameTimeoutMs: 300 });
  const first = settle(s.next());
  await timers.advance(300);
  t.match((await first).error, { name: 'TimeoutError', message: 'Timeout after 300ms [device=Sim step=frames]' });
  // The camera's first frame comes 1000 ms after the stream opened; ask again just before it.
  await timers.advance(500);
  const second = s.next();
  await timers.advance(200);
  t.equal((await second).done, false, 'the stream still works after a timeout');
  const ac2 = new AbortController();
  const s2 = camera.frames({ signal: ac2.signal });
  const waiting = settle(s2.next());
  ac2.abort();
  t.match((await waiting).error, { name: 'AbortedError', message: /device=Sim step=frames/ });
  t.same(await s2.next(), { value: undefined, done: true }, 'an aborted stream is over');
  s.close();
  await camera.stop();
});

t.test('unplug fails streams and grabs with DeviceGoneError; re-plug brings frames back', async (t) => {
  const { camera, timers, log } = rig();
  await camera.start(new AbortController().signal);
  const s = camera.frames();
  const waiting = settle(s.next());
  await timers.advance(50);
  camera.detach();
  t.match((await waiting).error, { name: 'DeviceGoneError', message: 'Sim: camera unplugged' });
  t.same(await s.next(), { value: undefined, done: true }, 'the stream has ended');
  t.equal(camera.state, 'noCamera');
  await t.rejects(camera.grab(), { name: 'DeviceGoneError', message: /no camera attached/ });
  const absent = camera.frames();
  await t.rejects(absent.next(), DeviceGoneError, 'a stream opened while unplugged fails at once');
  t.same(await absent.next(), { value: undefined, done: true });
  const read = camera.framesRead;
  await timers.advance(1000);
  t.equal(camera.framesRead, read, 'nothing read while unplugged');
  camera.attach();
  t.same(log, ['attached Sim', 'detached Sim', 'attached Sim']);
  const g = camera.grab();
  await timers.advance(100);
  t.ok((await g).image.width === 4, 'frames again after re-plug');
  await camera.stop();
});

t.test('a recording played once ends the streams; play() switches recordings', async (t) => {
  const { camera, timers } = rig({ loop: false, recording: { images: [solid(5), solid(6)] } });
  await camera.start(new AbortController().signal);
  const s = camera.frames({ buffer: 5 });
  await timers.advance(500);
  const levels: number[] = [];
  for await (const f of s) levels.push(level(f));
  t.same(levels, [5, 6], 'both frames, then the end');
  const after = settle(camera.grab());
  await timers.advance(100);
  t.match((await after).error, { name: 'DeviceGoneError', message: /end of the recording/ }, 'a grab after the end');
  camera.play({ images: [solid(9)] }, { fps: 4 });
  t.equal(camera.capabilities.fps, 4);
  const g = camera.grab();
  await timers.advance(250);
  t.equal(level(await g), 9, 'the new recording, at its rate');
  await camera.stop();
});

t.test('image files through the loader; a file that does not decode fails the stream', async (t) => {
  const files = new Map<string, Image>([['a.png', solid(40)]]);
  const load = async (p: string): Promise<Image> => {
    const img = files.get(p);
    if (!img) throw new ParseError('simulated camera image', 'not a decodable image');
    return img;
  };
  const { camera, timers } = rig({ load, recording: { images: ['a.png', 'broken.png'] } });
  await camera.start(new AbortController().signal);
  const s = camera.frames({ buffer: 5 });
  await timers.advance(200);
  const a = await s.next();
  t.equal(a.done !== true && level(a.value), 40);
  await t.rejects(s.next(), ParseError, 'the loader’s ParseError ends the stream');
  t.same(await s.next(), { value: undefined, done: true });
  await camera.stop();
});

/** A video file as OpenCV's VideoCapture reads it: `frames` frames, then empty Mats. */
class FakeVideo implements VideoCaptureLike {
  static opened = 0;
  static released = 0;
  #at = 0;
  constructor(
    readonly frames: number,
    readonly fps: number,
  ) {
    FakeVideo.opened++;
  }
  async readAsync(): Promise<Mat> {
    await flush();
    if (this.#at >= this.frames) return new cv.Mat();
    return toMat(solid(100 + this.#at++));
  }
  set(): boolean {
    return false;
  }
  get(property: number): number {
    return property === cv.CAP_PROP_FPS ? this.fps : 0;
  }
  release(): void {
    FakeVideo.released++;
  }
}

t.test('a video file plays at its own rate, loops by reopening, or ends', async (t) => {
  FakeVideo.opened = 0;
  FakeVideo.released = 0;
  const timers = new FakeTimers();
  const camera = new SimulatedCamera({ name: 'Sim', timers, now: timers.date, recording: { video: 'clip.avi' }, openVideo: () => new FakeVideo(3, 25) });
  await camera.start(new AbortController().signal);
  t.equal(camera.capabilities.fps, SIMULATED_FPS, 'the default rate until the file is opened');
  const s = camera.frames({ buffer: 10 });
  // The first frame after 1000/15 ms (the rate is not known before the file is open), then every 40 ms: 9 in 400 ms.
  await timers.advance(400);
  t.equal(camera.framesRead, 9);
  t.equal(camera.capabilities.fps, 25, 'the file’s rate');
  const levels: number[] = [];
  for (let i = 0; i < 7; i++) {
    const r = await s.next();
    if (r.done !== true) levels.push(level(r.value));
  }
  t.same(levels, [100, 101, 102, 100, 101, 102, 100], 'looped by reopening the file');
  t.equal(FakeVideo.opened, 3);
  s.close();
  await camera.stop();
  t.equal(FakeVideo.released, FakeVideo.opened, 'every handle released');

  const once = rig({ fps: 50, loop: false, recording: { video: 'clip.avi' }, openVideo: () => new FakeVideo(2, 25) });
  await once.camera.start(new AbortController().signal);
  const s2 = once.camera.frames({ buffer: 10 });
  await once.timers.advance(100);
  const got: number[] = [];
  for await (const f of s2) got.push(level(f));
  t.same(got, [100, 101], 'played once, then the stream ends');
  await once.camera.stop();

  const empty = rig({ recording: { video: 'empty.avi' }, openVideo: () => new FakeVideo(0, 25) });
  await empty.camera.start(new AbortController().signal);
  const s3 = empty.camera.frames();
  const r3 = settle(s3.next());
  await empty.timers.advance(200);
  t.match((await r3).error, { name: 'ParseError', message: /no frames/ });
  await empty.camera.stop();
});

t.test('stop fails what waits; aborting start stops; options are checked', async (t) => {
  const { camera, timers } = rig();
  const life = new AbortController();
  await camera.start(life.signal);
  const s = camera.frames();
  const waiting = settle(s.next());
  await timers.advance(10);
  await camera.stop();
  t.match((await waiting).error, { name: 'DeviceGoneError', message: 'Sim: camera stopped' });
  await t.rejects(camera.grab(), { name: 'DeviceGoneError', message: /not started/ });
  await camera.start(life.signal);
  t.equal(camera.state, 'attached', 'started again');
  life.abort();
  await flush();
  t.equal(camera.state, 'stopped', 'aborting the start signal stops the camera');
  t.throws(() => new SimulatedCamera({ fps: 0 }), InvalidArgumentError);
  t.throws(() => new SimulatedCamera({ recording: { images: [] } }), InvalidArgumentError);
  t.throws(() => new SimulatedCamera({ recording: { images: [{ width: 2, height: 2, channels: 3, data: Buffer.alloc(3) }] } }), InvalidArgumentError);
  const c = new SimulatedCamera({ timers: new FakeTimers() });
  await c.start(new AbortController().signal);
  t.throws(() => c.frames({ buffer: 0 }), InvalidArgumentError);
  t.throws(() => c.frames({ buffer: 31 }), InvalidArgumentError);
  t.throws(() => c.frames({ frameTimeoutMs: 0 }), InvalidArgumentError);
  await t.rejects(c.grab({ timeoutMs: -1 }), InvalidArgumentError);
  t.same(c.capabilities, { width: undefined, height: undefined, fps: SIMULATED_FPS }, 'size unknown before the first frame');
  await c.stop();
});
