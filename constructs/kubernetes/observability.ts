/**
 * What the platform collects and who hears about it: kube-prometheus-stack (Prometheus,
 * Alertmanager, Grafana, kube-state-metrics, node-exporter), Fluent Bit to CloudWatch Logs, the
 * blackbox exporter for endpoint and certificate probes, and the platform's own alert rules.
 * docs/monitoring.md explains each alert.
 */
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { SERVICE_ACCOUNTS } from '../eks/service-accounts';
import type { ChartSource } from './helm-release';
import { DEFAULT_STORAGE_CLASS } from './namespaces';
import { HEARTBEAT_INTERVAL_MINUTES } from '../alert-heartbeat';
import {
  controllerPlacement,
  EVERY_NODE_TOLERATIONS,
  resources,
  SYSTEM_NODE_SELECTOR,
  SYSTEM_TOLERATIONS,
  ZONE_KEY,
} from './placement';

/** The share of Prometheus' volume its size-based retention may fill. */
export const PROMETHEUS_RETENTION_SHARE = 0.8;

const PROMETHEUS_COMMUNITY = 'https://prometheus-community.github.io/helm-charts';

/** The Prometheus Operator's CRDs as templates, so an upgrade of this chart upgrades them too. */
export const PROMETHEUS_OPERATOR_CRDS_CHART: ChartSource = {
  repository: PROMETHEUS_COMMUNITY,
  chart: 'prometheus-operator-crds',
};
export const KUBE_PROMETHEUS_STACK_CHART: ChartSource = {
  repository: PROMETHEUS_COMMUNITY,
  chart: 'kube-prometheus-stack',
};
export const BLACKBOX_EXPORTER_CHART: ChartSource = {
  repository: PROMETHEUS_COMMUNITY,
  chart: 'prometheus-blackbox-exporter',
};
export const FLUENT_BIT_CHART: ChartSource = {
  repository: 'https://fluent.github.io/helm-charts',
  chart: 'fluent-bit',
};

/** The Secret (synced from Secrets Manager) that holds Grafana's admin login. */
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';

export interface MonitoringValuesProps {
  readonly region: string;
  readonly prometheusReplicas: number;
  readonly retentionDays: number;
  readonly storageGiB: number;
  /** The SNS topic Alertmanager publishes to (eks-infra), with its Pod Identity role. */
  readonly alertTopicArn: string;
  /**
   * The topic the always-firing Watchdog goes to every few minutes (eks-infra): a CloudWatch
   * alarm fires when it stops, so a broken alert path is not silent.
   */
  readonly heartbeatTopicArn: string;
  readonly environmentName: string;
}

const volume = (gib: number) => ({
  volumeClaimTemplate: {
    spec: {
      storageClassName: DEFAULT_STORAGE_CLASS,
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: `${gib}Gi` } },
    },
  },
});

/** On the system nodes; with more than one replica, one per zone and a budget that keeps one up. */
const spreadReplicas = (replicas: number) => ({
  replicas,
  nodeSelector: SYSTEM_NODE_SELECTOR,
  tolerations: SYSTEM_TOLERATIONS,
  podAntiAffinity: replicas > 1 ? 'hard' : 'soft',
  podAntiAffinityTopologyKey: ZONE_KEY,
});
const budget = (replicas: number) => ({ enabled: replicas > 1, minAvailable: 1 });

/**
 * kube-prometheus-stack: Prometheus on gp3 volumes, selecting every ServiceMonitor, PodMonitor,
 * Probe and rule in the cluster (not only its own release's); Alertmanager publishing to SNS;
 * Grafana with its admin login from Secrets Manager; the control-plane scrapes that EKS does not
 * expose turned off, so their alerts do not fire forever. CRDs come from their own release.
 */
export function kubePrometheusStackValues(props: MonitoringValuesProps) {
  const replicas = props.prometheusReplicas;
  const system = { nodeSelector: SYSTEM_NODE_SELECTOR, tolerations: SYSTEM_TOLERATIONS };
  return {
    crds: { enabled: false },
    defaultRules: {
      create: true,
      rules: {
        etcd: false,
        kubeControllerManager: false,
        kubeSchedulerAlerting: false,
        kubeSchedulerRecording: false,
        kubeProxy: false,
      },
    },
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeProxy: { enabled: false },
    prometheusOperator: {
      ...system,
      admissionWebhooks: { patch: { ...system } },
      resources: resources('100m', '256Mi'),
    },
    prometheus: {
      podDisruptionBudget: budget(replicas),
      prometheusSpec: {
        ...spreadReplicas(replicas),
        retention: `${props.retentionDays}d`,
        // Oldest blocks go first when the volume is 80% full: well before the disk fills, and
        // above the 15% free at which PersistentVolumeFillingUp fires (which then means the
        // retention is not holding).
        retentionSize: `${Math.floor(props.storageGiB * PROMETHEUS_RETENTION_SHARE)}GiB`,
        storageSpec: volume(props.storageGiB),
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        externalLabels: { environment: props.environmentName },
        resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '4Gi' } },
      },
    },
    alertmanager: {
      serviceAccount: { create: true, name: SERVICE_ACCOUNTS.alertmanager.name },
      podDisruptionBudget: budget(replicas),
      alertmanagerSpec: {
        ...spreadReplicas(replicas),
        storage: volume(5),
        resources: resources('50m', '128Mi'),
      },
      config: alertmanagerConfig(props),
    },
    grafana: {
      ...system,
      admin: {
        existingSecret: GRAFANA_ADMIN_SECRET,
        userKey: 'admin-user',
        passwordKey: 'admin-password',
      },
      // Dashboards and data sources are provisioned by the chart; nothing to keep on a volume.
      persistence: { enabled: false },
      resources: resources('100m', '256Mi'),
    },
    'kube-state-metrics': { ...system, resources: resources('50m', '128Mi') },
    'prometheus-node-exporter': {
      tolerations: EVERY_NODE_TOLERATIONS,
      priorityClassName: 'system-node-critical',
      resources: resources('20m', '64Mi'),
    },
  };
}

/**
 * Every alert to the platform's SNS topic (e-mail subscribers, eks-infra), resolved ones too;
 * the always-firing Watchdog to the heartbeat topic every few minutes (eks-infra's alarm fires
 * when it stops); the InfoInhibitor nowhere. Alertmanager signs with its Pod Identity role; only
 * the region must be given (the SDK's credentials come from Pod Identity, which carries no
 * region).
 */
export function alertmanagerConfig(props: {
  alertTopicArn: string;
  heartbeatTopicArn: string;
  region: string;
}) {
  return {
    route: {
      receiver: 'platform-alerts',
      group_by: ['alertname', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        {
          receiver: 'heartbeat',
          matchers: ['alertname = "Watchdog"'],
          group_wait: '0s',
          group_interval: '1m',
          // Sent again while it fires (always): the heartbeat the alarm counts. Alertmanager
          // checks the repeat on its next group tick (1m) after the interval has fully passed,
          // so 4m sends about every 5 minutes (v0.34 dispatch.go, dedup_stage.go).
          repeat_interval: `${HEARTBEAT_INTERVAL_MINUTES - 1}m`,
        },
        { receiver: 'null', matchers: ['alertname = "InfoInhibitor"'] },
      ],
    },
    receivers: [
      { name: 'null' },
      {
        name: 'heartbeat',
        sns_configs: [
          {
            topic_arn: props.heartbeatTopicArn,
            sigv4: { region: props.region },
            send_resolved: false,
          },
        ],
      },
      {
        name: 'platform-alerts',
        sns_configs: [
          { topic_arn: props.alertTopicArn, sigv4: { region: props.region }, send_resolved: true },
        ],
      },
    ],
  };
}

export interface LogShippingValuesProps {
  readonly region: string;
  /** The workload log group (eks-infra), which Fluent Bit's Pod Identity role may write to. */
  readonly logGroupName: string;
}

/**
 * Fluent Bit on every node, shipping container logs with their Kubernetes metadata to the
 * workload log group. It never creates the group: eks-infra owns it, with its retention and key.
 */
export function fluentBitValues(props: LogShippingValuesProps) {
  return {
    serviceAccount: { create: true, name: SERVICE_ACCOUNTS.logShipping.name },
    tolerations: EVERY_NODE_TOLERATIONS,
    priorityClassName: 'system-node-critical',
    resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    // Reads the host's log files, so it runs as root; nothing else is granted.
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    config: {
      inputs: [
        '[INPUT]',
        '    Name tail',
        '    Path /var/log/containers/*.log',
        '    multiline.parser docker, cri',
        '    Tag kube.*',
        // Where each file was read up to, on the host: a restart resumes there, losing nothing.
        '    DB /var/log/flb_kube.db',
        '    DB.locking true',
        '    Mem_Buf_Limit 50MB',
        '    Skip_Long_Lines On',
        '',
      ].join('\n'),
      filters: [
        '[FILTER]',
        '    Name kubernetes',
        '    Match kube.*',
        '    Merge_Log On',
        '    Keep_Log Off',
        '    K8S-Logging.Parser On',
        '    K8S-Logging.Exclude On',
        '',
      ].join('\n'),
      outputs: [
        '[OUTPUT]',
        '    Name cloudwatch_logs',
        '    Match kube.*',
        `    region ${props.region}`,
        `    log_group_name ${props.logGroupName}`,
        '    log_stream_prefix node-',
        '    auto_create_group false',
        '    retry_limit 5',
        '',
      ].join('\n'),
    },
    serviceMonitor: { enabled: true },
  };
}

/** The blackbox exporter: HTTPS probes (services add their `Probe`s), TLS required. */
export function blackboxExporterValues(props: { replicas: number }) {
  const placement = controllerPlacement(props.replicas, {
    'app.kubernetes.io/name': 'prometheus-blackbox-exporter',
  });
  return {
    replicas: placement.replicas,
    nodeSelector: placement.nodeSelector,
    tolerations: placement.tolerations,
    topologySpreadConstraints: placement.topologySpreadConstraints,
    podDisruptionBudget: placement.podDisruptionBudget ?? {},
    podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    resources: resources('20m', '64Mi'),
    config: {
      modules: {
        https_2xx: {
          prober: 'http',
          timeout: '10s',
          http: { fail_if_not_ssl: true, preferred_ip_protocol: 'ip4' },
        },
      },
    },
  };
}

interface Alert {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly severity: 'warning' | 'critical';
  readonly summary: string;
  /** Where docs/monitoring.md says what to do. */
  readonly runbook: string;
}

/**
 * The platform's own alerts, beyond the chart's default rules. Each names its runbook section in
 * docs/monitoring.md; a test holds the document to this list.
 */
export const PLATFORM_ALERTS: readonly Alert[] = [
  {
    alert: 'NodeNotReady',
    expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
    for: '10m',
    severity: 'critical',
    summary: 'Node {{ $labels.node }} has not been Ready for 10 minutes',
    runbook: 'nodenotready',
  },
  {
    alert: 'PodCrashLooping',
    expr: 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1',
    for: '15m',
    severity: 'warning',
    summary:
      'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} is crash-looping',
    runbook: 'podcrashlooping',
  },
  {
    alert: 'PersistentVolumeFillingUp',
    expr: 'kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.15',
    for: '15m',
    severity: 'warning',
    summary:
      'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has less than 15% free',
    runbook: 'persistentvolumefillingup',
  },
  {
    alert: 'PersistentVolumeFullInFourDays',
    // Not Prometheus' own volumes: they grow until their size retention and stay there, which a
    // linear prediction over 6 h would read as filling up.
    expr: 'predict_linear(kubelet_volume_stats_available_bytes{persistentvolumeclaim!~"prometheus-.*"}[6h], 4 * 24 * 3600) < 0 and kubelet_volume_stats_available_bytes{persistentvolumeclaim!~"prometheus-.*"} / kubelet_volume_stats_capacity_bytes{persistentvolumeclaim!~"prometheus-.*"} < 0.4',
    for: '1h',
    severity: 'critical',
    summary:
      'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} will be full within four days',
    runbook: 'persistentvolumefullinfourdays',
  },
  {
    alert: 'KarpenterCloudProviderErrors',
    expr: 'sum by (controller, method, error) (rate(karpenter_cloudprovider_errors_total[10m])) > 0',
    for: '15m',
    severity: 'warning',
    summary: 'Karpenter calls to EC2 fail ({{ $labels.method }}: {{ $labels.error }})',
    runbook: 'karpentercloudprovidererrors',
  },
  {
    alert: 'ControllerReconcileErrors',
    expr: 'sum by (namespace, job, controller) (rate(controller_runtime_reconcile_errors_total[10m])) > 0.1',
    for: '15m',
    severity: 'warning',
    summary: 'Controller {{ $labels.controller }} ({{ $labels.job }}) keeps failing to reconcile',
    runbook: 'controllerreconcileerrors',
  },
  {
    alert: 'CertificateExpiresSoon',
    expr: '(probe_ssl_earliest_cert_expiry - time()) / 86400 < 21',
    for: '1h',
    severity: 'warning',
    summary: 'The certificate served at {{ $labels.instance }} expires in less than 21 days',
    runbook: 'certificateexpiressoon',
  },
];

/**
 * The platform's alert rules as one PrometheusRule. `docsUrl` is where docs/monitoring.md is
 * read (the repository's), so each alert's runbook link works from the e-mail it arrives in.
 */
export function platformAlerts(namespace: string, docsUrl: string): IPrometheusRule {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'platform-alerts', namespace },
    spec: {
      groups: [
        {
          name: 'platform',
          rules: PLATFORM_ALERTS.map((a) => ({
            alert: a.alert,
            expr: a.expr,
            for: a.for,
            labels: { severity: a.severity },
            annotations: {
              summary: a.summary,
              runbook_url: `${docsUrl}#${a.runbook}`,
            },
          })),
        },
      ],
    },
  } satisfies IPrometheusRule;
}
