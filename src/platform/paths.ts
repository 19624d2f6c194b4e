// Every host path and port the kiosk touches, in one place, each with an environment
// override (STYLE.md P10). Integration tests, the demo and a developer's laptop point these
// at private instances; the kiosk image uses the defaults. Nothing here reads the
// environment at import time: `platformPaths(env)` is a pure function of the map it is given.
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';

export interface PlatformPaths {
  /** The pcscd binary (Debian and the Yocto recipe install it here). */
  readonly pcscdBinary: string;
  /**
   * Directory of pcscd's client socket and pid file. pcsc-lite 1.9 compiles in `/run/pcscd`
   * (USE_IPCDIR); a private test instance is given another directory (see ./pcscd.ts).
   */
  readonly pcscdSocketDir: string;
  /** The client socket itself, as libpcsclite's `PCSCLITE_CSOCK_NAME` names it. */
  readonly pcscdSocket: string;
  /** pcscd's serial-reader configuration directory (`pcscd --config`). */
  readonly readerConfDir: string;
  /** The vsmartcard vpcd IFD handler, which pcscd loads for the "Virtual PCD" readers. */
  readonly vpcdDriver: string;
  /** Where the virtual card connects to reach vpcd (vpcd listens on every interface). */
  readonly vpcdHost: string;
  /**
   * vpcd's TCP port for slot 0 ("Virtual PCD 00 00"); slot 1 is this port + 1. Debian's
   * /etc/reader.conf.d/vpcd sets 0x8C7B = 35963.
   */
  readonly vpcdPort: number;
  /** Run-time state of our own: lock files, private pcscd instances. */
  readonly runDir: string;
  /**
   * The document camera's V4L2 device: an absolute path or a decimal index (OpenCV's
   * VideoCapture takes either). A udev by-id path (`/dev/v4l/by-id/usb-…-video-index0`) keeps
   * naming the same camera across re-plugs and other cameras; `/dev/video0` is the default.
   */
  readonly documentCamera: string;
  /** sysfs class directory of V4L2 devices, where discovery reads names and USB ids. */
  readonly v4l2SysDir: string;
  /** Device directory in which V4L2 nodes appear (`/dev/videoN`). */
  readonly devDir: string;
}

/** Environment variables that override each path; documented in one place for the README. */
export const PATH_ENV = {
  pcscdBinary: 'KIOSK_PCSCD_BIN',
  pcscdSocketDir: 'KIOSK_PCSCD_SOCKET_DIR',
  readerConfDir: 'KIOSK_READER_CONF_DIR',
  vpcdDriver: 'KIOSK_VPCD_DRIVER',
  vpcdHost: 'KIOSK_VPCD_HOST',
  vpcdPort: 'KIOSK_VPCD_PORT',
  runDir: 'KIOSK_RUN_DIR',
  documentCamera: 'KIOSK_DOCUMENT_CAMERA',
  v4l2SysDir: 'KIOSK_V4L2_SYS_DIR',
  devDir: 'KIOSK_DEV_DIR',
} as const;

export const DEFAULT_PATHS = {
  pcscdBinary: '/usr/sbin/pcscd',
  pcscdSocketDir: '/run/pcscd',
  readerConfDir: '/etc/reader.conf.d',
  vpcdDriver: '/usr/lib/pcsc/drivers/serial/libifdvpcd.so',
  vpcdHost: '127.0.0.1',
  vpcdPort: 35963,
  runDir: '/run/identity-kiosk',
  documentCamera: '/dev/video0',
  v4l2SysDir: '/sys/class/video4linux',
  devDir: '/dev',
} as const;

/** pcsc-lite's socket file name inside its IPC directory (pcsc-lite's PCSCLITE_CSOCK_NAME). */
export const PCSCD_SOCKET_NAME = 'pcscd.comm';

/** The paths from `env` (normally `process.env`), each falling back to its default. */
export function platformPaths(env: Readonly<Record<string, string | undefined>>): PlatformPaths {
  const str = (key: keyof typeof PATH_ENV): string => {
    const v = env[PATH_ENV[key]];
    if (v === undefined || v === '') return DEFAULT_PATHS[key] as string;
    if (key === 'documentCamera' && /^\d{1,3}$/.test(v)) return v;
    if (key !== 'vpcdHost' && !v.startsWith('/')) throw new InvalidArgumentError(PATH_ENV[key], 'an absolute path', v);
    return v;
  };
  const pcscdSocketDir = str('pcscdSocketDir');
  return {
    pcscdBinary: str('pcscdBinary'),
    pcscdSocketDir,
    pcscdSocket: join(pcscdSocketDir, PCSCD_SOCKET_NAME),
    readerConfDir: str('readerConfDir'),
    vpcdDriver: str('vpcdDriver'),
    vpcdHost: str('vpcdHost'),
    vpcdPort: port(env[PATH_ENV.vpcdPort], DEFAULT_PATHS.vpcdPort),
    runDir: str('runDir'),
    documentCamera: str('documentCamera'),
    v4l2SysDir: str('v4l2SysDir'),
    devDir: str('devDir'),
  };
}

function port(v: string | undefined, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  // vpcd uses the port and the next one (two slots), so the base must leave room for both.
  const n = /^\d{1,5}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65534) throw new InvalidArgumentError(PATH_ENV.vpcdPort, 'a TCP port 1..65534', v);
  return n;
}
