// The light security background of a data page: a pale tint with guilloche-like line work
// (rosettes of hypotrochoids and bands of interlaced waves) in thin, pale strokes, the way
// printed security backgrounds look to a white-light reader. Drawn, not a flat colour, so
// that the MRZ reader has to cope with line work behind and around the characters.
import type { CanvasRenderingContext2D } from './canvas.js';
import type { Rng } from './random.js';

export interface BackgroundOptions {
  /** 0 (none) … 1 (default strength) … 2 (heavy) line work. */
  readonly strength?: number;
}

const TINTS = [
  [246, 244, 236],
  [238, 244, 246],
  [244, 240, 246],
  [240, 246, 238],
] as const;
const INKS = ['120,160,200', '200,140,170', '120,180,150', '190,170,110', '150,140,200'] as const;

export function drawGuilloche(g: CanvasRenderingContext2D, w: number, h: number, pxPerMm: number, rng: Rng, o: BackgroundOptions = {}): void {
  const strength = o.strength ?? 1;
  const tint = rng.pick(TINTS);
  const grad = g.createLinearGradient(0, 0, w, h);
  grad.addColorStop(0, `rgb(${tint[0]},${tint[1]},${tint[2]})`);
  grad.addColorStop(1, `rgb(${tint[0] - 6},${tint[1] - 4},${tint[2] - 8})`);
  g.fillStyle = grad;
  g.fillRect(0, 0, w, h);
  if (strength <= 0) return;
  g.lineWidth = Math.max(0.6, 0.09 * pxPerMm);
  const alpha = Math.min(0.9, 0.32 * strength);

  // Bands of interlaced sine waves across the page.
  const bands = rng.int(2, 3);
  for (let b = 0; b < bands; b++) {
    const yc = rng.uniform(0.15, 0.85) * h;
    const amp = rng.uniform(2, 6) * pxPerMm;
    const lambda = rng.uniform(12, 30) * pxPerMm;
    const ink = rng.pick(INKS);
    g.strokeStyle = `rgba(${ink},${alpha})`;
    const strands = rng.int(10, 18);
    for (let s = 0; s < strands; s++) {
      const phase = (s / strands) * Math.PI * 2;
      const off = (s - strands / 2) * 0.45 * pxPerMm;
      g.beginPath();
      for (let x = 0; x <= w; x += Math.max(2, pxPerMm)) {
        const y = yc + off + amp * Math.sin((2 * Math.PI * x) / lambda + phase) * Math.cos((Math.PI * x) / (3 * lambda));
        if (x === 0) g.moveTo(x, y);
        else g.lineTo(x, y);
      }
      g.stroke();
    }
  }

  // Rosettes: hypotrochoids x = (R−r)cos t + d cos((R−r)t/r), y = (R−r)sin t − d sin((R−r)t/r).
  const rosettes = rng.int(2, 4);
  for (let k = 0; k < rosettes; k++) {
    const cx = rng.uniform(0.1, 0.9) * w;
    const cy = rng.uniform(0.1, 0.9) * h;
    const R = rng.uniform(12, 28) * pxPerMm;
    const r = R / rng.pick([5, 6, 7, 9, 11]);
    const ink = rng.pick(INKS);
    g.strokeStyle = `rgba(${ink},${alpha * 0.9})`;
    const loops = rng.int(4, 8);
    for (let l = 0; l < loops; l++) {
      const d = r * (0.6 + 0.12 * l);
      g.beginPath();
      // R / r is an integer, so the curve closes after one turn of t.
      const turns = 2 * Math.PI;
      const steps = 720;
      for (let i = 0; i <= steps; i++) {
        const t = (i / steps) * turns;
        const x = cx + (R - r) * Math.cos(t) + d * Math.cos(((R - r) / r) * t);
        const y = cy + (R - r) * Math.sin(t) - d * Math.sin(((R - r) / r) * t);
        if (i === 0) g.moveTo(x, y);
        else g.lineTo(x, y);
      }
      g.stroke();
    }
  }
}
