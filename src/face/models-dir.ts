// Where the face models are: KIOSK_MODELS_DIR, or build/models in the directories above this
// module (the source tree and the compiled tree both find the one setup.sh converts into).
import { dirname, join } from 'node:path';
import { findUp } from '../platform/find-up.js';
import { FaceModelError } from './models/errors.js';
import { MODEL_FILES } from './pipeline.js';

export function findModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.KIOSK_MODELS_DIR;
  if (fromEnv) return fromEnv;
  const { found } = findUp(import.meta.url, join('build', 'models', MODEL_FILES.embedding));
  if (found) return dirname(found);
  throw new FaceModelError('MODEL_MISSING', 'face models', 'build/models not found: run `npm run build` (scripts/convert-face-models.ts)');
}
