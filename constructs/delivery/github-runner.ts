import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CodebuildProject } from '@cdktf/provider-aws/lib/codebuild-project';
import { CodebuildWebhook } from '@cdktf/provider-aws/lib/codebuild-webhook';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { Tokenization } from 'cdktf';
import { Construct } from 'constructs';
import { serviceTrustPolicy, toJson } from '../iam/policy-document';
import { cloudWatchLogsKeyStatement, EncryptionKey } from '../kms-key';
import { runnerLabelPrefix, runnerProjectName } from './names';
import { runnerServicePolicy } from './runner-policy';

/** A Linux build image CodeBuild manages: Amazon Linux 2023, standard image 5.0 (x86_64). */
export const DEFAULT_RUNNER_IMAGE = 'aws/codebuild/amazonlinux-x86_64-standard:5.0';
/** 4 vCPU, 7 GB: room for `npm ci`, a synth and a Terraform plan at once. */
export const DEFAULT_RUNNER_COMPUTE_TYPE = 'BUILD_GENERAL1_MEDIUM';

/** `owner/name` as GitHub allows them. */
const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
/** CodeBuild accepts at most 16 subnets and 5 security groups in a project's VPC config. */
const MAX_SUBNETS = 16;
const MAX_SECURITY_GROUPS = 5;

export interface GithubRunnerProps {
  /** The environment the runner deploys (`test`, `prod`): it names the project and the label. */
  readonly environmentName: string;
  /** The account the runner lives in. */
  readonly accountId: string;
  /** The region the runner lives in. */
  readonly region: string;
  /** Days the build logs are kept. */
  readonly logRetentionDays: number;
  /** The GitHub repository whose workflow jobs the runner takes, `<owner>/<name>`. */
  readonly repository: string;
  /**
   * The CodeConnections (GitHub App) connection CodeBuild reaches GitHub with (created in the
   * environment's tfstate stack, authorized once by a person in the console).
   */
  readonly connectionArn: string;
  /** The environment's VPC. */
  readonly vpcId: string;
  /** The private subnets the builds run in (their route out is the NAT gateway). */
  readonly subnetIds: readonly string[];
  /**
   * Security groups the builds carry beside the runner's own (which allows HTTPS out): the API
   * client security group, so that the runner reaches the private Kubernetes API.
   */
  readonly securityGroupIds: readonly string[];
  /**
   * The key that encrypts the build logs. Its policy must let CloudWatch Logs use it for the
   * runner's log group (`cloudWatchLogsKeyStatement`).
   * @default - a key of the runner's own, which admits only its log group
   */
  readonly kmsKey?: Pick<EncryptionKey, 'keyArn'>;
  /** @default DEFAULT_RUNNER_IMAGE */
  readonly image?: string;
  /** @default DEFAULT_RUNNER_COMPUTE_TYPE */
  readonly computeType?: string;
  /**
   * Minutes a job may run before CodeBuild stops it (5 to 2160).
   * @default 60
   */
  readonly buildTimeoutMinutes?: number;
  /**
   * Minutes a job may wait for capacity before CodeBuild gives up on it (5 to 480).
   * @default 60
   */
  readonly queuedTimeoutMinutes?: number;
  /**
   * Jobs that may run at once in this project. A build started past a project's limit fails at
   * once (CodeBuild's Builds page: "builds return an error if the number of running builds
   * reaches the concurrent build limit"), and its GitHub job then waits for a runner that never
   * comes; without a limit, builds past the account's concurrency queue for
   * `queuedTimeoutMinutes`. Set one only to cap the cost of a runaway workflow.
   * @default - none: the account's concurrency, then the queue
   */
  readonly concurrentBuildLimit?: number;
}

/**
 * CodeBuild-hosted GitHub Actions runners in an environment's private subnets, for the jobs that
 * talk to the cluster API (eks-k8s, the services). A webhook turns each queued workflow job
 * whose `runs-on` names the project (`codebuild-<project>-<run_id>-<run_attempt>`) into a build
 * that registers an ephemeral runner for that one job.
 *
 * The service role can write the build logs, manage the build's network interfaces in the given
 * subnets and use the one GitHub connection: nothing else. Jobs get their AWS credentials from
 * GitHub's OIDC token (the plan and deploy roles). The build container can reach this role's
 * credentials too, so it holds nothing a job could deploy with; it does let a job ask for the
 * connection's GitHub token, as CodeBuild needs it to register the runner.
 *
 * The webhook is created through the connection: the connection must be authorized (AVAILABLE)
 * before this construct is first applied.
 */
export class GithubRunner extends Construct {
  /** The CodeBuild project, `platform-<env>-gha-runner`. */
  public readonly projectName: string;
  public readonly projectArn: string;
  /** What a job's `runs-on` starts with; append `-${{ github.run_id }}-${{ github.run_attempt }}`. */
  public readonly runnerLabelPrefix: string;
  public readonly roleArn: string;
  public readonly roleName: string;
  public readonly logGroupName: string;
  /** The runner's own security group: HTTPS out (GitHub, registries, AWS APIs), nothing in. */
  public readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: GithubRunnerProps) {
    super(scope, id);
    const image = props.image ?? DEFAULT_RUNNER_IMAGE;
    const computeType = props.computeType ?? DEFAULT_RUNNER_COMPUTE_TYPE;
    const buildTimeout = props.buildTimeoutMinutes ?? 60;
    const queuedTimeout = props.queuedTimeoutMinutes ?? 60;
    const concurrentBuildLimit = props.concurrentBuildLimit;
    checkProps(id, props, { buildTimeout, queuedTimeout, concurrentBuildLimit });

    const name = runnerProjectName(props.environmentName);
    const projectArn = `arn:aws:codebuild:${props.region}:${props.accountId}:project/${name}`;
    const logGroupName = `/aws/codebuild/${name}`;
    const logGroupArn = `arn:aws:logs:${props.region}:${props.accountId}:log-group:${logGroupName}`;

    const keyArn =
      props.kmsKey?.keyArn ??
      new EncryptionKey(this, 'logs-key', {
        description: `Build logs of the ${name} GitHub Actions runner`,
        alias: `${name}-logs`,
        accountId: props.accountId,
        serviceStatements: [cloudWatchLogsKeyStatement(props.region, logGroupArn)],
      }).keyArn;
    // The cluster's retention: these logs are the record of what was applied to it.
    const logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: keyArn,
    });

    // The API client group allows only 443 to the cluster; the runner needs its own way out.
    const securityGroup = new SecurityGroup(this, 'security-group', {
      name,
      description: `GitHub Actions runner ${name}: HTTPS out, nothing in`,
      vpcId: props.vpcId,
      tags: { Name: name },
    });
    new VpcSecurityGroupEgressRule(this, 'https-out', {
      securityGroupId: securityGroup.id,
      cidrIpv4: '0.0.0.0/0',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'GitHub, package and provider registries, AWS APIs',
    });

    const role = new IamRole(this, 'service-role', {
      name,
      description: `CodeBuild service role of the ${name} GitHub Actions runner`,
      assumeRolePolicy: toJson(
        serviceTrustPolicy('codebuild.amazonaws.com', props.accountId, projectArn),
      ),
    });
    const policy = new IamRolePolicy(this, 'service-policy', {
      name,
      role: role.id,
      policy: toJson(
        runnerServicePolicy({
          region: props.region,
          accountId: props.accountId,
          logGroupArn: logGroup.arn,
          subnetIds: props.subnetIds,
          securityGroupIds: [securityGroup.id, ...props.securityGroupIds],
          connectionArn: props.connectionArn,
        }),
      ),
    });

    const project = new CodebuildProject(this, 'project', {
      name,
      description: `GitHub Actions runners for ${props.repository} in the ${props.environmentName} VPC`,
      serviceRole: role.arn,
      buildTimeout,
      queuedTimeout,
      ...(concurrentBuildLimit === undefined ? {} : { concurrentBuildLimit }),
      source: {
        type: 'GITHUB',
        location: `https://github.com/${props.repository}`,
        gitCloneDepth: 1,
        auth: { type: 'CODECONNECTIONS', resource: props.connectionArn },
      },
      // A runner job checks out what it needs itself; CodeBuild keeps nothing.
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type: 'LINUX_CONTAINER',
        image,
        computeType,
        imagePullCredentialsType: 'CODEBUILD',
        privilegedMode: false,
      },
      vpcConfig: {
        vpcId: props.vpcId,
        subnets: [...props.subnetIds],
        securityGroupIds: [securityGroup.id, ...props.securityGroupIds],
      },
      logsConfig: {
        cloudwatchLogs: { status: 'ENABLED', groupName: logGroup.name },
        s3Logs: { status: 'DISABLED' },
      },
      // CodeBuild checks the VPC config with the role's EC2 permissions when it creates the
      // project: they must exist first.
      dependsOn: [policy],
    });

    new CodebuildWebhook(this, 'webhook', {
      projectName: project.name,
      buildType: 'BUILD',
      filterGroup: [{ filter: [{ type: 'EVENT', pattern: 'WORKFLOW_JOB_QUEUED' }] }],
    });

    this.projectName = project.name;
    this.projectArn = project.arn;
    this.runnerLabelPrefix = runnerLabelPrefix(props.environmentName);
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.logGroupName = logGroup.name;
    this.securityGroupId = securityGroup.id;
  }
}

function checkProps(
  id: string,
  props: GithubRunnerProps,
  resolved: { buildTimeout: number; queuedTimeout: number; concurrentBuildLimit?: number },
): void {
  const fail = (path: string, value: unknown, fix: string): never => {
    throw new Error(`GithubRunner ${id}: ${path} ${fix}, got ${JSON.stringify(value)}`);
  };
  if (!REPOSITORY.test(props.repository)) {
    fail('repository', props.repository, 'must be "<owner>/<name>" (e.g. acme/platform-infra)');
  }
  // Each subnet becomes an ARN in the role's policy, so the ids must be elements, not one token
  // standing for a whole list.
  if (Tokenization.reverseList([...props.subnetIds])) {
    fail('subnetIds', 'a list token', 'must be an array with one element per subnet');
  }
  if (props.subnetIds.length < 1 || props.subnetIds.length > MAX_SUBNETS) {
    fail('subnetIds', props.subnetIds, `must list 1 to ${MAX_SUBNETS} private subnets`);
  }
  if (props.securityGroupIds.length > MAX_SECURITY_GROUPS - 1) {
    fail(
      'securityGroupIds',
      props.securityGroupIds,
      `may list at most ${MAX_SECURITY_GROUPS - 1} groups (CodeBuild takes ${MAX_SECURITY_GROUPS}, one is the runner's own)`,
    );
  }
  const whole = (path: string, value: number, min: number, max: number): void => {
    if (!Number.isInteger(value) || value < min || value > max) {
      fail(path, value, `must be a whole number from ${min} to ${max}`);
    }
  };
  whole('buildTimeoutMinutes', resolved.buildTimeout, 5, 2160);
  whole('queuedTimeoutMinutes', resolved.queuedTimeout, 5, 480);
  if (resolved.concurrentBuildLimit !== undefined) {
    whole('concurrentBuildLimit', resolved.concurrentBuildLimit, 1, 100);
  }
}
