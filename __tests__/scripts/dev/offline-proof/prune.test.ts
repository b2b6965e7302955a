import { describe, expect, it } from 'vitest';
import { pruneUnavailable } from '../../../../scripts/dev/offline-proof/prune';
import type { TerraformJson } from '../../../../scripts/dev/offline-proof/stacks';

const mixed: TerraformJson = {
  terraform: {
    required_providers: { aws: { source: 'aws' }, helm: { source: 'helm' } },
  },
  provider: {
    aws: [{ region: 'eu-west-1' }],
    helm: [{ kubernetes: { host: '${aws_eks_cluster.c.endpoint}' } }],
  },
  resource: {
    aws_eks_cluster: { c: { name: 'c' } },
    helm_release: { karpenter: { name: 'karpenter' } },
    aws_iam_role: { after_helm: { name: 'r', depends_on: ['helm_release.karpenter'] } },
    aws_sqs_queue: { q: { name: 'q' } },
  },
  output: {
    queue: { value: '${aws_sqs_queue.q.arn}' },
    release: { value: '${helm_release.karpenter.version}' },
  },
};

describe('pruneUnavailable', () => {
  it('removes the missing provider, its resources and everything depending on them', () => {
    const result = pruneUnavailable(mixed, new Set(['aws']));
    expect(result.json.terraform?.required_providers).toEqual({ aws: { source: 'aws' } });
    expect(Object.keys(result.json.provider ?? {})).toEqual(['aws']);
    expect(Object.keys(result.json.resource ?? {}).sort()).toEqual([
      'aws_eks_cluster',
      'aws_sqs_queue',
    ]);
    expect(result.removed).toEqual([
      { address: 'helm_release.karpenter', reason: 'provider helm is not installed' },
      { address: 'aws_iam_role.after_helm', reason: 'depends on helm_release.karpenter' },
      { address: 'output.release', reason: 'depends on helm_release.karpenter' },
    ]);
    expect(result.removedOutputs).toEqual(['release']);
    expect(Object.keys(result.json.output ?? {})).toEqual(['queue']);
  });

  it('leaves a stack whose providers are all installed untouched, without mutating the input', () => {
    const result = pruneUnavailable(mixed, new Set(['aws', 'helm']));
    expect(result.removed).toEqual([]);
    expect(result.json).toEqual(mixed);
    pruneUnavailable(mixed, new Set(['aws']));
    expect(Object.keys(mixed.resource ?? {})).toContain('helm_release');
  });

  it('prunes reads of upstream outputs that were themselves unchecked, but not look-alike names', () => {
    const consumer: TerraformJson = {
      terraform: { required_providers: { aws: { source: 'aws' } } },
      data: { terraform_remote_state: { up: { backend: 's3' } } },
      resource: {
        aws_ssm_parameter: {
          gone: { value: '${data.terraform_remote_state.up.outputs.release}' },
          kept: { value: '${data.terraform_remote_state.up.outputs.release_name}' },
        },
      },
    };
    const result = pruneUnavailable(consumer, new Set(['aws']), [
      'data.terraform_remote_state.up.outputs.release',
    ]);
    expect(result.removed.map((r) => r.address)).toEqual(['aws_ssm_parameter.gone']);
    expect(Object.keys(result.json.resource?.aws_ssm_parameter ?? {})).toEqual(['kept']);
  });
});
