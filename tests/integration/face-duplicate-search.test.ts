// 1:N duplicate search over a register gallery of real faces (dlib's labelled set) among
// random decoys: the applicant's own record is the register link (pass); the same face filed
// under another identity is DUPLICATE_HIT, which caps the identity and raises its risk.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { decodeImage } from '../../src/document/image.js';
import { CALIBRATION } from '../../src/face/calibration-data.js';
import { normalise } from '../../src/face/compare.js';
import { searchDuplicates } from '../../src/face/duplicate-search.js';
import { FaceGallery } from '../../src/face/gallery.js';
import { findModelsDir } from '../../src/face/models-dir.js';
import { analyseImage, disposeFaceModels, loadFaceModels } from '../../src/face/pipeline.js';
import type { Embedding } from '../../src/face/types.js';
import { seededRng } from '../../src/document/render/random.js';
import { assessIdentity } from '../../src/visit/confidence/assess.js';
import { RULES_V1 } from '../../src/visit/confidence/rules.js';
import { faceData } from '../helpers/face-data.js';

const data = await faceData();
const skip = data.ok ? false : data.reason;
const models = await loadFaceModels(findModelsDir());
t.teardown(() => disposeFaceModels(models));

async function faces(files: readonly string[]): Promise<Embedding[]> {
  const out: Embedding[] = [];
  for (const f of files) {
    const e = (await analyseImage(models, decodeImage(readFileSync(f), 'face'))).faces[0]?.embedding;
    if (e) out.push(e);
  }
  return out;
}

t.test('own record links, another identity is a duplicate', { skip }, async (t) => {
  if (!data.ok) return;
  const people = Object.values(data.johns);
  const gallery = FaceGallery.create({ dim: 128, dtype: 'f32', metric: 'ip' });
  t.teardown(() => gallery.close());
  const probes: Embedding[] = [];
  for (const [i, files] of people.entries()) {
    const e = await faces(files);
    gallery.add(BigInt(101 + i), normalise(e[0]!));
    probes.push(e[e.length - 1]!);
  }
  const rng = seededRng(44);
  for (let i = 0; i < 1000; i++) gallery.add(BigInt(10_000 + i), normalise(Float32Array.from({ length: 128 }, () => rng.normal())));
  t.equal(gallery.size, 1005);
  const now = () => new Date('2026-11-23T12:00:00Z');
  // The applicant is person 3 and claims person 3's identity.
  const own = await searchDuplicates(gallery, probes[2]!, { calibration: CALIBRATION, sameIdentity: (id) => id === 103n, now });
  t.equal(own.result, 'pass');
  t.equal(own.candidates[0]?.ref, 'face-record:103', 'the own record is found first');
  t.equal(own.candidates[0]?.sameIdentity, true);
  t.ok(own.values?.fpir !== undefined && own.values.fpir > 0, `FPIR at this gallery size reported (${String(own.values?.fpir)})`);
  // The same person claims person 1's identity: the register knows the face as record 103.
  const dup = await searchDuplicates(gallery, probes[2]!, { calibration: CALIBRATION, sameIdentity: (id) => id === 101n, now });
  t.equal(dup.result, 'fail');
  t.equal(dup.code, 'DUPLICATE_HIT');
  t.ok(dup.candidates.every((c) => c.ref.startsWith('face-record:')), 'opaque references only');
  const a = assessIdentity([dup], RULES_V1, now);
  t.ok(a.riskIndicators.some((r) => r.code === 'DUPLICATE_IDENTITY'), 'risk raised');
  t.not(a.level, 'false', 'a machine score never makes an identity false');
  const empty = FaceGallery.create({ dim: 128 });
  t.teardown(() => empty.close());
  t.equal((await searchDuplicates(empty, probes[0]!, { calibration: CALIBRATION, sameIdentity: () => false })).result, 'pass', 'an empty register has no duplicates');
});
