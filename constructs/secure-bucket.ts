import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import {
  policyDocument,
  type PolicyDocument,
  type PolicyStatement,
  toJson,
} from './iam/policy-document';

/** Server-side encryption of a bucket: a customer-managed KMS key, or S3-managed keys. */
export type BucketEncryption =
  | { readonly kmsKeyArn: string }
  /**
   * SSE-S3, only for buckets that must accept deliveries KMS cannot serve (S3 server access logs
   * are refused by a target bucket with SSE-KMS default encryption). `reason` says which.
   */
  | { readonly s3Managed: true; readonly reason: string };

/** Where the bucket's server access logs go, or why there are none. */
export type BucketAccessLogging =
  | { readonly targetBucket: string; readonly targetPrefix: string }
  | { readonly disabledReason: string };

export interface SecureBucketProps {
  readonly bucketName: string;
  readonly encryption: BucketEncryption;
  readonly accessLogging: BucketAccessLogging;
  /** Days before a superseded object version is deleted. */
  readonly noncurrentVersionExpirationDays: number;
  /**
   * Days before a current object expires (for log buckets).
   * @default - current objects never expire
   */
  readonly currentVersionExpirationDays?: number;
  /**
   * Refuse `terraform destroy` of the bucket (lifecycle `prevent_destroy`).
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Statements added to the bucket policy after the deny-insecure-transport ones, e.g. a grant
   * to the S3 logging service.
   * @default - none
   */
  readonly additionalPolicyStatements?: readonly PolicyStatement[];
}

/**
 * An S3 bucket with every guardrail on: versioning, default encryption, all public access
 * blocked, ACLs disabled (`BucketOwnerEnforced`), a policy that denies plain HTTP and TLS below
 * 1.2, expiry of old versions and incomplete uploads, access logging (or a stated reason not to),
 * and `prevent_destroy`.
 */
export class SecureBucket extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly bucketId: string;
  public readonly policy: PolicyDocument;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const preventDestroy = props.preventDestroy ?? true;

    const bucket = new S3Bucket(this, 'bucket', {
      bucket: props.bucketName,
      forceDestroy: false,
      lifecycle: { preventDestroy },
    });
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.bucketId = bucket.id;

    new S3BucketVersioningA(this, 'versioning', {
      bucket: bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });

    const encryption = props.encryption;
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: bucket.id,
      rule: [
        'kmsKeyArn' in encryption
          ? {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: 'aws:kms',
                kmsMasterKeyId: encryption.kmsKeyArn,
              },
              // One data key per bucket instead of per object: far fewer KMS calls.
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
      ],
    });

    const publicAccessBlock = new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });

    new S3BucketOwnershipControls(this, 'ownership', {
      bucket: bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });

    this.policy = policyDocument(
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucket.arn, `${bucket.arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'DenyOutdatedTls',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucket.arn, `${bucket.arn}/*`],
        Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
      },
      ...(props.additionalPolicyStatements ?? []),
    );
    new S3BucketPolicy(this, 'policy', {
      bucket: bucket.id,
      policy: toJson(this.policy),
      // Applying a policy while the public access block is being created can be refused.
      dependsOn: [publicAccessBlock],
    });

    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: bucket.id,
      rule: [
        {
          id: 'expire-noncurrent-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
          ...(props.currentVersionExpirationDays === undefined
            ? {}
            : { expiration: [{ days: props.currentVersionExpirationDays }] }),
        },
      ],
    });

    if ('targetBucket' in props.accessLogging) {
      new S3BucketLoggingA(this, 'access-logging', {
        bucket: bucket.id,
        targetBucket: props.accessLogging.targetBucket,
        targetPrefix: props.accessLogging.targetPrefix,
      });
    } else {
      // Recorded in the construct tree so reviewers (and policy checks) see the reason.
      this.node.addMetadata('accessLoggingDisabledReason', props.accessLogging.disabledReason);
    }
  }
}
