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
import { isUvcCapture, selectV4l2Device, type V4l2DeviceInfo, type V4l2Selection } from '../video/discovery.js';
import type { Illumination, PresenceSensing } from './contract.js';

export { listV4l2Devices, USB_CLASS_VIDEO, type SysFs, type V4l2DeviceInfo } from '../video/discovery.js';

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

export const DOCUMENT_READER_MODELS: readonly DocumentReaderModel[] = [
  {
    // Any UVC camera: a document camera (visualiser) or a camera module mounted under the
    // kiosk's glass with the kiosk's own white lighting. Matched as a UVC capture node (USB
    // interface class 0x0e, V4L2 node index 0; see isUvcCapture). No UV or IR lamps (a kiosk that adds them switches them itself, outside this class), presence from
    // image analysis (capture-quality.ts).
    id: 'uvc-generic',
    description: 'UVC camera (document camera or built-in camera under glass)',
    access: 'v4l2',
    match: isUvcCapture,
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

/** The V4L2-reachable table entry a device matches, if any (the first in table order). */
export function matchDocumentReader(d: V4l2DeviceInfo, table: readonly DocumentReaderModel[] = DOCUMENT_READER_MODELS): DocumentReaderModel | undefined {
  return table.find((m) => m.access === 'v4l2' && m.match?.(d) === true);
}

export type CameraSelection = V4l2Selection<DocumentReaderModel>;

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
  return selectV4l2Device(devices, { namePattern: criteria.namePattern, match: (d) => matchDocumentReader(d, table), eligible: (m) => m !== undefined });
}
