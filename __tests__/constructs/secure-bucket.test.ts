import { describe, expect, it } from 'vitest';
import { SecureBucket, type SecureBucketProps } from '../../constructs/secure-bucket';
import {
  expectResource,
  onlyResource,
  policyOf,
  resourcesOf,
  synthConstruct,
} from '../helpers/synth';

const kmsBucket: SecureBucketProps = {
  bucketName: 'my-bucket',
  encryption: { kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/abc' },
  accessLogging: { targetBucket: 'log-bucket', targetPrefix: 'my-bucket/' },
  noncurrentVersionExpirationDays: 45,
};

describe('SecureBucket', () => {
  const json = synthConstruct((scope) => new SecureBucket(scope, 'bucket', kmsBucket));

  it('refuses destroy and force-destroy', () => {
    expectResource(json, 'aws_s3_bucket', {
      bucket: 'my-bucket',
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  it('versions objects', () => {
    expectResource(json, 'aws_s3_bucket_versioning', {
      versioning_configuration: { status: 'Enabled' },
    });
  });

  it('encrypts with the given KMS key and a bucket key', () => {
    expectResource(json, 'aws_s3_bucket_server_side_encryption_configuration', {
      rule: [
        {
          apply_server_side_encryption_by_default: {
            sse_algorithm: 'aws:kms',
            kms_master_key_id: 'arn:aws:kms:eu-west-1:111111111111:key/abc',
          },
          bucket_key_enabled: true,
        },
      ],
    });
  });

  it('blocks all public access and disables ACLs', () => {
    expectResource(json, 'aws_s3_bucket_public_access_block', {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expectResource(json, 'aws_s3_bucket_ownership_controls', {
      rule: { object_ownership: 'BucketOwnerEnforced' },
    });
  });

  it('denies requests without TLS and with TLS below 1.2', () => {
    const policy = policyOf(onlyResource(json, 'aws_s3_bucket_policy'));
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
      }),
    );
  });

  it('expires noncurrent versions and incomplete uploads, but never current objects', () => {
    const lifecycle = onlyResource(json, 'aws_s3_bucket_lifecycle_configuration');
    expect(lifecycle.rule).toEqual([
      expect.objectContaining({
        status: 'Enabled',
        noncurrent_version_expiration: [{ noncurrent_days: 45 }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
      }),
    ]);
    expect((lifecycle.rule as Record<string, unknown>[])[0].expiration).toBeUndefined();
  });

  it('sends access logs to the target bucket', () => {
    expectResource(json, 'aws_s3_bucket_logging', {
      target_bucket: 'log-bucket',
      target_prefix: 'my-bucket/',
    });
  });

  it('uses SSE-S3, expires logs and writes no logging resource when logging is disabled with a reason', () => {
    const logJson = synthConstruct(
      (scope) =>
        new SecureBucket(scope, 'logs', {
          ...kmsBucket,
          encryption: { s3Managed: true, reason: 'log delivery' },
          accessLogging: { disabledReason: 'it is the log bucket' },
          currentVersionExpirationDays: 90,
        }),
    );
    expectResource(logJson, 'aws_s3_bucket_server_side_encryption_configuration', {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    });
    expect(resourcesOf(logJson, 'aws_s3_bucket_logging')).toHaveLength(0);
    expect(onlyResource(logJson, 'aws_s3_bucket_lifecycle_configuration').rule).toEqual([
      expect.objectContaining({ expiration: [{ days: 90 }] }),
    ]);
  });
});
