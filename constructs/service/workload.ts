/**
 * The Kubernetes objects of one service, built as typed objects: its ServiceAccount, Deployment
 * (and a canary's), Service, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicies,
 * Ingress on the environment's shared ALB, ServiceMonitor and PrometheusRule. One function for
 * every service: a third one is a config entry. The service stacks release them through the
 * in-repository chart, as eks-k8s does (docs/eks-k8s.md).
 */
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { KubernetesObject } from '../kubernetes/helm-release';
import { HOSTNAME_KEY, RESTRICTED_CONTAINER, ZONE_KEY } from '../kubernetes/placement';

/** What the service's pods may talk to beyond DNS (eks-k8s allows that to every namespace). */
export interface Egress {
  /** Other services, by namespace and pod labels, on a port. */
  readonly services?: readonly {
    readonly namespace: string;
    readonly podLabels: Readonly<Record<string, string>>;
    readonly port: number;
  }[];
  /** Addresses outside the cluster (the database's subnets), on a port. */
  readonly cidrs?: readonly { readonly cidr: string; readonly port: number }[];
}

export interface IngressRoute {
  /** The class eks-k8s creates: the shared ALB group, its certificate, TLS policy and WAF. */
  readonly className: string;
  /** The full hostname, under the environment's domain. */
  readonly host: string;
  /** The path prefix routed to the service: `/` or `/api`. */
  readonly path: string;
  /** The ALB's health check of each pod. */
  readonly healthCheckPath: string;
  /**
   * Where the ALB's nodes are (the public subnets' CIDRs): it sends to pod IPs directly (target
   * type ip), from its own addresses there, and nothing else reaches the port from outside.
   */
  readonly loadBalancerCidrs: readonly string[];
}

export interface Canary {
  /** The canary's image, beside the stable one. */
  readonly image: string;
  /** Percent of the requests the canary receives, 0 to 100. */
  readonly weight: number;
}

export interface ServiceWorkloadProps {
  readonly name: string;
  readonly namespace: string;
  /** The full image reference: `<repository>:<tag>` or `<repository>@sha256:<digest>`. */
  readonly image: string;
  readonly port: number;
  readonly probes: { readonly liveness: string; readonly readiness: string };
  readonly resources: { readonly cpuMillicores: number; readonly memoryMiB: number };
  /** Seconds Kubernetes waits after SIGTERM, longer than the app's own drain. */
  readonly terminationGracePeriodSeconds: number;
  readonly replicas: { readonly min: number; readonly max: number };
  readonly autoscaling: {
    /** The CPU target: the service contract's, which sizes its pods. */
    readonly cpuPercent: number;
    readonly memoryPercent: number;
    /** Pods added per minute at most when scaling up. */
    readonly scaleUpPodsPerMinute: number;
    /** Seconds the recommendation must stay lower before pods are removed. */
    readonly scaleDownStabilizationSeconds: number;
  };
  /** Environment variables of the container. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** Where Prometheus scrapes, and the request metrics the alerts read. */
  readonly metrics: { readonly path: string; readonly requests: string; readonly duration: string };
  readonly alerts: { readonly errorRatioPercent: number; readonly p99LatencyMs: number };
  /** Who may call the service: the ALB (when it has an Ingress) and these namespaces' pods. */
  readonly ingressFrom?: readonly {
    readonly namespace: string;
    readonly podLabels: Readonly<Record<string, string>>;
  }[];
  /** @default - DNS only */
  readonly egress?: Egress;
  /** @default - no Ingress: reachable inside the cluster only */
  readonly route?: IngressRoute;
  /** @default - no canary */
  readonly canary?: Canary;
  /** Namespace of Prometheus, admitted to the metrics port. */
  readonly monitoringNamespace: string;
  /**
   * The service has an EKS Pod Identity role: its pods may reach the node's Pod Identity agent.
   * No pod mounts the Kubernetes API token either way: Pod Identity's webhook projects a token of
   * its own (audience pods.eks.amazonaws.com) into the pods of an associated service account.
   * @default false
   */
  readonly podIdentity?: boolean;
  /** Where docs/monitoring.md is read: the alerts' runbook links. @default - no links */
  readonly runbookUrl?: string;
}

const PORT_NAME = 'http';

/**
 * Seconds a terminating pod keeps serving before SIGTERM: Kubernetes removes it from the Service
 * at once, but the ALB deregisters it a few seconds later. The grace period covers this pause,
 * then the app's drain and shutdown (a test holds the contract to it).
 */
export const PRE_STOP_SECONDS = 10;

/** Where EKS Pod Identity's agent answers on every node (host network, link-local). */
export const POD_IDENTITY_AGENT = { cidr: '169.254.170.23/32', port: 80 } as const;

/** The labels of a service's pods; the canary's differ in `track` only. */
export function podLabels(name: string, track: 'stable' | 'canary' = 'stable') {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'service', track };
}

function deployment(props: ServiceWorkloadProps, track: 'stable' | 'canary'): IDeployment {
  const name = track === 'stable' ? props.name : `${props.name}-canary`;
  const labels = podLabels(props.name, track);
  const { cpuMillicores: cpu, memoryMiB: memory } = props.resources;
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: PORT_NAME },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 2,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: props.namespace, labels },
    spec: {
      // The HPA owns the count of the stable track; a canary runs its weight's share of the
      // stable track's minimum, at least one pod (docs/release-lifecycle.md).
      ...(track === 'canary'
        ? {
            replicas: Math.max(
              1,
              Math.ceil(((props.canary?.weight ?? 0) / 100) * props.replicas.min),
            ),
          }
        : {}),
      revisionHistoryLimit: 5,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: props.name,
          // None of them talks to the Kubernetes API.
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
          securityContext: {
            runAsNonRoot: true,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          // Spread each revision on its own (`pod-template-hash`): counted together, a
          // rollout's new pods would balance against old ones about to go.
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: ZONE_KEY,
              whenUnsatisfiable: 'DoNotSchedule',
              labelSelector: { matchLabels: labels },
              matchLabelKeys: ['pod-template-hash'],
            },
            {
              maxSkew: 1,
              topologyKey: HOSTNAME_KEY,
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: labels },
              matchLabelKeys: ['pod-template-hash'],
            },
          ],
          containers: [
            {
              name: props.name,
              image: track === 'stable' ? props.image : (props.canary?.image ?? props.image),
              ports: [{ name: PORT_NAME, containerPort: props.port, protocol: 'TCP' }],
              env: Object.entries(props.env ?? {}).map(([key, value]) => ({ name: key, value })),
              resources: {
                requests: { cpu: `${cpu}m`, memory: `${memory}Mi` },
                limits: { memory: `${memory}Mi` },
              },
              securityContext: { ...RESTRICTED_CONTAINER, capabilities: { drop: ['ALL'] } },
              startupProbe: probe(props.probes.liveness, 2, 30),
              livenessProbe: probe(props.probes.liveness, 10, 3),
              readinessProbe: probe(props.probes.readiness, 5, 2),
              lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } },
            },
          ],
        },
      },
    },
  } satisfies IDeployment;
}

function service(props: ServiceWorkloadProps, track: 'stable' | 'canary'): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: track === 'stable' ? props.name : `${props.name}-canary`,
      namespace: props.namespace,
      labels: podLabels(props.name, track),
    },
    spec: {
      type: 'ClusterIP',
      selector: podLabels(props.name, track),
      ports: [{ name: PORT_NAME, port: 80, targetPort: PORT_NAME, protocol: 'TCP' }],
    },
  } satisfies IService;
}

/** The ALB action that answers the pod's own paths from the internet: 404, never forwarded. */
const INTERNAL_ONLY = {
  type: 'fixed-response',
  fixedResponseConfig: { contentType: 'text/plain', statusCode: '404', messageBody: 'Not Found' },
};

/**
 * The pod's own paths (probes, metrics) that the route would otherwise forward from the internet:
 * the kubelet and Prometheus reach the pod directly, and the ALB's health check targets it
 * directly too, so the listener has no reason to pass them on.
 */
export function internalPaths(props: ServiceWorkloadProps, route: IngressRoute): string[] {
  const paths = [props.metrics.path, props.probes.liveness, props.probes.readiness];
  const under = (path: string) =>
    route.path === '/' || path === route.path || path.startsWith(`${route.path}/`);
  return [...new Set(paths)].filter(under).sort();
}

/**
 * ALB annotations of the service's Ingress: the group, HTTPS with redirect, health checks; the
 * pod's own paths answered 404 at the listener, before the route.
 */
function ingress(props: ServiceWorkloadProps, route: IngressRoute): IIngress {
  const internal = internalPaths(props, route);
  const internalAction = `${props.name}-internal-only`;
  const forward = props.canary && {
    type: 'forward',
    forwardConfig: {
      targetGroups: [
        { serviceName: props.name, servicePort: 80, weight: 100 - props.canary.weight },
        { serviceName: `${props.name}-canary`, servicePort: 80, weight: props.canary.weight },
      ],
    },
  };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: props.name,
      namespace: props.namespace,
      annotations: {
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
        'alb.ingress.kubernetes.io/healthcheck-path': route.healthCheckPath,
        'alb.ingress.kubernetes.io/success-codes': '200',
        // Longer path first: /api before / on the shared listener.
        'alb.ingress.kubernetes.io/group.order': String(route.path === '/' ? 100 : 10),
        ...(forward
          ? { [`alb.ingress.kubernetes.io/actions.${props.name}`]: JSON.stringify(forward) }
          : {}),
        ...(internal.length > 0
          ? {
              [`alb.ingress.kubernetes.io/actions.${internalAction}`]:
                JSON.stringify(INTERNAL_ONLY),
            }
          : {}),
      },
    },
    spec: {
      ingressClassName: route.className,
      rules: [
        {
          host: route.host,
          http: {
            // The controller ranks an Ingress's Exact paths before its Prefix ones (v2.17.1,
            // model_build_listener_rules.go sortIngressPaths), whatever their order here.
            paths: [
              ...internal.map((path) => ({
                path,
                pathType: 'Exact' as const,
                backend: { service: { name: internalAction, port: { name: 'use-annotation' } } },
              })),
              {
                path: route.path,
                pathType: 'Prefix',
                backend: {
                  service: {
                    name: props.name,
                    port: forward ? { name: 'use-annotation' } : { number: 80 },
                  },
                },
              },
            ],
          },
        },
      ],
    },
  } satisfies IIngress;
}

/** Default deny is eks-k8s's; these open exactly what the service needs. */
function networkPolicies(props: ServiceWorkloadProps): INetworkPolicy[] {
  const pods = { matchLabels: { 'app.kubernetes.io/name': props.name } };
  const port = [{ protocol: 'TCP' as const, port: props.port }];
  const fromNamespace = (namespace: string, labels?: Readonly<Record<string, string>>) => ({
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
    ...(labels ? { podSelector: { matchLabels: { ...labels } } } : {}),
  });
  const policies: INetworkPolicy[] = [];
  const policy = (name: string, spec: INetworkPolicy['spec']) =>
    policies.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${props.name}-${name}`, namespace: props.namespace },
      spec,
    } satisfies INetworkPolicy);
  // The ALB reaches pods directly (target type ip), from its addresses in the public subnets.
  if (props.route) {
    policy('from-load-balancer', {
      podSelector: pods,
      policyTypes: ['Ingress'],
      ingress: [
        { from: props.route.loadBalancerCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: port },
      ],
    });
  }
  for (const from of props.ingressFrom ?? []) {
    policy(`from-${from.namespace}`, {
      podSelector: pods,
      policyTypes: ['Ingress'],
      ingress: [{ from: [fromNamespace(from.namespace, from.podLabels)], ports: port }],
    });
  }
  policy('from-monitoring', {
    podSelector: pods,
    policyTypes: ['Ingress'],
    ingress: [{ from: [fromNamespace(props.monitoringNamespace)], ports: port }],
  });
  const egress = props.egress ?? {};
  const to = [
    ...(egress.services ?? []).map((s) => ({
      to: [fromNamespace(s.namespace, s.podLabels)],
      ports: [{ protocol: 'TCP' as const, port: s.port }],
    })),
    ...(egress.cidrs ?? []).map((c) => ({
      to: [{ ipBlock: { cidr: c.cidr } }],
      ports: [{ protocol: 'TCP' as const, port: c.port }],
    })),
    // Pod Identity's credentials come from the node's agent: without this path the SDK finds none.
    ...(props.podIdentity
      ? [
          {
            to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT.cidr } }],
            ports: [{ protocol: 'TCP' as const, port: POD_IDENTITY_AGENT.port }],
          },
        ]
      : []),
  ];
  if (to.length > 0) policy('egress', { podSelector: pods, policyTypes: ['Egress'], egress: to });
  return policies;
}

function monitoring(props: ServiceWorkloadProps): [IServiceMonitor, IPrometheusRule] {
  const job = `${props.namespace}/${props.name}`;
  const { requests, duration } = props.metrics;
  // Both tracks, each alerting on its own (a failing canary is the signal to abort it); probes
  // and scrapes are not requests.
  const selector = `namespace="${props.namespace}", service=~"${props.name}(-canary)?", route!~"/healthz|/readyz|/metrics"`;
  const runbook = (anchor: string): Record<string, string> =>
    props.runbookUrl ? { runbook_url: `${props.runbookUrl}#${anchor}` } : {};
  return [
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': props.name } },
        endpoints: [{ port: PORT_NAME, path: props.metrics.path, interval: '30s' }],
      },
    } satisfies IServiceMonitor,
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        groups: [
          {
            name: job,
            rules: [
              {
                alert: 'ServiceErrorRatioHigh',
                expr: `sum by (service) (rate(${requests}{${selector}, status=~"5.."}[5m])) / sum by (service) (rate(${requests}{${selector}}[5m])) * 100 > ${props.alerts.errorRatioPercent}`,
                for: '10m',
                labels: { severity: 'critical' },
                annotations: {
                  summary: `${props.namespace}/{{ $labels.service }}: more than ${props.alerts.errorRatioPercent}% of requests fail with 5xx`,
                  ...runbook('serviceerrorratiohigh'),
                },
              },
              {
                alert: 'ServiceLatencyHigh',
                expr: `histogram_quantile(0.99, sum by (service, le) (rate(${duration}_bucket{${selector}}[5m]))) * 1000 > ${props.alerts.p99LatencyMs}`,
                for: '10m',
                labels: { severity: 'warning' },
                annotations: {
                  summary: `${props.namespace}/{{ $labels.service }}: p99 latency above ${props.alerts.p99LatencyMs} ms`,
                  ...runbook('servicelatencyhigh'),
                },
              },
            ],
          },
        ],
      },
    } satisfies IPrometheusRule,
  ];
}

/** Every object of one service, in the order they can be applied. */
export function serviceObjects(props: ServiceWorkloadProps): KubernetesObject[] {
  if (props.replicas.min > props.replicas.max) {
    throw new Error(
      `${props.name}: replicas.min ${props.replicas.min} is above max ${props.replicas.max}`,
    );
  }
  const labels = podLabels(props.name);
  const account: IServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: props.name, namespace: props.namespace },
    automountServiceAccountToken: false,
  };
  const autoscaler: IHorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: props.name, namespace: props.namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.name },
      minReplicas: props.replicas.min,
      maxReplicas: props.replicas.max,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: props.autoscaling.cpuPercent },
          },
        },
        {
          type: 'Resource',
          resource: {
            name: 'memory',
            target: { type: 'Utilization', averageUtilization: props.autoscaling.memoryPercent },
          },
        },
      ],
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: 0,
          policies: [
            { type: 'Pods', value: props.autoscaling.scaleUpPodsPerMinute, periodSeconds: 60 },
          ],
        },
        scaleDown: {
          stabilizationWindowSeconds: props.autoscaling.scaleDownStabilizationSeconds,
          policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }],
        },
      },
    },
  };
  const budget: IPodDisruptionBudget = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: props.name, namespace: props.namespace },
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: labels },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  };
  return [
    account,
    deployment(props, 'stable'),
    service(props, 'stable'),
    ...(props.canary ? [deployment(props, 'canary'), service(props, 'canary')] : []),
    autoscaler,
    budget,
    ...networkPolicies(props),
    ...(props.route ? [ingress(props, props.route)] : []),
    ...monitoring(props),
  ];
}
