// Face-camera discovery: the table's invariants, and the choice among V4L2 nodes read from a
// sysfs held in a map — a Logitech C920 (capture and metadata nodes), a laptop's colour camera
// and its IR node, and the document camera, which can be excluded.
import t from 'tap';
import { FACE_CAMERA_MODELS, listV4l2Devices, matchFaceCamera, selectFaceCamera, type SysFs, type V4l2DeviceInfo } from '../../src/devices/camera/discovery.js';
import { InvalidArgumentError } from '../../src/errors.js';

const SYS = '/sys/class/video4linux';

function fakeSys(nodes: Record<string, { name: string; index: string; cls?: string; vid?: string; pid?: string }>): SysFs {
  const files: Record<string, string> = {};
  for (const [node, n] of Object.entries(nodes)) {
    files[`${SYS}/${node}/name`] = `${n.name}\n`;
    files[`${SYS}/${node}/index`] = `${n.index}\n`;
    if (n.cls !== undefined) files[`${SYS}/${node}/device/bInterfaceClass`] = `${n.cls}\n`;
    if (n.vid !== undefined) files[`${SYS}/${node}/device/../idVendor`] = `${n.vid}\n`;
    if (n.pid !== undefined) files[`${SYS}/${node}/device/../idProduct`] = `${n.pid}\n`;
  }
  return {
    readdir: async (p) => {
      if (p !== SYS) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return Object.keys(nodes);
    },
    readFile: async (p) => {
      const f = files[p];
      if (f === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return f;
    },
  };
}

// The laptop camera's USB ids are made up; the C920's are usb.ids 046d:082d.
const host = fakeSys({
  video0: { name: 'Integrated Camera: Integrated C', index: '0', cls: '0e', vid: '5986', pid: '2115' },
  video1: { name: 'Integrated Camera: Integrated C', index: '1', cls: '0e', vid: '5986', pid: '2115' },
  video2: { name: 'Integrated Camera: Integrated IR', index: '0', cls: '0e', vid: '5986', pid: '2115' },
  video3: { name: 'Integrated Camera: Integrated IR', index: '1', cls: '0e', vid: '5986', pid: '2115' },
  video4: { name: 'HD Pro Webcam C920', index: '0', cls: '0e', vid: '046d', pid: '082d' },
  video5: { name: 'HD Pro Webcam C920', index: '1', cls: '0e', vid: '046d', pid: '082d' },
  video6: { name: 'Doc Cam 8MP', index: '0', cls: '0e', vid: 'abcd', pid: '1234' },
});

t.test('the table: unique ids, the IR entry unsuitable and matched before the generic one', async (t) => {
  const ids = FACE_CAMERA_MODELS.map((m) => m.id);
  t.equal(new Set(ids).size, ids.length);
  t.ok(FACE_CAMERA_MODELS.every((m) => m.description.length > 0 && Number.isFinite(m.preference)));
  const ir = FACE_CAMERA_MODELS.findIndex((m) => m.id === 'uvc-ir');
  const generic = FACE_CAMERA_MODELS.findIndex((m) => m.id === 'uvc-generic');
  t.ok(ir >= 0 && ir < generic, 'first match wins, so the IR entry comes before the generic one');
  t.equal(FACE_CAMERA_MODELS[ir]?.suitable, false);
});

t.test('matching: models by USB id, IR nodes, metadata nodes match nothing', async (t) => {
  const devices = await listV4l2Devices(SYS, '/dev', host);
  const by = (node: string): V4l2DeviceInfo => devices.find((d) => d.node === node)!;
  t.equal(matchFaceCamera(by('video4'))?.id, 'logitech-c920');
  t.equal(matchFaceCamera(by('video0'))?.id, 'uvc-generic');
  t.equal(matchFaceCamera(by('video2'))?.id, 'uvc-ir');
  t.equal(matchFaceCamera(by('video5')), undefined, 'a metadata node');
  t.equal(matchFaceCamera(by('video1')), undefined);
});

t.test('selection: the preferred suitable camera, exclusions, a configured name', async (t) => {
  const devices = await listV4l2Devices(SYS, '/dev', host);
  t.equal(selectFaceCamera(devices)?.device.devicePath, '/dev/video4', 'the known C920 over the generic cameras');
  t.equal(selectFaceCamera(devices, { exclude: ['/dev/video4'] })?.device.devicePath, '/dev/video0', 'then the lowest generic node');
  t.equal(selectFaceCamera(devices, { exclude: ['/dev/video4', '/dev/video0', '/dev/video6'] }), undefined, 'an IR node is never chosen by itself');
  t.equal(selectFaceCamera(devices, { namePattern: /Integrated IR/g })?.device.devicePath, '/dev/video2', 'a configured name decides');
  t.equal(selectFaceCamera(devices, { namePattern: /C920/ })?.device.node, 'video4', 'never the metadata node');
  t.equal(selectFaceCamera([]), undefined);
  t.throws(() => selectFaceCamera(devices, { table: [] }), InvalidArgumentError);
});
