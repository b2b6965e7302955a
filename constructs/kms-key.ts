import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import {
  policyDocument,
  type PolicyDocument,
  type PolicyStatement,
  toJson,
} from './iam/policy-document';

export interface EncryptionKeyProps {
  /** What the key protects; shown in the console. */
  readonly description: string;
  /** Alias without the `alias/` prefix. */
  readonly alias: string;
  /** Account that owns the key; its IAM policies govern use of the key. */
  readonly accountId: string;
  /**
   * Extra key policy statements, for services that need a grant in the key policy itself
   * (CloudWatch Logs does; S3 and DynamoDB act with the caller's IAM permissions).
   * @default - none
   */
  readonly serviceStatements?: readonly PolicyStatement[];
  /**
   * Waiting period before a scheduled deletion completes.
   * @default 30
   */
  readonly deletionWindowInDays?: number;
}

/**
 * A customer-managed KMS key with yearly automatic rotation and an alias. Its policy delegates to
 * IAM in the owning account (the AWS default key policy) plus any service statements; it never
 * grants `kms:*` to `*`.
 */
export class EncryptionKey extends Construct {
  public readonly keyArn: string;
  public readonly keyId: string;
  public readonly aliasArn: string;
  public readonly aliasName: string;
  public readonly policy: PolicyDocument;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    this.policy = policyDocument(
      {
        Sid: 'EnableIamPolicies',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${props.accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      ...(props.serviceStatements ?? []),
    );
    const key = new KmsKey(this, 'key', {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      policy: toJson(this.policy),
    });
    this.aliasName = `alias/${props.alias}`;
    const alias = new KmsAlias(this, 'alias', { name: this.aliasName, targetKeyId: key.keyId });
    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.aliasArn = alias.arn;
  }
}

/**
 * The key policy statement that lets CloudWatch Logs in `region` use a key, only for log groups
 * whose ARN matches `logGroupArnPattern` (an exact ARN, or one ending in `*`).
 */
export function cloudWatchLogsKeyStatement(
  region: string,
  logGroupArnPattern: string,
): PolicyStatement {
  return {
    Sid: 'AllowCloudWatchLogsForTheseLogGroups',
    Effect: 'Allow',
    Principal: { Service: `logs.${region}.amazonaws.com` },
    Action: [
      'kms:Encrypt*',
      'kms:Decrypt*',
      'kms:ReEncrypt*',
      'kms:GenerateDataKey*',
      'kms:Describe*',
    ],
    Resource: '*',
    Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': logGroupArnPattern } },
  };
}
