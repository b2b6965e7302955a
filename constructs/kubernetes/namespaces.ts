import type { ILimitRange } from 'kubernetes-models/v1/LimitRange';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IStorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import type { KubernetesObject } from './helm-release';

/** Pod Security Standards levels (`pod-security.kubernetes.io/enforce`). */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/**
 * A namespace that enforces a Pod Security Standard, and warns and audits against `restricted`
 * whatever it enforces, so a relaxed namespace still shows what breaks the strict level.
 */
export function namespace(
  name: string,
  enforce: PodSecurityLevel,
  labels: Readonly<Record<string, string>> = {},
): INamespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        'pod-security.kubernetes.io/enforce': enforce,
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
        ...labels,
      },
    },
  } satisfies INamespace;
}

/** The namespace's resource quota: totals over all its pods. */
export interface NamespaceQuota {
  readonly requestsCpu: string;
  readonly requestsMemory: string;
  readonly limitsMemory: string;
  readonly pods: number;
}

export interface ServiceNamespaceProps {
  readonly namespace: string;
  readonly quota: NamespaceQuota;
}

/** Where the cluster's DNS runs: the one egress every service namespace allows by default. */
export const CLUSTER_DNS = {
  namespace: 'kube-system',
  podLabels: { 'k8s-app': 'kube-dns' },
} as const;

/** The egress rule to the cluster's DNS, on 53 over UDP and TCP. */
export const DNS_EGRESS: NonNullable<NonNullable<INetworkPolicy['spec']>['egress']>[number] = {
  to: [
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': CLUSTER_DNS.namespace } },
      podSelector: { matchLabels: { ...CLUSTER_DNS.podLabels } },
    },
  ],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};

/**
 * A service's namespace: Pod Security `restricted` enforced, no traffic in or out but DNS until
 * the service's own policies allow it, and a quota with per-container defaults so a pod without
 * requests still counts against it.
 */
export function serviceNamespace(props: ServiceNamespaceProps): KubernetesObject[] {
  const ns = props.namespace;
  const objects: [INamespace, INetworkPolicy, INetworkPolicy, ILimitRange, IResourceQuota] = [
    // The load balancer controller holds a rolling update until each new pod is healthy in the
    // ALB's target group (a readiness gate), so a deploy never empties the targets.
    namespace(ns, 'restricted', { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' }),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: ns },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    } satisfies INetworkPolicy,
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-dns-egress', namespace: ns },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [DNS_EGRESS],
      },
    } satisfies INetworkPolicy,
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'container-defaults', namespace: ns },
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: '100m', memory: '128Mi' },
            default: { memory: '256Mi' },
            max: { memory: props.quota.limitsMemory },
          },
        ],
      },
    } satisfies ILimitRange,
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'quota', namespace: ns },
      spec: {
        hard: {
          'requests.cpu': props.quota.requestsCpu,
          'requests.memory': props.quota.requestsMemory,
          'limits.memory': props.quota.limitsMemory,
          pods: String(props.quota.pods),
        },
      },
    } satisfies IResourceQuota,
  ];
  return objects;
}

export const DEFAULT_STORAGE_CLASS = 'gp3';

/**
 * The cluster's default StorageClass: encrypted gp3 through the EBS CSI driver, bound in the zone
 * of the pod that first uses it, and expandable in place.
 */
export function defaultStorageClass(): IStorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: DEFAULT_STORAGE_CLASS,
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
    },
    provisioner: 'ebs.csi.aws.com',
    parameters: { type: 'gp3', encrypted: 'true', fsType: 'ext4' },
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: true,
    reclaimPolicy: 'Delete',
  } satisfies IStorageClass;
}
