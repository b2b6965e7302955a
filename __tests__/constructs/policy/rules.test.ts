import { App } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { evaluate, formatFinding, type Json, stackView } from '../../../constructs/policy/engine';
import type { EnvironmentConfig } from '../../../environments';
import { allStacks, buildEnvironment, policyContext } from '../../../stacks/platform';
import { prodEnv, testEnv } from '../../helpers/environments';
import { tempDir } from '../../helpers/paths';

type Component = 'tfstate' | 'network' | 'eks-infra' | 'rds';

/** The synthesized JSON of every stack of both environments, built once. */
const documents: Record<string, Json> = {};
const configs: Record<string, EnvironmentConfig> = { test: testEnv(), prod: prodEnv() };
const app = new App({ outdir: tempDir('policy-rules') });
for (const environment of Object.values(configs)) {
  for (const stack of allStacks(buildEnvironment(app, environment))) {
    documents[stack.node.id] = stack.toTerraform() as Json;
  }
}

type Resources = Record<string, Record<string, Json>>;

/** A resource of the document by type and the end of its construct path; returns [address, config]. */
function find(json: Json, type: string, pathEnd: string): [string, Json] {
  const byName = ((json.resource as Resources)[type] ?? {}) as Record<string, Json>;
  const match = Object.entries(byName).find(([, c]) =>
    String((c['//'] as { metadata: { path: string } }).metadata.path).endsWith(pathEnd),
  );
  if (!match) throw new Error(`no ${type} at …${pathEnd}`);
  return [`${type}.${match[0]}`, match[1]];
}

/** Unsuppressed finding lines of the stack after `mutate` changed a copy of its JSON. */
function findingsAfter(
  env: 'test' | 'prod',
  component: Component,
  mutate: (json: Json) => void,
): string[] {
  const stack = `${env}-${component}`;
  const json = JSON.parse(JSON.stringify(documents[stack])) as Json;
  mutate(json);
  const context = policyContext(configs[env]);
  return evaluate(stackView(stack, json, context), context.rules, context.suppressions)
    .filter((f) => !f.suppressedBecause)
    .map(formatFinding);
}

const rules = policyContext(configs.test).rules;
const fixOf = (id: string): string => rules.find((r) => r.id === id)!.fix;
const setPolicy = (config: Json, ...statement: Json[]): void => {
  config.policy = JSON.stringify({ Version: '2012-10-17', Statement: statement });
};

interface Case {
  readonly rule: string;
  readonly scanners: string;
  readonly env: 'test' | 'prod';
  readonly component: Component;
  readonly type: string;
  readonly path: string;
  readonly mutate: (target: Json, json: Json) => void;
  readonly problem: string;
  /** The resource the finding names, when it is not the mutated one. */
  readonly reported?: { type: string; path: string };
}

const cases: Case[] = [
  {
    rule: 'S3-001',
    scanners: ' (CKV_AWS_21 / AVD-AWS-0090)',
    env: 'test',
    component: 'tfstate',
    type: 'aws_s3_bucket_versioning',
    path: 'state-bucket/versioning',
    mutate: (c) => {
      c.versioning_configuration = { status: 'Suspended' };
    },
    problem: 'versioning is not enabled',
    reported: { type: 'aws_s3_bucket', path: 'state-bucket/bucket' },
  },
  {
    rule: 'S3-002',
    scanners: ' (CKV2_AWS_6 / AVD-AWS-0086 / AVD-AWS-0087 / AVD-AWS-0091 / AVD-AWS-0093)',
    env: 'test',
    component: 'tfstate',
    type: 'aws_s3_bucket_public_access_block',
    path: 'state-bucket/public-access-block',
    mutate: (c) => {
      c.block_public_policy = false;
    },
    problem: 'public access is not fully blocked (block_public_policy not true)',
    reported: { type: 'aws_s3_bucket', path: 'state-bucket/bucket' },
  },
  {
    rule: 'S3-003',
    scanners: ' (CKV_AWS_145 / AVD-AWS-0132)',
    env: 'test',
    component: 'tfstate',
    type: 'aws_s3_bucket_server_side_encryption_configuration',
    path: 'state-bucket/encryption',
    mutate: (c) => {
      c.rule = [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }];
    },
    problem: 'default encryption is AES256, not SSE-KMS with a customer-managed key',
    reported: { type: 'aws_s3_bucket', path: 'state-bucket/bucket' },
  },
  {
    rule: 'S3-004',
    scanners: ' (FSBP S3.5)',
    env: 'test',
    component: 'tfstate',
    type: 'aws_s3_bucket_policy',
    path: 'state-bucket/policy',
    mutate: (c) => setPolicy(c),
    problem: 'no bucket policy statement denies requests without TLS',
    reported: { type: 'aws_s3_bucket', path: 'state-bucket/bucket' },
  },
  {
    rule: 'S3-005',
    scanners: ' (CKV2_AWS_65)',
    env: 'test',
    component: 'tfstate',
    type: 'aws_s3_bucket_ownership_controls',
    path: 'state-bucket/ownership',
    mutate: (c) => {
      c.rule = { object_ownership: 'ObjectWriter' };
    },
    problem: 'object ownership is not BucketOwnerEnforced',
    reported: { type: 'aws_s3_bucket', path: 'state-bucket/bucket' },
  },
  {
    rule: 'S3-006',
    scanners: ' (CKV2_AWS_61)',
    env: 'test',
    component: 'tfstate',
    type: 'aws_s3_bucket_lifecycle_configuration',
    path: 'state-bucket/lifecycle',
    mutate: (c) => {
      c.rule = [{ id: 'x', status: 'Enabled', filter: [{ prefix: '' }] }];
    },
    problem: 'no enabled lifecycle rule expires noncurrent versions',
    reported: { type: 'aws_s3_bucket', path: 'state-bucket/bucket' },
  },
  {
    rule: 'S3-007',
    scanners: '',
    env: 'test',
    component: 'tfstate',
    type: 'aws_s3_bucket',
    path: 'state-bucket/bucket',
    mutate: (c) => {
      c.force_destroy = true;
    },
    problem: 'force_destroy is on',
  },
  {
    rule: 'S3-008',
    scanners: ' (CKV_AWS_18 / AVD-AWS-0089)',
    env: 'test',
    component: 'tfstate',
    type: 'aws_s3_bucket_logging',
    path: 'state-bucket/access-logging',
    mutate: (c) => {
      c.bucket = 'unrelated';
    },
    problem: 'server access logging is off',
    reported: { type: 'aws_s3_bucket', path: 'state-bucket/bucket' },
  },
  {
    rule: 'DDB-001',
    scanners: ' (CKV_AWS_28 / AVD-AWS-0024)',
    env: 'test',
    component: 'tfstate',
    type: 'aws_dynamodb_table',
    path: 'lock-table/table',
    mutate: (c) => {
      c.point_in_time_recovery = { enabled: false };
    },
    problem: 'point-in-time recovery is off',
  },
  {
    rule: 'DDB-002',
    scanners: ' (CKV_AWS_119 / AVD-AWS-0025)',
    env: 'test',
    component: 'tfstate',
    type: 'aws_dynamodb_table',
    path: 'lock-table/table',
    mutate: (c) => {
      c.server_side_encryption = { enabled: true };
    },
    problem: 'not encrypted with a customer-managed key',
  },
  {
    rule: 'DDB-003',
    scanners: ' (FSBP DynamoDB.6)',
    env: 'test',
    component: 'tfstate',
    type: 'aws_dynamodb_table',
    path: 'lock-table/table',
    mutate: (c) => {
      c.deletion_protection_enabled = false;
    },
    problem: 'deletion protection is off',
  },
  {
    rule: 'KMS-001',
    scanners: ' (CKV_AWS_7 / AVD-AWS-0065)',
    env: 'test',
    component: 'tfstate',
    type: 'aws_kms_key',
    path: 'state-key/key',
    mutate: (c) => {
      c.enable_key_rotation = false;
    },
    problem: 'key rotation is off',
  },
  {
    rule: 'KMS-002',
    scanners: ' (CKV_AWS_33)',
    env: 'test',
    component: 'tfstate',
    type: 'aws_kms_key',
    path: 'state-key/key',
    mutate: (c) =>
      setPolicy(c, { Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }),
    problem: 'key policy allows "kms:*" to any principal',
  },
  {
    rule: 'VPC-001',
    scanners: ' (CKV2_AWS_11 / AVD-AWS-0178)',
    env: 'test',
    component: 'network',
    type: 'aws_flow_log',
    path: 'flow-logs/flow-log',
    mutate: (c) => {
      c.vpc_id = 'vpc-other';
    },
    problem: 'no flow log captures this VPC',
    reported: { type: 'aws_vpc', path: 'network/vpc' },
  },
  {
    rule: 'VPC-002',
    scanners: ' (CKV2_AWS_12)',
    env: 'test',
    component: 'network',
    type: 'aws_default_security_group',
    path: 'default-security-group',
    mutate: (c) => {
      c.egress = [{ protocol: '-1', from_port: 0, to_port: 0, cidr_blocks: ['0.0.0.0/0'] }];
    },
    problem: 'the default security group has 1 rule(s)',
    reported: { type: 'aws_vpc', path: 'network/vpc' },
  },
  {
    rule: 'VPC-003',
    scanners: ' (CKV_AWS_130 / AVD-AWS-0164)',
    env: 'test',
    component: 'network',
    type: 'aws_subnet',
    path: 'private-subnet-eu-west-1a',
    mutate: (c) => {
      c.map_public_ip_on_launch = true;
    },
    problem: 'assigns public IPs on launch in a non-public subnet',
  },
  {
    rule: 'VPC-004',
    scanners: ' (CKV_AWS_24 / CKV_AWS_25 / CKV_AWS_260 / AVD-AWS-0107)',
    env: 'test',
    component: 'network',
    type: 'aws_security_group',
    path: 'endpoints/security-group',
    mutate: (c) => {
      (c.ingress as Json[])[0].cidr_blocks = ['0.0.0.0/0'];
    },
    problem: 'admits tcp 443-443 from anywhere',
  },
  {
    rule: 'NET-001',
    scanners: '',
    env: 'prod',
    component: 'network',
    type: 'aws_nat_gateway',
    path: 'nat-gateway-eu-west-1b',
    mutate: (_c, json) => {
      const nats = (json.resource as Resources).aws_nat_gateway;
      for (const name of Object.keys(nats).filter((n) => !n.includes('eu-west-1a')))
        delete nats[name];
    },
    problem: '1 NAT gateway(s) for 3 zones',
    reported: { type: 'aws_nat_gateway', path: 'nat-gateway-eu-west-1a' },
  },
  {
    rule: 'REL-001',
    scanners: '',
    env: 'prod',
    component: 'network',
    type: 'aws_subnet',
    path: 'database-subnet-eu-west-1c',
    mutate: (c) => {
      c.availability_zone = 'eu-west-1a';
    },
    problem: 'the database subnets span 2 zone(s)',
    reported: { type: 'aws_subnet', path: 'database-subnet-eu-west-1a' },
  },
  {
    rule: 'EKS-001',
    scanners: ' (AVD-AWS-0040)',
    env: 'test',
    component: 'eks-infra',
    type: 'aws_eks_cluster',
    path: 'cluster/cluster',
    mutate: (c) => {
      (c.vpc_config as Json).endpoint_private_access = false;
    },
    problem: 'the private endpoint is off',
  },
  {
    rule: 'EKS-002',
    scanners: ' (CKV_AWS_39 / AVD-AWS-0040)',
    env: 'prod',
    component: 'eks-infra',
    type: 'aws_eks_cluster',
    path: 'cluster/cluster',
    mutate: (c) => {
      Object.assign(c.vpc_config as Json, {
        endpoint_public_access: true,
        public_access_cidrs: ['203.0.113.0/24'],
      });
    },
    problem: 'the public endpoint is on',
  },
  {
    rule: 'EKS-003',
    scanners: ' (CKV_AWS_38 / AVD-AWS-0041)',
    env: 'test',
    component: 'eks-infra',
    type: 'aws_eks_cluster',
    path: 'cluster/cluster',
    mutate: (c) => {
      (c.vpc_config as Json).public_access_cidrs = ['0.0.0.0/0'];
    },
    problem: 'the public endpoint is open to 0.0.0.0/0',
  },
  {
    rule: 'EKS-004',
    scanners: ' (CKV_AWS_58 / AVD-AWS-0039)',
    env: 'test',
    component: 'eks-infra',
    type: 'aws_eks_cluster',
    path: 'cluster/cluster',
    mutate: (c) => {
      delete c.encryption_config;
    },
    problem: 'secrets are not envelope-encrypted',
  },
  {
    rule: 'EKS-005',
    scanners: ' (CKV_AWS_37 / AVD-AWS-0038)',
    env: 'test',
    component: 'eks-infra',
    type: 'aws_eks_cluster',
    path: 'cluster/cluster',
    mutate: (c) => {
      c.enabled_cluster_log_types = ['api', 'audit'];
    },
    problem: 'control-plane log types missing: authenticator, controllerManager, scheduler',
  },
  {
    rule: 'EKS-006',
    scanners: ' (CKV_AWS_79 / CKV_AWS_341 / AVD-AWS-0028)',
    env: 'test',
    component: 'eks-infra',
    type: 'aws_launch_template',
    path: 'launch-template',
    mutate: (c) => {
      (c.metadata_options as Json).http_put_response_hop_limit = 3;
    },
    problem: 'the metadata hop limit is 3',
  },
  {
    rule: 'EKS-007',
    scanners: ' (CKV_AWS_100)',
    env: 'test',
    component: 'eks-infra',
    type: 'aws_eks_node_group',
    path: 'node-group',
    mutate: (c) => {
      c.remote_access = { ec2_ssh_key: 'ops' };
    },
    problem: 'SSH remote access is configured',
  },
  {
    rule: 'EKS-008',
    scanners: '',
    env: 'test',
    component: 'eks-infra',
    type: 'aws_eks_cluster',
    path: 'cluster/cluster',
    mutate: (c) => {
      c.access_config = {
        authentication_mode: 'API_AND_CONFIG_MAP',
        bootstrap_cluster_creator_admin_permissions: false,
      };
    },
    problem: 'authentication mode is API_AND_CONFIG_MAP',
  },
  {
    rule: 'EKS-009',
    scanners: '',
    env: 'test',
    component: 'eks-infra',
    type: 'aws_eks_addon',
    path: 'vpc-cni',
    mutate: (c) => {
      c.configuration_values = '{}';
    },
    problem: 'network policy enforcement is off',
  },
  {
    rule: 'EKS-010',
    scanners: ' (CKV_AWS_339)',
    env: 'test',
    component: 'eks-infra',
    type: 'aws_eks_cluster',
    path: 'cluster/cluster',
    mutate: (c) => {
      c.version = '1.29';
    },
    problem: 'version 1.29 is not pinned to one in standard support',
  },
  {
    rule: 'REL-002',
    scanners: '',
    env: 'prod',
    component: 'eks-infra',
    type: 'aws_eks_node_group',
    path: 'node-group',
    mutate: (c) => {
      c.subnet_ids = (c.subnet_ids as string[]).slice(0, 2);
    },
    problem: 'spans 2 subnet(s)',
  },
  {
    rule: 'RDS-001',
    scanners: ' (CKV_AWS_16 / AVD-AWS-0080)',
    env: 'test',
    component: 'rds',
    type: 'aws_db_instance',
    path: 'postgres/instance',
    mutate: (c) => {
      c.storage_encrypted = false;
    },
    problem: 'storage is not encrypted with a customer-managed key',
  },
  {
    rule: 'RDS-002',
    scanners: ' (CKV_AWS_17 / AVD-AWS-0082)',
    env: 'test',
    component: 'rds',
    type: 'aws_db_instance',
    path: 'postgres/instance',
    mutate: (c) => {
      c.publicly_accessible = true;
    },
    problem: 'is publicly accessible',
  },
  {
    rule: 'RDS-003',
    scanners: ' (CKV_AWS_157)',
    env: 'prod',
    component: 'rds',
    type: 'aws_db_instance',
    path: 'postgres/instance',
    mutate: (c) => {
      c.multi_az = false;
    },
    problem: 'has no Multi-AZ standby',
  },
  {
    rule: 'RDS-004',
    scanners: ' (CKV_AWS_133 / AVD-AWS-0077)',
    env: 'prod',
    component: 'rds',
    type: 'aws_db_instance',
    path: 'postgres/instance',
    mutate: (c) => {
      c.backup_retention_period = 3;
    },
    problem: 'keeps 3 day(s) of backups',
  },
  {
    rule: 'RDS-005',
    scanners: ' (CKV_AWS_293)',
    env: 'test',
    component: 'rds',
    type: 'aws_db_instance',
    path: 'postgres/instance',
    mutate: (c) => {
      c.skip_final_snapshot = true;
    },
    problem: 'no final snapshot is taken on delete',
  },
  {
    rule: 'RDS-006',
    scanners: ' (CKV_AWS_161)',
    env: 'test',
    component: 'rds',
    type: 'aws_db_instance',
    path: 'postgres/instance',
    mutate: (c) => {
      c.iam_database_authentication_enabled = false;
    },
    problem: 'IAM authentication is off',
  },
  {
    rule: 'RDS-007',
    scanners: ' (CKV2_AWS_69)',
    env: 'test',
    component: 'rds',
    type: 'aws_db_parameter_group',
    path: 'parameter-group',
    mutate: (c) => {
      c.parameter = (c.parameter as Json[]).filter((p) => p.name !== 'rds.force_ssl');
    },
    problem: 'its parameter group does not set rds.force_ssl = 1',
    reported: { type: 'aws_db_instance', path: 'postgres/instance' },
  },
  {
    rule: 'RDS-008',
    scanners: ' (CKV_AWS_353 / CKV_AWS_354 / AVD-AWS-0133)',
    env: 'test',
    component: 'rds',
    type: 'aws_db_instance',
    path: 'postgres/instance',
    mutate: (c) => {
      delete c.performance_insights_kms_key_id;
    },
    problem: 'Performance Insights is off or not encrypted with our key',
  },
  {
    rule: 'RDS-009',
    scanners: ' (CKV_AWS_129)',
    env: 'test',
    component: 'rds',
    type: 'aws_db_instance',
    path: 'postgres/instance',
    mutate: (c) => {
      c.enabled_cloudwatch_logs_exports = [];
    },
    problem: 'the postgresql log is not exported',
  },
  {
    rule: 'RDS-010',
    scanners: ' (CKV_AWS_118)',
    env: 'test',
    component: 'rds',
    type: 'aws_db_instance',
    path: 'postgres/instance',
    mutate: (c) => {
      c.monitoring_interval = 0;
    },
    problem: 'Enhanced Monitoring is off',
  },
  {
    rule: 'RDS-011',
    scanners: ' (CKV_AWS_226)',
    env: 'test',
    component: 'rds',
    type: 'aws_db_instance',
    path: 'postgres/instance',
    mutate: (c) => {
      c.auto_minor_version_upgrade = false;
    },
    problem: 'automatic minor upgrades are off',
  },
  {
    rule: 'RDS-012',
    scanners: '',
    env: 'test',
    component: 'rds',
    type: 'aws_db_instance',
    path: 'postgres/instance',
    mutate: (c) => {
      c.password = 'hunter2hunter2';
    },
    problem: 'a master password is set in configuration',
  },
  {
    rule: 'REL-003',
    scanners: '',
    env: 'prod',
    component: 'rds',
    type: 'aws_db_instance',
    path: 'postgres/instance',
    mutate: (c) => {
      c.lifecycle = { prevent_destroy: false };
    },
    problem: 'lifecycle prevent_destroy is not set',
  },
  {
    rule: 'IAM-001',
    scanners: ' (CKV_AWS_1 / CKV_AWS_62 / CKV_AWS_355 / AVD-AWS-0057)',
    env: 'test',
    component: 'eks-infra',
    type: 'aws_iam_role_policy',
    path: 'external-secrets/policy',
    mutate: (c) => setPolicy(c, { Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: '*' }),
    problem: 'statement Everything: allows * on *',
  },
  {
    rule: 'IAM-002',
    scanners: ' (CKV_AWS_274)',
    env: 'test',
    component: 'eks-infra',
    type: 'aws_iam_role_policy_attachment',
    path: 'ebs-csi-driver/managed-policy-0',
    mutate: (c) => {
      c.policy_arn = 'arn:aws:iam::aws:policy/AdministratorAccess';
    },
    problem: 'attaches AdministratorAccess',
  },
  {
    rule: 'IAM-003',
    scanners: ' (CKV_AWS_286)',
    env: 'test',
    component: 'eks-infra',
    type: 'aws_iam_role_policy',
    path: 'log-shipping/policy',
    mutate: (c) =>
      setPolicy(c, { Sid: 'Pass', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }),
    problem: 'statement Pass: allows iam:PassRole on *',
  },
  {
    rule: 'IAM-004',
    scanners: ' (CKV_AWS_290)',
    env: 'test',
    component: 'eks-infra',
    type: 'aws_iam_role_policy',
    path: 'log-shipping/policy',
    mutate: (c) =>
      setPolicy(c, { Sid: 'Write', Effect: 'Allow', Action: ['s3:PutObject'], Resource: '*' }),
    problem: 'statement Write: allows s3:PutObject on * without a condition',
  },
  {
    rule: 'IAM-005',
    scanners: '',
    env: 'test',
    component: 'eks-infra',
    type: 'aws_iam_role',
    path: 'external-secrets/role',
    mutate: (c) => {
      c.assume_role_policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
          },
        ],
      });
    },
    problem: 'trusts EKS Pod Identity without naming a namespace and service account',
  },
  {
    rule: 'LOG-001',
    scanners: ' (CKV_AWS_338)',
    env: 'prod',
    component: 'network',
    type: 'aws_cloudwatch_log_group',
    path: 'flow-logs/log-group',
    mutate: (c) => {
      c.retention_in_days = 30;
    },
    problem: 'keeps logs 30 days in production',
  },
  {
    rule: 'LOG-002',
    scanners: ' (CKV_AWS_158 / AVD-AWS-0017)',
    env: 'test',
    component: 'network',
    type: 'aws_cloudwatch_log_group',
    path: 'flow-logs/log-group',
    mutate: (c) => {
      delete c.kms_key_id;
    },
    problem: 'is not encrypted with a KMS key',
  },
  {
    rule: 'SNS-001',
    scanners: ' (CKV_AWS_26 / AVD-AWS-0095)',
    env: 'test',
    component: 'rds',
    type: 'aws_sns_topic',
    path: 'alarms/topic',
    mutate: (c) => {
      delete c.kms_master_key_id;
    },
    problem: 'is not encrypted',
  },
  {
    rule: 'SQS-001',
    scanners: ' (CKV_AWS_27 / AVD-AWS-0096)',
    env: 'test',
    component: 'eks-infra',
    type: 'aws_sqs_queue',
    path: 'interruption-queue',
    mutate: (c) => {
      c.sqs_managed_sse_enabled = false;
    },
    problem: 'is not encrypted',
  },
  {
    rule: 'REL-004',
    scanners: '',
    env: 'test',
    component: 'tfstate',
    type: 'aws_dynamodb_table',
    path: 'lock-table/table',
    mutate: (c) => {
      delete c.lifecycle;
    },
    problem: 'lifecycle prevent_destroy is not set',
  },
];

describe('policy rules', () => {
  it('the real stacks of both environments have no unsuppressed finding', () => {
    for (const [stack, json] of Object.entries(documents)) {
      const env = stack.split('-')[0] as 'test' | 'prod';
      const context = policyContext(configs[env]);
      const failed = evaluate(
        stackView(stack, json, context),
        context.rules,
        context.suppressions,
      ).filter((f) => !f.suppressedBecause);
      expect(failed.map(formatFinding), stack).toEqual([]);
    }
  });

  it('has a violating fixture for every rule', () => {
    expect(cases.map((c) => c.rule).sort()).toEqual(rules.map((r) => r.id).sort());
  });

  it.each(cases)('$rule catches a violation in $env-$component', (c) => {
    const stack = `${c.env}-${c.component}`;
    const reported = c.reported ?? { type: c.type, path: c.path };
    const [address] = find(documents[stack], reported.type, reported.path);
    const expected = `${c.rule}${c.scanners} ${stack} ${address}: ${c.problem}. Fix: ${fixOf(c.rule)}`;
    const findings = findingsAfter(c.env, c.component, (json) => {
      const [, target] = find(json, c.type, c.path);
      c.mutate(target, json);
    });
    expect(findings).toContain(expected);
  });
});
