import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../../constructs/iam/policy-document';
import {
  KARPENTER_VERSION,
  karpenterControllerPolicy,
} from '../../../constructs/eks/policies/karpenter-controller';
import {
  LOAD_BALANCER_CONTROLLER_VERSION,
  loadBalancerControllerPolicy,
} from '../../../constructs/eks/policies/load-balancer-controller';
import {
  externalDnsPolicy,
  externalSecretsPolicy,
  logShippingPolicy,
} from '../../../constructs/eks/policies/workload-policies';
import {
  KARPENTER_UPSTREAM,
  LOAD_BALANCER_CONTROLLER_UPSTREAM,
  type UpstreamPolicy,
} from '../../fixtures/upstream-policies';

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

/** Our statements reduced to what the upstream digest records: actions and condition keys. */
function digest(doc: PolicyDocument): { actions: string[]; conditionKeys: string[] }[] {
  return doc.Statement.map((s) => ({
    actions: [...new Set([s.Action].flat())].sort(),
    conditionKeys: Object.values(s.Condition ?? {})
      .flatMap((operator) => Object.keys(operator))
      .sort(),
  }));
}

/**
 * Each upstream statement has one of ours granting the same actions under the same condition
 * keys, and we have no other: every upstream action is granted, every upstream condition key is
 * tested, nothing beyond. (Condition values that differ say why in the policy's code.)
 */
function expectUpstream(doc: PolicyDocument, upstream: UpstreamPolicy, clusterName: string): void {
  const ours = digest(doc);
  for (const statement of upstream.statements) {
    const keys = statement.conditionKeys.map((k) => k.replace('${ClusterName}', clusterName));
    expect(ours, statement.sid ?? statement.actions.join(', ')).toContainEqual({
      actions: [...statement.actions].sort(),
      conditionKeys: keys.sort(),
    });
  }
  expect(ours).toHaveLength(upstream.statements.length);
}

const karpenter = karpenterControllerPolicy({
  clusterName: 'c',
  clusterArn: 'arn:aws:eks:eu-west-1:1:cluster/c',
  region: 'eu-west-1',
  accountId: '111111111111',
  nodeRoleArn: 'arn:aws:iam::111111111111:role/c-karpenter-nodes',
  interruptionQueueArn: 'arn:aws:sqs:eu-west-1:111111111111:c-karpenter',
});

describe('published controller policies, against upstream at the pinned versions', () => {
  it('load balancer controller: the digest is of the version eks-k8s is to install', () => {
    expect(LOAD_BALANCER_CONTROLLER_UPSTREAM.version).toBe(LOAD_BALANCER_CONTROLLER_VERSION);
  });

  it('load balancer controller: every upstream statement, action and condition key, nothing beyond', () => {
    expectUpstream(loadBalancerControllerPolicy(), LOAD_BALANCER_CONTROLLER_UPSTREAM, 'c');
  });

  it('load balancer controller: conditioned on the v2 tag key elbv2.k8s.aws/cluster, never v1', () => {
    const doc = loadBalancerControllerPolicy();
    expectNoWildcardActions(doc);
    const text = JSON.stringify(doc);
    expect(text).not.toMatch(/(ingress|service)\.k8s\.aws\/cluster/);
    const create = doc.Statement.find((s) =>
      [s.Action].flat().includes('elasticloadbalancing:CreateLoadBalancer'),
    )!;
    expect(create.Condition).toEqual({
      Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' },
    });
    for (const action of ['DeleteLoadBalancer', 'DeleteTargetGroup']) {
      const statement = doc.Statement.find((s) =>
        [s.Action].flat().includes(`elasticloadbalancing:${action}`),
      )!;
      expect(statement.Condition).toEqual({
        Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' },
      });
    }
    const serviceLinkedRole = doc.Statement.find(
      (s) => [s.Action].flat()[0] === 'iam:CreateServiceLinkedRole',
    )!;
    expect(serviceLinkedRole.Condition).toEqual({
      StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' },
    });
  });

  it('karpenter: the digest is of the version eks-k8s is to install', () => {
    expect(KARPENTER_UPSTREAM.version).toBe(KARPENTER_VERSION);
  });

  it('karpenter: every upstream statement, action and condition key, nothing beyond', () => {
    expectUpstream(karpenter, KARPENTER_UPSTREAM, 'c');
    const list = karpenter.Statement.find(
      (s) => s.Sid === 'AllowUnscopedInstanceProfileListAction',
    );
    expect(list).toMatchObject({ Action: 'iam:ListInstanceProfiles', Resource: '*' });
  });

  it('karpenter: instance writes scoped to the cluster tag, reads to the region, PassRole to the node role', () => {
    const doc = karpenter;
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
    expect(bySid.AllowZonalShiftStatusReadOnly.Condition).toEqual({
      StringEquals: { 'arc-zonal-shift:ResourceIdentifier': 'arn:aws:eks:eu-west-1:1:cluster/c' },
    });
    // Every statement whose resource is "*" only reads.
    for (const statement of doc.Statement.filter((s) => s.Resource === '*')) {
      for (const action of [statement.Action].flat()) {
        expect(action).toMatch(/:(Describe|Get|List)/);
      }
    }
  });
});

describe('workload policies', () => {
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

describe('external-dns policy', () => {
  const zone = 'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ';
  const doc = externalDnsPolicy(zone);

  it("grants exactly the actions of ExternalDNS's published AWS policy", () => {
    expect([...new Set(actions(doc))].sort()).toEqual([
      'route53:ChangeResourceRecordSets',
      'route53:ListHostedZones',
      'route53:ListResourceRecordSets',
      'route53:ListTagsForResources',
    ]);
    expectNoWildcardActions(doc);
  });

  it('changes, lists and reads the tags of records in the one hosted zone only', () => {
    const zoneStatements = doc.Statement.filter((s) =>
      [s.Action].flat().some((a) => a !== 'route53:ListHostedZones'),
    );
    expect(zoneStatements).toEqual([
      {
        Sid: 'ManageRecordsOfOneZone',
        Effect: 'Allow',
        Action: [
          'route53:ChangeResourceRecordSets',
          'route53:ListResourceRecordSets',
          'route53:ListTagsForResources',
        ],
        Resource: zone,
      },
    ]);
  });

  it('lists hosted zones on *, the only resource Route53 accepts for it, and nothing else there', () => {
    const onEverything = doc.Statement.filter((s) => [s.Resource].flat().includes('*'));
    expect(onEverything).toEqual([
      { Sid: 'ListHostedZones', Effect: 'Allow', Action: 'route53:ListHostedZones', Resource: '*' },
    ]);
  });

  it('throws when given something other than a hosted zone ARN', () => {
    for (const arn of ['Z0123456789ABCDEFGHIJ', 'arn:aws:route53:::hostedzone/*', '*']) {
      expect(() => externalDnsPolicy(arn), arn).toThrow(
        `externalDnsPolicy: hostedZoneArn must be a hosted zone ARN such as arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ, got '${arn}'`,
      );
    }
  });
});
