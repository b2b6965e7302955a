import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  dependencyOrder,
  loadStacks,
  type SynthesizedStack,
} from '../../../../scripts/dev/offline-proof/stacks';
import { tempDir } from '../../../helpers/paths';

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
