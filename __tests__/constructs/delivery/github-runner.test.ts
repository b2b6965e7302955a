import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Fn, TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RUNNER_IMAGE,
  GithubRunner,
  type GithubRunnerProps,
} from '../../../constructs/delivery/github-runner';
import { runnerLabelPrefix } from '../../../constructs/delivery/names';
import { EKS_STANDARD_SUPPORT } from '../../../constructs/eks/platform-cluster';
import { formatFinding } from '../../../constructs/policy/engine';
import { checkStack } from '../../../constructs/policy/policy-aspect';
import { allRules } from '../../../constructs/policy/rules';
import type { EnvironmentConfig } from '../../../environments';
import { POLICY_SUPPRESSIONS } from '../../../environments/policy-suppressions';
import { PlatformStack } from '../../../stacks/platform-stack';
import { prodEnv, testEnv } from '../../helpers/environments';
import {
  expectResource,
  onlyResource,
  onlyResourceName,
  policyOf,
  type SynthJson,
  synthStack,
} from '../../helpers/synth';

const CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0b7e4a2c-5d1f';
const SUBNETS = ['subnet-aaa', 'subnet-bbb'];
const API_CLIENTS = 'sg-api-clients';

const props = (
  environment: EnvironmentConfig,
  extra: Partial<GithubRunnerProps> = {},
): GithubRunnerProps => ({
  environmentName: environment.name,
  accountId: environment.accountId,
  region: environment.region,
  logRetentionDays: environment.eks.logRetentionDays,
  repository: 'acme/platform-infra',
  connectionArn: CONNECTION,
  vpcId: 'vpc-123',
  subnetIds: SUBNETS,
  securityGroupIds: [API_CLIENTS],
  ...extra,
});

/** The runner in the environment's eks-infra stack, as the app places it. */
function build(
  environment: EnvironmentConfig,
  extra: Partial<GithubRunnerProps> = {},
): { stack: PlatformStack; runner: GithubRunner; json: SynthJson } {
  const stack = new PlatformStack(Testing.app(), 'eks-infra', { environment });
  const runner = new GithubRunner(stack, 'github-runner', props(environment, extra));
  return { stack, runner, json: synthStack(stack) };
}

describe('GithubRunner', () => {
  const { runner, json } = build(testEnv());
  const project = onlyResource(json, 'aws_codebuild_project');
  const groupRef = `\${aws_security_group.${onlyResourceName(json, 'aws_security_group')}.id}`;

  it('names the project and the runs-on label after the environment', () => {
    expect(project.name).toBe('platform-test-gha-runner');
    expect(runner.runnerLabelPrefix).toBe('codebuild-platform-test-gha-runner');
    expect(runner.runnerLabelPrefix).toBe(runnerLabelPrefix('test'));
    expect(runner.projectName).toMatch(/^\$\{TfToken\[/);
  });

  it('takes its source from the repository through the CodeConnections connection', () => {
    expect(project.source).toEqual({
      type: 'GITHUB',
      location: 'https://github.com/acme/platform-infra',
      git_clone_depth: 1,
      auth: { type: 'CODECONNECTIONS', resource: CONNECTION },
    });
    expect(project.artifacts).toEqual({ type: 'NO_ARTIFACTS' });
  });

  it('builds in an unprivileged Linux container of a current managed image', () => {
    expect(project.environment).toEqual({
      type: 'LINUX_CONTAINER',
      image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
      compute_type: 'BUILD_GENERAL1_MEDIUM',
      image_pull_credentials_type: 'CODEBUILD',
      privileged_mode: false,
    });
    expect(DEFAULT_RUNNER_IMAGE).toBe('aws/codebuild/amazonlinux-x86_64-standard:5.0');
  });

  it('runs in the private subnets with its own group and the API client group', () => {
    expect(project.vpc_config).toEqual({
      vpc_id: 'vpc-123',
      subnets: SUBNETS,
      security_group_ids: [groupRef, API_CLIENTS],
    });
  });

  it("bounds each job, and queues jobs past the account's concurrency rather than failing them", () => {
    expect(project).toMatchObject({ build_timeout: 60, queued_timeout: 60 });
    // A project limit fails the builds past it, leaving their GitHub jobs without a runner.
    expect(project).not.toHaveProperty('concurrent_build_limit');
  });

  it('is created after its role may manage network interfaces (CodeBuild checks the VPC config)', () => {
    expect(project.depends_on).toEqual([
      `aws_iam_role_policy.${onlyResourceName(json, 'aws_iam_role_policy')}`,
    ]);
  });

  it('logs to its own log group only', () => {
    const logGroup = onlyResourceName(json, 'aws_cloudwatch_log_group');
    expect(project.logs_config).toEqual({
      cloudwatch_logs: {
        status: 'ENABLED',
        group_name: `\${aws_cloudwatch_log_group.${logGroup}.name}`,
      },
      s3_logs: { status: 'DISABLED' },
    });
  });

  it('turns each queued workflow job into a build', () => {
    expect(onlyResource(json, 'aws_codebuild_webhook')).toEqual({
      project_name: `\${aws_codebuild_project.${onlyResourceName(json, 'aws_codebuild_project')}.name}`,
      build_type: 'BUILD',
      filter_group: [{ filter: [{ type: 'EVENT', pattern: 'WORKFLOW_JOB_QUEUED' }] }],
    });
  });

  describe('log group', () => {
    it("keeps the logs as long as the environment keeps the cluster's", () => {
      expect(onlyResource(json, 'aws_cloudwatch_log_group')).toMatchObject({
        name: '/aws/codebuild/platform-test-gha-runner',
        retention_in_days: 30,
      });
      const prod = onlyResource(build(prodEnv()).json, 'aws_cloudwatch_log_group');
      expect(prod).toMatchObject({
        name: '/aws/codebuild/platform-prod-gha-runner',
        retention_in_days: prodEnv().eks.logRetentionDays,
      });
      expect(prod.retention_in_days).toBe(365);
    });

    it('encrypts them with a key that admits CloudWatch Logs for this log group only', () => {
      const logGroup = onlyResource(json, 'aws_cloudwatch_log_group');
      expect(logGroup.kms_key_id).toBe(
        `\${aws_kms_key.${onlyResourceName(json, 'aws_kms_key')}.arn}`,
      );
      expectResource(json, 'aws_kms_alias', { name: 'alias/platform-test-gha-runner-logs' });
      const statement = policyOf(onlyResource(json, 'aws_kms_key')).Statement.find(
        (s) => s.Sid === 'AllowCloudWatchLogsForTheseLogGroups',
      );
      expect(statement).toMatchObject({
        Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
        Condition: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn':
              'arn:aws:logs:eu-west-1:111111111111:log-group:/aws/codebuild/platform-test-gha-runner',
          },
        },
      });
    });

    it('uses the key it is given instead of making one', () => {
      const given = build(testEnv(), { kmsKey: { keyArn: 'arn:aws:kms:eu-west-1:1:key/given' } });
      expect(given.json.resource?.aws_kms_key).toBeUndefined();
      expect(onlyResource(given.json, 'aws_cloudwatch_log_group').kms_key_id).toBe(
        'arn:aws:kms:eu-west-1:1:key/given',
      );
    });
  });

  it('has a security group that lets HTTPS out and nothing in', () => {
    const group = onlyResource(json, 'aws_security_group');
    expect(group).toMatchObject({ name: 'platform-test-gha-runner', vpc_id: 'vpc-123' });
    expect(group.ingress).toBeUndefined();
    expect(json.resource?.aws_vpc_security_group_ingress_rule).toBeUndefined();
    expect(onlyResource(json, 'aws_vpc_security_group_egress_rule')).toMatchObject({
      security_group_id: groupRef,
      cidr_ipv4: '0.0.0.0/0',
      ip_protocol: 'tcp',
      from_port: 443,
      to_port: 443,
    });
  });

  describe('service role', () => {
    const role = onlyResource(json, 'aws_iam_role');
    const statements = policyOf(onlyResource(json, 'aws_iam_role_policy')).Statement;
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid);
    const subnetArns = SUBNETS.map((id) => `arn:aws:ec2:eu-west-1:111111111111:subnet/${id}`);
    const eni = 'arn:aws:ec2:eu-west-1:111111111111:network-interface/*';

    it('can be assumed only by CodeBuild for this project of this account', () => {
      expect(role.name).toBe('platform-test-gha-runner');
      expect(policyOf(role, 'assume_role_policy').Statement).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'codebuild.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { 'aws:SourceAccount': '111111111111' },
            ArnLike: {
              'aws:SourceArn':
                'arn:aws:codebuild:eu-west-1:111111111111:project/platform-test-gha-runner',
            },
          },
        },
      ]);
    });

    it('grants exactly the logs, network interface and connection statements', () => {
      const logGroup = `\${aws_cloudwatch_log_group.${onlyResourceName(json, 'aws_cloudwatch_log_group')}.arn}`;
      expect(statements).toEqual([
        {
          Sid: 'WriteBuildLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: [logGroup, `${logGroup}:*`],
        },
        {
          Sid: 'DescribeBuildNetwork',
          Effect: 'Allow',
          Action: [
            'ec2:DescribeDhcpOptions',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSecurityGroups',
            'ec2:DescribeSubnets',
            'ec2:DescribeVpcs',
          ],
          Resource: '*',
        },
        {
          Sid: 'CreateBuildNetworkInterfaces',
          Effect: 'Allow',
          Action: 'ec2:CreateNetworkInterface',
          Resource: [
            eni,
            ...subnetArns,
            `arn:aws:ec2:eu-west-1:111111111111:security-group/${groupRef}`,
            `arn:aws:ec2:eu-west-1:111111111111:security-group/${API_CLIENTS}`,
          ],
        },
        {
          Sid: 'DeleteBuildNetworkInterfaces',
          Effect: 'Allow',
          Action: 'ec2:DeleteNetworkInterface',
          Resource: eni,
          Condition: { ArnEquals: { 'ec2:Subnet': subnetArns } },
        },
        {
          Sid: 'LetCodeBuildAttachBuildNetworkInterfaces',
          Effect: 'Allow',
          Action: 'ec2:CreateNetworkInterfacePermission',
          Resource: eni,
          Condition: {
            StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
            ArnEquals: { 'ec2:Subnet': subnetArns },
          },
        },
        {
          Sid: 'UseGitHubConnection',
          Effect: 'Allow',
          Action: [
            'codeconnections:GetConnection',
            'codestar-connections:GetConnection',
            'codeconnections:GetConnectionToken',
            'codestar-connections:GetConnectionToken',
            'codeconnections:UseConnection',
            'codestar-connections:UseConnection',
          ],
          Resource: CONNECTION,
        },
      ]);
    });

    it('names every action (no wildcard) and writes nothing on *', () => {
      for (const s of statements) {
        const actions = [s.Action].flat();
        for (const action of actions) expect(action).not.toContain('*');
        if ([s.Resource].flat().includes('*')) {
          expect(
            actions.every((a) => /^ec2:Describe/.test(a)),
            s.Sid,
          ).toBe(true);
        }
      }
    });

    it('lets CodeBuild attach an interface only in the runner subnets', () => {
      expect(bySid('LetCodeBuildAttachBuildNetworkInterfaces')?.Condition).toEqual({
        StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
        ArnEquals: { 'ec2:Subnet': subnetArns },
      });
    });

    it('has no permission a job would use to deploy (those come from GitHub OIDC roles)', () => {
      const services = new Set(
        statements.flatMap((s) => [s.Action].flat()).map((a) => a.split(':')[0]),
      );
      expect([...services].sort()).toEqual([
        'codeconnections',
        'codestar-connections',
        'ec2',
        'logs',
      ]);
      expect(json.resource?.aws_iam_role_policy_attachment).toBeUndefined();
      expect(role.managed_policy_arns).toBeUndefined();
    });
  });

  describe('policy engine (constructs/policy)', () => {
    const findings = (environment: EnvironmentConfig) =>
      checkStack(build(environment).stack, {
        production: environment.name === 'prod',
        acceptedTradeoffs: environment.policy.acceptedTradeoffs,
        rules: allRules({ supportedKubernetesVersions: Object.keys(EKS_STANDARD_SUPPORT) }),
        suppressions: POLICY_SUPPRESSIONS,
      });

    it('finds nothing, and needs no suppression, in test or in prod', () => {
      for (const environment of [testEnv(), prodEnv()]) {
        expect(findings(environment).map(formatFinding), environment.name).toEqual([]);
      }
    });

    it('would flag AWS’s example, which allows the interface writes on * (what the scoping avoids)', () => {
      const stack = new TerraformStack(Testing.app(), 'prod-eks-infra');
      const role = new IamRole(stack, 'role', { name: 'example', assumeRolePolicy: '{}' });
      new IamRolePolicy(stack, 'example', {
        role: role.id,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface'],
              Resource: '*',
            },
          ],
        }),
      });
      const all = checkStack(stack, {
        production: true,
        acceptedTradeoffs: [],
        rules: allRules({ supportedKubernetesVersions: Object.keys(EKS_STANDARD_SUPPORT) }),
        suppressions: POLICY_SUPPRESSIONS,
      });
      expect(all.map((f) => f.rule.id)).toEqual(['IAM-004']);
    });
  });

  describe('input checks', () => {
    const attempt = (extra: Partial<GithubRunnerProps>) => () =>
      new GithubRunner(
        new TerraformStack(Testing.app(), 'test-eks-infra'),
        'github-runner',
        props(testEnv(), extra),
      );

    it('throws when the repository is not owner/name', () => {
      expect(attempt({ repository: 'https://github.com/acme/platform-infra' })).toThrow(
        'GithubRunner github-runner: repository must be "<owner>/<name>" (e.g. acme/platform-infra), got "https://github.com/acme/platform-infra"',
      );
      expect(attempt({ repository: 'platform-infra' })).toThrow(/repository must be/);
    });

    it('throws when there is no subnet, or more than CodeBuild takes', () => {
      expect(attempt({ subnetIds: [] })).toThrow(
        'GithubRunner github-runner: subnetIds must list 1 to 16 private subnets, got []',
      );
      const many = Array.from({ length: 17 }, (_, i) => `subnet-${i}`);
      expect(attempt({ subnetIds: many })).toThrow(/subnetIds must list 1 to 16/);
    });

    it('throws when the subnets are one token for a whole list', () => {
      const listToken = Fn.tolist(['subnet-a', 'subnet-b']) as unknown as string[];
      expect(attempt({ subnetIds: listToken })).toThrow(
        'subnetIds must be an array with one element per subnet, got "a list token"',
      );
    });

    it('throws when the security groups leave no room for the runner group', () => {
      expect(attempt({ securityGroupIds: ['sg-1', 'sg-2', 'sg-3', 'sg-4', 'sg-5'] })).toThrow(
        /securityGroupIds may list at most 4 groups \(CodeBuild takes 5, one is the runner's own\)/,
      );
    });

    it('throws when a timeout or the concurrency is out of CodeBuild’s range', () => {
      expect(attempt({ buildTimeoutMinutes: 3 })).toThrow(
        'buildTimeoutMinutes must be a whole number from 5 to 2160, got 3',
      );
      expect(attempt({ queuedTimeoutMinutes: 481 })).toThrow(/queuedTimeoutMinutes must be/);
      expect(attempt({ concurrentBuildLimit: 0 })).toThrow(/concurrentBuildLimit must be/);
    });
  });
});

// The real provider's proof of the construct's resources is the offline proof of eks-infra, which
// holds the runner in both environments (plan-offline.test.ts: every resource validated and
// mock-applied): a proof of its own here read the AWS schema once more for the same resources.
