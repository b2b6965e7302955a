/**
 * The small controllers every cluster of the platform runs: ExternalDNS (records for Ingresses),
 * metrics-server (the HPA's CPU and memory) and the Vertical Pod Autoscaler (recommendations).
 */
import { SERVICE_ACCOUNTS } from '../eks/service-accounts';
import type { ChartSource } from './helm-release';
import { controllerPlacement, RESTRICTED_CONTAINER, resources } from './placement';

export const EXTERNAL_DNS_CHART: ChartSource = {
  repository: 'https://kubernetes-sigs.github.io/external-dns/',
  chart: 'external-dns',
};
export const METRICS_SERVER_CHART: ChartSource = {
  repository: 'https://kubernetes-sigs.github.io/metrics-server/',
  chart: 'metrics-server',
};
/** Fairwinds' chart, as EKS Blueprints uses: the autoscaler project's own is not production-ready yet. */
export const VPA_CHART: ChartSource = {
  repository: 'https://charts.fairwinds.com/stable',
  chart: 'vpa',
};

export interface ExternalDnsValuesProps {
  readonly region: string;
  /** The hosted zone's id: ExternalDNS writes there and nowhere else. */
  readonly hostedZoneId: string;
  /** The environment's domain: only names under it are managed. */
  readonly domain: string;
  /** Marks the records this cluster owns (TXT registry), so two clusters never fight over one. */
  readonly ownerId: string;
}

/**
 * ExternalDNS: records for the Ingresses' hostnames in the environment's zone, owned through TXT
 * records: it creates, updates and deletes its own, never another's. One replica: ExternalDNS has no
 * leader election, and a short outage only delays a record change (docs/eks-k8s.md).
 */
export function externalDnsValues(props: ExternalDnsValuesProps) {
  const placement = controllerPlacement(1, { 'app.kubernetes.io/name': 'external-dns' });
  return {
    provider: { name: 'aws' },
    serviceAccount: { create: true, name: SERVICE_ACCOUNTS.externalDns.name },
    // Given, not discovered: the region never depends on the node's instance metadata.
    env: [
      { name: 'AWS_REGION', value: props.region },
      { name: 'AWS_DEFAULT_REGION', value: props.region },
    ],
    sources: ['ingress', 'service'],
    // `sync` deletes a record when its Ingress goes, but only records this cluster owns: the TXT
    // registry marks them. The record type in the prefix keeps the TXT name inside the zone,
    // also for the apex (`externaldns-a.example.com`, not `externaldns-a-example.com`).
    policy: 'sync',
    registry: 'txt',
    txtOwnerId: props.ownerId,
    // Terraform reads every string of the configuration as a template, where `%{` opens a
    // directive (and cdktf escapes only `${`): `%%{` is its escape, and ExternalDNS gets
    // `externaldns-%{record_type}.`.
    txtPrefix: 'externaldns-%%{record_type}.',
    domainFilters: [props.domain],
    extraArgs: { 'aws-zone-type': 'public', 'zone-id-filter': props.hostedZoneId },
    nodeSelector: placement.nodeSelector,
    tolerations: placement.tolerations,
    priorityClassName: 'system-cluster-critical',
    resources: resources('50m', '128Mi'),
  };
}

export interface ReplicatedValuesProps {
  readonly replicas: number;
}

/** metrics-server, highly available: the HPAs of every service read it. */
export function metricsServerValues(props: ReplicatedValuesProps) {
  const placement = controllerPlacement(props.replicas, {
    'app.kubernetes.io/name': 'metrics-server',
    'app.kubernetes.io/instance': 'metrics-server',
  });
  return {
    replicas: placement.replicas,
    nodeSelector: placement.nodeSelector,
    tolerations: placement.tolerations,
    topologySpreadConstraints: placement.topologySpreadConstraints,
    podDisruptionBudget: { enabled: props.replicas > 1, maxUnavailable: 1 },
    resources: resources('100m', '200Mi'),
  };
}

/**
 * The Vertical Pod Autoscaler in recommendation mode only: the recommender runs, the updater
 * (which evicts pods to resize them) and the admission controller (which rewrites requests) do
 * not. Requests stay what the services declare; the recommendations inform the next change.
 * One recommender: it keeps its state in checkpoints, and more would need leader election.
 */
export function verticalPodAutoscalerValues() {
  const placement = controllerPlacement(1, { 'app.kubernetes.io/component': 'recommender' });
  return {
    recommender: {
      enabled: true,
      replicaCount: 1,
      nodeSelector: placement.nodeSelector,
      tolerations: placement.tolerations,
      securityContext: RESTRICTED_CONTAINER,
      resources: { requests: { cpu: '50m', memory: '500Mi' }, limits: { memory: '500Mi' } },
    },
    updater: { enabled: false },
    admissionController: { enabled: false },
    priorityClassName: 'system-cluster-critical',
  };
}
