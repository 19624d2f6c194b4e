// Hardware-in-the-loop (STYLE.md P10): the V4L2 document camera on a real camera. Opt-in and
// never part of a PR's gate: skipped unless KIOSK_HIL_CAMERA names the device (a path such as
// /dev/video0 or a /dev/v4l/by-id/… link, or an index). Optional: KIOSK_HIL_CAMERA_SIZE=WxH,
// KIOSK_HIL_CAMERA_FOURCC=MJPG, KIOSK_HIL_DOCUMENT=1 when a data page lies on the glass.
//
// It checks what a fake cannot: that OpenCV opens the device through V4L2, delivers frames of
// the configured size through readAsync off the JavaScript thread (the event loop keeps
// turning during a grab), that captures are fresh frames, and what the quality checks make of
// the real glass. The figures are printed as comments for calibrating QUALITY_LIMITS.
import { once } from 'node:events';
import t from 'tap';
import { assessCapture } from '../../src/document/capture-quality.js';
import { listV4l2Devices, selectDocumentCamera } from '../../src/devices/document-camera/discovery.js';
import { parseCameraDevice, V4l2DocumentCamera } from '../../src/devices/document-camera/v4l2.js';
import { readdir, readFile } from 'node:fs/promises';
import { platformPaths } from '../../src/platform/paths.js';

const deviceSpec = process.env.KIOSK_HIL_CAMERA;

if (deviceSpec === undefined || deviceSpec === '') {
  t.pass('skipped: set KIOSK_HIL_CAMERA to a V4L2 device to run the document-camera HIL tests', { skip: true });
} else {
  const device = parseCameraDevice(deviceSpec);
  const size = /^(\d+)x(\d+)$/.exec(process.env.KIOSK_HIL_CAMERA_SIZE ?? '');
  const fourcc = process.env.KIOSK_HIL_CAMERA_FOURCC;

  t.test('discovery lists the camera', async (t) => {
    const paths = platformPaths(process.env);
    const devices = await listV4l2Devices(paths.v4l2SysDir, paths.devDir, { readdir: (p) => readdir(p), readFile: (p) => readFile(p, 'latin1') });
    t.ok(devices.length > 0, 'V4L2 nodes in sysfs');
    for (const d of devices) t.comment(`${d.node} index=${String(d.index)} class=${String(d.interfaceClass)} name=${d.name}`);
    t.comment(`selected: ${selectDocumentCamera(devices)?.device.devicePath ?? 'none'}`);
  });

  t.test('open, configure, warm up, capture fresh frames off the JS thread', async (t) => {
    const camera = new V4l2DocumentCamera({
      device,
      name: 'HIL camera',
      ...(size ? { width: Number(size[1]), height: Number(size[2]) } : {}),
      ...(fourcc ? { fourcc } : {}),
    });
    const faults: string[] = [];
    camera.events.on('fault', (e) => faults.push(e.error.message));
    const attached = once(camera.events, 'readerAttached');
    t.teardown(() => camera.stop());
    await camera.start(new AbortController().signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([attached, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`not attached: ${faults.join('; ')}`)), 20_000)))]);
    clearTimeout(timer);

    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const t0 = Date.now();
    const a = await camera.capture({ timeoutMs: 10_000 });
    const ms = Date.now() - t0;
    clearInterval(ticker);
    t.comment(`capture: ${a.white.width}x${a.white.height} in ${ms} ms, event loop ticked ${ticks} times meanwhile`);
    t.ok(ticks > 0, 'the event loop ran during the grab');
    if (size) {
      t.equal(a.white.width, Number(size[1]));
      t.equal(a.white.height, Number(size[2]));
    }
    const b = await camera.capture({ timeoutMs: 10_000 });
    t.ok(b.capturedAt.getTime() > a.capturedAt.getTime(), 'a later capture is a later frame');

    const q = assessCapture(b.white);
    t.comment(`presence=${q.presence} guidance=${q.guidance.join(',') || '-'}`);
    for (const c of q.checks) t.comment(`  ${c.id}: ${c.value === undefined ? '-' : c.value.toFixed(3)} (${c.bound} ${c.limit}) ${c.result}`);
    if (process.env.KIOSK_HIL_DOCUMENT === '1') t.not(q.presence, 'none', 'the page on the glass is found');
    else t.pass('no document expected on the glass');
  });
}
