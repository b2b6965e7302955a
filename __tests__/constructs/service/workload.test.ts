import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  internalPaths,
  type ServiceWorkloadProps,
  serviceObjects,
} from '../../../constructs/service/workload';
import { type Manifest, validateObject } from '../../helpers/kubernetes';
import { ROOT } from '../../helpers/paths';
import { SERVICES } from '../../../environments/services';

const props: ServiceWorkloadProps = {
  name: 'frontend',
  namespace: 'frontend',
  image: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/frontend:sha-0123abc',
  port: 8080,
  probes: { liveness: '/healthz', readiness: '/readyz' },
  resources: { cpuMillicores: 100, memoryMiB: 128 },
  terminationGracePeriodSeconds: 30,
  replicas: { min: 2, max: 6 },
  autoscaling: {
    cpuPercent: 70,
    memoryPercent: 80,
    scaleUpPodsPerMinute: 4,
    scaleDownStabilizationSeconds: 300,
  },
  env: { API_URL: 'http://backend.backend.svc.cluster.local' },
  metrics: {
    path: '/metrics',
    requests: 'http_requests_total',
    duration: 'http_request_duration_seconds',
  },
  alerts: { errorRatioPercent: 2, p99LatencyMs: 500 },
  egress: {
    services: [
      { namespace: 'backend', podLabels: { 'app.kubernetes.io/name': 'backend' }, port: 8080 },
    ],
  },
  route: {
    className: 'alb',
    host: 'shop.test.example.com',
    path: '/',
    healthCheckPath: '/readyz',
    loadBalancerCidrs: ['10.20.200.0/24', '10.20.201.0/24'],
  },
  monitoringNamespace: 'monitoring',
};

const objects = (overrides: Partial<ServiceWorkloadProps> = {}) =>
  serviceObjects({ ...props, ...overrides }) as Manifest[];
const find = (all: Manifest[], kind: string, name = 'frontend') =>
  all.find((o) => o.kind === kind && o.metadata.name === name)!;

describe('serviceObjects', () => {
  it('builds valid objects, each against its Kubernetes or CRD schema', () => {
    const all = objects({
      canary: { image: `${props.image.split(':')[0]}:sha-4567def`, weight: 10 },
    });
    for (const object of all) validateObject(object);
    expect(all.map((o) => o.kind)).toEqual([
      'ServiceAccount',
      'Deployment',
      'Service',
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'NetworkPolicy',
      'NetworkPolicy',
      'NetworkPolicy',
      'Ingress',
      'ServiceMonitor',
      'PrometheusRule',
    ]);
  });

  it('rolls out with no pod unavailable, probes and a drain before SIGTERM, spread over zones and nodes', () => {
    const spec = find(objects(), 'Deployment').spec;
    expect(spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const container = spec.template.spec.containers[0];
    expect(container.image).toBe(props.image);
    expect(container.startupProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.lifecycle.preStop.sleep.seconds).toBe(10);
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '128Mi' },
    });
    expect(
      spec.template.spec.topologySpreadConstraints.map((c: Manifest) => c.topologyKey),
    ).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    // Each revision spread on its own, not old and new pods together during a rollout.
    for (const constraint of spec.template.spec.topologySpreadConstraints) {
      expect(constraint.matchLabelKeys).toEqual(['pod-template-hash']);
    }
  });

  it('mounts no Kubernetes API token, with Pod Identity or without (its webhook projects its own)', () => {
    for (const podIdentity of [false, true]) {
      const pod = find(objects({ podIdentity }), 'Deployment').spec.template.spec;
      expect(pod.automountServiceAccountToken).toBe(false);
    }
    expect(find(objects(), 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  it('runs restricted: non-root, read-only root, no escalation, no capabilities, RuntimeDefault seccomp', () => {
    const pod = find(objects(), 'Deployment').spec.template.spec;
    expect(pod.serviceAccountName).toBe('frontend');
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('autoscales on CPU and memory with the configured behaviour, and keeps a pod through disruptions', () => {
    const all = objects();
    expect(find(all, 'HorizontalPodAutoscaler').spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 6,
      behavior: {
        scaleUp: { policies: [{ type: 'Pods', value: 4, periodSeconds: 60 }] },
        scaleDown: { stabilizationWindowSeconds: 300 },
      },
    });
    expect(find(all, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  it('admits the ALB, the named namespaces and Prometheus, and lets out only what it needs', () => {
    const all = objects({
      ingressFrom: [{ namespace: 'frontend', podLabels: { 'app.kubernetes.io/name': 'frontend' } }],
    });
    const alb = find(all, 'NetworkPolicy', 'frontend-from-load-balancer');
    expect(alb.spec.ingress[0].from).toEqual([
      { ipBlock: { cidr: '10.20.200.0/24' } },
      { ipBlock: { cidr: '10.20.201.0/24' } },
    ]);
    expect(find(all, 'NetworkPolicy', 'frontend-egress').spec.egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'backend' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'backend' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
    ]);
    // No Ingress, no ALB admitted: an internal service.
    const internal = objects({ route: undefined });
    expect(internal.find((o) => o.kind === 'Ingress')).toBeUndefined();
    expect(internal.find((o) => o.metadata.name === 'frontend-from-load-balancer')).toBeUndefined();
  });

  it('routes HTTPS on the shared ALB, HTTP redirected, with the health-check path', () => {
    const ing = find(objects(), 'Ingress');
    expect(ing.spec.ingressClassName).toBe('alb');
    expect(ing.spec.rules[0].host).toBe('shop.test.example.com');
    expect(ing.metadata.annotations as Record<string, string>).toMatchObject({
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
      'alb.ingress.kubernetes.io/healthcheck-path': '/readyz',
    });
  });

  it('splits traffic by weight between the stable and the canary target groups', () => {
    const canary = { image: 'repo/frontend:sha-4567def', weight: 10 };
    const all = objects({ canary });
    const annotations = find(all, 'Ingress').metadata.annotations as Record<string, string>;
    const action = JSON.parse(annotations['alb.ingress.kubernetes.io/actions.frontend']);
    expect(action.forwardConfig.targetGroups).toEqual([
      { serviceName: 'frontend', servicePort: 80, weight: 90 },
      { serviceName: 'frontend-canary', servicePort: 80, weight: 10 },
    ]);
    const route = find(all, 'Ingress').spec.rules[0].http.paths.find(
      (p: Manifest) => p.path === '/',
    );
    expect(route.backend.service).toEqual({ name: 'frontend', port: { name: 'use-annotation' } });
    expect(find(all, 'Deployment', 'frontend-canary').spec.template.spec.containers[0].image).toBe(
      canary.image,
    );
    // Without the entry, nothing of the canary remains.
    expect(objects().filter((o) => o.metadata.name.includes('canary'))).toEqual([]);
  });

  it('sizes the canary as docs/release-lifecycle.md says: ceil(weight × replicas.min), no HPA or PDB of its own', () => {
    const pods = (weight: number, min: number) =>
      find(
        objects({
          canary: { image: 'repo/frontend:sha-4567def', weight },
          replicas: { min, max: 20 },
        }),
        'Deployment',
        'frontend-canary',
      ).spec.replicas;
    // prod's services: 2 to 20 replicas, one canary pod at every step.
    expect([10, 25, 50].map((w) => pods(w, 2))).toEqual([1, 1, 1]);
    expect([10, 25, 50].map((w) => pods(w, 6))).toEqual([1, 2, 3]);
    const all = objects({ canary: { image: 'repo/frontend:sha-4567def', weight: 50 } });
    for (const kind of ['HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
      expect(all.filter((o) => o.kind === kind).map((o) => o.metadata.name)).toEqual(['frontend']);
    }
    const doc = readFileSync(join(ROOT, 'docs/release-lifecycle.md'), 'utf8').replace(/\s+/g, ' ');
    expect(doc).toContain('`ceil(weight × replicas.min)`, at least one');
    expect(doc).toContain('get 1 canary pod at 10, 25 and 50%');
  });

  it("answers the pod's own paths (probes, metrics) 404 at the load balancer, before the route", () => {
    const ingress = find(objects(), 'Ingress');
    const annotations = ingress.metadata.annotations as Record<string, string>;
    const paths = ingress.spec.rules[0].http.paths;
    expect(paths.map((p: Manifest) => [p.path, p.pathType, p.backend.service.name])).toEqual([
      ['/healthz', 'Exact', 'frontend-internal-only'],
      ['/metrics', 'Exact', 'frontend-internal-only'],
      ['/readyz', 'Exact', 'frontend-internal-only'],
      ['/', 'Prefix', 'frontend'],
    ]);
    expect(
      JSON.parse(annotations['alb.ingress.kubernetes.io/actions.frontend-internal-only']),
    ).toEqual({
      type: 'fixed-response',
      fixedResponseConfig: {
        contentType: 'text/plain',
        statusCode: '404',
        messageBody: 'Not Found',
      },
    });
    // The health check goes to the pods directly, not through the listener.
    expect(annotations['alb.ingress.kubernetes.io/healthcheck-path']).toBe('/readyz');
    // A route under /api forwards none of them: nothing to refuse.
    const api = { ...props.route!, path: '/api' };
    expect(internalPaths(props, api)).toEqual([]);
    expect(internalPaths(props, { ...api, path: '/' })).toEqual([
      '/healthz',
      '/metrics',
      '/readyz',
    ]);
  });

  it('alerts on the 5xx ratio and p99 latency with the configured thresholds', () => {
    const rules = find(objects(), 'PrometheusRule').spec.groups[0].rules;
    expect(rules.map((r: Manifest) => r.alert)).toEqual([
      'ServiceErrorRatioHigh',
      'ServiceLatencyHigh',
    ]);
    expect(rules[0].expr).toContain('> 2');
    expect(rules[1].expr).toContain('> 500');
  });

  it('throws when min replicas are above max', () => {
    expect(() => objects({ replicas: { min: 4, max: 2 } })).toThrow(
      'replicas.min 4 is above max 2',
    );
  });
});

describe('docs/services.md', () => {
  it('gives the probe timeout and the grace period the code uses', () => {
    const container = find(objects(), 'Deployment').spec.template.spec.containers[0];
    const doc = readFileSync(join(ROOT, 'docs/services.md'), 'utf8').replace(/\s+/g, ' ');
    expect(doc).toContain(
      `the kubelet's ${container.readinessProbe.timeoutSeconds} s probe timeout`,
    );
    expect(doc).toContain(
      `below the pod's ${SERVICES.backend.terminationGracePeriodSeconds} s grace period`,
    );
  });
});
