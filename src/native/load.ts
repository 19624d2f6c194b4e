// Finds and loads a native addon (.node). The path can be given explicitly (the composition
// root's `nativeBinding` override, STYLE.md P2) or through KIOSK_NATIVE_DIR; otherwise the
// loader looks for build/Release/<name>.node in the directories above this module, which
// covers both the source tree (src/native) and the compiled tree (dist/src/native).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { KioskError } from '../errors.js';
import { findUp } from '../platform/find-up.js';

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
  const up = findUp(import.meta.url, join('build', 'Release', `${name}.node`));
  if (up.found) return up.found;
  throw new AddonMissingError(name, [...looked, ...up.looked.map((p) => dirname(p))]);
}

export function loadAddon(path: string): unknown {
  return require(path) as unknown;
}
