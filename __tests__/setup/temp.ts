/**
 * Every test file removes what it creates in the temporary directory, and leaves nothing else
 * there (vitest setupFiles: runs before each file).
 *
 * Each worker works in a temporary directory of its own, inside the run's (setup/temp-root.ts;
 * its processes inherit it through `TMPDIR`). After each file, the scratch space the tests asked for (`tempDir()`, cdktf's
 * `Testing.app()` outdirs) is removed; anything else still there is something a script or a
 * test left behind, and fails the file, naming it. tsx's own cache directory (`tsx-<uid>`) is
 * tsx's to keep.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { scratch } from '../helpers/paths';

const WORKER_DIR = 'PLATFORM_TEST_WORKER_TMPDIR';

if (!process.env[WORKER_DIR]) {
  // Inside the run's directory (setup/temp-root.ts), which goes with the run.
  const dir = mkdtempSync(join(tmpdir(), `w${process.env.VITEST_POOL_ID ?? process.pid}-`));
  // PostgreSQL runs as its own user (runuser, when the run is root's): it must reach its directory.
  chmodSync(dir, 0o711);
  process.env[WORKER_DIR] = dir;
  process.env.TMPDIR = dir;
}

/** What tests create on purpose, removed after each file. */
const isScratch = (entry: string, dir: string) =>
  scratch.has(join(dir, entry)) || entry.startsWith('cdktf.outdir.') || /^tsx-\d+$/.test(entry);

afterAll(() => {
  const dir = process.env[WORKER_DIR] as string;
  const entries = readdirSync(dir);
  const leftovers = entries.filter((entry) => !isScratch(entry, dir));
  for (const entry of entries) {
    if (!/^tsx-\d+$/.test(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
  }
  scratch.clear();
  expect(leftovers, 'left in the temporary directory by this file, not removed').toEqual([]);
});
