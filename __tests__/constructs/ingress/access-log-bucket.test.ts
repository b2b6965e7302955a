import { TerraformOutput, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import {
  AlbAccessLogBucket,
  type AlbAccessLogBucketProps,
  ELB_ACCOUNT_REGIONS,
  ELB_LOG_DELIVERY_SERVICE,
} from '../../../constructs/ingress/access-log-bucket';
import { AWS_REGIONS } from '../../../environments/aws-regions';
import { prodFindings, unsuppressed } from '../../helpers/policy';
import {
  expectResource,
  onlyResource,
  policyOf,
  resourcesOf,
  type SynthJson,
  synthConstruct,
} from '../../helpers/synth';

const props: AlbAccessLogBucketProps = {
  bucketName: 'acme-prod-alb-access-logs',
  accountId: '111111111111',
  region: 'eu-west-1',
  prefix: 'alb',
  retentionDays: 90,
  accessLogging: { targetBucket: 'acme-prod-s3-access-logs', targetPrefix: 'alb-access-logs/' },
};

const synth = (overrides: Partial<AlbAccessLogBucketProps> = {}): SynthJson =>
  synthConstruct(
    (scope) => new AlbAccessLogBucket(scope, 'alb-access-logs', { ...props, ...overrides }),
  );

/** The bucket policy statement that admits log delivery. */
function deliveryStatement(json: SynthJson) {
  const statements = policyOf(onlyResource(json, 'aws_s3_bucket_policy')).Statement;
  const delivery = statements.filter((s) => s.Sid === 'AllowAlbAccessLogDelivery');
  expect(delivery).toHaveLength(1);
  return delivery[0];
}

const findings = (build: (stack: TerraformStack) => void) => prodFindings('prod-tfstate', build);

describe('AlbAccessLogBucket', () => {
  const json = synth();

  it('encrypts with SSE-S3, the only default encryption ALB log delivery supports', () => {
    expectResource(json, 'aws_s3_bucket_server_side_encryption_configuration', {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    });
  });

  it('is a SecureBucket: versioned, private, ACLs off, TLS only, protected from destroy', () => {
    expectResource(json, 'aws_s3_bucket', {
      bucket: 'acme-prod-alb-access-logs',
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    expectResource(json, 'aws_s3_bucket_versioning', {
      versioning_configuration: { status: 'Enabled' },
    });
    expectResource(json, 'aws_s3_bucket_public_access_block', {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expectResource(json, 'aws_s3_bucket_ownership_controls', {
      rule: { object_ownership: 'BucketOwnerEnforced' },
    });
    const sids = policyOf(onlyResource(json, 'aws_s3_bucket_policy')).Statement.map((s) => s.Sid);
    expect(sids).toEqual(['DenyInsecureTransport', 'DenyOutdatedTls', 'AllowAlbAccessLogDelivery']);
  });

  it('expires logs after the retention, and deleted logs 30 days later', () => {
    expect(onlyResource(json, 'aws_s3_bucket_lifecycle_configuration').rule).toEqual([
      expect.objectContaining({
        status: 'Enabled',
        expiration: [{ days: 90 }],
        noncurrent_version_expiration: [{ noncurrent_days: 30 }],
      }),
    ]);
  });

  it('lets the regional ELB account of eu-west-1 put objects under <prefix>/AWSLogs/<account>/ only', () => {
    const [dataName, data] = resourcesOf(
      { resource: json.data } as SynthJson,
      'aws_elb_service_account',
    )[0];
    expect(data).toEqual(expect.objectContaining({ region: 'eu-west-1' }));
    expect(deliveryStatement(json)).toEqual({
      Sid: 'AllowAlbAccessLogDelivery',
      Effect: 'Allow',
      Principal: { AWS: `\${data.aws_elb_service_account.${dataName}.arn}` },
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::acme-prod-alb-access-logs/alb/AWSLogs/111111111111/*',
    });
  });

  it('lets the log delivery service principal write in a region opened after August 2022', () => {
    const zurich = synth({ region: 'eu-central-2', prefix: 'shared/alb' });
    expect(zurich.data?.aws_elb_service_account).toBeUndefined();
    expect(deliveryStatement(zurich)).toMatchObject({
      Principal: { Service: ELB_LOG_DELIVERY_SERVICE },
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::acme-prod-alb-access-logs/shared/alb/AWSLogs/111111111111/*',
    });
  });

  it('grants every region of environments/aws-regions.ts the principal AWS documents for it', () => {
    // The regions opened in August 2022 or later, which AWS documents with the service principal.
    expect(AWS_REGIONS.filter((r) => !ELB_ACCOUNT_REGIONS.includes(r)).sort()).toEqual(
      [
        'ap-east-2',
        'ap-south-2',
        'ap-southeast-4',
        'ap-southeast-5',
        'ap-southeast-7',
        'ca-west-1',
        'eu-central-2',
        'eu-south-2',
        'il-central-1',
        'me-central-1',
        'mx-central-1',
      ].sort(),
    );
    expect(ELB_ACCOUNT_REGIONS.filter((r) => !AWS_REGIONS.includes(r))).toEqual([]);
    for (const region of AWS_REGIONS) {
      const regional = synth({ region });
      const principal = deliveryStatement(regional).Principal as { AWS?: string; Service?: string };
      const accounts = Object.values(regional.data?.aws_elb_service_account ?? {});
      if (ELB_ACCOUNT_REGIONS.includes(region)) {
        expect(accounts, region).toEqual([{ region }]);
        expect(principal.AWS, region).toMatch(/^\$\{data\.aws_elb_service_account\.[^.]+\.arn\}$/);
      } else {
        expect(accounts, region).toEqual([]);
        expect(principal, region).toEqual({ Service: ELB_LOG_DELIVERY_SERVICE });
      }
    }
  });

  it("sends the bucket's own access logs where told, or records why there are none", () => {
    expectResource(json, 'aws_s3_bucket_logging', {
      target_bucket: 'acme-prod-s3-access-logs',
      target_prefix: 'alb-access-logs/',
    });
    const none = synth({ accessLogging: { disabledReason: 'reviewed: no access log bucket' } });
    expect(resourcesOf(none, 'aws_s3_bucket_logging')).toHaveLength(0);
  });

  it('passes preventDestroy on to the bucket', () => {
    expectResource(synth({ preventDestroy: false }), 'aws_s3_bucket', {
      lifecycle: { prevent_destroy: false },
    });
  });

  it('exposes the bucket name, read from the policy so that users wait for it, and the prefix', () => {
    const exposed = synthConstruct((scope) => {
      const bucket = new AlbAccessLogBucket(scope, 'alb-access-logs', props);
      expect(bucket.prefix).toBe('alb');
      new TerraformOutput(scope, 'bucket_name', { value: bucket.bucketName });
    });
    expect(exposed.output?.bucket_name.value).toMatch(
      /^\$\{aws_s3_bucket_policy\.[^.]+\.bucket\}$/,
    );
  });

  it('throws when the prefix contains AWSLogs', () => {
    expect(() => synth({ prefix: 'alb/AWSLogs' })).toThrow(/prefix must not contain 'AWSLogs'/);
  });

  it('throws when the prefix is empty or starts or ends with a slash', () => {
    for (const prefix of ['', '/alb', 'alb/', 'a//b']) {
      expect(() => synth({ prefix }), prefix).toThrow(
        /prefix must be non-empty S3 key segments without a leading or trailing '\/'/,
      );
    }
  });

  it('throws when the account id is not 12 digits', () => {
    expect(() => synth({ accountId: '1234' })).toThrow(
      /accountId must be a 12-digit AWS account id, got '1234'/,
    );
  });

  it('throws when the region is not a literal region name', () => {
    expect(() => synth({ region: 'Ireland' })).toThrow(/region must be a literal region name/);
  });

  it('throws when the retention is not a whole number of days', () => {
    for (const retentionDays of [0, 1.5]) {
      expect(() => synth({ retentionDays })).toThrow(
        /retentionDays must be a whole number of days >= 1/,
      );
    }
  });

  it('passes the policy rules in the prod tfstate stack, SSE-S3 under its reviewed suppression', () => {
    const all = findings((stack) => new AlbAccessLogBucket(stack, 'alb-access-logs', props));
    expect(unsuppressed(all)).toEqual([]);
    expect(all.map((f) => [f.rule.id, f.suppressedBecause])).toEqual([
      ['S3-003', expect.stringContaining('supports only SSE-S3')],
    ]);
  });

  it('gets no suppression under another construct id, nor for access logging turned off', () => {
    const moved = findings((stack) => new AlbAccessLogBucket(stack, 'alb-logs', props));
    expect(unsuppressed(moved)).toEqual([expect.stringMatching(/^S3-003 /)]);
    const unlogged = findings(
      (stack) =>
        new AlbAccessLogBucket(stack, 'alb-access-logs', {
          ...props,
          accessLogging: { disabledReason: 'none' },
        }),
    );
    expect(unsuppressed(unlogged)).toEqual([expect.stringMatching(/^S3-008 /)]);
  });
});
