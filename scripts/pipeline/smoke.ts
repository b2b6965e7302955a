/**
 * `npm run -s smoke -- <env> [--base-url <url>] [--deadline <seconds>] [--interval <seconds>]`:
 * checks a deployed environment from outside, as a user reaches it: the frontend at
 * `https://<frontend host>.<dns.domain>` serves its page and its health path, and `/api` through
 * it reaches the backend and its database. Retries every `--interval` seconds until every check
 * passes in one round or `--deadline` seconds have passed (a deploy takes a while to be served);
 * then exit 1 with one line per failed check. `--base-url` checks another address (a test's).
 *
 * The `/api` check reads a cart that cannot exist: the backend answers 404 `no such cart` only
 * after asking PostgreSQL, so it proves the whole path without writing anything, in prod too.
 */
import { type EnvironmentConfig, environments, validateEnvironments } from '../../environments';
import { findEnvironment } from './ci-env';
import { parseCommandLine, runCommand, ScriptError, UsageError } from './cli';

export const USAGE =
  'usage: npm run -s smoke -- <env> [--base-url <url>] [--deadline <seconds>] [--interval <seconds>]';

/** A cart id no cart has (a valid UUID, version 4): the backend must look it up to say so. */
export const ABSENT_CART = '00000000-0000-4000-8000-000000000000';

export interface SmokeCheck {
  readonly name: string;
  readonly path: string;
  /** Why the response is not the expected one; undefined when it is. */
  readonly verify: (status: number, contentType: string, body: string) => string | undefined;
}

const expectStatus = (expected: number, status: number): string | undefined =>
  status === expected ? undefined : `answered ${status}, expected ${expected}`;

/** The checks of an environment, from its frontend's route (environments/<env>.ts). */
export function smokeChecks(environment: EnvironmentConfig): SmokeCheck[] {
  const route = environment.services.frontend?.route;
  if (!route) {
    throw new ScriptError(
      `environments.${environment.name}.services.frontend.route is not set: the frontend is not exposed, so there is nothing to check from outside. Fix: give the frontend a route`,
    );
  }
  return [
    {
      name: 'page',
      path: route.path,
      verify: (status, type) =>
        expectStatus(200, status) ??
        (type.startsWith('text/html')
          ? undefined
          : `answered ${type || 'no content type'}, expected text/html`),
    },
    { name: 'health', path: route.healthCheckPath, verify: (status) => expectStatus(200, status) },
    {
      name: 'api',
      path: `/api/carts/${ABSENT_CART}`,
      verify: (status, _type, body) => {
        if (status !== 404) {
          const hint =
            status === 502 || status === 504
              ? ' (the frontend cannot reach the backend)'
              : status === 503
                ? ' (the backend cannot reach its database)'
                : '';
          return `answered ${status}${hint}, expected 404 "no such cart" from the backend`;
        }
        return body.includes('no such cart')
          ? undefined
          : `answered 404 without the backend's "no such cart": ${body.slice(0, 200)}`;
      },
    },
  ];
}

/** The environment's public address: `https://<frontend host>.<dns.domain>`. */
export function baseUrl(environment: EnvironmentConfig): string {
  const route = environment.services.frontend?.route;
  return `https://${route?.host}.${environment.dns.domain}`;
}

export interface CheckResult {
  readonly name: string;
  readonly url: string;
  /** What was wrong, or undefined when the check passed. */
  readonly problem?: string;
}

async function runCheck(base: string, check: SmokeCheck, timeoutMs: number): Promise<CheckResult> {
  const url = new URL(check.path, base).toString();
  try {
    const response = await fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.text();
    const problem = check.verify(response.status, response.headers.get('content-type') ?? '', body);
    return { name: check.name, url, ...(problem ? { problem } : {}) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      name: check.name,
      url,
      problem: `failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
    };
  }
}

export interface SmokeOptions {
  readonly baseUrl: string;
  readonly checks: readonly SmokeCheck[];
  /** Give up after this long. */
  readonly deadlineMs: number;
  /** Wait between rounds. */
  readonly intervalMs: number;
  /** Each request's own limit. @default 10000 */
  readonly requestTimeoutMs?: number;
  readonly onRound?: (round: number, results: readonly CheckResult[]) => void;
  /**
   * The clock the deadline is measured on, in milliseconds (a test's moves only when it says).
   * @default Date.now
   */
  readonly now?: () => number;
  /** Waits between rounds. @default a timer of `ms` milliseconds */
  readonly sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs the checks in rounds until one round passes them all or the deadline comes; the last round's results. */
export async function runSmoke(
  options: SmokeOptions,
): Promise<{ passed: boolean; rounds: number; results: CheckResult[] }> {
  const { now = Date.now, sleep = sleepFor } = options;
  const started = now();
  for (let round = 1; ; round++) {
    const remaining = options.deadlineMs - (now() - started);
    const timeout = Math.max(1000, Math.min(options.requestTimeoutMs ?? 10_000, remaining));
    const results = await Promise.all(
      options.checks.map((c) => runCheck(options.baseUrl, c, timeout)),
    );
    options.onRound?.(round, results);
    const passed = results.every((r) => !r.problem);
    if (passed || now() - started + options.intervalMs >= options.deadlineMs) {
      return { passed, rounds: round, results };
    }
    await sleep(options.intervalMs);
  }
}

function seconds(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`--${flag} must be a number of seconds, got ${JSON.stringify(value)}`);
  return n * 1000;
}

export async function main(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    'base-url': { type: 'string' },
    deadline: { type: 'string' },
    interval: { type: 'string' },
  });
  if (positionals.length > 1) {
    throw new UsageError(`expected one <env>, got ${JSON.stringify(positionals.join(' '))}`);
  }
  const environment = findEnvironment(validateEnvironments(environments), positionals[0]);
  const base = values['base-url'] ?? baseUrl(environment);
  if (!/^https?:\/\/[^/]+/.test(base)) {
    throw new UsageError(`--base-url must be an http(s) URL, got ${JSON.stringify(base)}`);
  }
  const deadlineMs = seconds('deadline', values.deadline, 300);
  const intervalMs = seconds('interval', values.interval, 10);
  console.log(`smoke: ${environment.name} at ${base}, for up to ${deadlineMs / 1000} s`);
  const run = await runSmoke({
    baseUrl: base,
    checks: smokeChecks(environment),
    deadlineMs,
    intervalMs,
    onRound: (round, results) => {
      const failed = results.filter((r) => r.problem).map((r) => r.name);
      console.log(
        `  round ${round}: ${failed.length === 0 ? 'all passed' : `failed: ${failed.join(', ')}`}`,
      );
    },
  });
  for (const result of run.results) {
    console.log(
      `  ${result.problem ? 'FAIL' : 'ok  '}  ${result.name.padEnd(6)} GET ${result.url}`,
    );
  }
  if (run.passed) {
    console.log(
      `smoke: ${environment.name} passed (${run.rounds} round${run.rounds === 1 ? '' : 's'})`,
    );
    return 0;
  }
  for (const result of run.results.filter((r) => r.problem)) {
    console.error(
      `smoke: ${environment.name}: ${result.name}: GET ${result.url} ${result.problem}`,
    );
  }
  return 1;
}

if (require.main === module) runCommand(USAGE, () => main(process.argv.slice(2)));
