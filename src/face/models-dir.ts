// Where the face models are: KIOSK_MODELS_DIR, or build/models in the directories above this
// module (the source tree and the compiled tree both find the one setup.sh converts into).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceModelError } from './models/errors.js';
import { MODEL_FILES } from './pipeline.js';

export function findModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.KIOSK_MODELS_DIR;
  if (fromEnv) return fromEnv;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'build', 'models');
    if (existsSync(join(candidate, MODEL_FILES.embedding))) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new FaceModelError('MODEL_MISSING', 'face models', 'build/models not found: run `npm run build` (scripts/convert-face-models.ts)');
}
