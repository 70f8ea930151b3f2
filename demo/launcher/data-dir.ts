import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OptionsError } from './options';

/**
 * The demo's data folder: Loupe's blocks and WAL, the inventory's SQLite file, and `logs/` with
 * each process's output. Each run starts it empty, so the first five minutes look the same every
 * time, unless `--keep-data`. Only a folder the demo made (it holds `.loupe-demo`) or an empty
 * one is ever emptied: a mistyped `--data-dir ~` must not delete a home folder.
 */

const MARKER = '.loupe-demo';

/** Makes `dir` ready; returns the folder for the processes' logs. */
export function prepareDataDir(dir: string, keepData: boolean): string {
  if (existsSync(dir) && !keepData) {
    const entries = readdirSync(dir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new OptionsError(
        `refusing to empty ${dir}: the demo did not make it (no ${MARKER} in it). Choose another --data-dir`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, MARKER), 'Data of `npm run demo`: emptied when the demo starts.\n');
  return join(dir, 'logs');
}
