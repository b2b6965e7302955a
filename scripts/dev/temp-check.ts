/**
 * The temporary-directory rule (docs/testing.md, Temporary files): what a run leaves in the
 * directory it was given. tsx's compile cache (`tsx-<uid>`) is tsx's to keep; a vitest worker's
 * directory (`w<N>-XXXXXX`, setup/temp.ts) counts by what is still inside it.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const isTsxCache = (name: string) => /^tsx-\d+$/.test(name);
const WORKER = /^w\d+-[A-Za-z0-9]{6}$/;

/** What a run left in `root`: paths relative to it, empty when the run left it as it found it. */
export function leftInTemp(root: string): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((entry) => {
    if (isTsxCache(entry.name)) return [];
    if (entry.isDirectory() && WORKER.test(entry.name)) {
      return readdirSync(join(root, entry.name))
        .filter((inner) => !isTsxCache(inner))
        .map((inner) => `${entry.name}/${inner}`);
    }
    return [entry.name];
  });
}
