import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  kubePrometheusStackValues,
  PLATFORM_ALERTS,
  PROMETHEUS_RETENTION_SHARE,
  platformAlerts,
} from '../../../constructs/kubernetes/observability';
import { validateObject } from '../../helpers/kubernetes';
import { ROOT } from '../../helpers/paths';
import { HEARTBEAT_INTERVAL_MINUTES } from '../../../constructs/alert-heartbeat';

const monitoring = { region: 'eu-west-1', retentionDays: 15, storageGiB: 50 };
const values = (prometheusReplicas: number) =>
  kubePrometheusStackValues({
    ...monitoring,
    prometheusReplicas,
    alertTopicArn: 'arn:aws:sns:eu-west-1:111111111111:alerts',
    heartbeatTopicArn: 'arn:aws:sns:eu-west-1:111111111111:heartbeat',
    environmentName: 'test',
  });

describe('the alert path', () => {
  it('sends the always-firing Watchdog to the heartbeat topic about every 5 minutes, and nothing else there', () => {
    const config = values(2).alertmanager.config;
    const watchdog = config.route.routes.find((r: { matchers: string[] }) =>
      r.matchers.includes('alertname = "Watchdog"'),
    );
    expect(watchdog).toEqual({
      receiver: 'heartbeat',
      matchers: ['alertname = "Watchdog"'],
      group_wait: '0s',
      group_interval: '1m',
      repeat_interval: `${HEARTBEAT_INTERVAL_MINUTES - 1}m`,
    });
    expect(config.receivers).toContainEqual({
      name: 'heartbeat',
      sns_configs: [
        {
          topic_arn: 'arn:aws:sns:eu-west-1:111111111111:heartbeat',
          sigv4: { region: 'eu-west-1' },
          send_resolved: false,
        },
      ],
    });
    // Every other alert still goes to the platform's topic.
    expect(config.route.receiver).toBe('platform-alerts');
  });
});

describe('platform alerts', () => {
  it('is a valid PrometheusRule with a severity and a runbook for every alert', () => {
    const rule = platformAlerts(
      'monitoring',
      'https://github.com/acme/platform-infra/blob/main/docs/monitoring.md',
    );
    validateObject(rule);
    for (const r of rule.spec.groups?.[0].rules ?? []) {
      expect(r.labels?.severity).toMatch(/^(warning|critical)$/);
      expect(r.annotations?.runbook_url).toMatch(
        /^https:\/\/github\.com\/acme\/platform-infra\/blob\/main\/docs\/monitoring\.md#[a-z]+$/,
      );
    }
  });

  it('has a section in docs/monitoring.md for every alert, and no section for an alert that is gone', () => {
    const doc = readFileSync(join(ROOT, 'docs/monitoring.md'), 'utf8');
    const sections = doc
      .slice(doc.indexOf('## The platform'))
      .split('\n')
      .filter((line) => line.startsWith('### '))
      .map((line) => line.slice(4));
    expect(sections).toEqual(PLATFORM_ALERTS.map((a) => a.alert));
    // GitHub's anchor of a heading is its lower-cased text: the runbook links land on it.
    expect(PLATFORM_ALERTS.map((a) => a.runbook)).toEqual(sections.map((s) => s.toLowerCase()));
  });
});

describe('kube-prometheus-stack values', () => {
  it('keeps one replica evictable: no disruption budget, soft anti-affinity', () => {
    const one = values(1);
    expect(one.prometheus.podDisruptionBudget).toEqual({ enabled: false, minAvailable: 1 });
    expect(one.prometheus.prometheusSpec.podAntiAffinity).toBe('soft');
    const two = values(2);
    expect(two.prometheus.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
    expect(two.alertmanager.alertmanagerSpec).toMatchObject({
      replicas: 2,
      podAntiAffinity: 'hard',
      podAntiAffinityTopologyKey: 'topology.kubernetes.io/zone',
    });
  });

  it('stops at 80% of the volume: the disk never fills, and the 15%-free alert stays quiet', () => {
    expect(values(1).prometheus.prometheusSpec.retentionSize).toBe('40GiB');
    const fillingUp = PLATFORM_ALERTS.find((a) => a.alert === 'PersistentVolumeFillingUp');
    const threshold = Number(/< (0\.\d+)$/.exec(fillingUp?.expr ?? '')?.[1]);
    expect(threshold).toBe(0.15);
    expect(1 - PROMETHEUS_RETENTION_SHARE).toBeGreaterThan(threshold + 0.025);
    // Prometheus' volumes grow to their retention and stay: not a volume filling up.
    const fullSoon = PLATFORM_ALERTS.find((a) => a.alert === 'PersistentVolumeFullInFourDays');
    expect(fullSoon?.expr.match(/persistentvolumeclaim!~"prometheus-\.\*"/g)).toHaveLength(3);
    expect(values(1).prometheus.prometheusSpec.retention).toBe('15d');
  });
});
