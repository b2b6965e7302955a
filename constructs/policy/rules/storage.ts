import {
  block,
  each,
  list,
  type PolicyRule,
  referencing,
  type ResourceView,
  statements,
  type StackView,
} from '../engine';

/** The configuration resources of a bucket (versioning, encryption, …) of a given type. */
function bucketPart(view: StackView, bucket: ResourceView, type: string): ResourceView | undefined {
  return referencing(view, bucket, [type], 'bucket')[0];
}

const buckets = (view: StackView): ResourceView[] => view.of('aws_s3_bucket');

export const storageRules: PolicyRule[] = [
  {
    id: 'S3-001',
    scannerIds: ['CKV_AWS_21', 'AVD-AWS-0090'],
    title: 'S3 buckets have versioning enabled',
    fix: 'add an aws_s3_bucket_versioning with status Enabled (SecureBucket does)',
    check: (view) =>
      each(buckets(view), (b) =>
        block(bucketPart(view, b, 'aws_s3_bucket_versioning')?.config.versioning_configuration)
          ?.status === 'Enabled'
          ? undefined
          : 'versioning is not enabled',
      ),
  },
  {
    id: 'S3-002',
    scannerIds: ['CKV2_AWS_6', 'AVD-AWS-0086', 'AVD-AWS-0087', 'AVD-AWS-0091', 'AVD-AWS-0093'],
    title: 'S3 buckets block all public access',
    fix: 'add an aws_s3_bucket_public_access_block with all four settings true',
    check: (view) =>
      each(buckets(view), (b) => {
        const pab = bucketPart(view, b, 'aws_s3_bucket_public_access_block')?.config;
        const all = [
          'block_public_acls',
          'block_public_policy',
          'ignore_public_acls',
          'restrict_public_buckets',
        ];
        const missing = all.filter((k) => pab?.[k] !== true);
        return missing.length
          ? `public access is not fully blocked (${missing.join(', ')} not true)`
          : undefined;
      }),
  },
  {
    id: 'S3-003',
    scannerIds: ['CKV_AWS_145', 'AVD-AWS-0132'],
    title: 'S3 buckets are encrypted by default with a customer-managed KMS key',
    fix: 'set default encryption to aws:kms with kms_master_key_id of a key of ours',
    check: (view) =>
      each(buckets(view), (b) => {
        const rule = block(
          bucketPart(view, b, 'aws_s3_bucket_server_side_encryption_configuration')?.config.rule,
        );
        const sse = block(rule?.apply_server_side_encryption_by_default);
        return sse?.sse_algorithm === 'aws:kms' && sse.kms_master_key_id
          ? undefined
          : `default encryption is ${sse ? String(sse.sse_algorithm) : 'not configured'}, not SSE-KMS with a customer-managed key`;
      }),
  },
  {
    id: 'S3-004',
    scannerIds: ['FSBP S3.5'],
    title: 'S3 bucket policies deny requests without TLS',
    fix: 'add a Deny statement on s3:* for aws:SecureTransport = false',
    check: (view) =>
      each(buckets(view), (b) => {
        const policy = bucketPart(view, b, 'aws_s3_bucket_policy');
        const denies = statements(policy?.config.policy).some(
          (s) =>
            s.Effect === 'Deny' &&
            (s.Condition as { Bool?: Record<string, string> } | undefined)?.Bool?.[
              'aws:SecureTransport'
            ] === 'false',
        );
        return denies ? undefined : 'no bucket policy statement denies requests without TLS';
      }),
  },
  {
    id: 'S3-005',
    scannerIds: ['CKV2_AWS_65'],
    title: 'S3 buckets disable ACLs (BucketOwnerEnforced)',
    fix: 'add aws_s3_bucket_ownership_controls with object_ownership BucketOwnerEnforced',
    check: (view) =>
      each(buckets(view), (b) =>
        block(bucketPart(view, b, 'aws_s3_bucket_ownership_controls')?.config.rule)
          ?.object_ownership === 'BucketOwnerEnforced'
          ? undefined
          : 'object ownership is not BucketOwnerEnforced',
      ),
  },
  {
    id: 'S3-006',
    scannerIds: ['CKV2_AWS_61'],
    title: 'S3 buckets expire noncurrent versions',
    fix: 'add a lifecycle rule with noncurrent_version_expiration',
    check: (view) =>
      each(buckets(view), (b) => {
        const rules = list(
          bucketPart(view, b, 'aws_s3_bucket_lifecycle_configuration')?.config.rule,
        ) as Record<string, unknown>[];
        return rules.some(
          (r) => r.status === 'Enabled' && block(r.noncurrent_version_expiration)?.noncurrent_days,
        )
          ? undefined
          : 'no enabled lifecycle rule expires noncurrent versions';
      }),
  },
  {
    id: 'S3-007',
    scannerIds: [],
    title: 'S3 buckets cannot be force-destroyed with their objects',
    fix: 'set force_destroy = false',
    check: (view) =>
      each(buckets(view), (b) =>
        b.config.force_destroy === true ? 'force_destroy is on' : undefined,
      ),
  },
  {
    id: 'S3-008',
    scannerIds: ['CKV_AWS_18', 'AVD-AWS-0089'],
    title: 'S3 buckets log access',
    fix: 'add aws_s3_bucket_logging to a log bucket, or suppress with the reason',
    check: (view) =>
      each(buckets(view), (b) =>
        bucketPart(view, b, 'aws_s3_bucket_logging') ? undefined : 'server access logging is off',
      ),
  },
  {
    id: 'DDB-001',
    scannerIds: ['CKV_AWS_28', 'AVD-AWS-0024'],
    title: 'DynamoDB tables have point-in-time recovery',
    fix: 'set point_in_time_recovery { enabled = true }',
    check: (view) =>
      each(view.of('aws_dynamodb_table'), (t) =>
        block(t.config.point_in_time_recovery)?.enabled === true
          ? undefined
          : 'point-in-time recovery is off',
      ),
  },
  {
    id: 'DDB-002',
    scannerIds: ['CKV_AWS_119', 'AVD-AWS-0025'],
    title: 'DynamoDB tables are encrypted with a customer-managed KMS key',
    fix: 'set server_side_encryption { enabled = true, kms_key_arn = <our key> }',
    check: (view) =>
      each(view.of('aws_dynamodb_table'), (t) => {
        const sse = block(t.config.server_side_encryption);
        return sse?.enabled === true && sse.kms_key_arn
          ? undefined
          : 'not encrypted with a customer-managed key';
      }),
  },
  {
    id: 'DDB-003',
    scannerIds: ['FSBP DynamoDB.6'],
    title: 'DynamoDB tables have deletion protection',
    fix: 'set deletion_protection_enabled = true',
    check: (view) =>
      each(view.of('aws_dynamodb_table'), (t) =>
        t.config.deletion_protection_enabled === true ? undefined : 'deletion protection is off',
      ),
  },
  {
    id: 'KMS-001',
    scannerIds: ['CKV_AWS_7', 'AVD-AWS-0065'],
    title: 'KMS keys rotate automatically',
    fix: 'set enable_key_rotation = true (EncryptionKey does)',
    check: (view) =>
      each(view.of('aws_kms_key'), (k) =>
        k.config.enable_key_rotation === true ? undefined : 'key rotation is off',
      ),
  },
  {
    id: 'KMS-002',
    scannerIds: ['CKV_AWS_33'],
    title: 'KMS key policies grant nothing to any principal (*)',
    fix: 'name the principals; delegate to IAM with arn:aws:iam::<account>:root',
    check: (view) =>
      each(view.of('aws_kms_key'), (k) => {
        const open = statements(k.config.policy).find((s) => {
          const principal = s.Principal as string | { AWS?: unknown } | undefined;
          const anyone =
            principal === '*' ||
            list(typeof principal === 'object' ? principal.AWS : undefined).includes('*');
          return s.Effect === 'Allow' && anyone;
        });
        return open
          ? `key policy allows ${JSON.stringify(open.Action)} to any principal`
          : undefined;
      }),
  },
];
