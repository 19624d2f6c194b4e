// The data-page renderer and the capture defects: page sizes and MRZ geometry per ICAO 9303,
// ground-truth boxes on the drawn characters (on the page and after placement on the glass),
// and each defect doing what it says. Uses node-canvas, OpenCV and Debian's fonts.
import t from 'tap';
import { InvalidArgumentError } from '../../src/errors.js';
import { toGrey, type Image } from '../../src/document/image.js';
import { applyDefects, capturePage, DEFAULT_GLASS, emptyGlass, placePages, randomCapture, randomDefects, randomPlacement, type Glass } from '../../src/document/render/defects.js';
import { MRZ_PITCH_MM, PAGE_LAYOUTS } from '../../src/document/render/layout.js';
import { insideQuad, quadBounds, quadCentre, type Quad } from '../../src/document/plane.js';
import { renderDataPage } from '../../src/document/render/page.js';
import { seededRng } from '../../src/document/render/random.js';
import { encodeMrz, randomSpecimen } from '../../src/document/render/specimen.js';
import { parseMrz } from '../../src/mrtd/mrz.js';

const formats = ['TD1', 'TD2', 'TD3'] as const;
const glass = (dpi: number): Glass => ({ ...DEFAULT_GLASS, dpi });

const at = (g: Image, x: number, y: number): number => g.data[Math.round(y) * g.width + Math.round(x)]!;

/** Dark pixels inside a quad and how many pixels it covers. */
function inkIn(g: Image, q: Quad, dark = 110): { dark: number; total: number } {
  const b = quadBounds(q);
  let d = 0;
  let n = 0;
  for (let y = Math.max(0, Math.floor(b.y0)); y <= Math.min(g.height - 1, Math.ceil(b.y1)); y++) {
    for (let x = Math.max(0, Math.floor(b.x0)); x <= Math.min(g.width - 1, Math.ceil(b.x1)); x++) {
      if (!insideQuad(q, { x: x + 0.5, y: y + 0.5 })) continue;
      n++;
      if (g.data[y * g.width + x]! < dark) d++;
    }
  }
  return { dark: d, total: n };
}

/** Grows a quad about its centre by `px` pixels each way (approximately, for tolerances). */
function grow(q: Quad, px: number): Quad {
  const c = quadCentre(q);
  return q.map((p) => {
    const dx = p.x - c.x;
    const dy = p.y - c.y;
    const d = Math.hypot(dx, dy) || 1;
    return { x: p.x + (dx / d) * px * Math.SQRT2, y: p.y + (dy / d) * px * Math.SQRT2 };
  }) as unknown as Quad;
}

t.test('page size and MRZ geometry follow ICAO 9303 at any resolution', async (t) => {
  for (const f of formats) {
    for (const dpi of [300, 400]) {
      const rng = seededRng(11);
      const spec = randomSpecimen(rng, f);
      const { image, truth } = renderDataPage(spec, rng, { dpi });
      const L = PAGE_LAYOUTS[f];
      const k = dpi / 25.4;
      t.ok(Math.abs(image.width - L.widthMm * k) <= 1 && Math.abs(image.height - L.heightMm * k) <= 1, `${f} ${dpi} dpi page size`);
      t.equal(truth.characters.length, L.mrzLines);
      t.ok(truth.characters.every((l) => l.length === L.mrzColumns), `${f} characters per line`);
      t.equal(truth.mrz, spec.mrz);
      t.ok(parseMrz(truth.mrz).valid, 'the printed MRZ is valid');
      // Fixed pitch: character centres one 2.54 mm pitch apart; glyphs sit a little off their
      // cell centre ('1', '<'), so within 0.15 pitch — a drift or a lost cell is a whole pitch.
      const pitch = MRZ_PITCH_MM * k;
      for (const line of truth.characters) {
        const left = quadCentre(line[0]!).x;
        const worst = Math.max(...line.map((q, i) => Math.abs(quadCentre(q).x - left - i * pitch)));
        t.ok(worst < 0.15 * pitch, `${f} ${dpi} dpi: pitch holds (worst ${worst.toFixed(2)} px)`);
      }
      // The MRZ zone lies in the bottom zone the format reserves for it.
      const zone = quadBounds(truth.mrzZone);
      t.ok(zone.y0 >= (L.heightMm - L.mrzZoneHeightMm) * k, `${f} MRZ inside its zone`);
      t.ok(zone.y1 <= image.height, `${f} MRZ on the page`);
    }
  }
});

t.test('ground-truth boxes land on the drawn characters, and no MRZ ink lies outside them', async (t) => {
  for (const f of formats) {
    const rng = seededRng(21);
    const { image, truth } = renderDataPage(randomSpecimen(rng, f), rng, { dpi: 300 });
    const g = toGrey(image);
    for (const [li, line] of truth.characters.entries()) {
      for (const [ci, q] of line.entries()) {
        const ink = inkIn(g, q);
        if (ink.dark < Math.max(3, 0.12 * ink.total)) t.fail(`${f} ${li}:${ci} box holds little ink (${ink.dark}/${ink.total})`);
      }
    }
    // Every dark pixel of the MRZ band is inside some (slightly grown) character box.
    const grown = truth.characters.flat().map((q) => grow(q, 1.5));
    const band = quadBounds(truth.mrzZone);
    let stray = 0;
    for (let y = Math.ceil(band.y0); y < Math.floor(band.y1); y++) {
      for (let x = Math.ceil(band.x0); x < Math.floor(band.x1); x++) {
        if (g.data[y * g.width + x]! >= 110) continue;
        if (!grown.some((q) => insideQuad(q, { x: x + 0.5, y: y + 0.5 }))) stray++;
      }
    }
    t.equal(stray, 0, `${f}: no MRZ ink outside the character boxes`);
  }
});

t.test('portrait box holds the portrait; the background is line work, not a flat colour', async (t) => {
  const rng = seededRng(5);
  const { image, truth } = renderDataPage(randomSpecimen(rng, 'TD3'), rng, { dpi: 300 });
  const g = toGrey(image);
  const p = quadBounds(truth.portrait);
  // The drawn portrait has a dark jacket in its lower part.
  const low = at(g, (p.x0 + p.x1) / 2, p.y1 - 5);
  t.ok(low < 140, `portrait shoulders are dark (${low})`);
  // Between the header and the MRZ, right of the fields: a strip of background with line work.
  const L = PAGE_LAYOUTS.TD3;
  const k = truth.pxPerMm;
  const values = new Set<number>();
  for (let x = Math.round(2 * k); x < Math.round((L.widthMm - 2) * k); x++) values.add(at(g, x, (L.heightMm - L.mrzZoneHeightMm - 3) * k));
  t.ok(values.size > 8, `background varies (${values.size} grey levels along a row)`);
});

t.test('rendering is deterministic for a seed, and refuses an MRZ of the wrong shape', async (t) => {
  const a = renderDataPage(randomSpecimen(seededRng(9), 'TD2'), seededRng(99), { dpi: 300 });
  const b = renderDataPage(randomSpecimen(seededRng(9), 'TD2'), seededRng(99), { dpi: 300 });
  t.ok(a.image.data.equals(b.image.data), 'same seed, same pixels');
  const spec = randomSpecimen(seededRng(3), 'TD3');
  t.throws(() => renderDataPage({ ...spec, mrz: spec.mrz.slice(1) }, seededRng(1)), InvalidArgumentError);
  t.throws(() => renderDataPage({ ...spec, format: 'TD1' }, seededRng(1)), InvalidArgumentError);
  t.throws(() => renderDataPage(spec, seededRng(1), { dpi: 20 }), InvalidArgumentError);
  t.equal(encodeMrz('TD3', spec.fields), spec.mrz);
});

t.test('placement: rotation and perspective move the pixels and the ground truth together', async (t) => {
  const rng = seededRng(31);
  const page = renderDataPage(randomSpecimen(rng, 'TD3'), rng, { dpi: 300 });
  const gl = glass(300);
  const corners = [{ x: 1.5, y: -1 }, { x: -1, y: 1.2 }, { x: 0.8, y: 1.5 }, { x: -1.4, y: -0.6 }] as const;
  const placed = placePages(emptyGlass(gl, rng), gl, [{ page, placement: { dxMm: 3, dyMm: -2, rotationDeg: 9, corners } }]);
  const truth = placed.pages[0]!;
  const g = toGrey(placed.image);
  // The MRZ's first line rises to the right by about 9° (counter-clockwise on the image).
  const first = truth.mrzLines[0]!;
  const angle = (Math.atan2(-(first[1].y - first[0].y), first[1].x - first[0].x) * 180) / Math.PI;
  t.ok(Math.abs(angle - 9) < 2, `MRZ line at ${angle.toFixed(1)}°`);
  let missed = 0;
  for (const q of truth.characters.flat()) {
    const ink = inkIn(g, grow(q, 1));
    if (ink.dark < 3) missed++;
  }
  t.equal(missed, 0, 'every transformed character box holds ink');
  // Off the page the glass keeps its own grey.
  t.ok(Math.abs(at(g, 3, 3) - DEFAULT_GLASS.level) < 10, 'glass corner');
});

t.test('each optical defect changes the capture the way it should', async (t) => {
  const rng = seededRng(41);
  const page = renderDataPage(randomSpecimen(rng, 'TD1'), rng, { dpi: 300 });
  const gl = glass(300);
  const placement = { dxMm: 0, dyMm: 0, rotationDeg: 0 };
  const base = placePages(emptyGlass(gl, seededRng(1)), gl, [{ page, placement }]);
  const clean = toGrey(base.image);
  const truth = base.pages[0]!;
  const k = gl.dpi / 25.4;
  const sharpness = (img: Image): number => {
    // Mean absolute horizontal difference over the MRZ zone.
    const b = quadBounds(truth.mrzZone);
    let s = 0;
    let n = 0;
    for (let y = Math.ceil(b.y0); y < b.y1; y++) {
      for (let x = Math.ceil(b.x0); x < b.x1 - 1; x++) {
        s += Math.abs(img.data[y * img.width + x + 1]! - img.data[y * img.width + x]!);
        n++;
      }
    }
    return s / n;
  };
  const apply = (d: Parameters<typeof applyDefects>[1]): Image => toGrey(applyDefects(base, d, seededRng(2), k).image);
  t.ok(sharpness(apply({ optics: { gaussianSigmaPx: 2 } })) < 0.75 * sharpness(clean), 'gaussian blur softens the MRZ');
  t.ok(sharpness(apply({ optics: { motionPx: 6, motionAngleDeg: 0 } })) < 0.8 * sharpness(clean), 'motion blur softens the MRZ');
  // Sensor noise: the empty glass in a corner is no longer smooth.
  const corner = (img: Image): number => {
    let s = 0;
    for (let x = 10; x < 60; x++) s += Math.abs(img.data[10 * img.width + x + 1]! - img.data[10 * img.width + x]!);
    return s / 50;
  };
  t.ok(corner(apply({ noiseSigma: 8 })) > corner(clean) + 3, 'noise roughens flat areas');
  // Uneven light along 0°: the left of the page brighter than the right.
  const lit = apply({ lighting: { gradient: 0.4, angleDeg: 0, vignette: 0 } });
  const pb = quadBounds(truth.page);
  const yMid = (pb.y0 + pb.y1) / 2;
  const gain = (img: Image, x: number): number => at(img, x, yMid) / Math.max(1, at(clean, x, yMid));
  t.ok(gain(lit, pb.x0 + 20) > gain(lit, pb.x1 - 20) + 0.15, 'gradient darkens along its direction');
  // Glare: the core is white, the halo brightens around it.
  const centre = quadCentre(truth.portrait);
  const glared = apply({ glare: { centre, coreMm: 3, haloMm: 6, strength: 0.7 } });
  t.ok(at(glared, centre.x, centre.y) >= 250, 'glare core saturates');
  t.ok(at(glared, centre.x + 5 * k, centre.y) > at(clean, centre.x + 5 * k, centre.y), 'glare halo brightens');
  // JPEG: close to the original, not identical.
  const jpg = apply({ jpegQuality: 60 });
  let diff = 0;
  for (let i = 0; i < jpg.data.length; i++) diff += Math.abs(jpg.data[i]! - clean.data[i]!);
  diff /= jpg.data.length;
  t.ok(diff > 0.2 && diff < 6, `JPEG changes pixels a little (mean ${diff.toFixed(2)})`);
});

t.test('random defects: seeded, within their ranges, glare core never on the MRZ', async (t) => {
  for (let s = 0; s < 24; s++) {
    const rng = seededRng(1000 + s);
    const f = formats[s % 3]!;
    const page = renderDataPage(randomSpecimen(rng, f), rng, { dpi: 300 });
    const gl = glass(300);
    const placement = randomPlacement(rng, page.truth, gl);
    t.ok(Math.abs(placement.rotationDeg) <= 10, 'rotation within ±10°');
    const placed = placePages(emptyGlass(gl, rng), gl, [{ page, placement }]);
    const pb = quadBounds(placed.pages[0]!.page);
    t.ok(pb.x0 >= 0 && pb.y0 >= 0 && pb.x1 <= placed.image.width && pb.y1 <= placed.image.height, 'page stays on the glass');
    const d = randomDefects(rng, placed.pages[0]!);
    if (d.glare && d.glare.coreMm > 0) {
      const k = gl.dpi / 25.4;
      const r = (d.glare.coreMm + 1) * k;
      const hit = placed.pages[0]!.characters.flat().some((q) => q.some((p) => Math.hypot(p.x - d.glare!.centre.x, p.y - d.glare!.centre.y) < r));
      t.notOk(hit, 'glare core clear of the MRZ characters');
    }
  }
  const a = randomCapture(renderDataPage(randomSpecimen(seededRng(7), 'TD2'), seededRng(7), { dpi: 300 }), seededRng(8), glass(300));
  const b = randomCapture(renderDataPage(randomSpecimen(seededRng(7), 'TD2'), seededRng(7), { dpi: 300 }), seededRng(8), glass(300));
  t.ok(a.image.data.equals(b.image.data), 'same seeds, same capture');
  t.same(a.defects, b.defects);
});

t.test('capturePage applies exactly the defects it is given', async (t) => {
  const rng = seededRng(51);
  const page = renderDataPage(randomSpecimen(rng, 'TD3'), rng, { dpi: 300 });
  const c = capturePage(page, { dxMm: 0, dyMm: 0, rotationDeg: 0 }, {}, seededRng(1), glass(300));
  t.equal(c.image.width, Math.round(DEFAULT_GLASS.widthMm * (300 / 25.4)));
  t.equal(c.pages.length, 1);
  t.equal(c.pages[0]!.mrz, page.truth.mrz);
});
