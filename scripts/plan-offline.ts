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
 * Providers come from the filesystem mirror in TF_PROVIDER_MIRROR (a CLI config is generated
 * for it) or else from Terraform's registry. Stacks using providers that cannot be installed are
 * checked without them, and the table says what was left unchecked. Exits 1 unless every stack
 * passed. See docs/testing.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { environments } from '../environments';
import { synthesizePlatform } from '../stacks/platform';
import { formatReport, allProven } from './lib/offline-proof/report';
import { ProviderCrashError, runOfflineProof, type StackResult } from './lib/offline-proof/runner';
import { loadStacks } from './lib/offline-proof/stacks';

export const TERRAFORM_MISSING =
  'terraform is not on PATH. Install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install: ' +
  'a single binary; put it in /usr/local/bin), or set SKIP_TERRAFORM=1 to skip the offline proof, loudly.';

/** Checks that a usable terraform is on PATH; returns its version or throws with the fix. */
export function terraformVersion(binary = 'terraform'): string {
  const result = spawnSync(binary, ['version', '-json'], {
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  if (result.error || result.status !== 0) {
    throw new Error(TERRAFORM_MISSING);
  }
  return (JSON.parse(result.stdout) as { terraform_version: string }).terraform_version;
}

/** Where the provider is cached between runs (git-ignored). */
export const DEFAULT_PLUGIN_CACHE = resolve(__dirname, '..', '.tmp', 'terraform-plugin-cache');

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
  let outdir = options.outdir;
  if (!outdir) {
    outdir = join(mkdtempSync(join(tmpdir(), 'plan-offline-synth-')), 'out');
    synthesizePlatform(environments, {
      outdir,
      ...(options.environmentName ? { environmentName: options.environmentName } : {}),
    });
  }
  const prefix = options.environmentName ? `${options.environmentName}-` : '';
  const stacks = loadStacks(outdir, (name) => name.startsWith(prefix));
  const results = await runOfflineProof({
    stacks,
    workDir: options.workDir ?? resolve(__dirname, '..', '.tmp', 'plan-offline'),
    pluginCacheDir: process.env.TF_PLUGIN_CACHE_DIR ?? DEFAULT_PLUGIN_CACHE,
    ...(options.providerMirror ? { providerMirror: options.providerMirror } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.shareProviders === false ? { shareProviders: false } : {}),
    ...(options.onResult ? { onResult: options.onResult } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
  });
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

async function main(argv: string[]): Promise<number> {
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
    console.error(
      `usage: npm run plan:offline -- [${names.join('|')}|all] [--outdir DIR] [--work-dir DIR] [--concurrency N] [--no-shared-provider]`,
    );
    return 2;
  }
  try {
    console.log(
      `terraform ${terraformVersion()}; providers from ${process.env.TF_PROVIDER_MIRROR ?? 'the registry'}`,
    );
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  const concurrency = flag(argv, '--concurrency');
  const started = Date.now();
  const at = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s`;
  const run = await planOffline({
    ...(requested && requested !== 'all' ? { environmentName: requested } : {}),
    ...(flag(argv, '--outdir') ? { outdir: resolve(flag(argv, '--outdir')!) } : {}),
    ...(flag(argv, '--work-dir') ? { workDir: resolve(flag(argv, '--work-dir')!) } : {}),
    ...(concurrency ? { concurrency: Number(concurrency) } : {}),
    ...(process.env.TF_PROVIDER_MIRROR ? { providerMirror: process.env.TF_PROVIDER_MIRROR } : {}),
    ...(argv.includes('--no-shared-provider') ? { shareProviders: false } : {}),
    onStep: (stack, step) => console.log(`${at()}  ${stack}: terraform ${step}…`),
    onResult: (r) =>
      console.log(`${at()}  ${r.stack}: ${r.status} (${r.seconds.toFixed(1)} s in Terraform)`),
  });
  console.log(`\n${run.report}`);
  return run.ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof ProviderCrashError ? error.message : error);
      process.exit(1);
    },
  );
}
