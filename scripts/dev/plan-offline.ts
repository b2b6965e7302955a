/**
 * `npm run plan:offline [-- test|prod] [--outdir DIR] [--work-dir DIR] [--concurrency N]
 *   [--no-shared-provider]`
 *
 * The Terraform engine's own proof of every stack, with no AWS account: synthesizes the app (or
 * reads `--outdir`), runs one `terraform init -backend=false` for the run, starts the AWS
 * provider once for every command to share, then, per stack once its upstreams have applied,
 * `terraform test` of a generated `.tftest.hcl`: it validates against the real provider, mocks
 * it for the apply, feeds each `terraform_remote_state` the outputs of its upstream's mocked
 * apply, and asserts every output and resource (`terraform validate` runs only to explain a
 * failed test). At most one Terraform process per core.
 *
 * Providers come from a filesystem mirror (a CLI config is generated for it): TF_PROVIDER_MIRROR,
 * else the one `npm run -s find-provider-mirror` finds; with neither the script stops with the fix
 * (`resolveProviderMirror`). Stacks using providers that cannot be installed are checked without
 * them, and the table says what was left unchecked. Exits 1 unless every stack passed. Everything
 * it puts in the temporary directory it removes, also when it fails. See docs/testing.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { environments } from '../../environments';
import {
  findProviderMirror,
  NO_PROVIDER_MIRROR,
  resolveProviderMirror,
} from './find-provider-mirror';
import { childEnvironment, TERRAFORM_MISSING } from '../lib/terraform';
import { synthesizePlatform } from '../../stacks/platform';
import { formatReport, allProven } from './offline-proof/report';
import { runOfflineProof, type StackResult } from './offline-proof/runner';
import { loadStacks } from './offline-proof/stacks';
import { REPO_ROOT } from '../lib/root';

export { TERRAFORM_MISSING };

/** Checks that a usable terraform is on PATH; returns its version or throws with the fix. */
export function terraformVersion(binary = 'terraform'): string {
  const result = spawnSync(binary, ['version', '-json'], {
    encoding: 'utf8',
    env: childEnvironment(),
  });
  if (result.error || result.status !== 0) {
    throw new Error(TERRAFORM_MISSING);
  }
  return (JSON.parse(result.stdout) as { terraform_version: string }).terraform_version;
}

/** The stacks' working copies, kept after the run to look into (git-ignored). */
export const DEFAULT_WORK_DIR = resolve(REPO_ROOT, '.tmp', 'plan-offline');

/** Where the provider is cached between runs (git-ignored). */
export const DEFAULT_PLUGIN_CACHE = resolve(REPO_ROOT, '.tmp', 'terraform-plugin-cache');

export interface OfflineProofRun {
  readonly results: StackResult[];
  readonly report: string;
  readonly wallSeconds: number;
  readonly ok: boolean;
}

/** Synthesizes (unless `outdir` is given) and proves the stacks of one environment or all. */
export async function planOffline(options: {
  readonly environmentName?: string;
  readonly outdir?: string;
  readonly workDir?: string;
  readonly concurrency?: number;
  readonly providerMirror?: string;
  /** @default true: one provider process for every Terraform command (see ProofOptions) */
  readonly shareProviders?: boolean;
  readonly onResult?: (result: StackResult) => void;
  readonly onStep?: (stack: string, step: string) => void;
}): Promise<OfflineProofRun> {
  const started = Date.now();
  // The synth goes to a temporary directory of its own, removed however the run ends.
  const synthDir = options.outdir ? undefined : mkdtempSync(join(tmpdir(), 'plan-offline-synth-'));
  let results: StackResult[];
  try {
    const outdir = options.outdir ?? join(synthDir!, 'out');
    if (synthDir) {
      synthesizePlatform(environments, {
        outdir,
        ...(options.environmentName ? { environmentName: options.environmentName } : {}),
      });
    }
    const prefix = options.environmentName ? `${options.environmentName}-` : '';
    const stacks = loadStacks(outdir, (name) => name.startsWith(prefix));
    results = await runOfflineProof({
      stacks,
      workDir: options.workDir ?? DEFAULT_WORK_DIR,
      pluginCacheDir: process.env.TF_PLUGIN_CACHE_DIR ?? DEFAULT_PLUGIN_CACHE,
      ...(options.providerMirror ? { providerMirror: options.providerMirror } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.shareProviders === false ? { shareProviders: false } : {}),
      ...(options.onResult ? { onResult: options.onResult } : {}),
      ...(options.onStep ? { onStep: options.onStep } : {}),
    });
  } finally {
    if (synthDir) rmSync(synthDir, { recursive: true, force: true });
  }
  const wallSeconds = (Date.now() - started) / 1000;
  return {
    results,
    report: formatReport(results, wallSeconds),
    wallSeconds,
    ok: allProven(results),
  };
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** What `main` reaches outside itself, replaceable in tests. */
export interface MainDependencies {
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default - `findProviderMirror` */
  readonly findMirror?: () => string | undefined;
  /** @default console.log */
  readonly log?: (line: string) => void;
  /** @default console.error */
  readonly error?: (line: string) => void;
}

/** The command: progress a step at a time, the table, one closing line. Returns the exit code. */
export async function main(argv: string[], deps: MainDependencies = {}): Promise<number> {
  const log = deps.log ?? ((line: string) => console.log(line));
  const error = deps.error ?? ((line: string) => console.error(line));
  const valueFlags = ['--outdir', '--work-dir', '--concurrency'];
  const positional = argv.filter(
    (a, i) => !a.startsWith('--') && !valueFlags.includes(argv[i - 1] ?? ''),
  );
  const names = environments.map((e) => e.name);
  const requested = positional[0];
  if (
    positional.length > 1 ||
    (requested && requested !== 'all' && !names.includes(requested as never))
  ) {
    error(
      `usage: npm run plan:offline -- [${names.join('|')}|all] [--outdir DIR] [--work-dir DIR] [--concurrency N] [--no-shared-provider]`,
    );
    return 2;
  }
  let version: string;
  try {
    version = terraformVersion();
  } catch (problem) {
    error((problem as Error).message);
    return 1;
  }
  const env = deps.env ?? process.env;
  const fromEnv = Boolean(env.TF_PROVIDER_MIRROR);
  if (!fromEnv) log('looking for a provider mirror (TF_PROVIDER_MIRROR is not set)…');
  const mirror = resolveProviderMirror(env, deps.findMirror ?? (() => findProviderMirror()));
  if (!mirror) {
    error(`plan:offline: ${NO_PROVIDER_MIRROR}.`);
    return 1;
  }
  log(
    `terraform ${version}; providers from ${mirror}${fromEnv ? '' : ' (found; set TF_PROVIDER_MIRROR to skip the search)'}`,
  );
  const concurrency = flag(argv, '--concurrency');
  const workDir = flag(argv, '--work-dir') ? resolve(flag(argv, '--work-dir')!) : DEFAULT_WORK_DIR;
  const started = Date.now();
  const at = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s`;
  const run = await planOffline({
    ...(requested && requested !== 'all' ? { environmentName: requested } : {}),
    ...(flag(argv, '--outdir') ? { outdir: resolve(flag(argv, '--outdir')!) } : {}),
    workDir,
    ...(concurrency ? { concurrency: Number(concurrency) } : {}),
    providerMirror: mirror,
    ...(argv.includes('--no-shared-provider') ? { shareProviders: false } : {}),
    onStep: (stack, step) => log(`${at()}  ${stack}: terraform ${step}…`),
    onResult: (r) =>
      log(`${at()}  ${r.stack}: ${r.status} (${r.seconds.toFixed(1)} s in Terraform)`),
  });
  log(`\n${run.report}`);
  const proven = run.results.filter((r) => r.status === 'passed' || r.status === 'partial');
  const bad = run.results.filter((r) => r.status === 'failed' || r.status === 'not run');
  log(
    run.ok
      ? `\nplan:offline: ${proven.length} of ${run.results.length} stacks proven in ${run.wallSeconds.toFixed(1)} s; working copies in ${workDir}. Next: a pull request, whose plans against the real account the pipeline posts (docs/delivery.md).`
      : `\nplan:offline: FAILED: ${bad.map((r) => r.stack).join(', ') || 'no stack proven'} (Terraform's errors above); fix them and run it again, or look into ${workDir}/.proof (cd there; terraform test -filter=tests/<stack>.tftest.hcl) and ${workDir}/<stack>.`,
  );
  return run.ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // One message, no stack trace: the provider crash and a failed provider install say
      // themselves what to do.
      console.error(
        `plan:offline failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      process.exit(1);
    },
  );
}
