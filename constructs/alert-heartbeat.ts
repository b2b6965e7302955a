import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { Construct } from 'constructs';

/** How often Alertmanager sends the always-firing Watchdog to the heartbeat topic. */
export const HEARTBEAT_INTERVAL_MINUTES = 5;
/** Missed heartbeats before the alarm: three intervals without one. */
export const HEARTBEAT_MISSED_PERIODS = 3;

export interface AlertHeartbeatProps {
  /** The heartbeat topic's name. */
  readonly name: string;
  /** The key the topic is encrypted with (the alert topic's: Alertmanager may already use it). */
  readonly keyArn: string;
  /** Where the alarm goes: the platform's alert topic, which CloudWatch may publish to. */
  readonly alarmTopicArn: string;
  /** What the alarm says is silent (`Alertmanager of platform-prod`). */
  readonly source: string;
}

/**
 * A dead man's switch for the alert path: Alertmanager sends the always-firing Watchdog alert to a
 * topic of its own every few minutes, and a CloudWatch alarm on that topic's published messages
 * fires when they stop (Prometheus, Alertmanager, its Pod Identity role or its route to SNS
 * broken), through CloudWatch to the alert topic: a path that does not pass through what failed.
 * The topic has no subscribers; only its metric is read.
 */
export class AlertHeartbeat extends Construct {
  public readonly topicArn: string;
  public readonly alarmName: string;

  constructor(scope: Construct, id: string, props: AlertHeartbeatProps) {
    super(scope, id);
    const topic = new SnsTopic(this, 'topic', { name: props.name, kmsMasterKeyId: props.keyArn });
    this.topicArn = topic.arn;
    this.alarmName = `${props.name}-missing`;
    new CloudwatchMetricAlarm(this, 'missing', {
      alarmName: this.alarmName,
      alarmDescription: `No heartbeat from ${props.source} for ${HEARTBEAT_INTERVAL_MINUTES * HEARTBEAT_MISSED_PERIODS} minutes: alerts are not getting through (docs/monitoring.md, AlertmanagerHeartbeatMissing)`,
      namespace: 'AWS/SNS',
      metricName: 'NumberOfMessagesPublished',
      dimensions: { TopicName: topic.name },
      statistic: 'Sum',
      period: HEARTBEAT_INTERVAL_MINUTES * 60,
      evaluationPeriods: HEARTBEAT_MISSED_PERIODS,
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      // No message, no data point: silence is exactly what it watches for.
      treatMissingData: 'breaching',
      alarmActions: [props.alarmTopicArn],
      okActions: [props.alarmTopicArn],
    });
  }
}
