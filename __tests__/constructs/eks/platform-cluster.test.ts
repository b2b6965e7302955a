import { describe, expect, it } from 'vitest';
import {
  PlatformCluster,
  type PlatformClusterProps,
} from '../../../constructs/eks/platform-cluster';
import {
  expectResource,
  onlyResource,
  policyOf,
  resourcesOf,
  synthConstruct,
  type SynthJson,
} from '../../helpers/synth';

const props: PlatformClusterProps = {
  clusterName: 'platform-prod',
  kubernetesVersion: '1.35',
  accountId: '222222222222',
  region: 'eu-west-1',
  subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
  publicAccessCidrs: [],
  logRetentionDays: 365,
  adminRoleArns: [
    'arn:aws:iam::222222222222:role/platform-admin',
    'arn:aws:iam::222222222222:role/ci',
  ],
};

function synthCluster(overrides: Partial<PlatformClusterProps> = {}): SynthJson {
  return synthConstruct(
    (scope) => new PlatformCluster(scope, 'cluster', { ...props, ...overrides }),
  );
}

describe('PlatformCluster', () => {
  const json = synthCluster();
  const cluster = onlyResource(json, 'aws_eks_cluster');

  it('pins the version and puts the control plane in the private subnets, private endpoint only', () => {
    expect(cluster).toMatchObject({
      name: 'platform-prod',
      version: '1.35',
      vpc_config: {
        subnet_ids: ['subnet-a', 'subnet-b', 'subnet-c'],
        endpoint_private_access: true,
        endpoint_public_access: false,
      },
    });
    expect((cluster.vpc_config as Record<string, unknown>).public_access_cidrs).toBeUndefined();
  });

  it('opens the public endpoint only to the allow-list when one is given', () => {
    const withPublic = onlyResource(
      synthCluster({ publicAccessCidrs: ['203.0.113.0/24'] }),
      'aws_eks_cluster',
    );
    expect(withPublic.vpc_config).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: true,
      public_access_cidrs: ['203.0.113.0/24'],
    });
  });

  it('envelope-encrypts secrets with a rotating customer-managed key', () => {
    const [keyName] = resourcesOf(json, 'aws_kms_key').find(([name]) => name.includes('secrets'))!;
    expect(cluster.encryption_config).toEqual({
      resources: ['secrets'],
      provider: { key_arn: `\${aws_kms_key.${keyName}.arn}` },
    });
    expectResource(json, 'aws_kms_key', {
      enable_key_rotation: true,
      description: 'Envelope encryption of Kubernetes secrets in platform-prod',
    });
  });

  it('sends all five control-plane log types to a log group it creates first, with retention and KMS', () => {
    expect(cluster.enabled_cluster_log_types).toEqual([
      'api',
      'audit',
      'authenticator',
      'controllerManager',
      'scheduler',
    ]);
    const [groupName, group] = resourcesOf(json, 'aws_cloudwatch_log_group')[0];
    expect(group).toMatchObject({ name: '/aws/eks/platform-prod/cluster', retention_in_days: 365 });
    expect(String(group.kms_key_id)).toMatch(/aws_kms_key\.cluster_logs-key/);
    expect(cluster.depends_on).toContain(`aws_cloudwatch_log_group.${groupName}`);
  });

  it('uses access entries only and gives the cluster creator no implicit admin', () => {
    expect(cluster.access_config).toEqual({
      authentication_mode: 'API',
      bootstrap_cluster_creator_admin_permissions: false,
    });
    expect(cluster.bootstrap_self_managed_addons).toBe(false);
    expect(cluster.upgrade_policy).toEqual({ support_type: 'STANDARD' });
  });

  it('grants cluster admin to each configured role through an access entry', () => {
    const entries = resourcesOf(json, 'aws_eks_access_entry').map(([, e]) => e);
    expect(entries.map((e) => e.principal_arn)).toEqual(props.adminRoleArns);
    for (const [, association] of resourcesOf(json, 'aws_eks_access_policy_association')) {
      expect(association).toMatchObject({
        policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        access_scope: { type: 'cluster' },
      });
    }
    expect(resourcesOf(json, 'aws_eks_access_policy_association')).toHaveLength(2);
  });

  it('creates an OIDC provider for the cluster issuer and tags the node security group for Karpenter', () => {
    expectResource(json, 'aws_iam_openid_connect_provider', {
      client_id_list: ['sts.amazonaws.com'],
    });
    const tag = onlyResource(json, 'aws_ec2_tag');
    expect(tag).toMatchObject({ key: 'karpenter.sh/discovery', value: 'platform-prod' });
    expect(String(tag.resource_id)).toMatch(/vpc_config\[0\]\.cluster_security_group_id/);
  });

  it('has a control-plane role only EKS in this account can assume', () => {
    const role = resourcesOf(json, 'aws_iam_role')[0][1];
    expect(policyOf(role, 'assume_role_policy').Statement[0]).toMatchObject({
      Principal: { Service: 'eks.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '222222222222' } },
    });
    expectResource(json, 'aws_iam_role_policy_attachment', {
      policy_arn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
    });
  });
});
