import { describe, expect, it } from 'vitest';
import { VpcFlowLogs } from '../../../constructs/network/flow-logs';
import { expectResource, onlyResource, policyOf, synthConstruct } from '../../helpers/synth';

describe('VpcFlowLogs', () => {
  const json = synthConstruct(
    (scope) =>
      new VpcFlowLogs(scope, 'flow-logs', {
        vpcId: 'vpc-123',
        namePrefix: 'test',
        accountId: '111111111111',
        region: 'eu-west-1',
        retentionInDays: 30,
      }),
  );

  it('logs all traffic of the VPC to CloudWatch Logs every minute', () => {
    expectResource(json, 'aws_flow_log', {
      vpc_id: 'vpc-123',
      traffic_type: 'ALL',
      log_destination_type: 'cloud-watch-logs',
      max_aggregation_interval: 60,
    });
  });

  it('keeps the records for the configured days, encrypted with its own key', () => {
    const logGroup = onlyResource(json, 'aws_cloudwatch_log_group');
    expect(logGroup).toMatchObject({ name: '/aws/vpc-flow-logs/test', retention_in_days: 30 });
    expect(String(logGroup.kms_key_id)).toMatch(/^\$\{aws_kms_key\.flow-logs_key_[^.]+\.arn\}$/);
  });

  it('lets CloudWatch Logs use the key only for this log group', () => {
    const statement = policyOf(onlyResource(json, 'aws_kms_key')).Statement.find(
      (s) => s.Sid === 'AllowCloudWatchLogsForTheseLogGroups',
    );
    expect(statement).toMatchObject({
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn':
            'arn:aws:logs:eu-west-1:111111111111:log-group:/aws/vpc-flow-logs/test',
        },
      },
    });
  });

  it('has a delivery role only the flow logs service of this account can assume', () => {
    const trust = policyOf(onlyResource(json, 'aws_iam_role'), 'assume_role_policy');
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': '111111111111' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:ec2:eu-west-1:111111111111:vpc-flow-log/*' },
        },
      },
    ]);
  });

  it('lets the role write only to its log group, and list the groups as IAM requires', () => {
    const [write, list] = policyOf(onlyResource(json, 'aws_iam_role_policy')).Statement;
    expect(write.Action).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'logs:DescribeLogStreams',
    ]);
    for (const resource of [write.Resource].flat()) {
      expect(resource).toMatch(/aws_cloudwatch_log_group\.flow-logs_log-group_[^.]+\.arn/);
    }
    // DescribeLogGroups takes no single group: scoped to one, every call would be denied.
    expect(list).toMatchObject({
      Action: ['logs:DescribeLogGroups'],
      Resource: ['arn:aws:logs:eu-west-1:111111111111:log-group:*'],
    });
  });
});
