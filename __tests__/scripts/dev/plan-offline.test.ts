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
import {
  loadStacks,
  type SynthesizedStack,
  type TerraformJson,
} from '../../../scripts/dev/offline-proof/stacks';
import { synthesizeProofFixture } from '../../fixtures/offline-proof-app';
import { COMPONENTS } from '../../helpers/environments';
import { announce, mirror, describeWithTerraform } from '../../helpers/offline-proof';
import { tempDir } from '../../helpers/paths';
import { readStackJson } from '../../helpers/synth';

announce();

const byStack = (results: readonly StackResult[]): Record<string, StackResult> =>
  Object.fromEntries(results.map((r) => [r.stack, r]));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

/**
 * Copies of a synthesized stack of the app, each with one defect in its Helm or Kubernetes part,
 * as a person could write it: what Terraform must refuse with its own message, naming the stack
 * (the result's) and the resource or provider block.
 */
const MUTANTS: Record<
  string,
  { readonly of: string; readonly mutate: (json: Loose) => void; readonly says: RegExp }
> = {
  'unknown-argument': {
    of: 'test-service-frontend',
    mutate: (json) => (Object.values<Loose>(json.resource.helm_release)[0].bogus_argument = 'x'),
    says: /Extraneous JSON object property[\s\S]*in resource\.helm_release\.workload_release_\w+:[\s\S]*No argument or block type is named "bogus_argument"/,
  },
  'wrong-type': {
    of: 'test-service-frontend',
    mutate: (json) => (Object.values<Loose>(json.resource.helm_release)[0].timeout = 'ten minutes'),
    says: /Incorrect attribute value type[\s\S]*in resource\.helm_release\.workload_release_\w+:[\s\S]*a number is required/,
  },
  'missing-required': {
    of: 'test-service-frontend',
    mutate: (json) => delete Object.values<Loose>(json.resource.helm_release)[0].chart,
    says: /Missing required argument[\s\S]*in resource\.helm_release\.workload_release_\w+:[\s\S]*The argument "chart" is required/,
  },
  'block-as-attribute': {
    of: 'test-eks-k8s',
    mutate: (json) =>
      (Object.values<Loose>(json.resource.kubernetes_annotations)[0].metadata = 'gp2'),
    says: /Incorrect JSON value type[\s\S]*in resource\.kubernetes_annotations\.gp2-not-default:[\s\S]*representing the contents\s+of one or more "metadata" blocks/,
  },
  // The ExternalDNS value before it was escaped: `%{` opens a template directive.
  'template-string': {
    of: 'test-eks-k8s',
    mutate: (json) => {
      for (const release of Object.values<Loose>(json.resource.helm_release)) {
        release.values = release.values?.map((v: string) => v.replaceAll('%%{', '%{'));
      }
    },
    says: /Invalid template control keyword[\s\S]*in resource\.helm_release\.external-dns_release_\w+\.values:[\s\S]*"record_type" is not a valid template control keyword/,
  },
};

function mutants(app: readonly SynthesizedStack[]): SynthesizedStack[] {
  return Object.entries(MUTANTS).map(([name, { of, mutate }]) => {
    const original = app.find((stack) => stack.name === of);
    if (!original) throw new Error(`no stack ${of} in the app`);
    const json = structuredClone(original.json) as TerraformJson;
    mutate(json);
    return { ...original, name: `test-fx-mutant-${name}`, json };
  });
}

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
      stacks: [...app, ...loadStacks(fixture), ...mutants(app)],
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
    it('validates and mock-applies every stack of every environment, every resource of each', () => {
      const expected = environments.flatMap((env) => COMPONENTS.map((c) => `${env.name}-${c}`));
      expect([...appStacks].sort()).toEqual(expected.sort());
      for (const stack of appStacks) {
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
      expect(allProven(appStacks.map((s) => results[s]))).toBe(true);
      expect(report).not.toContain('partial');
      console.log(`\n${report}\n`);
    });

    it('proves the Helm and Kubernetes resources of eks-k8s and the services too (their providers served from their schemas)', () => {
      for (const env of environments) {
        for (const component of ['eks-k8s', 'service-backend', 'service-frontend']) {
          const stack = `${env.name}-${component}`;
          const json = readStackJson(outdir, stack) as {
            resource: Record<string, Record<string, unknown>>;
          };
          const inCluster = Object.entries(json.resource)
            .filter(([type]) => type.startsWith('helm_') || type.startsWith('kubernetes_'))
            .reduce((n, [, blocks]) => n + Object.keys(blocks).length, 0);
          expect(inCluster, stack).toBeGreaterThan(0);
          expect(results[stack], report).toMatchObject({ status: 'passed', unchecked: 0 });
          expect(results[stack].resourcesApplied).toBe(results[stack].resourcesTotal);
        }
      }
    });
  });

  describe('Helm and Kubernetes defects, refused by Terraform with its own message', () => {
    it.each(Object.keys(MUTANTS))('fails the copy with a %s, in validate', (name) => {
      const result = results[`test-fx-mutant-${name}`];
      expect(result).toMatchObject({ status: 'failed', validate: 'failed', apply: 'not run' });
      expect(result.output).toMatch(MUTANTS[name].says);
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

    it('feeds the consumer upstream outputs of the right type and shape, its Helm release and what reads it included', () => {
      expect(results['test-fx-consumer'], results['test-fx-consumer'].output).toMatchObject({
        status: 'passed',
        validate: 'passed',
        apply: 'passed',
        resourcesApplied: 4,
        resourcesTotal: 4,
        unchecked: 0,
      });
    });

    it('reports a stack of a provider it can neither install nor serve as unchecked, never passed', () => {
      expect(results['test-fx-unserved-only']).toMatchObject({
        status: 'unchecked',
        unchecked: 1,
        uncheckedReason: 'provider null is not installed (and what depends on it)',
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
