// A synthetic portrait for generated passports when no photo is given: a drawn head and
// shoulders on a plain background at the ICAO 35×45 mm proportion, encoded as JPEG. It is a
// stand-in for tests and the simulator, not a face any matcher would recognise. `padToBytes`
// grows a JPEG to an exact size with a comment segment (COM), which every decoder skips, so
// that benchmarks can ask for a DG2 of a given size.
import jpeg from 'jpeg-js';
import { InvalidArgumentError } from '../../errors.js';

export interface PortraitOptions {
  readonly width?: number;
  readonly height?: number;
  readonly quality?: number;
  /** Varies colours so that two generated passports do not share a photo. */
  readonly seed?: number;
}

export function syntheticPortrait(o: PortraitOptions = {}): Buffer {
  const width = o.width ?? 354;
  const height = o.height ?? 455;
  const seed = o.seed ?? 1;
  const rgba = Buffer.alloc(width * height * 4);
  const skin = [224 - (seed % 5) * 18, 188 - (seed % 5) * 20, 160 - (seed % 5) * 22];
  const hair = [60 + (seed % 3) * 40, 40 + (seed % 3) * 25, 30 + (seed % 3) * 10];
  const cx = width / 2;
  const cy = height * 0.42;
  const rx = width * 0.26;
  const ry = height * 0.27;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let c = [226, 230, 236]; // plain light background
      const dx = (x - cx) / rx;
      const dy = (y - cy) / ry;
      const inHead = dx * dx + dy * dy <= 1;
      const shoulders = y > height * 0.74 && Math.abs(x - cx) < width * (0.18 + (y - height * 0.74) / height);
      if (shoulders) c = [70, 80, 110];
      if (inHead) {
        c = skin;
        if (dy < -0.55 || (dy < -0.1 && Math.abs(dx) > 0.85)) c = hair;
        const eyeY = cy - ry * 0.12;
        for (const ex of [cx - rx * 0.38, cx + rx * 0.38]) {
          const ddx = (x - ex) / (rx * 0.14);
          const ddy = (y - eyeY) / (ry * 0.06);
          if (ddx * ddx + ddy * ddy <= 1) c = [250, 250, 250];
          if (ddx * ddx * 4 + ddy * ddy * 4 <= 1) c = [60, 45, 35];
        }
        const my = cy + ry * 0.5;
        if (Math.abs(y - my) < ry * 0.03 && Math.abs(x - cx) < rx * 0.3) c = [160, 80, 80];
        if (Math.abs(x - cx) < rx * 0.05 && y > cy && y < cy + ry * 0.25) c = c.map((v) => v - 20);
      }
      const i = (y * width + x) * 4;
      rgba[i] = c[0]!;
      rgba[i + 1] = c[1]!;
      rgba[i + 2] = c[2]!;
      rgba[i + 3] = 255;
    }
  }
  return Buffer.from(jpeg.encode({ data: rgba, width, height }, o.quality ?? 85).data);
}

/** Inserts COM segments after SOI so that the JPEG is exactly `bytes` long. */
export function padToBytes(jpegBytes: Buffer, bytes: number): Buffer {
  if (jpegBytes[0] !== 0xff || jpegBytes[1] !== 0xd8) throw new InvalidArgumentError('image', 'a JPEG', jpegBytes);
  let missing = bytes - jpegBytes.length;
  if (missing === 0) return jpegBytes;
  if (missing < 4) throw new InvalidArgumentError('bytes', `at least ${jpegBytes.length + 4} or exactly ${jpegBytes.length}`, bytes);
  const segments: Buffer[] = [];
  while (missing > 0) {
    // A COM segment is FF FE + 2-byte length (which counts itself) + text; at most 65535.
    let take = Math.min(missing, 65537);
    if (missing - take > 0 && missing - take < 4) take -= 4;
    const body = Buffer.alloc(take - 4, 0x20);
    const seg = Buffer.concat([Buffer.from([0xff, 0xfe, (take - 2) >> 8, (take - 2) & 0xff]), body]);
    segments.push(seg);
    missing -= take;
  }
  return Buffer.concat([jpegBytes.subarray(0, 2), ...segments, jpegBytes.subarray(2)]);
}
