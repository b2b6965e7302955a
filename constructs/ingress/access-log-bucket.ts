import { DataAwsElbServiceAccount } from '@cdktf/provider-aws/lib/data-aws-elb-service-account';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import type { PolicyStatement } from '../iam/policy-document';
import { type BucketAccessLogging, SecureBucket } from '../secure-bucket';

/**
 * Regions where Elastic Load Balancing delivers access logs as its own regional account, which
 * the bucket policy must name: the regions available before August 2022, each listed with its
 * account under "Regions available before August 2022" in the ALB guide
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html,
 * step 2; the commercial partition). The same 22 regions are the whole `aws` partition map of
 * the provider's `aws_elb_service_account` (hashicorp/aws 5.100.0), which reads the account from
 * it. Every region opened since (Hyderabad, Melbourne, Spain, Zurich, UAE, Tel Aviv, Calgary,
 * Malaysia, Thailand, Mexico, Taipei, and any new one) is documented with the log delivery
 * service principal instead: that data source refuses them ("unsupported AWS Region").
 */
export const ELB_ACCOUNT_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-southeast-3',
  'ap-south-1',
  'ap-northeast-3',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-south-1',
  'eu-west-3',
  'eu-north-1',
  'me-south-1',
  'sa-east-1',
];

/** The principal AWS documents for ALB log delivery in regions opened in August 2022 or later. */
export const ELB_LOG_DELIVERY_SERVICE = 'logdelivery.elasticloadbalancing.amazonaws.com';

export interface AlbAccessLogBucketProps {
  /** Name of the bucket; in the same region as the load balancers that log to it. */
  readonly bucketName: string;
  /** Account of the load balancers: log delivery may write under `AWSLogs/<accountId>/` only. */
  readonly accountId: string;
  /** Region of the bucket and the load balancers; it decides which principal delivers the logs. */
  readonly region: string;
  /**
   * Key prefix the load balancers are configured with (their `access_logs.prefix`), without
   * leading or trailing `/`; ELB appends `/AWSLogs/<account>/…` and refuses a prefix holding
   * `AWSLogs`.
   */
  readonly prefix: string;
  /** Days an access log is kept (current-object expiry). */
  readonly retentionDays: number;
  /** Where the bucket's own S3 server access logs go, or why there are none. */
  readonly accessLogging: BucketAccessLogging;
  /**
   * Refuse `terraform destroy` of the bucket (lifecycle `prevent_destroy`). The policy rule
   * REL-004 requires it of every bucket.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * The S3 bucket an environment's shared Application Load Balancer writes its access logs to: a
 * {@link SecureBucket} with SSE-S3 (the only default encryption ALB log delivery supports), a
 * policy that lets Elastic Load Balancing put objects under `<prefix>/AWSLogs/<account>/` and
 * nowhere else, and expiry of the logs after `retentionDays`.
 */
export class AlbAccessLogBucket extends Construct {
  /** The bucket's name, read from its policy: a reference to it waits until ELB may write. */
  public readonly bucketName: string;
  /** The prefix to configure on the load balancers (`access_logs.prefix`). */
  public readonly prefix: string;
  public readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: AlbAccessLogBucketProps) {
    super(scope, id);
    validate(props);
    const { bucketName, accountId, region, prefix } = props;

    const bucket = new SecureBucket(this, 'bucket', {
      bucketName,
      encryption: {
        s3Managed: true,
        reason:
          'ALB access log delivery supports SSE-S3 only (Amazon S3-managed keys); it cannot write to a bucket whose default encryption is SSE-KMS',
      },
      accessLogging: props.accessLogging,
      // Logs are never overwritten; a noncurrent version is a deleted log, kept a while in case
      // the deletion was a mistake.
      noncurrentVersionExpirationDays: 30,
      currentVersionExpirationDays: props.retentionDays,
      preventDestroy: props.preventDestroy ?? true,
      additionalPolicyStatements: [
        logDeliveryStatement(
          this,
          region,
          `arn:aws:s3:::${bucketName}/${prefix}/AWSLogs/${accountId}/*`,
        ),
      ],
    });
    // ELB tests the bucket policy the moment a load balancer is told to log (it writes
    // `ELBAccessLogTestFile`), so the name consumers read comes from the policy resource: whatever
    // configures a load balancer with it waits until the policy is in place.
    const policy = bucket.node.findChild('policy');
    if (!(policy instanceof S3BucketPolicy)) {
      throw new Error(`${this.node.path}: SecureBucket's policy is no longer its child 'policy'`);
    }
    this.bucketName = policy.bucket;
    this.bucketArn = bucket.bucketArn;
    this.prefix = prefix;
  }
}

/**
 * The statement that lets ALB log delivery of `region` put objects at `resource`: the regional
 * ELB account (read from the provider's table) where AWS documents one, the service principal
 * elsewhere.
 */
function logDeliveryStatement(scope: Construct, region: string, resource: string): PolicyStatement {
  const principal = ELB_ACCOUNT_REGIONS.includes(region)
    ? {
        AWS: new DataAwsElbServiceAccount(scope, 'elb-account', { region }).arn,
      }
    : { Service: ELB_LOG_DELIVERY_SERVICE };
  return {
    Sid: 'AllowAlbAccessLogDelivery',
    Effect: 'Allow',
    Principal: principal,
    Action: 's3:PutObject',
    Resource: resource,
  };
}

function validate(props: AlbAccessLogBucketProps): void {
  const { accountId, region, prefix, retentionDays } = props;
  const at = 'AlbAccessLogBucket';
  if (!Token.isUnresolved(accountId) && !/^\d{12}$/.test(accountId)) {
    throw new Error(`${at}: accountId must be a 12-digit AWS account id, got '${accountId}'`);
  }
  if (Token.isUnresolved(region) || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new Error(
      `${at}: region must be a literal region name such as eu-west-1 (it decides the log delivery principal), got '${region}'`,
    );
  }
  if (!/^[a-zA-Z0-9!_.*'()-]+(\/[a-zA-Z0-9!_.*'()-]+)*$/.test(prefix)) {
    throw new Error(
      `${at}: prefix must be non-empty S3 key segments without a leading or trailing '/', got '${prefix}'. Fix: use e.g. 'alb'`,
    );
  }
  if (prefix.includes('AWSLogs')) {
    throw new Error(
      `${at}: prefix must not contain 'AWSLogs' (ELB appends AWSLogs/<account>/ itself and refuses such a prefix), got '${prefix}'`,
    );
  }
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new Error(
      `${at}: retentionDays must be a whole number of days >= 1, got ${retentionDays}`,
    );
  }
}
