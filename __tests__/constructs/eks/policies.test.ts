import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../../constructs/iam/policy-document';
import { karpenterControllerPolicy } from '../../../constructs/eks/policies/karpenter-controller';
import { loadBalancerControllerPolicy } from '../../../constructs/eks/policies/load-balancer-controller';
import {
  externalSecretsPolicy,
  logShippingPolicy,
} from '../../../constructs/eks/policies/workload-policies';

const actions = (doc: PolicyDocument): string[] => doc.Statement.flatMap((s) => [s.Action].flat());

/** No statement allows every action, or every action of a service, on every resource. */
function expectNoWildcardActions(doc: PolicyDocument): void {
  for (const statement of doc.Statement) {
    for (const action of [statement.Action].flat()) {
      expect(action).not.toBe('*');
      expect(action).not.toMatch(/:\*$/);
    }
  }
}

describe('published controller policies', () => {
  it('load balancer controller: the upstream action set, writes on * conditioned on its cluster tags', () => {
    const doc = loadBalancerControllerPolicy();
    expectNoWildcardActions(doc);
    // Upstream iam_policy.json: 15 statements, 66 distinct actions.
    expect(doc.Statement).toHaveLength(15);
    expect(new Set(actions(doc)).size).toBe(66);
    const deletes = doc.Statement.filter((s) =>
      [s.Action].flat().includes('elasticloadbalancing:DeleteLoadBalancer'),
    );
    for (const statement of deletes) {
      expect(Object.keys(statement.Condition?.Null ?? {})[0]).toMatch(
        /^aws:ResourceTag\/(ingress|service)\.k8s\.aws\/cluster$/,
      );
    }
    const createLb = doc.Statement.find(
      (s) => s.Action === 'elasticloadbalancing:CreateLoadBalancer',
    )!;
    expect(createLb.Condition).toEqual({
      'ForAnyValue:StringEquals': {
        'aws:TagKeys': ['ingress.k8s.aws/cluster', 'service.k8s.aws/cluster'],
      },
    });
  });

  it('karpenter: instance writes scoped to the cluster tag, reads to the region, PassRole to the node role', () => {
    const doc = karpenterControllerPolicy({
      clusterName: 'c',
      clusterArn: 'arn:aws:eks:eu-west-1:1:cluster/c',
      region: 'eu-west-1',
      accountId: '111111111111',
      nodeRoleArn: 'arn:aws:iam::111111111111:role/c-karpenter-nodes',
      interruptionQueueArn: 'arn:aws:sqs:eu-west-1:111111111111:c-karpenter',
    });
    expectNoWildcardActions(doc);
    const bySid = Object.fromEntries(doc.Statement.map((s) => [s.Sid, s]));
    expect(bySid.AllowScopedDeletion.Condition?.StringEquals).toEqual({
      'aws:ResourceTag/kubernetes.io/cluster/c': 'owned',
    });
    expect(bySid.AllowRegionalReadActions.Condition).toEqual({
      StringEquals: { 'aws:RequestedRegion': 'eu-west-1' },
    });
    expect(bySid.AllowPassingInstanceRole.Resource).toBe(
      'arn:aws:iam::111111111111:role/c-karpenter-nodes',
    );
    expect(bySid.AllowAPIServerEndpointDiscovery.Resource).toBe(
      'arn:aws:eks:eu-west-1:1:cluster/c',
    );
    // Every statement whose resource is "*" only reads.
    for (const statement of doc.Statement.filter((s) => s.Resource === '*')) {
      for (const action of [statement.Action].flat()) {
        expect(action).toMatch(/:(Describe|Get)/);
      }
    }
  });

  it('external secrets: reads only secrets under its prefix and RDS-managed ones, decrypting via Secrets Manager', () => {
    const doc = externalSecretsPolicy('eu-west-1', '111111111111', 'platform/test/');
    expect(doc.Statement[0].Resource).toEqual([
      'arn:aws:secretsmanager:eu-west-1:111111111111:secret:platform/test/*',
      'arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!*',
    ]);
    expect(doc.Statement[1].Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
    });
  });

  it('log shipping: writes to one log group only', () => {
    const doc = logShippingPolicy('arn:aws:logs:eu-west-1:1:log-group:/aws/eks/c/workloads');
    expect(doc.Statement[0].Resource).toEqual([
      'arn:aws:logs:eu-west-1:1:log-group:/aws/eks/c/workloads',
      'arn:aws:logs:eu-west-1:1:log-group:/aws/eks/c/workloads:*',
    ]);
    expect(actions(doc)).not.toContain('logs:CreateLogGroup');
  });
});
