/**
 * `npm run -s smoke`: the checks a deploy ends with, run here against the real services on
 * loopback (the frontend, the backend, a real PostgreSQL), as in apps/frontend/page.test.ts.
 * In process, the rounds run on a fake clock that moves only when runSmoke waits, so their
 * number is exact on any machine; as a process, the deadline leaves room for every round the
 * tests read however slow the machine.
 */
import { createServer } from 'node:net';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBackend } from '../../../apps/backend/src/app';
import { migrate } from '../../../apps/backend/src/migrate';
import { createFrontend } from '../../../apps/frontend/src/app';
import type { Service } from '../../../apps/shared/http-service';
import { environments } from '../../../environments';
import { test as testConfig } from '../../../environments/test';
import { createAppDatabase } from '../../support/postgres';
import {
  ABSENT_CART,
  type CheckResult,
  runSmoke,
  type SmokeOptions,
  smokeChecks,
} from '../../../scripts/pipeline/smoke';
import { runScript } from '../../helpers/process';
import { appPool, listen, quietLogger } from '../../helpers/services';

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

const smoke = (...args: string[]) => runScript('pipeline/smoke.ts', ...args);

const problems = (results: readonly CheckResult[]) =>
  Object.fromEntries(results.map((r) => [r.name, r.problem]));

/**
 * A clock for runSmoke that moves only when it sleeps (or a test advances it): rounds are
 * counted, not raced against a real timer. `sleeps` records each wait.
 */
function fakeClock(onSleep: () => Promise<void> = async () => undefined) {
  let time = 0;
  const sleeps: number[] = [];
  const now = () => time;
  return {
    /** runSmoke's `now` and `sleep`, to spread into its options. */
    timers: {
      now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        time += ms;
        await onSleep();
      },
    },
    now,
    advance: (ms: number) => {
      time += ms;
    },
    sleeps,
  };
}

/** Deadline and interval on the fake clock: long, so each request keeps its 10 s limit. */
const DEADLINE_MS = 60_000;
const INTERVAL_MS = 10_000;

/** runSmoke on `clock`, with the tests' deadline and interval unless `options` names others. */
const smokeOn = (
  clock: ReturnType<typeof fakeClock>,
  options: Pick<SmokeOptions, 'baseUrl' | 'checks'> & Partial<SmokeOptions>,
) => runSmoke({ deadlineMs: DEADLINE_MS, intervalMs: INTERVAL_MS, ...clock.timers, ...options });

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

      const clock = fakeClock();
      const run = await smokeOn(clock, { baseUrl: url, checks });
      expect(run.results).toEqual([
        { name: 'page', url: new URL(route!.path, url).toString() },
        { name: 'health', url: new URL(route!.healthCheckPath, url).toString() },
        { name: 'api', url: `${url}/api/carts/${ABSENT_CART}` },
      ]);
      expect(run).toMatchObject({ passed: true, rounds: 1 });
      expect(clock.sleeps).toEqual([]);
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
    // One round: another wait would reach the deadline.
    const clock = fakeClock();
    const run = await smokeOn(clock, { baseUrl: url, checks, deadlineMs: INTERVAL_MS });
    expect(run).toMatchObject({ passed: false, rounds: 1 });
    expect(problems(run.results)).toEqual({
      page: undefined,
      health: 'answered 404, expected 200',
      api: undefined,
    });
  });

  it('retry until the deadline when the frontend cannot reach the backend, then name the api check', async () => {
    const clock = fakeClock();
    const rounds: number[] = [];
    const run = await smokeOn(clock, {
      baseUrl: orphanUrl,
      checks: smokeChecks(testConfig),
      onRound: () => {
        rounds.push(clock.now());
        clock.advance(2_000); // each round's requests take 2 s on the fake clock
      },
    });
    expect(run.passed).toBe(false);
    expect(problems(run.results)).toEqual({ page: undefined, health: undefined, api: API_DOWN });
    // Rounds start at 0, 12, 24, 36 and 48 s; after the fifth (ended at 50 s) another 10 s wait
    // would reach the 60 s deadline, so it stops there: not before, nor after.
    expect(run.rounds).toBe(5);
    expect(rounds).toEqual([0, 12_000, 24_000, 36_000, 48_000]);
    expect(clock.sleeps).toEqual([INTERVAL_MS, INTERVAL_MS, INTERVAL_MS, INTERVAL_MS]);
    expect(clock.now()).toBe(50_000);
  });

  it('fail every check with the connection error where nothing listens', async () => {
    const base = `http://127.0.0.1:${await closedPort()}`;
    const clock = fakeClock();
    const run = await smokeOn(clock, {
      baseUrl: base,
      checks: smokeChecks(testConfig),
    });
    expect(run.passed).toBe(false);
    // Rounds at 0, 10, …, 50 s: the sixth is the last a 10 s wait leaves before 60 s.
    expect(run.rounds).toBe(6);
    expect(problems(run.results)).toEqual({
      page: 'failed: ECONNREFUSED',
      health: 'failed: ECONNREFUSED',
      api: 'failed: ECONNREFUSED',
    });
  });

  it('pass in a later round when the frontend starts after the first', async () => {
    const port = await closedPort();
    let late: Service | undefined;
    let listening: Promise<void> = Promise.resolve();
    const rounds: Record<string, string | undefined>[] = [];
    // The wait after round 1 ends once the late frontend listens: round 2 finds it, always.
    const clock = fakeClock(() => listening);
    try {
      const run = await smokeOn(clock, {
        baseUrl: `http://127.0.0.1:${port}`,
        checks: smokeChecks(testConfig),
        onRound: (round, results) => {
          rounds.push(problems(results));
          if (round === 1) {
            const started = frontendFor(
              `http://127.0.0.1:${(backend.server.address() as { port: number }).port}`,
            );
            late = started;
            listening = new Promise<void>((resolve, reject) => {
              started.server.once('error', reject);
              started.server.listen(port, '127.0.0.1', resolve);
            });
          }
        },
      });
      expect(rounds).toEqual([
        {
          page: 'failed: ECONNREFUSED',
          health: 'failed: ECONNREFUSED',
          api: 'failed: ECONNREFUSED',
        },
        { page: undefined, health: undefined, api: undefined },
      ]);
      expect(run).toMatchObject({ passed: true, rounds: 2 });
      expect(clock.sleeps).toEqual([INTERVAL_MS]);
    } finally {
      await late?.shutdown('test');
    }
  });
});

describe.concurrent('smoke as a process', () => {
  it('exits 0 and says the environment passed', async () => {
    // A long deadline costs nothing when round 1 passes, and gives each request its full 10 s.
    const result = await smoke('test', '--base-url', url, '--deadline', '60', '--interval', '1');
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('  round 1: all passed\n');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('smoke: test passed (1 round)');
  });

  it('exits 1 after retrying to the deadline, with one line for the api check', async () => {
    // Rounds 0.2 s apart for 5 s: a second round comes unless the first takes 4.8 s (it takes
    // about 0.15 s with both cores busy, and under 1 s in a loaded suite). How many more come
    // depends on the machine's speed, so what every round says is read, not their number or
    // the time they took.
    const result = await smoke(
      'test',
      '--base-url',
      orphanUrl,
      '--deadline',
      '5',
      '--interval',
      '0.2',
    );
    expect(result.status, result.stdout + result.stderr).toBe(1);
    const rounds = result.stdout.split('\n').filter((line) => line.startsWith('  round '));
    expect(rounds.length, result.stdout).toBeGreaterThanOrEqual(2);
    expect(rounds).toEqual(rounds.map((_, i) => `  round ${i + 1}: failed: api`));
    expect(result.stdout).not.toContain('passed');
    expect(result.stderr).toBe(
      `smoke: test: api: GET ${orphanUrl}/api/carts/${ABSENT_CART} ${API_DOWN}\n`,
    );
  });
});
