import { describe, expect, it } from 'vitest';
import { PodIdentityRole } from '../../../constructs/eks/pod-identity-role';
import { policyDocument } from '../../../constructs/iam/policy-document';
import { onlyResource, policyOf, synthConstruct } from '../../helpers/synth';

describe('PodIdentityRole', () => {
  const json = synthConstruct(
    (scope) =>
      new PodIdentityRole(scope, 'role', {
        clusterName: 'platform-test',
        clusterArn: 'arn:aws:eks:eu-west-1:111111111111:cluster/platform-test',
        accountId: '111111111111',
        roleName: 'platform-test-external-secrets',
        serviceAccount: { namespace: 'external-secrets', name: 'external-secrets' },
        policy: policyDocument({
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: 'arn:x',
        }),
      }),
  );

  it('can be assumed only by one service account of one cluster in this account', () => {
    const trust = policyOf(onlyResource(json, 'aws_iam_role'), 'assume_role_policy');
    expect(trust.Statement).toEqual([
      {
        Sid: 'OneServiceAccountOfOneCluster',
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: {
          StringEquals: {
            'aws:SourceAccount': '111111111111',
            'aws:RequestTag/eks-cluster-arn':
              'arn:aws:eks:eu-west-1:111111111111:cluster/platform-test',
            'aws:RequestTag/kubernetes-namespace': 'external-secrets',
            'aws:RequestTag/kubernetes-service-account': 'external-secrets',
          },
        },
      },
    ]);
  });

  it('associates the role with that service account and attaches its policy', () => {
    expect(onlyResource(json, 'aws_eks_pod_identity_association')).toMatchObject({
      cluster_name: 'platform-test',
      namespace: 'external-secrets',
      service_account: 'external-secrets',
    });
    expect(policyOf(onlyResource(json, 'aws_iam_role_policy')).Statement[0].Action).toBe(
      'secretsmanager:GetSecretValue',
    );
  });
});
