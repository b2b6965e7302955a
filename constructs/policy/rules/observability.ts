import { block, each, type PolicyRule } from '../engine';

export const observabilityRules: PolicyRule[] = [
  {
    id: 'LOG-001',
    scannerIds: ['CKV_AWS_338'],
    title: 'Log groups have a retention (at least a year in production)',
    fix: 'set retention_in_days (the environment config holds it)',
    check: (view) =>
      each(view.of('aws_cloudwatch_log_group'), (g) => {
        const days = Number(g.config.retention_in_days ?? 0);
        if (days <= 0) return 'keeps logs forever (no retention)';
        return view.production && days < 365 ? `keeps logs ${days} days in production` : undefined;
      }),
  },
  {
    id: 'LOG-002',
    scannerIds: ['CKV_AWS_158', 'AVD-AWS-0017'],
    title: 'Log groups are encrypted with a KMS key',
    fix: 'set kms_key_id to a key whose policy admits CloudWatch Logs for that group',
    check: (view) =>
      each(view.of('aws_cloudwatch_log_group'), (g) =>
        g.config.kms_key_id ? undefined : 'is not encrypted with a KMS key',
      ),
  },
  {
    id: 'SNS-001',
    scannerIds: ['CKV_AWS_26', 'AVD-AWS-0095'],
    title: 'SNS topics are encrypted',
    fix: 'set kms_master_key_id',
    check: (view) =>
      each(view.of('aws_sns_topic'), (t) =>
        t.config.kms_master_key_id ? undefined : 'is not encrypted',
      ),
  },
  {
    id: 'SQS-001',
    scannerIds: ['CKV_AWS_27', 'AVD-AWS-0096'],
    title: 'SQS queues are encrypted',
    fix: 'set sqs_managed_sse_enabled = true or kms_master_key_id',
    check: (view) =>
      each(view.of('aws_sqs_queue'), (q) =>
        q.config.kms_master_key_id || q.config.sqs_managed_sse_enabled === true
          ? undefined
          : 'is not encrypted',
      ),
  },
  {
    id: 'REL-004',
    scannerIds: [],
    title: 'State buckets and lock tables are protected from destroy',
    fix: 'set lifecycle prevent_destroy = true',
    check: (view) =>
      each(view.of('aws_s3_bucket', 'aws_dynamodb_table'), (r) =>
        block(r.config.lifecycle)?.prevent_destroy === true
          ? undefined
          : 'lifecycle prevent_destroy is not set',
      ),
  },
];
