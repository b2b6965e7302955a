import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_PROVIDER_MIRROR } from '../../../scripts/dev/find-provider-mirror';
import { main } from '../../../scripts/dev/plan-offline';
import { synthesizeProofFixture } from '../../fixtures/offline-proof-app';
import { announce, mirror, describeWithTerraform } from '../../helpers/offline-proof';
import { ROOT, tempDir } from '../../helpers/paths';
import { runCommand } from '../../helpers/process';

/**
 * `npm run plan:offline` as a person runs it: a process that finds the mirror itself, proves
 * the stacks, prints its table and closing line, and leaves its TMPDIR empty, also when it fails.
 * The app's stacks and the fixture chain are proven once a run, in process (plan-offline.test.ts);
 * the process proves, from `--outdir`, the chain's producer (the real provider, one command) and
 * its stack that holds nothing checkable here.
 */
announce();

describeWithTerraform('offline proof, as a process', () => {
  describe('npm run plan:offline (process)', () => {
    /**
     * Runs the script with TF_PROVIDER_MIRROR unset (unless given) and TMPDIR pointed at a
     * fresh directory, which must be empty again afterwards. tsx's own cache is turned off, as
     * it would live there too.
     */
    async function runScript(
      args: string[],
      env: Record<string, string> = {},
    ): Promise<{ status: number | null; stdout: string; stderr: string; leftInTmp: string[] }> {
      const tmp = tempDir('plan-offline-tmpdir');
      const base = { ...process.env };
      delete base.TF_PROVIDER_MIRROR;
      try {
        // tsx's loader without its CLI, whose IPC pipe directory would live there too.
        const result = await runCommand(
          process.execPath,
          ['--import', 'tsx', 'scripts/dev/plan-offline.ts', ...args],
          { env: { ...base, TMPDIR: tmp, TSX_DISABLE_CACHE: '1', ...env } },
        );
        return { ...result, leftInTmp: readdirSync(tmp) };
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    }

    it('finds the mirror itself, proves the stacks, and leaves nothing in the temporary directory', async () => {
      const workDir = tempDir('plan-offline-process-work');
      // Two stacks of the fixture chain: one the real provider proves, one with nothing
      // checkable here.
      const outdir = join(tempDir('plan-offline-process-fixture'), 'out');
      synthesizeProofFixture(outdir);
      for (const other of readdirSync(join(outdir, 'stacks'))) {
        if (!['test-fx-producer', 'test-fx-unserved-only'].includes(other)) {
          rmSync(join(outdir, 'stacks', other), { recursive: true });
        }
      }
      try {
        const result = await runScript(['test', '--outdir', outdir, '--work-dir', workDir]);
        expect(result.status, result.stdout + result.stderr).toBe(0);
        // The mirror it found itself (TF_PROVIDER_MIRROR unset): one holding the AWS provider.
        // Not searched for again here (a search of the disk when it is not in a likely place).
        const found = /providers from (\S+) \(found;/.exec(result.stdout)?.[1];
        expect(found, result.stdout).toBeDefined();
        expect(existsSync(join(found!, 'registry.terraform.io', 'hashicorp', 'aws'))).toBe(true);
        // The verdicts of the table the process prints.
        for (const [stack, status] of [
          ['test-fx-producer', 'passed'],
          ['test-fx-unserved-only', 'unchecked'],
        ]) {
          expect(result.stdout).toMatch(new RegExp(`^${stack}\\s+${status}\\s`, 'm'));
        }
        const lines = result.stdout.trimEnd().split('\n');
        expect(lines.at(-1)).toMatch(/^plan:offline: 1 of 2 stacks proven in /);
        expect(result.leftInTmp).toEqual([]);
      } finally {
        rmSync(workDir, { recursive: true, force: true });
      }
    }, 300_000);

    it('fails in one line without a stack trace, and still leaves nothing in the temporary directory', async () => {
      // A terraform that reports its version and fails everything else: the run fails in the
      // provider install, after the synth wrote its temporary directory.
      const bin = tempDir('plan-offline-fake-terraform');
      mkdirSync(bin, { recursive: true });
      writeFileSync(
        join(bin, 'terraform'),
        '#!/bin/sh\nif [ "$1" = version ]; then echo \'{"terraform_version":"1.11.4"}\'; exit 0; fi\necho "Error: Failed to query available provider packages" >&2\nexit 1\n',
      );
      chmodSync(join(bin, 'terraform'), 0o755);
      const workDir = tempDir('plan-offline-failing-work');
      try {
        const result = await runScript(['test', '--work-dir', workDir], {
          PATH: `${bin}:${process.env.PATH ?? ''}`,
          TF_PROVIDER_MIRROR: mirror!,
        });
        expect(result.status).toBe(1);
        expect(result.stderr).toMatch(
          /^plan:offline failed: terraform init could not install the providers\. Check that TF_PROVIDER_MIRROR/,
        );
        expect(result.stderr).not.toMatch(/^\s+at /m);
        expect(result.leftInTmp).toEqual([]);
      } finally {
        rmSync(bin, { recursive: true, force: true });
        rmSync(workDir, { recursive: true, force: true });
      }
    }, 120_000);

    it('says in one line how to fix a missing mirror when none is set and the search finds none', async () => {
      const log: string[] = [];
      const error: string[] = [];
      const env = { ...process.env };
      delete env.TF_PROVIDER_MIRROR;
      const code = await main(['test'], {
        env,
        findMirror: () => undefined,
        log: (line) => log.push(line),
        error: (line) => error.push(line),
      });
      expect(code).toBe(1);
      expect(error).toEqual([`plan:offline: ${NO_PROVIDER_MIRROR}.`]);
      expect(error[0]).toMatch(/set TF_PROVIDER_MIRROR .* or run online/);
      expect(log.join('\n')).not.toContain('terraform test');
    });

    it('rejects an unknown environment with usage', async () => {
      const result = await runCommand(join(ROOT, 'node_modules', '.bin', 'tsx'), [
        'scripts/dev/plan-offline.ts',
        'staging',
      ]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('usage: npm run plan:offline -- [test|prod|all]');
    });
  });
});
