import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir, TSX } from '../helpers/paths';

/** Runs the script as a process: its WebAssembly runtime must not share a test worker. */
function lint(dir?: string) {
  return spawnSync(TSX, ['scripts/lint-workflows.ts', ...(dir ? [dir] : [])], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

// The repository's own workflows are linted by npm run checks, which npm test runs beside vitest.
describe('lint:workflows', () => {
  it('throws out a workflow that puts untrusted input into a script, naming file and line', () => {
    const dir = tempDir('workflows');
    try {
      writeFileSync(
        join(dir, 'greet.yml'),
        'on: issues\njobs:\n  greet:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n',
      );
      const run = lint(dir);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        /greet\.yml:6:\d+: "github\.event\.issue\.title" is potentially untrusted/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
