import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { policyDocument, serviceTrustPolicy, toJson } from '../iam/policy-document';
import { cloudWatchLogsKeyStatement, EncryptionKey } from '../kms-key';

export interface VpcFlowLogsProps {
  readonly vpcId: string;
  /** Prefix of the log group, role and key names, e.g. `test`. */
  readonly namePrefix: string;
  readonly accountId: string;
  readonly region: string;
  /** Days CloudWatch Logs keeps the records. */
  readonly retentionInDays: number;
  /**
   * Seconds over which records are aggregated; 60 gives near-real-time investigation.
   * @default 60
   */
  readonly maxAggregationInterval?: 60 | 600;
}

/**
 * Flow logs of all traffic (accepted and rejected) of a VPC, delivered to a CloudWatch log group
 * that we create (so its retention is ours) encrypted with its own KMS key. The delivery role can
 * be assumed only by the flow logs service for flow logs of this account, and writes only to
 * that log group.
 */
export class VpcFlowLogs extends Construct {
  public readonly logGroupName: string;
  public readonly logGroupArn: string;

  constructor(scope: Construct, id: string, props: VpcFlowLogsProps) {
    super(scope, id);
    const logGroupName = `/aws/vpc-flow-logs/${props.namePrefix}`;
    const logGroupArn = `arn:aws:logs:${props.region}:${props.accountId}:log-group:${logGroupName}`;

    const key = new EncryptionKey(this, 'key', {
      description: `VPC flow logs of ${props.namePrefix}`,
      alias: `${props.namePrefix}-vpc-flow-logs`,
      accountId: props.accountId,
      serviceStatements: [cloudWatchLogsKeyStatement(props.region, logGroupArn)],
    });

    const logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: logGroupName,
      retentionInDays: props.retentionInDays,
      kmsKeyId: key.keyArn,
    });
    this.logGroupName = logGroup.name;
    this.logGroupArn = logGroup.arn;

    const role = new IamRole(this, 'delivery-role', {
      name: `${props.namePrefix}-vpc-flow-logs`,
      description: 'Delivers VPC flow logs to CloudWatch Logs',
      assumeRolePolicy: toJson(
        serviceTrustPolicy(
          'vpc-flow-logs.amazonaws.com',
          props.accountId,
          `arn:aws:ec2:${props.region}:${props.accountId}:vpc-flow-log/*`,
        ),
      ),
    });
    new IamRolePolicy(this, 'delivery-policy', {
      name: 'write-flow-log-group',
      role: role.id,
      policy: toJson(
        policyDocument(
          {
            Sid: 'WriteFlowLogGroup',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
            Resource: [logGroup.arn, `${logGroup.arn}:*`],
          },
          {
            // A list call: IAM evaluates it against every log group of the region, never one.
            Sid: 'DescribeLogGroups',
            Effect: 'Allow',
            Action: ['logs:DescribeLogGroups'],
            Resource: [`arn:aws:logs:${props.region}:${props.accountId}:log-group:*`],
          },
        ),
      ),
    });

    new FlowLog(this, 'flow-log', {
      vpcId: props.vpcId,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: props.maxAggregationInterval ?? 60,
      tags: { Name: `${props.namePrefix}-vpc-flow-logs` },
    });
  }
}
