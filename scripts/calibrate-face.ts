// Measures the 1:1 thresholds on the labelled face sets Debian and face-api ship (fetched by
// scripts/face-test-data.sh) and writes src/face/calibration-data.ts. Run it after changing the
// face models or the pipeline: `npx tsx scripts/calibrate-face.ts`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calibrate, pairScores } from '../src/face/calibration.js';
import { labelledFaceSet } from '../src/face/face-set.js';
import { disposeFaceModels, loadFaceModels } from '../src/face/pipeline.js';
import { projectRoot } from '../src/platform/find-up.js';

const root = projectRoot(import.meta.url);
const models = await loadFaceModels(join(root, 'build', 'models'));
try {
  const set = await labelledFaceSet(models, join(root, '.cache', 'face-data'));
  const c = calibrate(pairScores(set.items), { name: models.embedding.descriptor.name, sha256: models.embedding.descriptor.sha256 ?? 'unknown' }, set.description);
  const body = `// Written by scripts/calibrate-face.ts from measured scores; do not edit by hand.\nimport type { Calibration } from './calibration.js';\n\nexport const CALIBRATION: Calibration = ${JSON.stringify(c, null, 2)};\n`;
  writeFileSync(join(root, 'src', 'face', 'calibration-data.ts'), body);
  process.stdout.write(`${JSON.stringify(c)}\n`);
} finally {
  await disposeFaceModels(models);
}
