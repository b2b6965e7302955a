import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { environments } from '../../../environments';
import { DEFAULT_PLUGIN_CACHE } from '../../../scripts/dev/plan-offline';
import { TERRAFORM_GOGC } from '../../../scripts/lib/terraform';
import { allProven, formatReport } from '../../../scripts/dev/offline-proof/report';
import {
  ProviderCrashError,
  runOfflineProof,
  type StackResult,
} from '../../../scripts/dev/offline-proof/runner';
import { loadStacks } from '../../../scripts/dev/offline-proof/stacks';
import { synthesizeProofFixture } from '../../fixtures/offline-proof-app';
import { COMPONENTS } from '../../helpers/environments';
import { announce, inCluster, mirror, describeWithTerraform } from '../../helpers/offline-proof';
import { tempDir } from '../../helpers/paths';
import { readStackJson } from '../../helpers/synth';

announce();

const byStack = (results: readonly StackResult[]): Record<string, StackResult> =>
  Object.fromEntries(results.map((r) => [r.stack, r]));

describeWithTerraform('offline proof (validation by the real provider, mocked apply)', () => {
  // One proof for the run: every stack of every environment, from the run's synth of the app
  // (setup/app-synth.ts), and the fixture chain beside them, sharing one provider process and one
  // provider install. `npm run plan:offline` as a process is tested on a small chain in
  // plan-offline-process.test.ts.
  let results: Record<string, StackResult>;
  let report: string;
  let appStacks: string[];
  const { outdir } = inject('app');
  // The fixture chain, synthesized once for the file.
  const fixture = join(tempDir('plan-offline-fixture'), 'out');
  beforeAll(async () => {
    synthesizeProofFixture(fixture);
    const app = loadStacks(outdir);
    appStacks = app.map((s) => s.name);
    // Progress as it goes, so a slow machine's run never looks hung.
    const started = Date.now();
    const at = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    const run = await runOfflineProof({
      stacks: [...app, ...loadStacks(fixture)],
      workDir: tempDir('plan-offline-work'),
      pluginCacheDir: DEFAULT_PLUGIN_CACHE,
      providerMirror: mirror,
      // One Terraform command at a time: the suite's other worker has the other core, and each
      // command reads the provider's schema once more.
      concurrency: 1,
      onStep: (stack, step) => process.stdout.write(`  ${at()} ${stack}: terraform ${step}\n`),
      onResult: (r) => process.stdout.write(`  ${at()} ${r.stack}: ${r.status}\n`),
    });
    results = byStack(run);
    report = formatReport(
      run.filter((r) => appStacks.includes(r.stack)),
      (Date.now() - started) / 1000,
    );
  }, 600_000);

  describe('the app, every environment', () => {
    it('validates and mock-applies every stack of every environment', () => {
      const expected = environments.flatMap((env) => COMPONENTS.map((c) => `${env.name}-${c}`));
      expect([...appStacks].sort()).toEqual(expected.sort());
      for (const stack of appStacks.filter((s) => !inCluster(s))) {
        const result = results[stack];
        expect(result, report).toMatchObject({
          status: 'passed',
          validate: 'passed',
          apply: 'passed',
          unchecked: 0,
        });
        expect(result.resourcesApplied, report).toBe(result.resourcesTotal);
        expect(result.resourcesApplied).toBeGreaterThan(0);
      }
      // The GitHub runner's construct is proven here, in eks-infra (github-runner.test.ts).
      for (const env of environments) {
        const json = readStackJson(outdir, `${env.name}-eks-infra`) as {
          resource: Record<string, unknown>;
        };
        expect(Object.keys(json.resource)).toEqual(
          expect.arrayContaining(['aws_codebuild_project', 'aws_codebuild_webhook']),
        );
      }
    });

    it('proves the AWS part of eks-k8s and the service stacks, and counts their Helm and Kubernetes resources as unchecked', () => {
      for (const stack of appStacks.filter(inCluster)) {
        const result = results[stack];
        const json = readStackJson(outdir, stack) as {
          resource: Record<string, Record<string, unknown>>;
        };
        const inClusterCount = Object.entries(json.resource)
          .filter(([type]) => type.startsWith('helm_') || type.startsWith('kubernetes_'))
          .reduce((n, [, blocks]) => n + Object.keys(blocks).length, 0);
        expect(inClusterCount).toBeGreaterThan(0);
        expect(result, report).toMatchObject({
          status: 'partial',
          validate: 'passed',
          apply: 'passed',
          unchecked: inClusterCount,
        });
        // eks-k8s: the certificate, its validation record, the web ACL and its logging; a
        // service: its ECR repository and key (and the backend's Pod Identity role).
        expect(result.resourcesApplied, report).toBe(result.resourcesTotal - inClusterCount);
        expect(result.resourcesApplied).toBeGreaterThanOrEqual(3);
      }
      expect(allProven(appStacks.map((s) => results[s]))).toBe(true);
      console.log(`\n${report}\n`);
    });
  });

  describe('a fixture chain', () => {
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
      const dir = tempDir('crashing-provider');
      const fake = join(dir, 'terraform-provider-aws');
      // It also says which GOGC it was given: the proof's, as every Terraform process of it.
      writeFileSync(
        fake,
        `#!/bin/sh\necho "$GOGC" > ${dir}/gogc\n` +
          'echo "TF_REATTACH_PROVIDERS=\'{\\"registry.terraform.io/hashicorp/aws\\":{\\"Protocol\\":\\"grpc\\",\\"ProtocolVersion\\":5,\\"Pid\\":1,\\"Test\\":true,\\"Addr\\":{\\"Network\\":\\"unix\\",\\"String\\":\\"/tmp/no-such-plugin\\"}}}\'"\nexec sleep 60\n',
      );
      chmodSync(fake, 0o755);
      const proof = runOfflineProof({
        stacks: loadStacks(fixture, (name) => name === 'test-fx-producer'),
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
      expect(readFileSync(join(dir, 'gogc'), 'utf8').trim()).toBe(
        process.env.GOGC || TERRAFORM_GOGC,
      );
    }, 120_000);
  });
});
