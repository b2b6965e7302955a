import { describe, expect, it } from 'vitest';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import {
  DatabaseAlarms,
  type DatabaseAlarmsProps,
} from '../../../constructs/database/database-alarms';
import { onlyResource, policyOf, resourcesOf, synthConstruct } from '../../helpers/synth';

const props: DatabaseAlarmsProps = {
  identifier: 'platform-prod',
  accountId: '222222222222',
  allocatedStorageGiB: 100,
  connectionsThreshold: 600,
  emails: ['oncall@example.com', 'dba@example.com'],
};

describe('DatabaseAlarms', () => {
  const json = synthConstruct((scope) => new DatabaseAlarms(scope, 'alarms', props));

  it('alarms on CPU, free storage, freeable memory, connections and read/write latency', () => {
    const alarms: Record<string, Record<string, unknown>> = Object.fromEntries(
      resourcesOf(json, 'aws_cloudwatch_metric_alarm').map(([, a]) => [a.metric_name, a]),
    );
    expect(Object.keys(alarms).sort()).toEqual([
      'CPUUtilization',
      'DatabaseConnections',
      'FreeStorageSpace',
      'FreeableMemory',
      'ReadLatency',
      'WriteLatency',
    ]);
    expect(alarms.FreeStorageSpace).toMatchObject({
      comparison_operator: 'LessThanThreshold',
      threshold: 10737418240,
    });
    expect(alarms.DatabaseConnections.threshold).toBe(600);
    for (const alarm of Object.values(alarms)) {
      expect(alarm).toMatchObject({
        namespace: 'AWS/RDS',
        dimensions: { DBInstanceIdentifier: 'platform-prod' },
      });
      expect(alarm.alarm_actions).toEqual([expect.stringMatching(/aws_sns_topic\.alarms_topic/)]);
      expect(alarm.ok_actions).toEqual(alarm.alarm_actions);
    }
  });

  it('does not page on missing data, and waits for what it is told to', () => {
    const waiting = synthConstruct((scope) => {
      const instance = new DbInstance(scope, 'db', { instanceClass: 'db.t4g.micro' });
      new DatabaseAlarms(scope, 'alarms', { ...props, dependsOn: [instance] });
    });
    const alarms = resourcesOf(waiting, 'aws_cloudwatch_metric_alarm');
    expect(alarms).toHaveLength(6);
    for (const [, alarm] of alarms) {
      // An instance being created, stopped or replaced reports nothing: that is no outage page.
      expect(alarm.treat_missing_data).toBe('notBreaching');
      expect(alarm.depends_on).toEqual(['aws_db_instance.db']);
    }
    expect(onlyResource(waiting, 'aws_db_event_subscription').depends_on).toEqual([
      'aws_db_instance.db',
    ]);
  });

  it("pages on the instance's own availability events, which no metric shows, on the same topic", () => {
    expect(onlyResource(json, 'aws_db_event_subscription')).toMatchObject({
      name: 'platform-prod-events',
      source_type: 'db-instance',
      source_ids: ['platform-prod'],
      event_categories: [
        'availability',
        'failover',
        'failure',
        'low storage',
        'maintenance',
        'recovery',
      ],
      sns_topic: expect.stringMatching(/aws_sns_topic\.alarms_topic/),
    });
    // The topic is encrypted: RDS events may use its key, in the documented form.
    expect(policyOf(onlyResource(json, 'aws_kms_key')).Statement[2]).toEqual({
      Sid: 'AllowRdsEventsToPublish',
      Effect: 'Allow',
      Principal: { Service: 'events.rds.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    });
  });

  it('publishes to a KMS-encrypted topic that CloudWatch may use, with e-mail subscriptions', () => {
    expect(String(onlyResource(json, 'aws_sns_topic').kms_master_key_id)).toMatch(
      /aws_kms_key\.alarms_topic-key/,
    );
    // AWS's documented statement for alarms on an encrypted topic, with no condition.
    expect(policyOf(onlyResource(json, 'aws_kms_key')).Statement[1]).toEqual({
      Sid: 'AllowCloudWatchAlarmsToPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    });
    expect(resourcesOf(json, 'aws_sns_topic_subscription').map(([, s]) => s.endpoint)).toEqual([
      'oncall@example.com',
      'dba@example.com',
    ]);
  });
});
