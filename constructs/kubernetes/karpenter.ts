import type { IEC2NodeClass } from '@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass';
import type { INodePool } from '@kubernetes-models/karpenter/karpenter.sh/v1/NodePool';
import { SERVICE_ACCOUNTS } from '../eks/service-accounts';
import type { ChartSource } from './helm-release';
import { controllerPlacement, ZONE_KEY } from './placement';

/** Karpenter's CRDs and controller, from the project's OCI registry (one version for both). */
export const KARPENTER_CRD_CHART: ChartSource = {
  repository: 'oci://public.ecr.aws/karpenter',
  chart: 'karpenter-crd',
};
export const KARPENTER_CHART: ChartSource = {
  repository: 'oci://public.ecr.aws/karpenter',
  chart: 'karpenter',
};

export interface KarpenterValuesProps {
  readonly clusterName: string;
  /** The cluster's region: given, so the controller never asks the instance metadata service. */
  readonly region: string;
  /** The SQS queue of spot interruptions and scheduled events (eks-infra). */
  readonly interruptionQueueName: string;
  readonly replicas: number;
}

/**
 * The Karpenter chart's values: the controller on the system nodes (it must not run on nodes it
 * manages), under the service account eks-infra's Pod Identity role is bound to.
 */
export function karpenterValues(props: KarpenterValuesProps) {
  const placement = controllerPlacement(props.replicas, {
    'app.kubernetes.io/name': 'karpenter',
    'app.kubernetes.io/instance': 'karpenter',
  });
  return {
    settings: {
      clusterName: props.clusterName,
      interruptionQueue: props.interruptionQueueName,
      // Respect the cluster's zonal shift (eks-infra enables it and grants
      // arc-zonal-shift:GetManagedResource): no new node in a zone shifted away from.
      enableZonalShift: true,
    },
    serviceAccount: { create: true, name: SERVICE_ACCOUNTS.karpenter.name },
    replicas: placement.replicas,
    nodeSelector: placement.nodeSelector,
    tolerations: placement.tolerations,
    // The chart adds the pod selector to each constraint itself.
    topologySpreadConstraints: placement.topologySpreadConstraints.map(
      ({ labelSelector: _selector, ...constraint }) => constraint,
    ),
    podDisruptionBudget: { name: 'karpenter', maxUnavailable: 1 },
    priorityClassName: 'system-cluster-critical',
    controller: {
      // Without it the controller reads the region from instance metadata, which the system
      // nodes (hop limit 1) do not let pods reach.
      env: [{ name: 'AWS_REGION', value: props.region }],
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } },
    },
    // Scraped for the platform's alerts (observability.ts); the CRD is installed before.
    serviceMonitor: { enabled: true },
  };
}

export interface NodeClassProps {
  readonly clusterName: string;
  /** The IAM role Karpenter's nodes run as (eks-infra), by name. */
  readonly nodeRoleName: string;
  /** The pinned AMI alias, `al2023@vYYYYMMDD`. */
  readonly amiAlias: string;
  /** Root volume size, e.g. `50Gi`. @default 50Gi */
  readonly rootVolumeSize?: string;
  /** Tags on every instance, volume and interface Karpenter creates. @default - Karpenter's own */
  readonly tags?: Readonly<Record<string, string>>;
}

export const NODE_CLASS_NAME = 'default';

/**
 * How Karpenter's nodes are built: the node role, the cluster's private subnets and node
 * security group found by their `karpenter.sh/discovery` tag, a pinned AMI, IMDSv2 only with a
 * hop limit of 1 (pods cannot reach the node's credentials), and an encrypted gp3 root volume.
 */
export function nodeClass(props: NodeClassProps): IEC2NodeClass {
  const discovery = { tags: { 'karpenter.sh/discovery': props.clusterName } };
  return {
    apiVersion: 'karpenter.k8s.aws/v1',
    kind: 'EC2NodeClass',
    metadata: { name: NODE_CLASS_NAME },
    spec: {
      role: props.nodeRoleName,
      amiSelectorTerms: [{ alias: props.amiAlias }],
      subnetSelectorTerms: [discovery],
      securityGroupSelectorTerms: [discovery],
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpProtocolIPv6: 'disabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
      },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: props.rootVolumeSize ?? '50Gi',
            volumeType: 'gp3',
            encrypted: true,
            deleteOnTermination: true,
          },
        },
      ],
      ...(props.tags ? { tags: { ...props.tags } } : {}),
    },
  } satisfies IEC2NodeClass;
}

export interface NodePoolProps {
  readonly name: string;
  readonly capacityTypes: readonly string[];
  readonly instanceCategories: readonly string[];
  /** The zones the pool may launch in: all of the environment's. */
  readonly zones: readonly string[];
  readonly limits: { readonly cpu: string; readonly memory: string };
  readonly expireAfter: string;
  readonly consolidateAfter: string;
  readonly disruptionBudget: string;
}

/**
 * Where application pods run: current-generation x86 instances of the configured categories and
 * capacity types in every zone, consolidated when underused, replaced after `expireAfter`, never
 * more than the budget disrupted at once.
 */
export function nodePool(props: NodePoolProps): INodePool {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: props.name },
    spec: {
      // Karpenter labels each node `karpenter.sh/nodepool: <name>`, for workloads that select a pool.
      template: {
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: NODE_CLASS_NAME },
          requirements: [
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: [...props.capacityTypes] },
            {
              key: 'karpenter.k8s.aws/instance-category',
              operator: 'In',
              values: [...props.instanceCategories],
            },
            // Nitro generations with current network and EBS performance.
            { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] },
            { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
            { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
            { key: ZONE_KEY, operator: 'In', values: [...props.zones] },
          ],
          expireAfter: props.expireAfter,
          // An expiring node that cannot drain (a PDB that never allows it) goes after a day.
          terminationGracePeriod: '24h',
        },
      },
      disruption: {
        consolidationPolicy: 'WhenEmptyOrUnderutilized',
        consolidateAfter: props.consolidateAfter,
        budgets: [{ nodes: props.disruptionBudget }],
      },
      limits: { cpu: props.limits.cpu, memory: props.limits.memory },
    },
  } satisfies INodePool;
}
