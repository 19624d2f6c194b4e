// The V4L2 document camera over the real OpenCV binding, on a machine without a camera: opening
// a device that is not there must become a fault and a retry, never a crash or an unhandled
// rejection (opencv4nodejs throws strings from its constructor). The camera itself is covered
// with a fake VideoCapture in tests/unit and on real hardware in tests/hil.
import t from 'tap';
import { V4l2DocumentCamera } from '../../src/devices/document-camera/v4l2.js';

t.test('a missing device: the real VideoCapture open fails into a fault, and is retried', async (t) => {
  let opens = 0;
  // `exists` says yes so that the real constructor runs; the node itself does not exist.
  const camera = new V4l2DocumentCamera({ device: '/nonexistent/video9', retryDelayMs: 20, exists: () => (opens++, true) });
  const faults: Error[] = [];
  camera.events.on('fault', (e) => faults.push(e.error));
  await camera.start(new AbortController().signal);
  const deadline = Date.now() + 5000;
  while (opens < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await camera.stop();
  t.ok(opens >= 3, `retried (${opens} attempts)`);
  t.equal(camera.state, 'stopped');
  t.equal(faults.length, 1, 'one fault for a failure that repeats');
  t.match(faults[0]?.message, /cannot open the device/);
  t.ok(faults[0]?.cause instanceof Error, 'the binding’s thrown string is kept as an Error cause');
});

t.test('the default presence check of the device node: an absent path is not opened', async (t) => {
  const camera = new V4l2DocumentCamera({ device: '/nonexistent/video9', retryDelayMs: 20 });
  const faults: Error[] = [];
  camera.events.on('fault', (e) => faults.push(e.error));
  await camera.start(new AbortController().signal);
  await new Promise((r) => setTimeout(r, 50));
  await camera.stop();
  t.match(faults[0]?.message, /device node not present/);
});
