/**
 * `npm run bootstrap -- <env> [--auto-approve]`: creates an environment's state backend (the
 * `<env>-tfstate` stack) and moves that stack's own state into it.
 *
 * The tfstate stack creates the bucket every state lives in, so it cannot start there:
 *   1. synthesize `<env>-tfstate` with a local backend (.bootstrap/<env>/terraform.tfstate);
 *   2. terraform init + apply: creates the bucket, lock table and KMS key;
 *   3. read the KMS key ARN; `environments/<env>.ts` must hold it as `state.kmsKeyArn` (the S3
 *      backend takes no alias), else stop and say what to paste, then run again;
 *   4. synthesize again with the S3 backend, `terraform init -migrate-state -force-copy`;
 *   5. terraform plan must show no changes; the local state file is kept as `.migrated`.
 * Work files go to .bootstrap/<env>/ (or $PLATFORM_BOOTSTRAP_DIR/<env>/); TF_PROVIDER_MIRROR
 * points Terraform at a provider mirror (scripts/lib/terraform.ts).
 * Every step stops the script on failure. Running it again after step 3 is safe: the apply is
 * a no-op. Once migrated, the stack is deployed like any other (`cdktf deploy <env>-tfstate`).
 *
 * Before anything runs, it refuses an environment that still holds a placeholder value (account
 * id, role ARNs, documentation ranges, example addresses and zone: scripts/ops/placeholders.ts,
 * the same list as `npm run preflight -- <env>`), all but the service image tags, which can only
 * be real once their repositories exist.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { githubConnectionName } from '../../constructs/delivery/names';
import { environments, type EnvironmentConfig } from '../../environments';
import { bootstrapPlaceholders, count, formatPlaceholders, placeholders } from './placeholders';
import { parseTerraformVersion, terraformEnvironment } from '../lib/terraform';
import { REPO_ROOT } from '../lib/root';

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
}

/** Side effects of the bootstrap, injectable for tests. */
export interface BootstrapSteps {
  /** Runs terraform in `cwd`; `capture` returns stdout instead of streaming it. */
  terraform(args: string[], cwd: string, capture?: boolean): CommandResult;
  /** Synthesizes the environment's stacks into `outdir`, with local tfstate state when given. */
  synth(environment: EnvironmentConfig, outdir: string, localStatePath?: string): void;
  log(message: string): void;
}

export class BootstrapError extends Error {}

/** Outcome: `migrated`, or `needs-kms-key-arn` (step 3 stopped it; not a failure). */
export type BootstrapOutcome = 'migrated' | 'needs-kms-key-arn';

export function bootstrap(
  environment: EnvironmentConfig,
  options: { readonly workDir: string; readonly autoApprove: boolean },
  steps: BootstrapSteps,
): BootstrapOutcome {
  const stackDir = join(options.workDir, 'cdktf.out', 'stacks', `${environment.name}-tfstate`);
  const localState = join(options.workDir, 'terraform.tfstate');
  const migrated = `${localState}.migrated`;
  const outdir = join(options.workDir, 'cdktf.out');

  refusePlaceholders(environment);
  mkdirSync(options.workDir, { recursive: true });
  if (existsSync(migrated)) {
    throw new BootstrapError(
      `${environment.name} is already bootstrapped (${migrated} exists): its state is in ` +
        `s3://${environment.state.bucketName}. Deploy changes with \`cdktf deploy ${environment.name}-tfstate\`.`,
    );
  }

  const run = (label: string, args: string[]): void => {
    steps.log(`\n==> ${label}: terraform ${args.join(' ')}`);
    const result = steps.terraform(args, stackDir);
    if (result.status !== 0) {
      throw new BootstrapError(`${label} failed (terraform exited ${result.status}); stopping.`);
    }
  };

  const version = steps.terraform(['version', '-json'], options.workDir, true);
  if (version.status !== 0) {
    throw new BootstrapError(
      '`terraform version` failed: is Terraform >= 1.10 installed and on PATH?',
    );
  }
  const [major, minor] = parseTerraformVersion(version.stdout);
  if (major < 1 || (major === 1 && minor < 10)) {
    throw new BootstrapError(
      `Terraform ${major}.${minor} is too old: the S3 backend's use_lockfile needs >= 1.10.`,
    );
  }

  steps.log(`==> synthesizing ${environment.name}-tfstate with local state at ${localState}`);
  steps.synth(environment, outdir, localState);
  run('init (local state)', ['init', '-input=false']);
  run('apply', ['apply', '-input=false', ...(options.autoApprove ? ['-auto-approve'] : [])]);

  const output = steps.terraform(['output', '-raw', 'state_kms_key_arn'], stackDir, true);
  const keyArn = output.stdout.trim();
  if (output.status !== 0 || !keyArn.startsWith('arn:')) {
    throw new BootstrapError('could not read the state_kms_key_arn output after apply; stopping.');
  }
  if (environment.state.kmsKeyArn !== keyArn) {
    steps.log(
      `\nThe state backend exists. Before the state can move into it, set in environments/${environment.name}.ts:\n\n` +
        `  state: { …, kmsKeyArn: '${keyArn}' },\n\n` +
        `then run \`npm run bootstrap -- ${environment.name}\` again (the apply will be a no-op).`,
    );
    return 'needs-kms-key-arn';
  }

  steps.log(`==> synthesizing ${environment.name}-tfstate with the S3 backend`);
  steps.synth(environment, outdir);
  run('migrate state to S3', ['init', '-input=false', '-migrate-state', '-force-copy']);
  const plan = steps.terraform(
    ['plan', '-input=false', '-detailed-exitcode', '-lock-timeout=60s'],
    stackDir,
  );
  if (plan.status === 2) {
    throw new BootstrapError(
      'the state was migrated, but terraform plan shows changes: review them before going on.',
    );
  }
  if (plan.status !== 0) {
    throw new BootstrapError(`terraform plan after the migration failed (exit ${plan.status}).`);
  }
  renameSync(localState, migrated);
  steps.log(
    `\n${environment.name}-tfstate now keeps its state in s3://${environment.state.bucketName}/` +
      `${environment.name}/tfstate.tfstate. The local copy was kept as ${migrated}.\n` +
      `Next: authorize the GitHub connection ${githubConnectionName(environment.name)} in the AWS console, then ` +
      `deploy through the pipeline (docs/delivery.md, One-time setup).`,
  );
  return 'migrated';
}

/**
 * Throws, before anything runs, while a placeholder is left that the bootstrap refuses: the apply
 * would create buckets named after an account that is not this one (or stop at the provider's
 * `allowed_account_ids`), and the stacks after it would grant a role nobody has, open the API to
 * a range nobody owns, and mail alarms to example.com.
 */
function refusePlaceholders(environment: EnvironmentConfig): void {
  const blocking = bootstrapPlaceholders(environment);
  if (blocking.length === 0) return;
  const { name } = environment;
  const images = placeholders(environment).length - blocking.length;
  throw new BootstrapError(
    [
      `${name} has ${count(blocking.length)} to replace in environments/${name}.ts before the bootstrap; nothing was run:`,
      ...formatPlaceholders(name, blocking),
      '',
      (images > 0
        ? `The service image tags (${images}) wait for their repositories (docs/getting-started.md). `
        : '') + `Check again with npm run preflight -- ${name}.`,
    ].join('\n'),
  );
}

/** The real steps: terraform on PATH, and main.ts run with tsx. */
export function processSteps(root: string, workDir: string): BootstrapSteps {
  // Written on the first terraform command, not before: a refused bootstrap writes nothing.
  let env: NodeJS.ProcessEnv | undefined;
  return {
    terraform(args, cwd, capture = false) {
      env ??= terraformEnvironment(workDir);
      const result = spawnSync('terraform', args, {
        cwd,
        env,
        encoding: 'utf8',
        stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
      });
      if (result.error) {
        throw new BootstrapError(
          `cannot run terraform: ${result.error.message}. Install Terraform >= 1.10.`,
        );
      }
      return { status: result.status, stdout: result.stdout ?? '' };
    },
    synth(environment, outdir, localStatePath) {
      const result = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), ['main.ts'], {
        cwd: root,
        env: {
          ...process.env,
          CHECKPOINT_DISABLE: '1',
          CDKTF_OUTDIR: outdir,
          PLATFORM_ENV: environment.name,
          PLATFORM_BOOTSTRAP_LOCAL_STATE: localStatePath ?? '',
        },
        stdio: 'inherit',
      });
      if (result.status !== 0) {
        throw new BootstrapError(`synthesizing ${environment.name} failed; stopping.`);
      }
    },
    log: (message) => console.log(message),
  };
}

function main(argv: string[]): number {
  const args = argv.filter((a) => !a.startsWith('--'));
  const autoApprove = argv.includes('--auto-approve');
  const environment = environments.find((e) => e.name === args[0]);
  if (args.length !== 1 || !environment) {
    console.error(
      `usage: npm run bootstrap -- <${environments.map((e) => e.name).join('|')}> [--auto-approve]` +
        (args[0] ? `\nunknown environment: ${JSON.stringify(args[0])}` : ''),
    );
    return 2;
  }
  const root = REPO_ROOT;
  // PLATFORM_BOOTSTRAP_DIR: where local state and the synth output go (tests point it elsewhere).
  const workDir = join(
    resolve(process.env.PLATFORM_BOOTSTRAP_DIR ?? join(root, '.bootstrap')),
    environment.name,
  );
  try {
    const outcome = bootstrap(environment, { workDir, autoApprove }, processSteps(root, workDir));
    return outcome === 'migrated' ? 0 : 3;
  } catch (error) {
    if (error instanceof BootstrapError) {
      console.error(`bootstrap: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  process.exit(main(process.argv.slice(2)));
}
