// Host paths and ports (STYLE.md P10): defaults, each environment override, and rejection of
// values that cannot be right.
import t from 'tap';
import { InvalidArgumentError } from '../../src/errors.js';
import { DEFAULT_PATHS, PATH_ENV, platformPaths } from '../../src/platform/paths.js';

t.test('defaults: Debian pcscd and vsmartcard-vpcd', async (t) => {
  const p = platformPaths({});
  t.equal(p.pcscdBinary, '/usr/sbin/pcscd');
  t.equal(p.pcscdSocket, '/run/pcscd/pcscd.comm');
  t.equal(p.readerConfDir, '/etc/reader.conf.d');
  t.equal(p.vpcdPort, 35963, '0x8C7B in /etc/reader.conf.d/vpcd');
  t.equal(p.vpcdHost, '127.0.0.1');
  t.equal(p.runDir, DEFAULT_PATHS.runDir);
  t.equal(p.documentCamera, '/dev/video0');
  t.equal(p.v4l2SysDir, '/sys/class/video4linux');
  t.equal(p.devDir, '/dev');
});

t.test('every path has its override', async (t) => {
  const p = platformPaths({
    [PATH_ENV.pcscdBinary]: '/opt/pcsc/sbin/pcscd',
    [PATH_ENV.pcscdSocketDir]: '/tmp/x',
    [PATH_ENV.readerConfDir]: '/tmp/conf',
    [PATH_ENV.vpcdDriver]: '/tmp/libifdvpcd.so',
    [PATH_ENV.vpcdHost]: 'localhost',
    [PATH_ENV.vpcdPort]: '40000',
    [PATH_ENV.runDir]: '/tmp/run',
    [PATH_ENV.documentCamera]: '/dev/v4l/by-id/usb-Cam-video-index0',
    [PATH_ENV.v4l2SysDir]: '/tmp/sys/class/video4linux',
    [PATH_ENV.devDir]: '/tmp/dev',
  });
  t.same(p, {
    pcscdBinary: '/opt/pcsc/sbin/pcscd',
    pcscdSocketDir: '/tmp/x',
    pcscdSocket: '/tmp/x/pcscd.comm',
    readerConfDir: '/tmp/conf',
    vpcdDriver: '/tmp/libifdvpcd.so',
    vpcdHost: 'localhost',
    vpcdPort: 40000,
    runDir: '/tmp/run',
    documentCamera: '/dev/v4l/by-id/usb-Cam-video-index0',
    v4l2SysDir: '/tmp/sys/class/video4linux',
    devDir: '/tmp/dev',
  });
  t.equal(platformPaths({ [PATH_ENV.runDir]: '' }).runDir, DEFAULT_PATHS.runDir, 'empty means unset');
});

t.test('bad values are rejected with the variable named', async (t) => {
  t.throws(() => platformPaths({ [PATH_ENV.runDir]: 'relative/dir' }), InvalidArgumentError);
  t.throws(() => platformPaths({ [PATH_ENV.vpcdPort]: '65535' }), { message: /KIOSK_VPCD_PORT/ }, 'slot 1 needs port + 1');
  t.throws(() => platformPaths({ [PATH_ENV.vpcdPort]: '0' }), InvalidArgumentError);
  t.throws(() => platformPaths({ [PATH_ENV.vpcdPort]: '35963abc' }), InvalidArgumentError);
  t.equal(platformPaths({ [PATH_ENV.documentCamera]: '2' }).documentCamera, '2', 'a camera may be named by its index');
  t.throws(() => platformPaths({ [PATH_ENV.documentCamera]: 'video0' }), { message: /KIOSK_DOCUMENT_CAMERA/ });
  t.throws(() => platformPaths({ [PATH_ENV.devDir]: 'dev' }), InvalidArgumentError);
});
