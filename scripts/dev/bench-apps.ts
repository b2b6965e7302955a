/**
 * `npm run bench:apps [-- --seconds N] [-- --out FILE]`: requests per second and p99 latency of
 * the reference services' read and write paths, on loopback only, each run bounded in time
 * (default 5 s after a 1 s warm-up). The services run as their images do (built from their
 * Dockerfiles, __tests__/support/image-build.ts), on a real PostgreSQL over TLS, each its own process,
 * so their CPU time is measured apart from the load generator's (autocannon): that
 * gives requests per second per core, from which environments/services.ts derives the HPA's
 * requests per pod at its CPU target (docs/performance.md says how).
 *
 * Writes the figures to docs/performance.json and their table into docs/performance.md (between
 * its `bench:apps` markers), or only to --out; prints the table.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { requestsPerPodAtTarget, SERVICES } from '../../environments/services';
import {
  type BuiltImage,
  buildImage,
  type Running,
  runImage,
  waitFor,
} from '../../__tests__/support/image-build';
import {
  backendDatabaseEnv,
  createAppDatabase,
  startPostgres,
} from '../../__tests__/support/postgres';
import { formatAsRepository } from './format';
import { REPO_ROOT } from '../lib/root';

export interface BenchRun {
  readonly service: 'backend' | 'frontend';
  readonly path: 'read' | 'write' | 'page';
  readonly request: string;
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  /** Cores the service process used while loaded (its CPU seconds per wall second). */
  readonly serviceCores: number;
  readonly requestsPerSecondPerCore: number;
  readonly errors: number;
}

export interface BenchResult {
  readonly measuredAt: string;
  readonly machine: { readonly cpus: number; readonly model: string; readonly node: string };
  readonly seconds: number;
  readonly connections: number;
  readonly runs: readonly BenchRun[];
}

/** CPU seconds a process has used so far (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
  return ticks / 100; // USER_HZ
}

async function load(
  options: autocannon.Options,
  pid: number,
  seconds: number,
): Promise<Omit<BenchRun, 'service' | 'path' | 'request'>> {
  await autocannon({ ...options, duration: Math.min(1, seconds) }); // warm-up: JIT, pool connections
  const [cpuBefore, started] = [cpuSeconds(pid), process.hrtime.bigint()];
  const result = await autocannon({ ...options, duration: seconds });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const cores = (cpuSeconds(pid) - cpuBefore) / wall;
  const rps = result.requests.average;
  return {
    requestsPerSecond: Math.round(rps),
    p99Ms: result.latency.p99,
    serviceCores: Number(cores.toFixed(2)),
    requestsPerSecondPerCore: Math.round(rps / cores),
    errors: result.errors + result.non2xx,
  };
}

export async function benchApps(seconds = 5, connections = 10): Promise<BenchResult> {
  const pg = await startPostgres();
  const images: BuiltImage[] = [];
  const services: Running[] = [];
  try {
    const db = await createAppDatabase(pg, 'bench');
    // The services as their images run them: built output, TLS verify-full to the database,
    // a JSON log line per request (to /dev/null here).
    images.push(await buildImage(join(REPO_ROOT, 'apps/backend/Dockerfile')));
    images.push(await buildImage(join(REPO_ROOT, 'apps/frontend/Dockerfile')));
    const production = { LOG_LEVEL: 'info', SHUTDOWN_DRAIN_SECONDS: '0' };
    const backend = await runImage(
      images[0],
      { ...production, ...backendDatabaseEnv(pg, db) },
      true,
    );
    services.push(backend);
    await waitFor(`${backend.url}/readyz`, 200, backend);
    const frontend = await runImage(images[1], { ...production, API_URL: backend.url }, true);
    services.push(frontend);
    await waitFor(`${frontend.url}/readyz`, 200, frontend);

    const cart = (await (await fetch(`${backend.url}/api/carts`, { method: 'POST' })).json()) as {
      id: string;
    };
    const item = (sku: string) => ({ sku, name: `Item ${sku}`, unitPriceCents: 250, quantity: 1 });
    for (const sku of ['a', 'b', 'c']) {
      await fetch(`${backend.url}/api/carts/${cart.id}/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(item(sku)),
      });
    }
    const base = { connections, pipelining: 1 };
    const runs: BenchRun[] = [];
    const read = `GET /api/carts/:id (3 items)`;
    runs.push({
      service: 'backend',
      path: 'read',
      request: read,
      ...(await load(
        { ...base, url: `${backend.url}/api/carts/${cart.id}` },
        backend.pid,
        seconds,
      )),
    });
    // Each write adds to a fresh cart's same item, so the cart never reaches its 1000 limit.
    const carts = await Promise.all(
      Array.from(
        { length: 50 },
        async () =>
          (
            (await (await fetch(`${backend.url}/api/carts`, { method: 'POST' })).json()) as {
              id: string;
            }
          ).id,
      ),
    );
    let next = 0;
    runs.push({
      service: 'backend',
      path: 'write',
      request: 'POST /api/carts/:id/items',
      ...(await load(
        {
          ...base,
          url: backend.url,
          requests: [
            {
              method: 'POST',
              setupRequest: (request) => ({
                ...request,
                path: `/api/carts/${carts[next++ % carts.length]}/items`,
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(item(`sku-${next % 500}`)),
              }),
            },
          ],
        },
        backend.pid,
        seconds,
      )),
    });
    runs.push({
      service: 'frontend',
      path: 'page',
      request: 'GET /',
      ...(await load({ ...base, url: `${frontend.url}/` }, frontend.pid, seconds)),
    });
    runs.push({
      service: 'frontend',
      path: 'read',
      request: `GET /api/carts/:id (passed to the backend)`,
      ...(await load(
        { ...base, url: `${frontend.url}/api/carts/${cart.id}` },
        frontend.pid,
        seconds,
      )),
    });
    return {
      measuredAt: new Date().toISOString().slice(0, 10),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
      seconds,
      connections,
      runs,
    };
  } finally {
    for (const service of services) service.stop('SIGTERM');
    await Promise.all(services.map((service) => service.exited));
    for (const image of images) image.remove();
    pg.stop();
  }
}

export function table(result: BenchResult): string {
  const rows = [
    ['service', 'path', 'request', 'req/s', 'p99 ms', 'service cores', 'req/s per core', 'errors'],
    ...result.runs.map((r) => [
      r.service,
      r.path,
      r.request,
      String(r.requestsPerSecond),
      String(r.p99Ms),
      r.serviceCores.toFixed(2),
      String(r.requestsPerSecondPerCore),
      String(r.errors),
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`)
    .join('\n')
    .replace(/\n/, `\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n`);
}

const MARKERS = ['<!-- bench:apps -->', '<!-- /bench:apps -->'] as const;

/** How environments/services.ts sizes each service's pods from this result. */
export function sizing(result: BenchResult): string {
  const rows = Object.entries(SERVICES).map(([name, service]) => {
    const { sizedBy, targetCpuUtilizationPercent: target } = service.autoscaling;
    const run = result.runs.find((r) => r.service === name && r.path === sizedBy);
    const perPod = run
      ? String(
          requestsPerPodAtTarget(
            run.requestsPerSecondPerCore,
            service.resources.cpuMillicores,
            target,
          ),
        )
      : 'not measured';
    return `| ${name} | ${sizedBy}: \`${run?.request ?? '?'}\` | ${run?.requestsPerSecondPerCore ?? '?'} | ${service.resources.cpuMillicores}m | ${target}% | ${perPod} |`;
  });
  return [
    '| service | sized by | req/s per core | CPU request | target | requests per pod at target |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** The document with the part between its markers made from this result. */
export function withTable(doc: string, result: BenchResult): string {
  const [start, end] = [doc.indexOf(MARKERS[0]), doc.indexOf(MARKERS[1])];
  if (start < 0 || end < start)
    throw new Error(`docs/performance.md lacks the markers ${MARKERS.join(' … ')}`);
  const measured = `Measured ${result.measuredAt} on ${result.machine.cpus} cores (${result.machine.model}), Node.js ${result.machine.node}: ${result.seconds} s per path, ${result.connections} connections.`;
  const body = [
    MARKERS[0],
    measured,
    table(result),
    'The sizing it gives (see below):',
    sizing(result),
    '',
  ].join('\n\n');
  return doc.slice(0, start) + body + doc.slice(end);
}

/** docs/performance.md with this result in it, formatted as the repository formats markdown. */
export async function performanceDoc(doc: string, result: BenchResult): Promise<string> {
  const filepath = join(REPO_ROOT, 'docs', 'performance.md');
  return formatAsRepository(withTable(doc, result), filepath);
}

async function main(argv: string[]): Promise<number> {
  const at = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const seconds = Number(at('--seconds') ?? 5);
  const out = resolve(at('--out') ?? join(REPO_ROOT, 'docs', 'performance.json'));
  console.log(`bench:apps: ${seconds} s per path after a 1 s warm-up, loopback only`);
  const result = await benchApps(seconds);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  if (!at('--out')) {
    const doc = join(REPO_ROOT, 'docs', 'performance.md');
    writeFileSync(doc, await performanceDoc(readFileSync(doc, 'utf8'), result));
  }
  console.log(`\n${table(result)}\n\nwrote ${out}`);
  const failed = result.runs.filter((r) => r.errors > 0);
  if (failed.length > 0) {
    console.error(
      `bench:apps: errors on ${failed.map((r) => `${r.service} ${r.path}`).join(', ')}`,
    );
    return 1;
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`bench:apps failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
