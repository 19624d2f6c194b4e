// Which face camera the kiosk uses, as a data table (STYLE.md P1), over the V4L2 devices the
// host has (listed from sysfs by the discovery both cameras share, ../video/discovery.ts).
// Each entry says how a camera is recognised, whether it suits the face pipeline (a colour
// image; an infrared-only node does not), and where the values came from.
//
// Honestly put: the kiosk's face camera is a plain UVC webcam or camera module; nothing here is
// vendor-specific beyond preferring models whose behaviour is known. The USB IDs below are from
// the USB ID database (usb.ids 2025.07.26, Debian package usb.ids, /usr/share/misc/usb.ids);
// none of the models was tried on this project's hardware, so their preference only orders
// cameras when several are attached, and the rates in the comments are the vendors' data-sheet
// figures, not measurements. Infrared "face login" cameras (Windows Hello style) expose their
// IR sensor as a second UVC capture node that delivers grey frames; they are recognised by the
// node's name containing "IR" (the convention seen in laptop cameras' product strings, e.g.
// "Integrated IR Camera") — a heuristic, not a standard — and never chosen automatically.
import { InvalidArgumentError } from '../../errors.js';
import { isUvcCapture, selectV4l2Device, type V4l2DeviceInfo, type V4l2Selection } from '../video/discovery.js';

export { listV4l2Devices, type SysFs, type V4l2DeviceInfo } from '../video/discovery.js';

export interface FaceCameraModel {
  readonly id: string;
  readonly description: string;
  readonly match: (d: V4l2DeviceInfo) => boolean;
  /** Whether the face pipeline can use it (colour frames). */
  readonly suitable: boolean;
  /** Lower is preferred when several attached devices match. */
  readonly preference: number;
}

/** Logitech's USB vendor ID (usb.ids: "046d Logitech, Inc."). */
export const USB_VENDOR_LOGITECH = 0x046d;

const usbId = (vendorId: number, ...productIds: number[]) => (d: V4l2DeviceInfo): boolean =>
  d.usb?.vendorId === vendorId && productIds.includes(d.usb.productId) && d.index === 0;

/** An IR sensor node: grey frames only (see the header). */
const isIrNode = (d: V4l2DeviceInfo): boolean => /\bIR\b/.test(d.name);

export const FACE_CAMERA_MODELS: readonly FaceCameraModel[] = [
  {
    // An infrared-only node of a face-login camera: listed so that it is recognised and skipped.
    id: 'uvc-ir',
    description: 'UVC infrared sensor (grey frames; not usable for the colour face pipeline)',
    match: (d) => isUvcCapture(d) && isIrNode(d),
    suitable: false,
    preference: 1000,
  },
  {
    // usb.ids 046d:082d "HD Pro Webcam C920", 046d:0892 "C920 HD Pro Webcam", 046d:08e5 "C920
    // PRO HD Webcam": 1920 × 1080 at 30 frames/s as MJPG (Logitech's data sheet), autofocus.
    id: 'logitech-c920',
    description: 'Logitech C920 family',
    match: usbId(USB_VENDOR_LOGITECH, 0x082d, 0x0892, 0x08e5),
    suitable: true,
    preference: 10,
  },
  {
    // usb.ids 046d:085c "C922 Pro Stream Webcam": as the C920, plus 720p at 60 frames/s.
    id: 'logitech-c922',
    description: 'Logitech C922 Pro Stream',
    match: usbId(USB_VENDOR_LOGITECH, 0x085c),
    suitable: true,
    preference: 10,
  },
  {
    // usb.ids 046d:085e "BRIO Ultra HD Webcam", 046d:086b "BRIO 4K Stream Edition": up to
    // 4096 × 2160; its IR node (face login) is a separate capture node, caught by 'uvc-ir'.
    id: 'logitech-brio',
    description: 'Logitech BRIO',
    match: usbId(USB_VENDOR_LOGITECH, 0x085e, 0x086b),
    suitable: true,
    preference: 20,
  },
  {
    // Any other UVC camera's capture node: a webcam or a kiosk camera module.
    id: 'uvc-generic',
    description: 'UVC camera',
    match: isUvcCapture,
    suitable: true,
    preference: 100,
  },
];

/** The first table entry a device matches, if any (table order). */
export function matchFaceCamera(d: V4l2DeviceInfo, table: readonly FaceCameraModel[] = FACE_CAMERA_MODELS): FaceCameraModel | undefined {
  return table.find((m) => m.match(d));
}

export type FaceCameraSelection = V4l2Selection<FaceCameraModel>;

export interface FaceCameraCriteria {
  /** A configured card-name pattern: only capture nodes whose name matches qualify. */
  readonly namePattern?: RegExp | undefined;
  /** Device paths to leave out (the document camera's, when both are UVC cameras). */
  readonly exclude?: readonly string[] | undefined;
  readonly table?: readonly FaceCameraModel[] | undefined;
}

/**
 * Picks the face camera among `devices`: with a name pattern, the first capture node whose name
 * matches (the configuration decides, even for an unsuitable model); without, the most
 * preferred suitable table match, then the lowest node number.
 */
export function selectFaceCamera(devices: readonly V4l2DeviceInfo[], criteria: FaceCameraCriteria = {}): FaceCameraSelection | undefined {
  const table = criteria.table ?? FACE_CAMERA_MODELS;
  if (table.length === 0) throw new InvalidArgumentError('face camera table', 'at least one entry', 0);
  const excluded = new Set(criteria.exclude ?? []);
  return selectV4l2Device(
    devices.filter((d) => !excluded.has(d.devicePath)),
    { namePattern: criteria.namePattern, match: (d) => matchFaceCamera(d, table), eligible: (m) => m?.suitable === true },
  );
}
