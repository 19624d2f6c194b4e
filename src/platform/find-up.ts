// Finds something in the directories above a module: the native addons and the face models
// live in build/ of the project, which a module finds from the source tree (src/…) and the
// compiled tree (dist/src/…) alike; benchmarks and scripts find the project's root.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The first `join(dir, relative)` that exists, from the module's own directory upwards
 * (at most `levels` directories), and the candidates looked at.
 */
export function findUp(moduleUrl: string, relative: string, levels = 6): { found: string | undefined; looked: string[] } {
  const looked: string[] = [];
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let i = 0; i < levels; i++) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return { found: candidate, looked };
    looked.push(candidate);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return { found: undefined, looked };
}

/** The project's root: the nearest directory above the module holding package.json. */
export function projectRoot(moduleUrl: string): string {
  const { found } = findUp(moduleUrl, 'package.json', 12);
  return found ? dirname(found) : process.cwd();
}
