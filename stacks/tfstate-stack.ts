/**
 * tfstate: the account's bootstrap. Owns the S3 bucket every stack of the environment keeps its
 * state in, the bucket receiving its access logs, the DynamoDB lock table and the KMS key that
 * encrypts them, and the bucket of the shared load balancer's access logs (logs outlive the
 * environment's teardown, as the state does). Reads nothing from other stacks.
 * Read by eks-k8s: the load balancer log bucket.
 *
 * It cannot start in the bucket it creates: the first apply uses local state, then the state is
 * migrated into the bucket (`npm run bootstrap -- <env>`, docs/bootstrap.md).
 */
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
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

    new TerraformOutput(this, 'state_bucket_name', { value: this.stateBucket.bucketName });
    new TerraformOutput(this, 'lock_table_name', { value: this.lockTable.tableName });
    new TerraformOutput(this, 'state_kms_key_arn', {
      value: this.stateKey.keyArn,
      description: 'Set environments.<env>.state.kmsKeyArn to this value.',
    });
  }
}
