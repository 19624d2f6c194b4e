// A virtual passport folder (CONFORMANCE.md §1): the elementary files as raw bytes and
// chip.json. Loading reads only the names it knows, refuses oversized files, and leaves
// parsing of the content to the chip's own LDS logic (a virtual chip serves bytes as they are,
// so a folder can hold deliberately broken files for tests).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KioskError } from '../../errors.js';
import { parseChipConfig, type ChipConfig } from './config.js';

export class PassportFolderError extends KioskError {
  readonly code = 'PASSPORT_FOLDER';
}

/** File names a folder may hold, with the LDS file each one is. */
export const FOLDER_FILES: readonly string[] = [
  'EF.COM', 'EF.SOD', 'EF.CardAccess', 'EF.CardSecurity', 'EF.ATR', 'EF.DIR',
  ...Array.from({ length: 16 }, (_, i) => `DG${i + 1}`),
];

/** An elementary file larger than this is refused (the largest LDS files are a few 100 KB). */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export interface VirtualPassport {
  /** Folder file name → bytes (e.g. 'DG1', 'EF.CardAccess'). */
  readonly files: ReadonlyMap<string, Buffer>;
  readonly config: ChipConfig;
}

export async function loadPassportFolder(dir: string): Promise<VirtualPassport> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new PassportFolderError(`cannot read the passport folder: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
  }
  if (!names.includes('chip.json')) throw new PassportFolderError('the passport folder has no chip.json');
  const config = parseChipConfig(await readFile(join(dir, 'chip.json'), 'utf8'));
  const files = new Map<string, Buffer>();
  for (const name of names) {
    if (!FOLDER_FILES.includes(name)) continue;
    const p = join(dir, name);
    const s = await stat(p);
    if (!s.isFile()) continue;
    if (s.size > MAX_FILE_BYTES) throw new PassportFolderError(`${name}: ${s.size} bytes, more than the ${MAX_FILE_BYTES} allowed`);
    files.set(name, await readFile(p));
  }
  if (!files.has('EF.COM') || !files.has('EF.SOD') || !files.has('DG1')) {
    throw new PassportFolderError('the passport folder lacks EF.COM, EF.SOD or DG1');
  }
  return { files, config };
}
