// The simulated face camera on real files and real timers: an MJPEG AVI written with OpenCV's
// VideoWriter and read back through OpenCV's VideoCapture (no fake), played once and looped at
// its own frame rate; image files decoded by the default loader; a missing video file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { encodePng, type Image } from '../../src/document/image.js';
import { SimulatedCamera } from '../../src/devices/camera/simulated.js';
import { opencv } from '../../src/native/opencv.js';

const cv = opencv();
const dir = await mkdtemp(join(tmpdir(), 'camera-video-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));

/** Six 64 × 48 frames whose blue channel is 0, 40, ..., 200; MJPG in AVI, 50 frames/s. */
function writeClip(path: string): void {
  const writer = new cv.VideoWriter(path, cv.VideoWriter.fourcc('MJPG'), 50, new cv.Size(64, 48), true);
  for (let i = 0; i < 6; i++) {
    const m = new cv.Mat(48, 64, cv.CV_8UC3, [i * 40, 0, 0]);
    writer.write(m);
    m.release();
  }
  writer.release();
}

t.test('an MJPEG AVI plays at its own rate, once or looped', async (t) => {
  const clip = join(dir, 'clip.avi');
  writeClip(clip);
  const camera = new SimulatedCamera({ name: 'Clip', recording: { video: clip }, loop: false });
  await camera.start(new AbortController().signal);
  const blues: number[] = [];
  const startedAt = Date.now();
  for await (const f of camera.frames({ buffer: 10 })) blues.push(f.image.data[0]!);
  const ms = Date.now() - startedAt;
  t.equal(blues.length, 6, 'every frame of the file, then the end');
  t.ok(
    blues.every((b, i) => Math.abs(b - i * 40) <= 3),
    `frames in order (${blues.join(',')})`,
  );
  t.equal(camera.capabilities.fps, 50, 'the file’s own rate');
  t.same([camera.capabilities.width, camera.capabilities.height], [64, 48]);
  // 6 frames at 50 frames/s: about 120 ms (the first frame comes after one 1/15 s interval, before the rate is known).
  t.ok(ms >= 100 && ms < 2000, `paced by the frame rate (${ms} ms)`);
  camera.play({ video: clip }, { fps: 200, loop: true });
  const looped: number[] = [];
  for await (const f of camera.frames({ buffer: 10 })) {
    looped.push(f.image.data[0]!);
    if (looped.length === 9) break;
  }
  t.ok(
    looped.every((b, i) => Math.abs(b - (i % 6) * 40) <= 3),
    `looped from the start (${looped.join(',')})`,
  );
  await camera.stop();
});

t.test('image files decode with the default loader; a missing video is a ParseError', async (t) => {
  const img: Image = { width: 10, height: 8, channels: 3, data: Buffer.alloc(10 * 8 * 3, 77) };
  const png = join(dir, 'face.png');
  await writeFile(png, encodePng(img));
  const camera = new SimulatedCamera({ recording: { images: [png] }, fps: 100 });
  await camera.start(new AbortController().signal);
  const f = await camera.grab();
  t.same([f.image.width, f.image.height, f.image.data[0]], [10, 8, 77]);
  camera.play({ video: join(dir, 'missing.avi') });
  await t.rejects(camera.grab(), { name: 'ParseError', message: /cannot open the file/ });
  await camera.stop();
});
