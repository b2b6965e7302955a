import { TerraformOutput } from 'cdktf';
import { describe, expect, it } from 'vitest';
import {
  MANAGED_RULE_GROUPS,
  RATE_LIMIT_WCU,
  WEB_ACL_BASE_WCU,
  WebAcl,
  type WebAclProps,
} from '../../../constructs/ingress/web-acl';
import { formatFinding } from '../../../constructs/policy/engine';
import { prodFindings } from '../../helpers/policy';
import {
  expectResource,
  onlyResource,
  policyOf,
  resourcesOf,
  type SynthJson,
  synthConstruct,
} from '../../helpers/synth';

const props: WebAclProps = {
  name: 'prod-platform',
  region: 'eu-west-1',
  accountId: '111111111111',
  rateLimitPer5Minutes: 2000,
  logRetentionDays: 365,
};

const synth = (overrides: Partial<WebAclProps> = {}): SynthJson =>
  synthConstruct((scope) => new WebAcl(scope, 'web-acl', { ...props, ...overrides }));

interface RuleJson {
  name: string;
  priority: number;
  action?: unknown;
  override_action?: unknown;
  statement: Record<string, Record<string, unknown>>;
  visibility_config: Record<string, unknown>;
}

describe('WebAcl', () => {
  const json = synth();
  const acl = onlyResource(json, 'aws_wafv2_web_acl');
  const rules = acl.rule as RuleJson[];
  const [aclName] = resourcesOf(json, 'aws_wafv2_web_acl')[0];
  const [logGroupName, logGroup] = resourcesOf(json, 'aws_cloudwatch_log_group')[0];
  const [keyName, key] = resourcesOf(json, 'aws_kms_key')[0];

  it('is a regional ACL (for ALBs) that allows by default, with metrics and sampled requests', () => {
    expect(acl).toMatchObject({
      name: 'prod-platform',
      scope: 'REGIONAL',
      default_action: { allow: {} },
      visibility_config: {
        cloudwatch_metrics_enabled: true,
        metric_name: 'prod-platform',
        sampled_requests_enabled: true,
      },
    });
    expect(acl.default_action).not.toHaveProperty('block');
  });

  it('runs the IP reputation list, the rate limit, the core rule set and known bad inputs, in that order', () => {
    expect(rules.map((r) => [r.priority, r.name])).toEqual([
      [0, 'AWSManagedRulesAmazonIpReputationList'],
      [1, 'rate-limit-per-ip'],
      [2, 'AWSManagedRulesCommonRuleSet'],
      [3, 'AWSManagedRulesKnownBadInputsRuleSet'],
    ]);
  });

  it("applies the AWS managed groups' own actions (override_action none)", () => {
    for (const rule of rules.filter((r) => r.name.startsWith('AWSManaged'))) {
      expect(rule.statement, rule.name).toEqual({
        managed_rule_group_statement: { name: rule.name, vendor_name: 'AWS' },
      });
      expect(rule.override_action, rule.name).toEqual({ none: {} });
      expect(rule.action, rule.name).toBeUndefined();
    }
  });

  it('blocks a client IP above the limit per 5 minutes', () => {
    const rate = rules.find((r) => r.name === 'rate-limit-per-ip')!;
    expect(rate.action).toEqual({ block: {} });
    expect(rate.override_action).toBeUndefined();
    expect(rate.statement).toEqual({
      rate_based_statement: { limit: 2000, aggregate_key_type: 'IP', evaluation_window_sec: 300 },
    });
  });

  it('gives every rule CloudWatch metrics and sampled requests under its own metric name', () => {
    const metrics = rules.map((r) => {
      expect(r.visibility_config, r.name).toMatchObject({
        cloudwatch_metrics_enabled: true,
        sampled_requests_enabled: true,
      });
      return r.visibility_config.metric_name;
    });
    expect(metrics).toEqual([
      'prod-platform-ip-reputation',
      'prod-platform-rate-limit-per-ip',
      'prod-platform-common-rule-set',
      'prod-platform-known-bad-inputs',
    ]);
  });

  it('fits the base 1500 WCUs of a web ACL (927 with the published capacities)', () => {
    const wcu = MANAGED_RULE_GROUPS.reduce((sum, g) => sum + g.wcu, 0) + RATE_LIMIT_WCU;
    expect(wcu).toBe(927);
    expect(wcu).toBeLessThanOrEqual(WEB_ACL_BASE_WCU);
    expect(MANAGED_RULE_GROUPS.map((g) => g.name).sort()).toEqual(
      rules
        .filter((r) => r.statement.managed_rule_group_statement)
        .map((r) => r.name)
        .sort(),
    );
  });

  it('logs to aws-waf-logs-<name>, kept for the retention, encrypted with its own key', () => {
    expect(logGroup).toEqual(
      expect.objectContaining({
        name: 'aws-waf-logs-prod-platform',
        retention_in_days: 365,
        kms_key_id: `\${aws_kms_key.${keyName}.arn}`,
      }),
    );
    expect(key.enable_key_rotation).toBe(true);
    expectResource(json, 'aws_kms_alias', { name: 'alias/prod-platform-waf-logs' });
  });

  it('lets CloudWatch Logs of the region use the key for that log group only', () => {
    const statement = policyOf(key).Statement.find(
      (s) => s.Sid === 'AllowCloudWatchLogsForTheseLogGroups',
    );
    expect(statement).toMatchObject({
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn':
            'arn:aws:logs:eu-west-1:111111111111:log-group:aws-waf-logs-prod-platform',
        },
      },
    });
  });

  it('sends the logs, without the authorization and cookie headers, once delivery may write', () => {
    const [policyName] = resourcesOf(json, 'aws_cloudwatch_log_resource_policy')[0];
    expectResource(json, 'aws_wafv2_web_acl_logging_configuration', {
      resource_arn: `\${aws_wafv2_web_acl.${aclName}.arn}`,
      log_destination_configs: [`\${aws_cloudwatch_log_group.${logGroupName}.arn}`],
      redacted_fields: [
        { single_header: { name: 'authorization' } },
        { single_header: { name: 'cookie' } },
      ],
      depends_on: [`aws_cloudwatch_log_resource_policy.${policyName}`],
    });
  });

  it('lets log delivery of this account write to this log group only, through a policy of its own', () => {
    const resourcePolicy = onlyResource(json, 'aws_cloudwatch_log_resource_policy');
    expect(resourcePolicy.policy_name).toBe('aws-waf-logs-prod-platform');
    expect(policyOf(resourcePolicy, 'policy_document').Statement).toEqual([
      {
        Sid: 'AllowWafLogDelivery',
        Effect: 'Allow',
        Principal: { Service: 'delivery.logs.amazonaws.com' },
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `\${aws_cloudwatch_log_group.${logGroupName}.arn}:*`,
        Condition: {
          ArnLike: { 'aws:SourceArn': 'arn:aws:logs:eu-west-1:111111111111:*' },
          StringEquals: { 'aws:SourceAccount': '111111111111' },
        },
      },
    ]);
  });

  it('exposes the ACL ARN', () => {
    const exposed = synthConstruct((scope) => {
      const webAcl = new WebAcl(scope, 'web-acl', props);
      new TerraformOutput(scope, 'web_acl_arn', { value: webAcl.webAclArn });
    });
    expect(exposed.output?.web_acl_arn.value).toMatch(/^\$\{aws_wafv2_web_acl\.[^.]+\.arn\}$/);
  });

  it("accepts WAF's bounds for the rate limit", () => {
    for (const limit of [10, 2_000_000_000]) {
      const rate = (
        onlyResource(synth({ rateLimitPer5Minutes: limit }), 'aws_wafv2_web_acl').rule as RuleJson[]
      )[1];
      expect(rate.statement.rate_based_statement.limit).toBe(limit);
    }
  });

  it('throws when the rate limit is below 10, above 2,000,000,000 or not whole', () => {
    for (const limit of [9, 0, 2_000_000_001, 100.5]) {
      expect(() => synth({ rateLimitPer5Minutes: limit }), String(limit)).toThrow(
        `WebAcl: rateLimitPer5Minutes must be a whole number from 10 to 2,000,000,000 (WAF's bounds for a rate-based rule), got ${limit}`,
      );
    }
  });

  it('throws when the name has characters WAF or CloudWatch Logs refuse', () => {
    for (const name of ['', 'prod platform', 'prod/platform', 'x'.repeat(101)]) {
      expect(() => synth({ name }), name).toThrow(/WebAcl: name must be 1 to 100 letters, digits/);
    }
  });

  it('throws when the account id is not 12 digits', () => {
    expect(() => synth({ accountId: 'acme' })).toThrow(
      /accountId must be a 12-digit AWS account id/,
    );
  });

  it('throws when the log retention is not a whole number of days', () => {
    expect(() => synth({ logRetentionDays: 0 })).toThrow(/logRetentionDays must be a whole number/);
  });

  it('passes the policy rules in a prod eks-k8s stack', () => {
    const findings = prodFindings('prod-eks-k8s', (stack) => new WebAcl(stack, 'web-acl', props));
    expect(findings.map(formatFinding)).toEqual([]);
  });
});
