import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allProven, formatReport } from '../../../scripts/lib/offline-proof/report';
import { parseTestJson, type StackResult } from '../../../scripts/lib/offline-proof/runner';
import {
  dependencyOrder,
  loadStacks,
  type SynthesizedStack,
} from '../../../scripts/lib/offline-proof/stacks';
import { tempDir } from '../../helpers/paths';

function writeStack(outdir: string, name: string, key: string, reads: string[] = []): void {
  mkdirSync(join(outdir, 'stacks', name), { recursive: true });
  const remote = Object.fromEntries(
    reads.map((k, i) => [`rs${i}`, { backend: 's3', config: { key: k } }]),
  );
  writeFileSync(
    join(outdir, 'stacks', name, 'cdk.tf.json'),
    JSON.stringify({
      terraform: { backend: { s3: { key } } },
      ...(reads.length ? { data: { terraform_remote_state: remote } } : {}),
    }),
  );
}

describe('loadStacks and dependencyOrder', () => {
  it('resolves each remote state read to the stack whose backend key it names, and orders upstream first', () => {
    const outdir = tempDir('stacks');
    writeStack(outdir, 'test-rds', 'test/rds.tfstate', [
      'test/network.tfstate',
      'test/eks-infra.tfstate',
    ]);
    writeStack(outdir, 'test-eks-infra', 'test/eks-infra.tfstate', ['test/network.tfstate']);
    writeStack(outdir, 'test-network', 'test/network.tfstate');
    const stacks = loadStacks(outdir);
    expect(stacks.find((s) => s.name === 'test-rds')?.dependsOn).toEqual([
      'test-eks-infra',
      'test-network',
    ]);
    expect(dependencyOrder(stacks).map((s) => s.name)).toEqual([
      'test-network',
      'test-eks-infra',
      'test-rds',
    ]);
  });

  it('throws when a remote state reads a key no stack writes', () => {
    const outdir = tempDir('stacks');
    writeStack(outdir, 'test-rds', 'test/rds.tfstate', ['test/nowhere.tfstate']);
    expect(() => loadStacks(outdir)).toThrow(
      'test-rds: data.terraform_remote_state.rs0 reads "test/nowhere.tfstate", which no synthesized stack writes',
    );
  });

  it('throws on a cycle', () => {
    const a: SynthesizedStack = { name: 'a', json: {}, remoteStates: [], dependsOn: ['b'] };
    const b: SynthesizedStack = { name: 'b', json: {}, remoteStates: [], dependsOn: ['a'] };
    expect(() => dependencyOrder([a, b])).toThrow('dependency cycle: a -> b -> a');
  });
});

describe('parseTestJson', () => {
  it('reads the run status, outputs with types, and managed resources of the test state', () => {
    const lines = [
      JSON.stringify({ type: 'version' }),
      JSON.stringify({
        type: 'test_state',
        test_state: {
          outputs: { ids: { value: ['a'], type: ['tuple', ['string']], sensitive: false } },
          root_module: {
            resources: [
              { address: 'aws_vpc.v', mode: 'managed' },
              { address: 'data.aws_region.r', mode: 'data' },
            ],
          },
        },
      }),
      JSON.stringify({
        type: 'diagnostic',
        '@level': 'error',
        diagnostic: { summary: 'Bad', detail: 'thing' },
      }),
      JSON.stringify({ type: 'test_summary', test_summary: { status: 'pass' } }),
    ];
    const outcome = parseTestJson(lines.join('\n'));
    expect(outcome.passed).toBe(true);
    expect(outcome.outputs.ids.value).toEqual(['a']);
    expect(outcome.resources).toEqual(['aws_vpc.v']);
    expect(outcome.diagnostics).toBe('Bad: thing');
  });
});

describe('formatReport', () => {
  const result = (
    stack: string,
    status: StackResult['status'],
    extra: Partial<StackResult> = {},
  ): StackResult => ({
    stack,
    status,
    resourcesApplied: 3,
    resourcesTotal: 5,
    unchecked: 0,
    uncheckedReason: '',
    validate: 'passed',
    apply: 'passed',
    seconds: 1.25,
    output: '',
    ...extra,
  });

  it('prints a row per stack and Terraform’s words for failures', () => {
    const report = formatReport(
      [
        result('test-network', 'passed'),
        result('test-eks-k8s', 'partial', {
          unchecked: 2,
          uncheckedReason: 'provider helm is not installed',
        }),
        result('test-rds', 'failed', { apply: 'failed', output: 'Error: Unsupported attribute' }),
      ],
      9.5,
    );
    expect(report).toMatch(
      /^stack\s+status\s+resources applied\s+unchecked\s+validate\s+apply\s+seconds$/m,
    );
    expect(report).toMatch(
      /^test-eks-k8s\s+partial\s+3\/5\s+2 \(provider helm is not installed\)\s+passed\s+passed\s+1\.3$/m,
    );
    expect(report).toContain('2 of 3 stacks proven in 9.5 s wall');
    expect(report).toContain('test-rds: failed\n  | Error: Unsupported attribute');
  });

  it('counts a run as proven only when no stack failed or was skipped', () => {
    expect(allProven([result('a', 'passed'), result('b', 'partial')])).toBe(true);
    expect(allProven([result('a', 'passed'), result('b', 'not run')])).toBe(false);
    expect(allProven([result('a', 'passed'), result('k8s', 'unchecked')])).toBe(true);
    expect(allProven([result('k8s', 'unchecked')])).toBe(false);
    expect(allProven([])).toBe(false);
  });
});
