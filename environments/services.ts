/**
 * The reference services (apps/) as the platform runs them, the same in every environment: each
 * one's image, container contract (port, probe paths, metrics) and the figures its autoscaling
 * starts from. The service stacks (stacks/service-stack.ts) deploy from it; the apps' tests hold the apps to it
 * (__tests__/environments/services.test.ts). What differs per environment (replicas, the image
 * tag) belongs in the environment files.
 *
 * `requestsPerPodAtTarget` is derived from the measured benchmark (docs/performance.json, made by
 * `npm run bench:apps`), never typed in: see docs/performance.md.
 */
import { z } from 'zod';
import measured from '../docs/performance.json';
import { FIX } from './schema';

const path = z
  .string()
  .regex(/^\/[a-z0-9/_-]*$/, `must be an absolute URL path${FIX}use e.g. /readyz`);
const metric = z
  .string()
  .regex(/^[a-z_][a-z0-9_]*$/, `must be a Prometheus metric name${FIX}use snake_case`);

const PORT = `must be a port from 1024 to 65535: the container runs as non-root and cannot bind below 1024${FIX}use 8080`;

const serviceSchema = z.strictObject({
  /** The ECR repository the pipeline pushes the image to; the tag is chosen per deploy. */
  repository: z
    .string()
    .regex(/^platform\/[a-z0-9-]+$/, `must be platform/<service>${FIX}use e.g. platform/backend`),
  /** The Dockerfile that builds the image, from the repository root (the build context). */
  dockerfile: z.string().regex(/^apps\/[a-z0-9-]+\/Dockerfile$/),
  /** The port the container listens on (its `PORT`). */
  port: z.number().int(PORT).min(1024, PORT).max(65535, PORT),
  /** Liveness (the process) and readiness (it can serve: its database answers, it is not draining). */
  probes: z.strictObject({ liveness: path, readiness: path }),
  /** Where Prometheus scrapes, and the request metrics dashboards and alerts read. */
  metrics: z.strictObject({ path, requests: metric, duration: metric }),
  /** The container's requests (the HPA's CPU utilization is relative to them). */
  resources: z.strictObject({
    cpuMillicores: z.number().int().min(50).max(8000),
    memoryMiB: z.number().int().min(64).max(32768),
  }),
  /**
   * Seconds Kubernetes gives a stopping pod: the preStop pause (PRE_STOP_SECONDS, before SIGTERM)
   * plus the app's shutdown limit (SHUTDOWN_TIMEOUT_SECONDS), and some to spare.
   */
  terminationGracePeriodSeconds: z.number().int().min(10).max(300),
  autoscaling: z.strictObject({
    /** The HPA's target: average CPU utilization of the pods, percent of their request. */
    targetCpuUtilizationPercent: z.number().int().min(30).max(90),
    /** Which benchmark run sizes a pod: the service's costliest path (docs/performance.json). */
    sizedBy: z.enum(['read', 'write', 'page']),
  }),
  /**
   * The services this one calls, each with the variable that carries its URL: the service stack
   * sets it and opens the network path, and nothing else.
   * @default - none
   */
  calls: z
    .array(
      z.strictObject({
        service: z.enum(['backend', 'frontend']),
        urlVariable: z
          .string()
          .regex(/^[A-Z][A-Z0-9_]*$/, `must be an environment variable name${FIX}use e.g. API_URL`),
      }),
    )
    .default([]),
  /**
   * The PostgreSQL role and schema the service owns, in the rds stack's database: its stack
   * creates them (docs/database-access.md) and opens the path to the database.
   * @default - the service uses no database
   */
  database: z
    .strictObject({
      role: z
        .string()
        .regex(
          /^[a-z][a-z0-9_]{0,62}$/,
          `must be a lowercase PostgreSQL identifier${FIX}use the service name`,
        ),
      schema: z
        .string()
        .regex(
          /^[a-z][a-z0-9_]{0,62}$/,
          `must be a lowercase PostgreSQL identifier${FIX}use e.g. cart`,
        ),
    })
    .optional(),
});

export type ServiceConfig = z.infer<typeof serviceSchema> & {
  /** Requests per second one pod serves at the CPU target, from the benchmark. */
  readonly requestsPerPodAtTarget: number;
};

/** Requests per second a pod serves at the HPA's CPU target: per-core rate × request × target. */
export function requestsPerPodAtTarget(
  requestsPerSecondPerCore: number,
  cpuMillicores: number,
  targetCpuUtilizationPercent: number,
): number {
  return Math.floor(
    requestsPerSecondPerCore * (cpuMillicores / 1000) * (targetCpuUtilizationPercent / 100),
  );
}

/** Validates one service's contract and derives its sizing; throws the usual lines when it is wrong. */
export function defineService(
  name: 'backend' | 'frontend',
  input: z.input<typeof serviceSchema>,
): ServiceConfig {
  const parsed = serviceSchema.safeParse(input);
  if (!parsed.success) {
    // The usual line: `<path> <problem>, got <value>. Fix: <fix>`.
    const lines = parsed.error.issues.map((i) => {
      const value = i.path.reduce<unknown>(
        (v, k) => (v as Record<PropertyKey, unknown>)?.[k],
        input,
      );
      const [problem, fix = 'see environments/services.ts'] = i.message.split(FIX);
      return `  - services.${name}.${i.path.join('.')} ${problem}, got ${JSON.stringify(value)}. Fix: ${fix}`;
    });
    throw new Error(`Invalid service configuration:\n${lines.join('\n')}`);
  }
  const service = parsed.data;
  const run = measured.runs.find(
    (r) => r.service === name && r.path === service.autoscaling.sizedBy,
  );
  if (!run) {
    throw new Error(
      `services.${name}.autoscaling.sizedBy names no benchmark run, got "${service.autoscaling.sizedBy}". Fix: run npm run bench:apps, or size by a measured path`,
    );
  }
  return {
    ...service,
    requestsPerPodAtTarget: requestsPerPodAtTarget(
      run.requestsPerSecondPerCore,
      service.resources.cpuMillicores,
      service.autoscaling.targetCpuUtilizationPercent,
    ),
  };
}

const probes = { liveness: '/healthz', readiness: '/readyz' };
const metrics = {
  path: '/metrics',
  requests: 'http_requests_total',
  duration: 'http_request_duration_seconds',
};

export const SERVICES = {
  backend: defineService('backend', {
    repository: 'platform/backend',
    dockerfile: 'apps/backend/Dockerfile',
    port: 8080,
    probes,
    metrics,
    resources: { cpuMillicores: 250, memoryMiB: 256 },
    terminationGracePeriodSeconds: 45,
    // Writes cost about twice what reads do: pods are sized by them.
    autoscaling: { targetCpuUtilizationPercent: 70, sizedBy: 'write' },
    database: { role: 'backend', schema: 'cart' },
  }),
  frontend: defineService('frontend', {
    repository: 'platform/frontend',
    dockerfile: 'apps/frontend/Dockerfile',
    port: 8080,
    probes,
    metrics,
    resources: { cpuMillicores: 100, memoryMiB: 128 },
    terminationGracePeriodSeconds: 45,
    // The page is a few kilobytes from memory; passing /api on is most of the work.
    autoscaling: { targetCpuUtilizationPercent: 70, sizedBy: 'read' },
    calls: [{ service: 'backend', urlVariable: 'API_URL' }],
  }),
} as const;
