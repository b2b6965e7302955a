/**
 * `npm run -s smoke`: the checks a deploy ends with, run here against the real services on
 * loopback (the frontend, the backend, a real PostgreSQL), as in apps/frontend/page.test.ts.
 * Short deadlines and intervals keep the file to a few seconds.
 */
import { createServer } from 'node:net';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBackend } from '../../apps/backend/src/app';
import { migrate } from '../../apps/backend/src/migrate';
import { createFrontend } from '../../apps/frontend/src/app';
import type { Service } from '../../apps/shared/http-service';
import { environments } from '../../environments';
import { test as testConfig } from '../../environments/test';
import { createAppDatabase } from '../../scripts/lib/postgres';
import { ABSENT_CART, type CheckResult, runSmoke, smokeChecks } from '../../scripts/smoke';
import { runScript } from '../helpers/process';
import { appPool, listen, quietLogger } from '../helpers/services';

const pg = inject('postgres');
let pool: Pool;
let backend: Service;
let frontend: Service;
/** A frontend whose backend address is a closed port: a backend that is down. */
let orphan: Service;
let url: string;
let orphanUrl: string;

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const frontendFor = (apiUrl: string) =>
  createFrontend({ apiUrl, logger: quietLogger(), drainSeconds: 0, timeoutSeconds: 5 });

beforeAll(async () => {
  pool = appPool(pg, await createAppDatabase(pg, 'smoke'));
  await migrate(pool);
  backend = createBackend({ pool, logger: quietLogger(), drainSeconds: 0, timeoutSeconds: 5 });
  frontend = frontendFor(await listen(backend));
  url = await listen(frontend);
  orphan = frontendFor(`http://127.0.0.1:${await closedPort()}`);
  orphanUrl = await listen(orphan);
});

afterAll(async () => {
  await orphan?.shutdown('test');
  await frontend?.shutdown('test');
  await backend?.shutdown('test');
});

const smoke = (...args: string[]) => runScript('smoke.ts', ...args);

const problems = (results: readonly CheckResult[]) =>
  Object.fromEntries(results.map((r) => [r.name, r.problem]));

const API_DOWN =
  'answered 502 (the frontend cannot reach the backend), expected 404 "no such cart" from the backend';

describe('smoke checks', () => {
  it.each(environments.map((e) => ({ name: e.name, environment: e })))(
    "check the paths $name's frontend route names, which the frontend serves: one round passes",
    async ({ environment }) => {
      const route = environment.services.frontend?.route;
      expect(route).toBeDefined();
      const checks = smokeChecks(environment);
      expect(checks.map((c) => [c.name, c.path])).toEqual([
        ['page', route!.path],
        ['health', route!.healthCheckPath],
        ['api', `/api/carts/${ABSENT_CART}`],
      ]);

      const run = await runSmoke({ baseUrl: url, checks, deadlineMs: 5000, intervalMs: 100 });
      expect(run.results).toEqual([
        { name: 'page', url: new URL(route!.path, url).toString() },
        { name: 'health', url: new URL(route!.healthCheckPath, url).toString() },
        { name: 'api', url: `${url}/api/carts/${ABSENT_CART}` },
      ]);
      expect(run).toMatchObject({ passed: true, rounds: 1 });
    },
  );

  it("are what the services answer: the page as HTML, the health path 200, the backend's 404 through the frontend", async () => {
    const route = testConfig.services.frontend.route!;
    const page = await fetch(new URL(route.path, url));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await fetch(new URL(route.healthCheckPath, url))).status).toBe(200);
    const api = await fetch(`${url}/api/carts/${ABSENT_CART}`);
    expect(api.status).toBe(404);
    expect(await api.text()).toContain('no such cart');
  });

  it('fail on a health path the frontend does not serve', async () => {
    const checks = smokeChecks({
      ...testConfig,
      services: {
        ...testConfig.services,
        frontend: {
          ...testConfig.services.frontend,
          route: { ...testConfig.services.frontend.route!, healthCheckPath: '/health' },
        },
      },
    });
    const run = await runSmoke({ baseUrl: url, checks, deadlineMs: 0, intervalMs: 0 });
    expect(run.passed).toBe(false);
    expect(problems(run.results)).toEqual({
      page: undefined,
      health: 'answered 404, expected 200',
      api: undefined,
    });
  });

  it('retry until the deadline when the frontend cannot reach the backend, then name the api check', async () => {
    const deadlineMs = 1000;
    const intervalMs = 150;
    const started = Date.now();
    const run = await runSmoke({
      baseUrl: orphanUrl,
      checks: smokeChecks(testConfig),
      deadlineMs,
      intervalMs,
    });
    const elapsed = Date.now() - started;
    expect(run.passed).toBe(false);
    expect(problems(run.results)).toEqual({ page: undefined, health: undefined, api: API_DOWN });
    expect(run.rounds).toBeGreaterThan(1);
    expect(run.rounds).toBeLessThanOrEqual(Math.ceil(deadlineMs / intervalMs) + 1);
    // It stops when another wait would pass the deadline: not before that, nor long after it.
    expect(elapsed).toBeGreaterThanOrEqual(deadlineMs - intervalMs);
    expect(elapsed).toBeLessThan(deadlineMs + 500);
  });

  it('fail every check with the connection error where nothing listens', async () => {
    const base = `http://127.0.0.1:${await closedPort()}`;
    const run = await runSmoke({
      baseUrl: base,
      checks: smokeChecks(testConfig),
      deadlineMs: 300,
      intervalMs: 100,
    });
    expect(run.passed).toBe(false);
    expect(run.rounds).toBeGreaterThan(1);
    expect(problems(run.results)).toEqual({
      page: 'failed: ECONNREFUSED',
      health: 'failed: ECONNREFUSED',
      api: 'failed: ECONNREFUSED',
    });
  });

  it('pass in a later round when the frontend starts after the first', async () => {
    const port = await closedPort();
    let late: Service | undefined;
    const rounds: Record<string, string | undefined>[] = [];
    try {
      const run = await runSmoke({
        baseUrl: `http://127.0.0.1:${port}`,
        checks: smokeChecks(testConfig),
        deadlineMs: 5000,
        intervalMs: 200,
        onRound: (round, results) => {
          rounds.push(problems(results));
          if (round === 1) {
            late = frontendFor(
              `http://127.0.0.1:${(backend.server.address() as { port: number }).port}`,
            );
            late.server.listen(port, '127.0.0.1');
          }
        },
      });
      expect(rounds[0]).toEqual({
        page: 'failed: ECONNREFUSED',
        health: 'failed: ECONNREFUSED',
        api: 'failed: ECONNREFUSED',
      });
      expect(run.passed).toBe(true);
      expect(run.rounds).toBeGreaterThan(1);
      expect(rounds.at(-1)).toEqual({ page: undefined, health: undefined, api: undefined });
    } finally {
      await late?.shutdown('test');
    }
  });
});

describe.concurrent('smoke as a process', () => {
  it('exits 0 and says the environment passed', async () => {
    const result = await smoke('test', '--base-url', url, '--deadline', '5', '--interval', '1');
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('  round 1: all passed\n');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('smoke: test passed (1 round)');
  });

  it('exits 1 after retrying to the deadline, with one line for the api check', async () => {
    const started = Date.now();
    const result = await smoke(
      'test',
      '--base-url',
      orphanUrl,
      '--deadline',
      '1',
      '--interval',
      '0.2',
    );
    const elapsed = Date.now() - started;
    expect(result.status, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toContain('  round 2: failed: api\n');
    expect(result.stdout).not.toContain('passed');
    expect(result.stderr).toBe(
      `smoke: test: api: GET ${orphanUrl}/api/carts/${ABSENT_CART} ${API_DOWN}\n`,
    );
    // A second of checks, plus tsx's start on a busy machine.
    expect(elapsed).toBeLessThan(10_000);
  });
});
