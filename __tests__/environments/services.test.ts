import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createBackend } from '../../apps/backend/src/app';
import { migrate } from '../../apps/backend/src/migrate';
import { readSettings as backendSettings } from '../../apps/backend/src/settings';
import { createFrontend } from '../../apps/frontend/src/app';
import { readSettings as frontendSettings } from '../../apps/frontend/src/settings';
import type { Service } from '../../apps/shared/http-service';
import measured from '../../docs/performance.json';
import { PRE_STOP_SECONDS } from '../../constructs/service/workload';
import { defineService, requestsPerPodAtTarget, SERVICES } from '../../environments/services';
import { createAppDatabase } from '../support/postgres';
import { ROOT } from '../helpers/paths';
import { appPool, call, listen, quietLogger } from '../helpers/services';

const pg = inject('postgres');
const running: Record<'backend' | 'frontend', { service: Service; url: string }> = {} as never;

beforeAll(async () => {
  const pool = appPool(pg, await createAppDatabase(pg, 'contract'));
  await migrate(pool);
  const backend = createBackend({
    pool,
    logger: quietLogger(),
    drainSeconds: 0,
    timeoutSeconds: 5,
  });
  running.backend = { service: backend, url: await listen(backend) };
  const frontend = createFrontend({
    apiUrl: running.backend.url,
    logger: quietLogger(),
    drainSeconds: 0,
    timeoutSeconds: 5,
  });
  running.frontend = { service: frontend, url: await listen(frontend) };
});

afterAll(async () => {
  await running.frontend?.service.shutdown('test');
  await running.backend?.service.shutdown('test');
});

/** The settings each app starts with when the service stack sets only what it must. */
const defaults = {
  backend: () =>
    backendSettings({
      DATABASE_HOST: 'h',
      DATABASE_NAME: 'd',
      DATABASE_USER: 'u',
      DATABASE_PASSWORD: 'p',
      DATABASE_CA_FILE: '/ca',
    }),
  frontend: () => frontendSettings({ API_URL: 'http://backend:8080' }),
};

describe.each(['backend', 'frontend'] as const)(
  'the %s keeps the contract of environments/services.ts',
  (name) => {
    const config = SERVICES[name];

    it('listens on the configured port, in its image too', () => {
      expect(defaults[name]().PORT).toBe(config.port);
      const dockerfile = readFileSync(join(ROOT, config.dockerfile), 'utf8');
      const instructions = DockerfileParser.parse(dockerfile).getInstructions();
      const values = (keyword: string) =>
        instructions
          .filter((i) => i.getKeyword() === keyword)
          .flatMap((i) => i.getArguments().map((a) => a.getValue()));
      expect(values('EXPOSE')).toEqual([String(config.port)]);
      expect(values('ENV')).toContain(`PORT=${config.port}`);
    });

    it('answers its probe paths and serves its metrics where Prometheus scrapes', async () => {
      const { url } = running[name];
      expect((await call(`${url}${config.probes.liveness}`)).status).toBe(200);
      expect((await call(`${url}${config.probes.readiness}`)).status).toBe(200);
      await call(`${url}/api/carts`, { method: 'POST' });
      const metrics = (await call(`${url}${config.metrics.path}`)).body as string;
      expect(metrics).toContain(`# TYPE ${config.metrics.requests} counter`);
      expect(metrics).toContain(`# TYPE ${config.metrics.duration} histogram`);
      expect(metrics).toMatch(
        new RegExp(`^${config.metrics.requests}\\{method="POST",route="/api/`, 'm'),
      );
    });

    it('finishes its shutdown within the grace period Kubernetes gives it', () => {
      const settings = defaults[name]();
      // The grace period runs from the start of the preStop pause, before SIGTERM.
      expect(PRE_STOP_SECONDS + settings.SHUTDOWN_TIMEOUT_SECONDS).toBeLessThan(
        config.terminationGracePeriodSeconds,
      );
      expect(settings.SHUTDOWN_DRAIN_SECONDS).toBeLessThan(settings.SHUTDOWN_TIMEOUT_SECONDS);
    });

    it('sizes its pods from the measured benchmark, not a typed-in figure', () => {
      const run = measured.runs.find(
        (r) => r.service === name && r.path === config.autoscaling.sizedBy,
      );
      expect(run).toBeDefined();
      expect(run?.errors).toBe(0);
      expect(config.requestsPerPodAtTarget).toBe(
        Math.floor(
          (run?.requestsPerSecondPerCore ?? 0) *
            (config.resources.cpuMillicores / 1000) *
            (config.autoscaling.targetCpuUtilizationPercent / 100),
        ),
      );
      expect(config.requestsPerPodAtTarget).toBeGreaterThan(0);
    });

    it('names a Dockerfile and repository that exist for it', () => {
      expect(existsSync(join(ROOT, config.dockerfile))).toBe(true);
      expect(config.repository).toBe(`platform/${name}`);
    });
  },
);

describe('requestsPerPodAtTarget', () => {
  it('is the per-core rate times the CPU request times the target', () => {
    expect(requestsPerPodAtTarget(4000, 250, 70)).toBe(700);
    expect(requestsPerPodAtTarget(1000, 100, 50)).toBe(50);
  });
});

describe('a service contract', () => {
  it('throws when the port is outside 1024-65535, with the usual line', () => {
    const { requestsPerPodAtTarget: _derived, ...contract } = SERVICES.backend;
    for (const port of [80, 70000]) {
      expect(() => defineService('backend', { ...contract, port })).toThrow(
        `services.backend.port must be a port from 1024 to 65535: the container runs as non-root and cannot bind below 1024, got ${port}. Fix: use 8080`,
      );
    }
  });
});
