import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DbEventSubscription } from '@cdktf/provider-aws/lib/db-event-subscription';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { alertTopic, CLOUDWATCH_ALARMS_PUBLISH } from '../alert-topic';

export interface DatabaseAlarmsProps {
  readonly identifier: string;
  readonly accountId: string;
  /** Storage the instance starts with: the free-storage alarm fires below 10% of it. */
  readonly allocatedStorageGiB: number;
  readonly connectionsThreshold: number;
  readonly emails: readonly string[];
  /**
   * What must exist before the alarms: the DB instance (they name it by identifier only).
   * @default - nothing
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

interface AlarmSpec {
  readonly metric: string;
  readonly comparison: 'GreaterThanThreshold' | 'LessThanThreshold';
  readonly threshold: number;
  readonly description: string;
}

const GIB = 1024 ** 3;

/** The RDS event categories that mean the database is, or was, unavailable or at risk. */
export const DATABASE_EVENT_CATEGORIES: readonly string[] = [
  'availability',
  'failover',
  'failure',
  'low storage',
  'maintenance',
  'recovery',
];

/**
 * CloudWatch alarms on the signals that precede a database outage (CPU, free storage, freeable
 * memory, connections, read and write latency), to an SNS topic encrypted with its own key, with
 * e-mail subscriptions. Each alarm needs 3 of 3 five-minute periods in breach, and notifies on
 * recovery too. Missing data (an instance being created, stopped or replaced) is not a breach:
 * these alarms watch pressure. Availability comes from RDS itself: an event subscription sends
 * the instance's availability, failover, failure, low-storage, maintenance and recovery events
 * to the same topic.
 */
export class DatabaseAlarms extends Construct {
  public readonly topicArn: string;
  public readonly alarmNames: readonly string[];

  constructor(scope: Construct, id: string, props: DatabaseAlarmsProps) {
    super(scope, id);
    const topic = alertTopic(this, {
      name: `${props.identifier}-database-alarms`,
      keyAlias: `${props.identifier}-alarms`,
      description: `Alarm topic of ${props.identifier}`,
      accountId: props.accountId,
      emails: props.emails,
      servicePublishers: [
        CLOUDWATCH_ALARMS_PUBLISH,
        {
          // RDS event notifications, in the same documented form (principal from that guide's
          // table of services). Publishing itself needs no topic policy: a topic's default
          // policy admits the RDS resources of its own account.
          Sid: 'AllowRdsEventsToPublish',
          Effect: 'Allow',
          Principal: { Service: 'events.rds.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
        },
      ],
    });
    this.topicArn = topic.topicArn;

    const alarms: Record<string, AlarmSpec> = {
      'cpu-high': {
        metric: 'CPUUtilization',
        comparison: 'GreaterThanThreshold',
        threshold: 80,
        description: 'CPU above 80%',
      },
      'free-storage-low': {
        metric: 'FreeStorageSpace',
        comparison: 'LessThanThreshold',
        threshold: Math.round(props.allocatedStorageGiB * 0.1 * GIB),
        description: `free storage below 10% of the initial ${props.allocatedStorageGiB} GiB (autoscaling is not keeping up)`,
      },
      'freeable-memory-low': {
        metric: 'FreeableMemory',
        comparison: 'LessThanThreshold',
        threshold: 256 * 1024 ** 2,
        description: 'freeable memory below 256 MiB',
      },
      'connections-high': {
        metric: 'DatabaseConnections',
        comparison: 'GreaterThanThreshold',
        threshold: props.connectionsThreshold,
        description: `more than ${props.connectionsThreshold} connections`,
      },
      'read-latency-high': {
        metric: 'ReadLatency',
        comparison: 'GreaterThanThreshold',
        threshold: 0.02,
        description: 'read latency above 20 ms',
      },
      'write-latency-high': {
        metric: 'WriteLatency',
        comparison: 'GreaterThanThreshold',
        threshold: 0.02,
        description: 'write latency above 20 ms',
      },
    };
    // What the metric alarms cannot see: an instance that is down, failing over, failing or
    // recovering reports no metrics (and missing data is no breach), so RDS tells us itself.
    new DbEventSubscription(this, 'events', {
      name: `${props.identifier}-events`,
      snsTopic: topic.topicArn,
      sourceType: 'db-instance',
      sourceIds: [props.identifier],
      eventCategories: [...DATABASE_EVENT_CATEGORIES],
      // RDS refuses a subscription to an instance that does not exist yet.
      dependsOn: [...(props.dependsOn ?? [])],
    });

    this.alarmNames = Object.entries(alarms).map(([name, spec]) => {
      const alarm = new CloudwatchMetricAlarm(this, name, {
        alarmName: `${props.identifier}-${name}`,
        alarmDescription: `${props.identifier}: ${spec.description}`,
        namespace: 'AWS/RDS',
        metricName: spec.metric,
        dimensions: { DBInstanceIdentifier: props.identifier },
        statistic: 'Average',
        period: 300,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        comparisonOperator: spec.comparison,
        threshold: spec.threshold,
        treatMissingData: 'notBreaching',
        alarmActions: [topic.topicArn],
        okActions: [topic.topicArn],
        dependsOn: [...(props.dependsOn ?? [])],
      });
      return alarm.alarmName;
    });
  }
}
