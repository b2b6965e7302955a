import { describe, expect, it } from 'vitest';
import { KarpenterInfra } from '../../../constructs/eks/karpenter-infra';
import {
  expectResource,
  onlyResource,
  policyOf,
  resourcesOf,
  synthConstruct,
} from '../../helpers/synth';

describe('KarpenterInfra', () => {
  const json = synthConstruct(
    (scope) =>
      new KarpenterInfra(scope, 'karpenter', {
        clusterName: 'platform-prod',
        clusterArn: 'arn:aws:eks:eu-west-1:222222222222:cluster/platform-prod',
        region: 'eu-west-1',
        accountId: '222222222222',
      }),
  );

  it('gives the node role an EC2_LINUX access entry so Karpenter nodes can join', () => {
    const entry = onlyResource(json, 'aws_eks_access_entry');
    expect(entry.type).toBe('EC2_LINUX');
    expect(String(entry.principal_arn)).toMatch(/aws_iam_role\.karpenter_node-role_[^.]+\.arn/);
  });

  it('has an encrypted interruption queue that keeps messages 5 minutes and refuses plain HTTP', () => {
    expect(onlyResource(json, 'aws_sqs_queue')).toMatchObject({
      name: 'platform-prod-karpenter',
      message_retention_seconds: 300,
      sqs_managed_sse_enabled: true,
    });
    const statements = policyOf(onlyResource(json, 'aws_sqs_queue_policy')).Statement;
    expect(statements[0]).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
    });
    // Only this stack's interruption rules may send, not any rule of any account.
    const rules = resourcesOf(json, 'aws_cloudwatch_event_rule').map(([name]) => name);
    expect(rules).toHaveLength(5);
    const sources = (statements[0].Condition as Record<string, Record<string, string[]>>).ArnEquals[
      'aws:SourceArn'
    ];
    expect([...sources].sort()).toEqual(
      rules.map((name) => `\${aws_cloudwatch_event_rule.${name}.arn}`).sort(),
    );
    expect(statements[1]).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  it('routes the five interruption events of Karpenter 1.14.1 to the queue', () => {
    const patterns = resourcesOf(json, 'aws_cloudwatch_event_rule').map(([, r]) =>
      JSON.parse(String(r.event_pattern)),
    );
    expect(patterns).toEqual(
      expect.arrayContaining([
        { source: ['aws.health'], 'detail-type': ['AWS Health Event'] },
        { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
        { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
        { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
        {
          source: ['aws.ec2'],
          'detail-type': ['EC2 Capacity Reservation Instance Interruption Warning'],
        },
      ]),
    );
    expect(patterns).toHaveLength(5);
    for (const [, target] of resourcesOf(json, 'aws_cloudwatch_event_target')) {
      expect(String(target.arn)).toMatch(/aws_sqs_queue\.karpenter_interruption-queue_[^.]+\.arn/);
    }
  });

  it('binds the controller role to kube-system/karpenter', () => {
    expectResource(json, 'aws_eks_pod_identity_association', {
      namespace: 'kube-system',
      service_account: 'karpenter',
    });
  });

  it('lets the controller pass only the node role, to EC2 only, and read only its queue', () => {
    const statements = policyOf(onlyResource(json, 'aws_iam_role_policy')).Statement;
    const passRole = statements.find((s) => s.Sid === 'AllowPassingInstanceRole')!;
    expect(String(passRole.Resource)).toMatch(/aws_iam_role\.karpenter_node-role_[^.]+\.arn/);
    expect(passRole.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com'] },
    });
    const queue = statements.find((s) => s.Sid === 'AllowInterruptionQueueActions')!;
    expect(String(queue.Resource)).toMatch(
      /aws_sqs_queue\.karpenter_interruption-queue_[^.]+\.arn/,
    );
  });
});
