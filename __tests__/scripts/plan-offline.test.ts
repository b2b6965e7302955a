import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { environments } from '../../environments';
import { synthesizePlatform } from '../../stacks/platform';
import {
  DEFAULT_PLUGIN_CACHE,
  main,
  planOffline,
  TERRAFORM_MISSING,
} from '../../scripts/plan-offline';
import {
  ProviderCrashError,
  runOfflineProof,
  type StackResult,
} from '../../scripts/lib/offline-proof/runner';
import { loadStacks } from '../../scripts/lib/offline-proof/stacks';
import { findProviderMirror, NO_PROVIDER_MIRROR } from '../../scripts/find-provider-mirror';
import { synthesizeProofFixture } from '../fixtures/offline-proof-app';
import { COMPONENTS } from '../helpers/environments';
import { ROOT, tempDir } from '../helpers/paths';

/**
 * The Terraform engine's proof of every AWS stack (see docs/testing.md). Needs `terraform` on
 * PATH and, offline, TF_PROVIDER_MIRROR. Missing either fails this suite with the fix, unless
 * SKIP_TERRAFORM=1, which skips it and says so loudly.
 */
const skipRequested = process.env.SKIP_TERRAFORM === '1';
const terraformFound =
  spawnSync('terraform', ['version'], { env: { ...process.env, CHECKPOINT_DISABLE: '1' } })
    .status === 0;
// TF_PROVIDER_MIRROR wins; otherwise look for the machine's mirror, as .ci/run does.
const mirror =
  process.env.TF_PROVIDER_MIRROR ??
  (terraformFound && !skipRequested ? findProviderMirror() : undefined);
const missing = !terraformFound
  ? { reason: 'terraform is not on PATH', message: TERRAFORM_MISSING }
  : !mirror
    ? {
        reason: 'no provider mirror',
        message:
          'TF_PROVIDER_MIRROR is not set and no filesystem mirror of hashicorp/aws was found: the offline proof ' +
          'installs providers from one. Set TF_PROVIDER_MIRROR to its root, or set SKIP_TERRAFORM=1 to skip the proof, loudly.',
      }
    : undefined;

if (missing && skipRequested) {
  console.warn(
    `\n${'!'.repeat(78)}\n!! SKIP_TERRAFORM=1 (${missing.reason}): the offline Terraform proof was SKIPPED.\n` +
      `!! No stack was validated or mock-applied by Terraform in this run.\n${'!'.repeat(78)}\n`,
  );
} else if (mirror) {
  console.log(`offline proof: providers from ${mirror}`);
}

const byStack = (results: readonly StackResult[]): Record<string, StackResult> =>
  Object.fromEntries(results.map((r) => [r.stack, r]));

describe.skipIf(Boolean(missing) && skipRequested)(
  'offline proof (validation by the real provider, mocked apply)',
  () => {
    if (missing) {
      it('has terraform and a provider mirror', () => {
        throw new Error(missing.message);
      });
      return;
    }

    /** The stacks that work in the cluster: their Helm and Kubernetes part is not checkable here. */
    const inCluster = (stack: string) => /-(eks-k8s|service-[a-z0-9-]+)$/.test(stack);

    // prod in process, here; test through `npm run plan:offline -- test` as a process, below: every
    // stack of both environments is proven once.
    describe('the app, prod in process', () => {
      let run: Awaited<ReturnType<typeof planOffline>>;
      const outdir = join(tempDir('plan-offline-app-synth'), 'out');
      beforeAll(async () => {
        synthesizePlatform(environments, { outdir, environmentName: 'prod' });
        // Progress as it goes, so a slow machine's run never looks hung.
        const started = Date.now();
        const at = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
        run = await planOffline({
          outdir,
          environmentName: 'prod',
          providerMirror: mirror,
          workDir: tempDir('plan-offline-app'),
          onStep: (stack, step) => process.stdout.write(`  ${at()} ${stack}: terraform ${step}\n`),
          onResult: (r) => process.stdout.write(`  ${at()} ${r.stack}: ${r.status}\n`),
        });
      }, 300_000);

      it('validates and mock-applies every stack of prod', () => {
        const expected = COMPONENTS.map((c) => `prod-${c}`);
        expect(run.results.map((r) => r.stack).sort()).toEqual(expected.sort());
        for (const result of run.results.filter((r) => !inCluster(r.stack))) {
          expect(result, run.report).toMatchObject({
            status: 'passed',
            validate: 'passed',
            apply: 'passed',
            unchecked: 0,
          });
          expect(result.resourcesApplied, run.report).toBe(result.resourcesTotal);
          expect(result.resourcesApplied).toBeGreaterThan(0);
        }
      });

      it('proves the AWS part of eks-k8s and the service stacks, and counts their Helm and Kubernetes resources as unchecked', () => {
        for (const result of run.results.filter((r) => inCluster(r.stack))) {
          const json = JSON.parse(
            readFileSync(join(outdir, 'stacks', result.stack, 'cdk.tf.json'), 'utf8'),
          ) as { resource: Record<string, Record<string, unknown>> };
          const inClusterCount = Object.entries(json.resource)
            .filter(([type]) => type.startsWith('helm_') || type.startsWith('kubernetes_'))
            .reduce((n, [, blocks]) => n + Object.keys(blocks).length, 0);
          expect(inClusterCount).toBeGreaterThan(0);
          expect(result, run.report).toMatchObject({
            status: 'partial',
            validate: 'passed',
            apply: 'passed',
            unchecked: inClusterCount,
          });
          // eks-k8s: the certificate, its validation record, the web ACL and its logging; a
          // service: its ECR repository and key (and the backend's Pod Identity role).
          expect(result.resourcesApplied, run.report).toBe(result.resourcesTotal - inClusterCount);
          expect(result.resourcesApplied).toBeGreaterThanOrEqual(3);
        }
        expect(run.ok).toBe(true);
        console.log(`\n${run.report}\n`);
      });
    });

    describe('a fixture chain', () => {
      let results: Record<string, StackResult>;
      beforeAll(async () => {
        const outdir = join(tempDir('plan-offline-fixture'), 'out');
        synthesizeProofFixture(outdir);
        results = byStack(
          await runOfflineProof({
            stacks: loadStacks(outdir),
            workDir: tempDir('plan-offline-fixture-work'),
            pluginCacheDir: DEFAULT_PLUGIN_CACHE,
            providerMirror: mirror,
          }),
        );
      }, 300_000);

      it('passes the producer', () => {
        expect(results['test-fx-producer']).toMatchObject({
          status: 'passed',
          resourcesApplied: 5,
          resourcesTotal: 5,
        });
      });

      it('feeds the consumer upstream outputs of the right type and shape, and reports what it could not check', () => {
        expect(results['test-fx-consumer'], results['test-fx-consumer'].output).toMatchObject({
          status: 'partial',
          validate: 'passed',
          apply: 'passed',
          resourcesApplied: 2,
          resourcesTotal: 4,
          unchecked: 2,
          uncheckedReason: 'provider helm is not installed (and what depends on it)',
        });
      });

      it('reports a stack with nothing checkable here as unchecked, never passed', () => {
        expect(results['test-fx-helm-only']).toMatchObject({
          status: 'unchecked',
          unchecked: 1,
          validate: 'not run',
          apply: 'not run',
        });
      });

      it('fails a stack with an argument the provider does not have, in validate, with Terraform’s error', () => {
        expect(results['test-fx-bad-argument']).toMatchObject({
          status: 'failed',
          validate: 'failed',
          apply: 'not run',
        });
        expect(results['test-fx-bad-argument'].output).toContain(
          'No argument or block type is named "bogus_argument".',
        );
      });

      it('fails a stack that reads an output its upstream does not have, in the apply, with Terraform’s error', () => {
        expect(results['test-fx-missing-output']).toMatchObject({
          status: 'failed',
          validate: 'passed',
          apply: 'failed',
        });
        expect(results['test-fx-missing-output'].output).toContain('does_not_exist');
      });
    });

    describe('a shared provider that dies', () => {
      it('fails the run with a message naming the provider, never hangs', async () => {
        const outdir = join(tempDir('plan-offline-crash'), 'out');
        synthesizeProofFixture(outdir);
        const fake = join(tempDir('crashing-provider'), 'terraform-provider-aws');
        writeFileSync(
          fake,
          '#!/bin/sh\necho "TF_REATTACH_PROVIDERS=\'{\\"registry.terraform.io/hashicorp/aws\\":{\\"Protocol\\":\\"grpc\\",\\"ProtocolVersion\\":5,\\"Pid\\":1,\\"Test\\":true,\\"Addr\\":{\\"Network\\":\\"unix\\",\\"String\\":\\"/tmp/no-such-plugin\\"}}}\'"\nexec sleep 60\n',
        );
        chmodSync(fake, 0o755);
        const proof = runOfflineProof({
          stacks: loadStacks(outdir, (name) => name === 'test-fx-producer'),
          workDir: tempDir('plan-offline-crash-work'),
          pluginCacheDir: DEFAULT_PLUGIN_CACHE,
          providerMirror: mirror,
          providerBinaries: { aws: fake },
        });
        await expect(proof).rejects.toThrow(ProviderCrashError);
        // Up, but answering nobody: the first command says so, and the run stops there.
        await expect(proof).rejects.toThrow(
          /The aws provider that the proof's Terraform commands share \(pid \d+\) did not answer/,
        );
      }, 120_000);
    });

    describe('npm run plan:offline (process)', () => {
      /**
       * Runs the script with TF_PROVIDER_MIRROR unset (unless given) and TMPDIR pointed at a
       * fresh directory, which must be empty again afterwards. tsx's own cache is turned off, as
       * it would live there too.
       */
      function runScript(
        args: string[],
        env: Record<string, string> = {},
      ): { status: number | null; stdout: string; stderr: string; leftInTmp: string[] } {
        const tmp = tempDir('plan-offline-tmpdir');
        const base = { ...process.env };
        delete base.TF_PROVIDER_MIRROR;
        try {
          // tsx's loader without its CLI, whose IPC pipe directory would live there too.
          const result = spawnSync(
            process.execPath,
            ['--import', 'tsx', 'scripts/plan-offline.ts', ...args],
            {
              cwd: ROOT,
              env: { ...base, TMPDIR: tmp, TSX_DISABLE_CACHE: '1', ...env },
              encoding: 'utf8',
            },
          );
          return { ...result, leftInTmp: readdirSync(tmp) };
        } finally {
          rmSync(tmp, { recursive: true, force: true });
        }
      }

      it('finds the mirror itself, proves the stacks, and leaves nothing in the temporary directory', () => {
        const workDir = tempDir('plan-offline-process-work');
        try {
          const result = runScript(['test', '--work-dir', workDir]);
          expect(result.status, result.stdout + result.stderr).toBe(0);
          expect(result.stdout).toContain(`providers from ${findProviderMirror()} (found;`);
          // The same verdicts as prod's above, from the table the process prints.
          for (const component of COMPONENTS) {
            const status = inCluster(`test-${component}`) ? 'partial' : 'passed';
            expect(result.stdout).toMatch(new RegExp(`^test-${component}\\s+${status}\\s`, 'm'));
          }
          const lines = result.stdout.trimEnd().split('\n');
          expect(lines.at(-1)).toMatch(
            new RegExp(
              `^plan:offline: ${COMPONENTS.length} of ${COMPONENTS.length} stacks proven in `,
            ),
          );
          expect(result.leftInTmp).toEqual([]);
        } finally {
          rmSync(workDir, { recursive: true, force: true });
        }
      }, 300_000);

      it('fails in one line without a stack trace, and still leaves nothing in the temporary directory', () => {
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
          const result = runScript(['test', '--work-dir', workDir], {
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

      it('rejects an unknown environment with usage', () => {
        const result = spawnSync(
          join(ROOT, 'node_modules', '.bin', 'tsx'),
          ['scripts/plan-offline.ts', 'staging'],
          {
            cwd: ROOT,
            encoding: 'utf8',
          },
        );
        expect(result.status).toBe(2);
        expect(result.stderr).toContain('usage: npm run plan:offline -- [test|prod|all]');
      });
    });
  },
);
