import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { TfstateStack } from '../../stacks/tfstate-stack';
import { prodEnv } from '../helpers/environments';
import { expectResource, policyOf, resourcesOf, synthStack } from '../helpers/synth';

describe('TfstateStack', () => {
  const stack = new TfstateStack(Testing.app(), 'tfstate', { environment: prodEnv() });
  const json = synthStack(stack);
  const buckets = Object.fromEntries(
    resourcesOf(json, 'aws_s3_bucket').map(([name, b]) => [b.bucket, name]),
  );

  it('creates the state bucket, its access log bucket and the ALB log bucket with the configured names, all protected', () => {
    expect(Object.keys(buckets).sort()).toEqual([
      'acme-platform-alb-logs-prod-222222222222',
      'acme-platform-tfstate-prod-222222222222',
      'acme-platform-tfstate-prod-222222222222-logs',
    ]);
    for (const [, bucket] of resourcesOf(json, 'aws_s3_bucket')) {
      expect(bucket).toMatchObject({ force_destroy: false, lifecycle: { prevent_destroy: true } });
    }
  });

  it('encrypts the state bucket and the lock table with the rotating state key', () => {
    const [keyName, key] = resourcesOf(json, 'aws_kms_key')[0];
    expect(key.enable_key_rotation).toBe(true);
    const keyArn = `\${aws_kms_key.${keyName}.arn}`;
    const stateBucket = buckets['acme-platform-tfstate-prod-222222222222'];
    expectResource(json, 'aws_s3_bucket_server_side_encryption_configuration', {
      bucket: `\${aws_s3_bucket.${stateBucket}.id}`,
      rule: [
        {
          apply_server_side_encryption_by_default: {
            sse_algorithm: 'aws:kms',
            kms_master_key_id: keyArn,
          },
        },
      ],
    });
    expectResource(json, 'aws_dynamodb_table', {
      name: 'acme-platform-tfstate-lock-prod',
      server_side_encryption: { enabled: true, kms_key_arn: keyArn },
    });
  });

  it('logs state bucket access to the log bucket, which admits only S3 log delivery for that bucket', () => {
    const stateBucket = buckets['acme-platform-tfstate-prod-222222222222'];
    const logBucket = buckets['acme-platform-tfstate-prod-222222222222-logs'];
    expectResource(json, 'aws_s3_bucket_logging', {
      bucket: `\${aws_s3_bucket.${stateBucket}.id}`,
      target_bucket: `\${aws_s3_bucket.${logBucket}.id}`,
      target_prefix: 'state-bucket/',
    });
    const logPolicy = resourcesOf(json, 'aws_s3_bucket_policy').find(([, p]) =>
      String(p.bucket).includes(logBucket),
    )!;
    expect(policyOf(logPolicy[1]).Statement).toContainEqual({
      Sid: 'AllowServerAccessLogDelivery',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::acme-platform-tfstate-prod-222222222222-logs/state-bucket/*',
      Condition: {
        ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::acme-platform-tfstate-prod-222222222222' },
        StringEquals: { 'aws:SourceAccount': '222222222222' },
      },
    });
  });

  it('expires noncurrent state versions after the configured days', () => {
    const stateBucket = buckets['acme-platform-tfstate-prod-222222222222'];
    expectResource(json, 'aws_s3_bucket_lifecycle_configuration', {
      bucket: `\${aws_s3_bucket.${stateBucket}.id}`,
      rule: [{ noncurrent_version_expiration: [{ noncurrent_days: 90 }] }],
    });
  });

  it('stands alone: reads no other stack, and outputs what the bootstrap and the pipeline need', () => {
    expect(json.data?.terraform_remote_state).toBeUndefined();
    expect(Object.keys(json.output ?? {}).sort()).toEqual([
      'ci_deploy_role_arn',
      'ci_plan_role_arn',
      'github_connection_arn',
      'lock_table_name',
      'state_bucket_name',
      'state_kms_key_arn',
    ]);
  });

  it('keeps the ALB access logs beside the state, logging the bucket to the access log bucket', () => {
    const albBucket = buckets['acme-platform-alb-logs-prod-222222222222'];
    const logBucket = buckets['acme-platform-tfstate-prod-222222222222-logs'];
    expectResource(json, 'aws_s3_bucket_logging', {
      bucket: `\${aws_s3_bucket.${albBucket}.id}`,
      target_bucket: `\${aws_s3_bucket.${logBucket}.id}`,
      target_prefix: 'alb-access-logs/',
    });
    // The access log bucket admits S3 log delivery from the ALB bucket, under its own prefix.
    const policies = resourcesOf(json, 'aws_s3_bucket_policy').map(([, p]) => String(p.policy));
    const logPolicy = policies.find((p) => p.includes('AllowAlbLogBucketAccessLogDelivery'));
    expect(logPolicy).toContain(
      'arn:aws:s3:::acme-platform-tfstate-prod-222222222222-logs/alb-access-logs/*',
    );
    expect(logPolicy).toContain('arn:aws:s3:::acme-platform-alb-logs-prod-222222222222');
    // Kept for a year in prod, as configured.
    expect(JSON.stringify(resourcesOf(json, 'aws_s3_bucket_lifecycle_configuration'))).toContain(
      '"days":365',
    );
  });
});
