// The live capture: the simulated camera plays real faces at 15 frames/s into the face engine
// (its child process); every analysed frame gets guidance; the capture ends with enough good
// frames or at its deadline, and a walk-away (abort) ends it with AbortedError. Guidance for
// real frames: a turned head is told to look straight, an empty frame to look at the camera.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { decodeImage, type Image } from '../../src/document/image.js';
import { SimulatedCamera } from '../../src/devices/camera/simulated.js';
import { AbortedError } from '../../src/errors.js';
import { FaceEngineProcess } from '../../src/face/engine-process.js';
import { faceGuidance, FACE_GUIDANCE_CODES, FACE_GUIDANCE_TEXTS_EN } from '../../src/face/guidance.js';
import { captureLiveFace, type LiveFaceEngine } from '../../src/face/live-session.js';
import { findModelsDir } from '../../src/face/models-dir.js';
import type { FaceResponse } from '../../src/face/engine.js';
import { faceData } from '../helpers/face-data.js';

const data = await faceData();
const skip = data.ok ? false : data.reason;

t.test('the catalogue is complete', async (t) => {
  t.same(Object.keys(FACE_GUIDANCE_TEXTS_EN).sort(), [...FACE_GUIDANCE_CODES].sort());
  t.same(faceGuidance({ compliant: false, faceFound: false, checks: { faceCount: { value: 0, limit: [1, 1], ok: false } } }), ['lookAtCamera']);
});

t.test('real frames through the engine process: guidance per frame, deadline, walk-away', { skip }, async (t) => {
  if (!data.ok) return;
  const turned = decodeImage(readFileSync(data.faceApiSamples[1]!), 'frame');
  const empty: Image = { width: 640, height: 480, channels: 3, data: Buffer.alloc(640 * 480 * 3, 60) };
  const camera = new SimulatedCamera({ recording: { images: [empty, turned] }, fps: 15, loop: true });
  const stop = new AbortController();
  await camera.start(stop.signal);
  t.teardown(async () => {
    stop.abort();
    await camera.stop();
  });
  const engine = new FaceEngineProcess({ modelsDir: findModelsDir() });
  t.teardown(() => engine.close());
  await engine.analyse(empty, {}, { timeoutMs: 60_000 }); // start the process and load the models
  const seen: string[][] = [];
  const r = await captureLiveFace(camera, engine, { timeoutMs: 3000, onFrame: (f) => seen.push([...f.guidance]) });
  t.equal(r.outcome, 'timeout', 'neither frame is good enough: the capture ends at its deadline');
  t.equal(r.good.length, 0);
  t.ok(r.analysed >= 4, `${String(r.analysed)} frames analysed in 3 s (${String(r.dropped)} dropped by the camera while the engine was busy)`);
  t.ok(seen.some((g) => g[0] === 'lookAtCamera'), 'the empty frame: look at the camera');
  t.ok(seen.some((g) => g.includes('lookStraight')), 'the turned head: look straight');
  const walkAway = new AbortController();
  setTimeout(() => walkAway.abort(), 300);
  await t.rejects(captureLiveFace(camera, engine, { timeoutMs: 10_000, signal: walkAway.signal }), AbortedError);
});

t.test('enough good frames end the capture early (scripted engine)', async (t) => {
  const frame: Image = { width: 64, height: 48, channels: 3, data: Buffer.alloc(64 * 48 * 3, 100) };
  const camera = new SimulatedCamera({ recording: { images: [frame] }, fps: 30, loop: true });
  const stop = new AbortController();
  await camera.start(stop.signal);
  t.teardown(async () => {
    stop.abort();
    await camera.stop();
  });
  let n = 0;
  const good = (compliant: boolean): FaceResponse => {
    const checks = { faceCount: { value: 1, limit: [1, 1] as const, ok: true } } as unknown as Record<string, { value: number; limit: number; ok: boolean }>;
    return {
      analysis: { faces: [{ box: { x: 1, y: 1, width: 10, height: 10, score: 0.9 }, landmarks: new Float32Array(136), embedding: new Float32Array(128).fill(1) }], framed: false, timings: { detectMs: 0, landmarksMs: 0, embedMs: 0 } },
      quality: { compliant, faceFound: true, faceIndex: 0, pose: { yaw: 0, pitch: 0, roll: 0 }, checks, failed: compliant ? [] : ['yaw'] } as unknown as FaceResponse['quality'],
    } as FaceResponse;
  };
  // Frames 1–2 turned, then good ones.
  const engine: LiveFaceEngine = { quality: () => Promise.resolve(good(++n > 2)) };
  const r = await captureLiveFace(camera, engine, { goodFrames: 3, timeoutMs: 5000 });
  t.equal(r.outcome, 'enough');
  t.equal(r.good.length, 3);
  t.equal(r.analysed, 5);
  t.same(r.lastGuidance, []);
});
