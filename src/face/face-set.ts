// The labelled face set the calibration and the benchmarks measure on: dlib's "johns" (five
// people, eleven crops each, from Debian's libdlib19.1 examples) for genuine and impostor
// pairs, plus the faces in dlib's group photos, each counted as a person of its own (impostor
// pairs only) when it is large enough to be compared at all (MIN_STRANGER_FACE_PX: a face of
// 30 px upsampled to the recogniser's chip is a blur that resembles every other blur, which the
// kiosk, whose camera frames hold faces of some 200 px, never compares). face-api's sample
// images are left out of the pairs, and so is dlib's bald_guys.jpg (the picture of dlib's face
// clustering example): the same people appear several times in them. scripts/face-test-data.sh fetches it into a folder
// with an index.json; nothing of it is committed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeImage } from '../document/image.js';
import { ParseError } from '../errors.js';
import type { LabelledEmbedding } from './calibration.js';
import { analyseImage, type FaceModels } from './pipeline.js';

export interface FaceSet {
  readonly items: LabelledEmbedding[];
  /** Images in which no face was found (left out, counted). */
  readonly missed: number;
  readonly description: string;
}

interface Index {
  readonly johns: Record<string, string[]>;
  readonly groupPhotos: string[];
  readonly faceApiSamples: string[];
}

/** Smallest detector box (px wide) of a group-photo face taken into the impostor pairs. */
export const MIN_STRANGER_FACE_PX = 80;

/** Group photos in which one person appears more than once. */
const REPEATED_PEOPLE = ['/bald_guys.jpg'];

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export async function readFaceSetIndex(dir: string): Promise<Index> {
  const raw = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as Record<string, unknown>;
  const johns = raw.johns as Record<string, unknown> | undefined;
  if (!johns || typeof johns !== 'object' || !Object.values(johns).every(isStrings) || !isStrings(raw.groupPhotos) || !isStrings(raw.faceApiSamples)) {
    throw new ParseError('face set index.json', 'unexpected shape');
  }
  return { johns: johns as Record<string, string[]>, groupPhotos: raw.groupPhotos, faceApiSamples: raw.faceApiSamples };
}

export async function labelledFaceSet(models: FaceModels, dir: string): Promise<FaceSet> {
  const index = await readFaceSetIndex(dir);
  const items: LabelledEmbedding[] = [];
  let missed = 0;
  let crops = 0;
  for (const [person, files] of Object.entries(index.johns)) {
    for (const f of files) {
      const a = await analyseImage(models, decodeImage(await readFile(join(dir, f)), f));
      const e = a.faces[0]?.embedding;
      if (e) {
        items.push({ identity: `johns/${person}`, embedding: e });
        crops++;
      } else missed++;
    }
  }
  let strangers = 0;
  for (const f of index.groupPhotos.filter((p) => !REPEATED_PEOPLE.some((r) => p.endsWith(r)))) {
    const a = await analyseImage(models, decodeImage(await readFile(join(dir, f)), f), { embed: 'all' });
    a.faces.forEach((face, i) => {
      if (face.embedding && face.box.width >= MIN_STRANGER_FACE_PX) {
        items.push({ identity: `${f}#${String(i)}`, embedding: face.embedding });
        strangers++;
      }
    });
  }
  const people = Object.keys(index.johns).length;
  return {
    items,
    missed,
    description: `dlib johns: ${String(people)} people, ${String(crops)} crops with a face found (${String(missed)} without); ${String(strangers)} faces of at least ${String(MIN_STRANGER_FACE_PX)} px from dlib's group photos as one person each`,
  };
}
