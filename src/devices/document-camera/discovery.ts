// Which document reader the kiosk uses, as a data table (STYLE.md P1), and the V4L2 devices
// the host has, read from sysfs. Each entry says how the kiosk reaches the reader (V4L2, i.e.
// ./v4l2.ts, or only through the vendor's SDK, which this project does not bind), which lamps
// it has, how it senses a document, and where those values came from.
//
// Honestly put: the full-page passport readers of the trade (Regula, DESKO, Adaptive
// Recognition/ARH, Thales/Gemalto/3M) are driven through their vendors' SDKs, which run the
// lamps, the exposure sequence and the document sensor themselves. None of them was found to
// expose a plain UVC interface: the USB ID database (usb.ids 2025.07.26, Debian package
// usb.ids) lists none of these vendors' readers, and their SDK documentation addresses the
// device through the SDK only. They are listed so that the table says so and a future binding
// has its place; the V4L2 class reaches only UVC cameras (a document camera or a camera built
// into the kiosk under its own glass and white light).
import { InvalidArgumentError } from '../../errors.js';
import type { Illumination, PresenceSensing } from './contract.js';

export type ReaderAccess = 'v4l2' | 'vendorSdk';

export interface DocumentReaderModel {
  readonly id: string;
  readonly description: string;
  readonly access: ReaderAccess;
  /** For `v4l2` entries: which V4L2 devices are this model. */
  readonly match?: (d: V4l2DeviceInfo) => boolean;
  readonly illuminations: readonly Illumination[];
  readonly presence: PresenceSensing;
  /** Lower is preferred when several attached devices match. */
  readonly preference: number;
}

/** USB interface class of the USB Video Class (usb.ids "C 0e Video"; USB-IF UVC 1.5 §A.1). */
export const USB_CLASS_VIDEO = 0x0e;

export const DOCUMENT_READER_MODELS: readonly DocumentReaderModel[] = [
  {
    // Any UVC camera: a document camera (visualiser) or a camera module mounted under the
    // kiosk's glass with the kiosk's own white lighting. Matched on the USB interface class
    // (sysfs `device/bInterfaceClass`, 0x0e) and V4L2 node index 0: since Linux 4.16 uvcvideo
    // also creates a metadata node (index 1) per camera, which delivers no images. No UV or IR
    // lamps (a kiosk that adds them switches them itself, outside this class), presence from
    // image analysis (capture-quality.ts).
    id: 'uvc-generic',
    description: 'UVC camera (document camera or built-in camera under glass)',
    access: 'v4l2',
    match: (d) => d.interfaceClass === USB_CLASS_VIDEO && d.index === 0,
    illuminations: ['white'],
    presence: 'image',
    preference: 100,
  },
  {
    // Regula desktop passport readers (the 70X4M family): driven by the Regula Document Reader
    // SDK (docs.regulaforensics.com), which owns the lamps and the document sensor. White, UV
    // and IR images: vendor literature, not verified here. Not reachable through V4L2.
    id: 'regula-70x4m',
    description: 'Regula 70X4M full-page reader',
    access: 'vendorSdk',
    illuminations: ['white', 'uv', 'ir'],
    presence: 'sensor',
    preference: 10,
  },
  {
    // DESKO PENTA Scanner family: DESKO's own SDK (PENTA API). Visible, UV and IR images:
    // vendor literature, not verified here. Not reachable through V4L2 as far as established.
    id: 'desko-penta',
    description: 'DESKO PENTA Scanner',
    access: 'vendorSdk',
    illuminations: ['white', 'uv', 'ir'],
    presence: 'sensor',
    preference: 20,
  },
  {
    // Adaptive Recognition (ARH) Combo Smart / PRMc: the "Passport Reader" software and its
    // Pr22 SDK, which "works with special ID scanner hardware only" and offers "image scanning
    // with different illuminations" (ARH's pr22 package description on PyPI). Not V4L2.
    id: 'arh-combo-smart',
    description: 'Adaptive Recognition Combo Smart / PRMc',
    access: 'vendorSdk',
    illuminations: ['white', 'uv', 'ir'],
    presence: 'sensor',
    preference: 30,
  },
  {
    // Thales (formerly Gemalto, formerly 3M) AT10K: the MMMReader SDK, whose C headers
    // (MMMReaderHighLevelAPI.h, MMMReaderLowLevelAPI.h) carry Linux builds. Visible, UV and
    // IR images: vendor literature, not verified here. Not V4L2.
    id: 'thales-at10k',
    description: 'Thales (Gemalto/3M) AT10K',
    access: 'vendorSdk',
    illuminations: ['white', 'uv', 'ir'],
    presence: 'sensor',
    preference: 40,
  },
];

/** One V4L2 node as sysfs describes it. */
export interface V4l2DeviceInfo {
  /** `video0`, ... */
  readonly node: string;
  /** `/dev/video0`, ... */
  readonly devicePath: string;
  /** The driver's card name (the USB product string for UVC), at most 64 characters. */
  readonly name: string;
  /** The node's index within its device (0 = the capture node of a UVC camera). */
  readonly index: number | undefined;
  readonly interfaceClass: number | undefined;
  readonly usb: { readonly vendorId: number; readonly productId: number } | undefined;
}

/** The two file-system calls discovery needs (node:fs/promises, or a map in tests). */
export interface SysFs {
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<string>;
}

/** Sysfs attributes are short; anything longer is not what we expect and is cut. */
const MAX_ATTRIBUTE = 64;

/**
 * Lists the V4L2 nodes in `sysDir` (`/sys/class/video4linux`), with `/dev` paths under
 * `devDir`. Unreadable attributes are left undefined: sysfs content is treated as untrusted.
 */
export async function listV4l2Devices(sysDir: string, devDir: string, fs: SysFs): Promise<V4l2DeviceInfo[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(sysDir);
  } catch {
    return [];
  }
  const nodes = entries.filter((e) => /^video\d{1,3}$/.test(e)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  const read = async (path: string): Promise<string | undefined> => {
    try {
      return (await fs.readFile(path)).slice(0, MAX_ATTRIBUTE).trim();
    } catch {
      return undefined;
    }
  };
  const out: V4l2DeviceInfo[] = [];
  for (const node of nodes) {
    // `device` links to the USB interface; its parent is the USB device. The path is built as
    // text on purpose: path.join would fold `device/..` away before the kernel follows the link.
    const base = `${sysDir}/${node}`;
    const [name, index, cls, vid, pid] = await Promise.all([
      read(`${base}/name`),
      read(`${base}/index`),
      read(`${base}/device/bInterfaceClass`),
      read(`${base}/device/../idVendor`),
      read(`${base}/device/../idProduct`),
    ]);
    const vendorId = hex(vid);
    const productId = hex(pid);
    out.push({
      node,
      devicePath: `${devDir}/${node}`,
      name: name ?? '',
      index: index !== undefined && /^\d{1,3}$/.test(index) ? Number(index) : undefined,
      interfaceClass: hex(cls),
      usb: vendorId !== undefined && productId !== undefined ? { vendorId, productId } : undefined,
    });
  }
  return out;
}

function hex(s: string | undefined): number | undefined {
  return s !== undefined && /^[0-9a-f]{1,4}$/i.test(s) ? parseInt(s, 16) : undefined;
}

/** The V4L2-reachable table entry a device matches, if any (the first in table order). */
export function matchDocumentReader(d: V4l2DeviceInfo, table: readonly DocumentReaderModel[] = DOCUMENT_READER_MODELS): DocumentReaderModel | undefined {
  return table.find((m) => m.access === 'v4l2' && m.match?.(d) === true);
}

export interface CameraSelection {
  readonly device: V4l2DeviceInfo;
  readonly model: DocumentReaderModel | undefined;
}

export interface CameraCriteria {
  /** A configured card-name pattern: only devices whose name matches qualify (index 0 ones). */
  readonly namePattern?: RegExp | undefined;
  readonly table?: readonly DocumentReaderModel[] | undefined;
}

/**
 * Picks the camera among `devices`: with a name pattern, the first capture node whose name
 * matches; without, the most preferred table match, then the lowest node number.
 */
export function selectDocumentCamera(devices: readonly V4l2DeviceInfo[], criteria: CameraCriteria = {}): CameraSelection | undefined {
  const table = criteria.table ?? DOCUMENT_READER_MODELS;
  if (table.some((m) => m.access === 'v4l2' && !m.match)) throw new InvalidArgumentError('document reader table', 'a match function on every v4l2 entry', 'none');
  // A configured pattern with the g or y flag would carry state between calls: drop them.
  const pattern = criteria.namePattern && new RegExp(criteria.namePattern.source, criteria.namePattern.flags.replace(/[gy]/g, ''));
  const candidates = devices
    .map((device) => ({ device, model: matchDocumentReader(device, table) }))
    .filter((c) => (pattern ? c.device.index !== 1 && pattern.test(c.device.name) : c.model !== undefined));
  candidates.sort((a, b) => (a.model?.preference ?? 1000) - (b.model?.preference ?? 1000) || Number(a.device.node.slice(5)) - Number(b.device.node.slice(5)));
  return candidates[0];
}
