// Document-reader discovery: the table's invariants, V4L2 nodes read from a sysfs held in a
// map (a UVC camera with its metadata node, a non-USB capture device, garbage attributes), and
// the choice of camera with and without a configured name pattern.
import fc from 'fast-check';
import t from 'tap';
import { ILLUMINATIONS } from '../../src/devices/document-camera/contract.js';
import {
  DOCUMENT_READER_MODELS,
  listV4l2Devices,
  matchDocumentReader,
  selectDocumentCamera,
  USB_CLASS_VIDEO,
  type SysFs,
  type V4l2DeviceInfo,
} from '../../src/devices/document-camera/discovery.js';
import { InvalidArgumentError } from '../../src/errors.js';

const SYS = '/sys/class/video4linux';

/** A sysfs as a map of file paths to contents (directories listed by their entries). */
function fakeSys(files: Record<string, string>, dirs: Record<string, string[]>): SysFs {
  return {
    readdir: async (p) => {
      const d = dirs[p];
      if (!d) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return d;
    },
    readFile: async (p) => {
      const f = files[p];
      if (f === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return f;
    },
  };
}

// A UVC document camera (capture node video0, metadata node video1), a non-USB capture device
// (video2: no USB parent), and a node with garbage attributes (video10). USB ids are made up.
const sys = fakeSys(
  {
    [`${SYS}/video0/name`]: 'Doc Cam 8MP: Doc Cam 8MP\n',
    [`${SYS}/video0/index`]: '0\n',
    [`${SYS}/video0/device/bInterfaceClass`]: '0e\n',
    [`${SYS}/video0/device/../idVendor`]: 'abcd\n',
    [`${SYS}/video0/device/../idProduct`]: '1234\n',
    [`${SYS}/video1/name`]: 'Doc Cam 8MP: Doc Cam 8MP\n',
    [`${SYS}/video1/index`]: '1\n',
    [`${SYS}/video1/device/bInterfaceClass`]: '0e\n',
    [`${SYS}/video1/device/../idVendor`]: 'abcd\n',
    [`${SYS}/video1/device/../idProduct`]: '1234\n',
    [`${SYS}/video2/name`]: 'platform capture\n',
    [`${SYS}/video2/index`]: '0\n',
    [`${SYS}/video10/name`]: 'x'.repeat(5000),
    [`${SYS}/video10/index`]: 'zero',
    [`${SYS}/video10/device/bInterfaceClass`]: 'video',
    [`${SYS}/video10/device/../idVendor`]: '12345',
  },
  { [SYS]: ['video10', 'video1', 'video0', 'video2', 'v4l-subdev0', 'media0'] },
);

t.test('the table: white everywhere, V4L2 entries have a matcher, vendor readers are not V4L2', async (t) => {
  const ids = new Set<string>();
  for (const m of DOCUMENT_READER_MODELS) {
    t.notOk(ids.has(m.id), `unique id ${m.id}`);
    ids.add(m.id);
    t.ok(m.illuminations.includes('white'), `${m.id} has white light`);
    t.ok(m.illuminations.every((i) => (ILLUMINATIONS as readonly string[]).includes(i)));
    t.equal(m.access === 'v4l2', m.match !== undefined, `${m.id}: a matcher exactly for V4L2 entries`);
  }
  const vendor = DOCUMENT_READER_MODELS.filter((m) => m.access === 'vendorSdk').map((m) => m.id);
  t.same(vendor, ['regula-70x4m', 'desko-penta', 'arh-combo-smart', 'thales-at10k']);
  t.equal(USB_CLASS_VIDEO, 0x0e);
});

t.test('V4L2 nodes from sysfs, numerically ordered, attributes checked', async (t) => {
  const devices = await listV4l2Devices(SYS, '/dev', sys);
  t.same(
    devices.map((d) => d.node),
    ['video0', 'video1', 'video2', 'video10'],
    'video nodes only, video10 after video2',
  );
  t.same(devices[0], {
    node: 'video0',
    devicePath: '/dev/video0',
    name: 'Doc Cam 8MP: Doc Cam 8MP',
    index: 0,
    interfaceClass: 0x0e,
    usb: { vendorId: 0xabcd, productId: 0x1234 },
  });
  t.equal(devices[2]!.usb, undefined, 'no USB parent');
  t.equal(devices[2]!.interfaceClass, undefined);
  const junk = devices[3]!;
  t.equal(junk.name.length, 64, 'an overlong name is cut');
  t.equal(junk.index, undefined);
  t.equal(junk.interfaceClass, undefined);
  t.equal(junk.usb, undefined, 'a five-digit vendor id is not one');
  t.same(await listV4l2Devices('/nonexistent', '/dev', sys), [], 'no V4L2 class directory: no cameras');
  t.same((await listV4l2Devices(SYS, '/tmp/dev', sys))[0]!.devicePath, '/tmp/dev/video0', 'the /dev root is configurable');
});

t.test('selection: the UVC capture node, not its metadata node; a name pattern overrides', async (t) => {
  const devices = await listV4l2Devices(SYS, '/dev', sys);
  const sel = selectDocumentCamera(devices);
  t.equal(sel?.device.node, 'video0');
  t.equal(sel?.model?.id, 'uvc-generic');
  t.equal(matchDocumentReader(devices[1]!), undefined, 'the metadata node matches nothing');
  t.equal(selectDocumentCamera(devices, { namePattern: /^platform/ })?.device.node, 'video2', 'configured: a non-USB device');
  t.equal(selectDocumentCamera(devices, { namePattern: /^Doc Cam/g })?.device.node, 'video0', 'g flag ignored; index-1 node skipped');
  t.equal(selectDocumentCamera(devices, { namePattern: /^nothing/ }), undefined);
  t.equal(selectDocumentCamera([]), undefined);
  const usbOnly: V4l2DeviceInfo[] = devices.filter((d) => d.node !== 'video0');
  t.equal(selectDocumentCamera(usbOnly), undefined, 'no capture node of a UVC camera');
  t.throws(
    () => selectDocumentCamera(devices, { table: [{ id: 'x', description: 'x', access: 'v4l2', illuminations: ['white'], presence: 'none', preference: 1 }] }),
    InvalidArgumentError,
    'a V4L2 entry without a matcher is a table error',
  );
});

t.test('property: any sysfs content yields a device list, never an exception', async (t) => {
  const attr = fc.oneof(fc.string({ maxLength: 100 }), fc.constant(undefined));
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.string({ maxLength: 12 }), attr, attr, attr, attr, attr), { maxLength: 6 }), async (nodes) => {
      const files: Record<string, string> = {};
      for (const [node, name, index, cls, vid, pid] of nodes) {
        const put = (k: string, v: string | undefined): void => {
          if (v !== undefined) files[`${SYS}/${node}/${k}`] = v;
        };
        put('name', name);
        put('index', index);
        put('device/bInterfaceClass', cls);
        put('device/../idVendor', vid);
        put('device/../idProduct', pid);
      }
      const devices = await listV4l2Devices(SYS, '/dev', fakeSys(files, { [SYS]: nodes.map((n) => n[0]) }));
      selectDocumentCamera(devices);
      return devices.every((d) => /^video\d+$/.test(d.node) && d.name.length <= 64);
    }),
    { numRuns: 200 },
  );
  t.pass('200 random sysfs trees listed');
});
