import { SYSTEM_NODE_LABEL, SYSTEM_NODE_TAINT } from '../eks/system-node-group';

/** A Kubernetes toleration, as charts take them in their values. */
export interface Toleration {
  readonly key?: string;
  readonly operator: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface TopologySpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  readonly labelSelector: { readonly matchLabels: Readonly<Record<string, string>> };
}

export const ZONE_KEY = 'topology.kubernetes.io/zone';
export const HOSTNAME_KEY = 'kubernetes.io/hostname';

/** Selects the system node group (eks-infra), where the platform's controllers run. */
export const SYSTEM_NODE_SELECTOR: Readonly<Record<string, string>> = {
  [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value,
};

/** Tolerates the system nodes' taint, which keeps application pods off them. */
export const SYSTEM_TOLERATIONS: readonly Toleration[] = [
  { key: SYSTEM_NODE_TAINT.key, operator: 'Exists', effect: 'NoSchedule' },
];

/** For node agents (log shipping, node metrics): every node, whatever its taints. */
export const EVERY_NODE_TOLERATIONS: readonly Toleration[] = [{ operator: 'Exists' }];

/**
 * Replicas spread one per zone (hard: a zone failure takes one replica at most) and one per node
 * where possible (soft: with two system nodes in one zone, a second replica may still land).
 */
export function spread(
  matchLabels: Readonly<Record<string, string>>,
): readonly TopologySpreadConstraint[] {
  return [
    {
      maxSkew: 1,
      topologyKey: ZONE_KEY,
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels },
    },
    {
      maxSkew: 1,
      topologyKey: HOSTNAME_KEY,
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels },
    },
  ];
}

/** How a controller runs: how many replicas, and the disruption budget that keeps one up. */
export interface ControllerPlacement {
  readonly replicas: number;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  readonly topologySpreadConstraints: readonly TopologySpreadConstraint[];
  /** `maxUnavailable: 1` with two or more replicas; none for one (it could never be evicted). */
  readonly podDisruptionBudget?: { readonly maxUnavailable: number };
}

/** The placement of a controller on the system nodes, its pods matched by `matchLabels`. */
export function controllerPlacement(
  replicas: number,
  matchLabels: Readonly<Record<string, string>>,
): ControllerPlacement {
  return {
    replicas,
    nodeSelector: SYSTEM_NODE_SELECTOR,
    tolerations: SYSTEM_TOLERATIONS,
    topologySpreadConstraints: spread(matchLabels),
    ...(replicas > 1 ? { podDisruptionBudget: { maxUnavailable: 1 } } : {}),
  };
}

/** A container's resources. */
export interface Resources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly memory: string };
}

/** Requests, and a memory limit equal to the request: no CPU limit, so no throttling. */
export function resources(cpu: string, memory: string): Resources {
  return { requests: { cpu, memory }, limits: { memory } };
}

/** The restricted Pod Security Standard's container settings. */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
} as const;
