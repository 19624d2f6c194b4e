// The V4L2 devices the host has, read from sysfs, and the choice of one among them by a model
// table: shared by the document camera's discovery (../document-camera/discovery.ts) and the
// face camera's (../camera/discovery.ts), which each hold their own table.

/** USB interface class of the USB Video Class (usb.ids "C 0e Video"; USB-IF UVC 1.5 §A.1). */
export const USB_CLASS_VIDEO = 0x0e;

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

/**
 * A UVC camera's capture node: USB interface class 0e (sysfs `device/bInterfaceClass`) and V4L2
 * node index 0; since Linux 4.16 uvcvideo also creates a metadata node (index 1) per camera,
 * which delivers no images.
 */
export function isUvcCapture(d: V4l2DeviceInfo): boolean {
  return d.interfaceClass === USB_CLASS_VIDEO && d.index === 0;
}

/** A device chosen from a model table, with the entry it matched (none when chosen by name). */
export interface V4l2Selection<M> {
  readonly device: V4l2DeviceInfo;
  readonly model: M | undefined;
}

export interface V4l2Choice<M extends { readonly preference: number }> {
  /** A configured card-name pattern: only capture nodes whose name matches qualify. */
  readonly namePattern: RegExp | undefined;
  /** The table entry a device matches, if any. */
  readonly match: (d: V4l2DeviceInfo) => M | undefined;
  /** Whether a device may be chosen without a name pattern, by what it matched. */
  readonly eligible: (model: M | undefined) => boolean;
}

/**
 * Picks among `devices`: with a name pattern, the first capture node (index other than 1) whose
 * name matches; without, the eligible match with the lowest `preference`, then the lowest
 * node number.
 */
export function selectV4l2Device<M extends { readonly preference: number }>(devices: readonly V4l2DeviceInfo[], choice: V4l2Choice<M>): V4l2Selection<M> | undefined {
  // A configured pattern with the g or y flag would carry state between calls: drop them.
  const p = choice.namePattern;
  const pattern = p && new RegExp(p.source, p.flags.replace(/[gy]/g, ''));
  const candidates = devices
    .map((device) => ({ device, model: choice.match(device) }))
    .filter((c) => (pattern ? c.device.index !== 1 && pattern.test(c.device.name) : choice.eligible(c.model)));
  candidates.sort((a, b) => (a.model?.preference ?? 1000) - (b.model?.preference ?? 1000) || nodeNumber(a.device) - nodeNumber(b.device));
  return candidates[0];
}

/** `videoN` → N; a node named otherwise sorts last. */
function nodeNumber(d: V4l2DeviceInfo): number {
  const n = Number(d.node.slice(5));
  return Number.isInteger(n) ? n : Number.MAX_SAFE_INTEGER;
}
