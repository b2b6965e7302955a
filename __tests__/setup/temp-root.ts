/**
 * The run's temporary directory (vitest globalSetup, listed first): every worker, script and
 * server the run starts gets `TMPDIR` inside it, and it is removed when the run ends, so even a
 * single `npx vitest run <file>` leaves the system's temporary directory as it found it.
 *
 * Before it goes, the teardown fails the run if anything is left but the workers' directories
 * (emptied after each file by setup/temp.ts) and tsx's cache.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leftInTemp } from '../../scripts/dev/temp-check';

export default function setup(): () => void {
  // A short name: Unix socket paths under it (Chromium's, the provider's) must fit in 104 bytes.
  const root = mkdtempSync(join(tmpdir(), 'vt-'));
  // PostgreSQL runs as its own user (runuser, when the run is root's): it must reach its directory.
  chmodSync(root, 0o711);
  process.env.TMPDIR = root;
  return () => {
    const left = leftInTemp(root);
    rmSync(root, { recursive: true, force: true });
    if (left.length > 0) {
      throw new Error(
        `the run left ${left.length} entries in its temporary directory (removed now): ${left.join(', ')}`,
      );
    }
  };
}
