/**
 * tfstate: the account's bootstrap. Owns the S3 bucket every stack of the environment keeps its
 * state in, the bucket receiving its access logs, the DynamoDB lock table and the KMS key that
 * encrypts them, and the bucket of the shared load balancer's access logs (logs outlive the
 * environment's teardown, as the state does). Reads nothing from other stacks.
 * Also owns the delivery pipeline's identity in the account: GitHub's OIDC provider, the CI plan
 * and deploy roles, and the CodeConnections connection to GitHub (created PENDING; a person
 * authorizes it once in the console). The pipeline plans this stack but never applies it.
 * Read by eks-k8s: the load balancer log bucket. Read by eks-infra: the CI roles (cluster access)
 * and the GitHub connection (its runner).
 *
 * It cannot start in the bucket it creates: the first apply uses local state, then the state is
 * migrated into the bucket (`npm run bootstrap -- <env>`, docs/bootstrap.md).
 */
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { GithubDeliveryIdentity } from '../constructs/delivery/github-oidc';
import {
  type CiRoleKind,
  ciRoleName,
  githubConnectionName,
  githubEnvironmentName,
} from '../constructs/delivery/names';
import { AlbAccessLogBucket } from '../constructs/ingress/access-log-bucket';
import { EncryptionKey } from '../constructs/kms-key';
import { SecureBucket } from '../constructs/secure-bucket';
import { StateLockTable } from '../constructs/state-lock-table';
import { PlatformStack, type PlatformStackProps } from './platform-stack';

export type TfstateStackProps = PlatformStackProps;

export class TfstateStack extends PlatformStack {
  public readonly stateBucket: SecureBucket;
  public readonly accessLogBucket: SecureBucket;
  public readonly lockTable: StateLockTable;
  public readonly stateKey: EncryptionKey;
  /** Where the environment's shared ALB writes its access logs (eks-k8s configures it). */
  public readonly albAccessLogs: AlbAccessLogBucket;
  /** GitHub's OIDC provider, the CI roles and the GitHub connection (docs/delivery.md). */
  public readonly delivery: GithubDeliveryIdentity;
  /**
   * The CI roles' ARNs: `plan` (pull requests, `main`'s plans, drift checks; eks-infra grants it
   * view access) and `deploy` (the pipeline's applies; eks-infra grants it cluster admin).
   */
  public readonly ciRoleArns: Readonly<Record<CiRoleKind, string>>;
  /** The CodeConnections connection to GitHub the CodeBuild runner uses. */
  public readonly githubConnectionArn: string;

  constructor(scope: Construct, id: string, props: TfstateStackProps) {
    super(scope, id, props);
    const { state, accountId, name, region } = this.environment;
    const albLogs = this.environment.k8s.ingress;

    this.stateKey = new EncryptionKey(this, 'state-key', {
      description: `Terraform state of the ${name} environment (bucket ${state.bucketName} and lock table)`,
      alias: state.bucketName,
      accountId,
    });

    this.accessLogBucket = new SecureBucket(this, 'access-log-bucket', {
      bucketName: state.accessLogBucketName,
      encryption: {
        s3Managed: true,
        reason: 'S3 server access log delivery does not support SSE-KMS on the target bucket',
      },
      accessLogging: {
        disabledReason:
          'this is the access log bucket itself: logging it would need another bucket, and so on',
      },
      noncurrentVersionExpirationDays: 30,
      currentVersionExpirationDays: state.accessLogRetentionDays,
      additionalPolicyStatements: [
        {
          Sid: 'AllowServerAccessLogDelivery',
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `arn:aws:s3:::${state.accessLogBucketName}/state-bucket/*`,
          Condition: {
            ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${state.bucketName}` },
            StringEquals: { 'aws:SourceAccount': accountId },
          },
        },
        {
          Sid: 'AllowAlbLogBucketAccessLogDelivery',
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `arn:aws:s3:::${state.accessLogBucketName}/alb-access-logs/*`,
          Condition: {
            ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${albLogs.accessLogBucketName}` },
            StringEquals: { 'aws:SourceAccount': accountId },
          },
        },
      ],
    });

    this.stateBucket = new SecureBucket(this, 'state-bucket', {
      bucketName: state.bucketName,
      encryption: { kmsKeyArn: this.stateKey.keyArn },
      accessLogging: { targetBucket: this.accessLogBucket.bucketId, targetPrefix: 'state-bucket/' },
      noncurrentVersionExpirationDays: state.noncurrentVersionRetentionDays,
    });

    this.albAccessLogs = new AlbAccessLogBucket(this, 'alb-access-logs', {
      bucketName: albLogs.accessLogBucketName,
      accountId,
      region,
      prefix: name,
      retentionDays: albLogs.accessLogRetentionDays,
      accessLogging: {
        targetBucket: this.accessLogBucket.bucketId,
        targetPrefix: 'alb-access-logs/',
      },
    });

    this.lockTable = new StateLockTable(this, 'lock-table', {
      tableName: state.lockTableName,
      kmsKeyArn: this.stateKey.keyArn,
    });

    this.delivery = new GithubDeliveryIdentity(this, 'github-delivery', {
      accountId,
      repository: this.environment.delivery.repository,
      githubEnvironment: githubEnvironmentName(name),
      planRoleName: ciRoleName(name, 'plan'),
      deployRoleName: ciRoleName(name, 'deploy'),
      state: {
        bucketArn: this.stateBucket.bucketArn,
        bucketName: state.bucketName,
        keyPrefix: name,
        lockTableArn: this.lockTable.tableArn,
        kmsKeyArn: this.stateKey.keyArn,
      },
      connectionName: githubConnectionName(name),
    });
    this.ciRoleArns = { plan: this.delivery.planRoleArn, deploy: this.delivery.deployRoleArn };
    this.githubConnectionArn = this.delivery.connectionArn;

    new TerraformOutput(this, 'state_bucket_name', { value: this.stateBucket.bucketName });
    new TerraformOutput(this, 'lock_table_name', { value: this.lockTable.tableName });
    new TerraformOutput(this, 'state_kms_key_arn', {
      value: this.stateKey.keyArn,
      description: 'Set environments.<env>.state.kmsKeyArn to this value.',
    });
    new TerraformOutput(this, 'ci_plan_role_arn', { value: this.ciRoleArns.plan });
    new TerraformOutput(this, 'ci_deploy_role_arn', { value: this.ciRoleArns.deploy });
    new TerraformOutput(this, 'github_connection_arn', {
      value: this.githubConnectionArn,
      description:
        'Created PENDING: complete the GitHub handshake once in the console (Developer Tools > Settings > Connections).',
    });
  }
}
