import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogResourcePolicy } from '@cdktf/provider-aws/lib/cloudwatch-log-resource-policy';
import { Wafv2WebAcl, type Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument, toJson } from '../iam/policy-document';
import { cloudWatchLogsKeyStatement, EncryptionKey } from '../kms-key';

/**
 * The AWS managed rule groups of the ACL and their web ACL capacity units, as AWS publishes them
 * (WAF developer guide, "AWS Managed Rules rule groups list": baseline rule groups — Core rule
 * set 700, Known bad inputs 200; IP reputation rule groups — Amazon IP reputation list 25).
 */
export const MANAGED_RULE_GROUPS = [
  { name: 'AWSManagedRulesAmazonIpReputationList', metric: 'ip-reputation', wcu: 25 },
  { name: 'AWSManagedRulesCommonRuleSet', metric: 'common-rule-set', wcu: 700 },
  { name: 'AWSManagedRulesKnownBadInputsRuleSet', metric: 'known-bad-inputs', wcu: 200 },
] as const;

/**
 * A rate-based statement aggregating on the IP address alone: 2 WCUs (WAF developer guide,
 * "Rate-based rule statement": 2 as a base cost, plus 30 per custom aggregation key, plus any
 * scope-down statement; this rule has neither).
 */
export const RATE_LIMIT_WCU = 2;

/**
 * The capacity a web ACL gets for its base price (WAF developer guide, "Web ACL capacity units
 * (WCUs)"): 1500. The rules above use 25 + 700 + 200 + 2 = 927.
 */
export const WEB_ACL_BASE_WCU = 1500;

/** Bounds of a rate-based rule's limit (WAFv2 API `RateBasedStatement.Limit`: 10 to 2e9). */
export const RATE_LIMIT_MIN = 10;
export const RATE_LIMIT_MAX = 2_000_000_000;

/** Headers kept out of the logs: credentials and session cookies. */
export const REDACTED_HEADERS = ['authorization', 'cookie'] as const;

export interface WebAclProps {
  /**
   * Name of the ACL and the base of its metric, log group and key names: letters, digits, `_`
   * and `-`, at most 100 characters.
   */
  readonly name: string;
  /** Region of the ACL and of the load balancers it protects (a REGIONAL ACL). */
  readonly region: string;
  readonly accountId: string;
  /**
   * Requests one client IP may make in any 5 minutes before it is blocked, from
   * {@link RATE_LIMIT_MIN} to {@link RATE_LIMIT_MAX}.
   */
  readonly rateLimitPer5Minutes: number;
  /** Days CloudWatch Logs keeps the WAF logs (a retention CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
}

/**
 * A WAFv2 web ACL for Application Load Balancers (scope REGIONAL): allows by default, and
 * blocks what AWS's IP reputation list, core rule set and known-bad-inputs groups match and any
 * client IP above the rate limit. Every rule and the ACL publish CloudWatch metrics and sampled
 * requests. Every request is logged to the CloudWatch log group `aws-waf-logs-<name>`, encrypted
 * with its own KMS key, without the `authorization` and `cookie` headers.
 */
export class WebAcl extends Construct {
  public readonly webAclArn: string;
  public readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    validate(props);
    const { name, region, accountId } = props;
    const visibility = (metric: string) => ({
      cloudwatchMetricsEnabled: true,
      metricName: metric,
      sampledRequestsEnabled: true,
    });

    // The binding types a rule's `statement` as `any` and passes it through untouched, so it is
    // written as Terraform JSON (snake_case); `terraform validate` checks it against the schema.
    const managedGroup = (group: (typeof MANAGED_RULE_GROUPS)[number]): Wafv2WebAclRule => ({
      name: group.name,
      priority: 0,
      // The groups' own rule actions apply.
      overrideAction: { none: {} },
      statement: { managed_rule_group_statement: { name: group.name, vendor_name: 'AWS' } },
      visibilityConfig: visibility(`${name}-${group.metric}`),
    });
    const [ipReputation, commonRuleSet, knownBadInputs] = MANAGED_RULE_GROUPS.map(managedGroup);
    const rateLimit: Wafv2WebAclRule = {
      name: 'rate-limit-per-ip',
      priority: 0,
      action: { block: {} },
      statement: {
        rate_based_statement: {
          limit: props.rateLimitPer5Minutes,
          aggregate_key_type: 'IP',
          evaluation_window_sec: 300,
        },
      },
      visibilityConfig: visibility(`${name}-rate-limit-per-ip`),
    };
    // The IP reputation list first: it is the cheapest, and what it blocks never counts towards
    // a client's rate. Then the rate limit, so a flood is cut before the costlier inspections.
    const rules = [ipReputation, rateLimit, commonRuleSet, knownBadInputs].map(
      (rule, priority) => ({
        ...rule,
        priority,
      }),
    );

    const acl = new Wafv2WebAcl(this, 'web-acl', {
      name,
      description: `Protects the load balancers of ${name}`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: visibility(name),
    });
    this.webAclArn = acl.arn;

    // WAF refuses a log destination whose name lacks this prefix.
    const logGroupName = `aws-waf-logs-${name}`;
    const logGroupArn = `arn:aws:logs:${region}:${accountId}:log-group:${logGroupName}`;
    const key = new EncryptionKey(this, 'log-key', {
      description: `WAF logs of the web ACL ${name}`,
      alias: `${name}-waf-logs`,
      accountId,
      serviceStatements: [cloudWatchLogsKeyStatement(region, logGroupArn)],
    });
    const logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: key.keyArn,
    });
    this.logGroupName = logGroup.name;

    // Without a policy of our own, WAF appends this log group to the account's shared
    // `AWSWAF-LOGS` resource policy, which Terraform would not manage and which fails once it
    // outgrows the size limit (the provider's documented warning). The statement is the one WAF
    // writes, scoped to this log group.
    const resourcePolicy = new CloudwatchLogResourcePolicy(this, 'log-resource-policy', {
      policyName: logGroupName,
      policyDocument: toJson(
        policyDocument({
          Sid: 'AllowWafLogDelivery',
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `${logGroup.arn}:*`,
          Condition: {
            ArnLike: { 'aws:SourceArn': `arn:aws:logs:${region}:${accountId}:*` },
            StringEquals: { 'aws:SourceAccount': accountId },
          },
        }),
      ),
    });

    new Wafv2WebAclLoggingConfiguration(this, 'logging', {
      resourceArn: acl.arn,
      logDestinationConfigs: [logGroup.arn],
      redactedFields: REDACTED_HEADERS.map((header) => ({ singleHeader: { name: header } })),
      dependsOn: [resourcePolicy],
    });
  }
}

function validate(props: WebAclProps): void {
  const at = 'WebAcl';
  if (!/^[\w-]{1,100}$/.test(props.name)) {
    throw new Error(
      `${at}: name must be 1 to 100 letters, digits, '_' or '-' (it names the ACL, its metrics and the log group), got '${props.name}'`,
    );
  }
  const limit = props.rateLimitPer5Minutes;
  if (!Number.isInteger(limit) || limit < RATE_LIMIT_MIN || limit > RATE_LIMIT_MAX) {
    throw new Error(
      `${at}: rateLimitPer5Minutes must be a whole number from ${RATE_LIMIT_MIN} to ${RATE_LIMIT_MAX.toLocaleString('en-US')} (WAF's bounds for a rate-based rule), got ${limit}`,
    );
  }
  if (!Token.isUnresolved(props.accountId) && !/^\d{12}$/.test(props.accountId)) {
    throw new Error(`${at}: accountId must be a 12-digit AWS account id, got '${props.accountId}'`);
  }
  if (!Number.isInteger(props.logRetentionDays) || props.logRetentionDays < 1) {
    throw new Error(
      `${at}: logRetentionDays must be a whole number of days >= 1, got ${props.logRetentionDays}`,
    );
  }
}
