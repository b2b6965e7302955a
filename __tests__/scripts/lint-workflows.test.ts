import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/paths';
import { runScript } from '../helpers/process';

/** Runs the script as a process: its WebAssembly runtime must not share a test worker. */
const lint = (dir?: string) => runScript('lint-workflows.ts', ...(dir ? [dir] : []));

// The repository's own workflows are linted by npm run checks, which npm test runs after vitest.
describe('lint:workflows', () => {
  it('throws out a workflow that puts untrusted input into a script, naming file and line', async () => {
    const dir = tempDir('workflows');
    try {
      writeFileSync(
        join(dir, 'greet.yml'),
        'on: issues\njobs:\n  greet:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n',
      );
      const run = await lint(dir);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        /greet\.yml:6:\d+: "github\.event\.issue\.title" is potentially untrusted/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
