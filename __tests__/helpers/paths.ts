import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** The temporary directories the running file asked for: removed after it (setup/temp.ts). */
export const scratch = new Set<string>();

/** A temporary directory for the running test file; it goes when the file ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  scratch.add(dir);
  return dir;
}

/**
 * A copy of the app (main.ts, stacks, constructs, environments, docs) in a temporary directory, with
 * the project's node_modules linked in, to run after editing its sources. The caller removes it.
 */
export function copyApp(prefix: string): string {
  const copy = tempDir(prefix);
  // docs/performance.json: the services' sizing reads the measured benchmark.
  for (const entry of ['main.ts', 'stacks', 'constructs', 'environments', 'docs']) {
    cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}
