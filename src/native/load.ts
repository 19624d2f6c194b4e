// Finds and loads a native addon (.node). The path can be given explicitly (the composition
// root's `nativeBinding` override, STYLE.md P2) or through KIOSK_NATIVE_DIR; otherwise the
// loader looks for build/Release/<name>.node in the directories above this module, which
// covers both the source tree (src/native) and the compiled tree (dist/src/native).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KioskError } from '../errors.js';

export class AddonMissingError extends KioskError {
  readonly code = 'ADDON_MISSING';
  constructor(name: string, looked: readonly string[]) {
    super(`native addon ${name}.node not found (looked in ${looked.join(', ')}); run \`npm run build\``);
  }
}

const require = createRequire(import.meta.url);

export function findAddon(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const looked: string[] = [];
  const fromEnv = env.KIOSK_NATIVE_DIR;
  if (fromEnv) {
    const p = join(fromEnv, `${name}.node`);
    if (existsSync(p)) return p;
    looked.push(fromEnv);
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'build', 'Release', `${name}.node`);
    if (existsSync(p)) return p;
    looked.push(dirname(p));
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new AddonMissingError(name, looked);
}

export function loadAddon(path: string): unknown {
  return require(path) as unknown;
}
