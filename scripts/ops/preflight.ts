/**
 * `npm run preflight -- <env>`: what a newcomer must fix before the first deploy of an
 * environment, checked locally (no AWS call):
 *   - the config is valid (the synth's own check, every environment): exit 1 if not;
 *   - every placeholder value left in `environments/<env>.ts` (scripts/ops/placeholders.ts), one
 *     line each, grouped by when it is needed, with the fix: exit 1 while one is left that the
 *     bootstrap refuses (all but the service image tags, which can only be set once their
 *     repositories exist: listed, exit 0);
 *   - `aws` (CLI v2), `terraform` (>= 1.10) and `kubectl` on PATH: warnings only (stderr);
 *   - `state.kmsKeyArn`: unset before the bootstrap (a note).
 * Exit codes: 0 ready for the bootstrap, 1 an invalid config or placeholders to replace, 2 usage.
 * Runbook: docs/getting-started.md.
 */
import { spawnSync } from 'node:child_process';
import {
  environments as committed,
  ConfigValidationError,
  type EnvironmentConfig,
  formatIssue,
  validateEnvironments,
} from '../../environments';
import { bootstrapPlaceholders, count, formatPlaceholders, placeholders } from './placeholders';

/** A command's outcome; `undefined` when it could not be started (not on PATH). */
export type Run = (
  command: string,
  args: readonly string[],
) => { readonly status: number | null; readonly stdout: string } | undefined;

/** What the preflight reads and writes, injectable for tests. */
export interface PreflightIo {
  readonly environments: readonly EnvironmentConfig[];
  readonly run: Run;
  out(line: string): void;
  err(line: string): void;
}

const INSTALL = {
  aws: 'https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html',
  terraform: 'https://developer.hashicorp.com/terraform/install',
  kubectl: 'https://kubernetes.io/docs/tasks/tools/',
};

/** The tools a first deploy needs, as warnings: one line each, with the install hint. */
export function toolWarnings(run: Run): string[] {
  const warnings: string[] = [];
  const aws = run('aws', ['--version']);
  const awsVersion = /aws-cli\/(\d+)\./.exec(aws?.stdout ?? '')?.[1];
  if (aws === undefined || aws.status !== 0) {
    warnings.push(
      `aws (AWS CLI v2) is not on PATH: the bootstrap, the deploys and kubectl's login need it. Install: ${INSTALL.aws}`,
    );
  } else if (awsVersion !== undefined && Number(awsVersion) < 2) {
    warnings.push(`aws is AWS CLI v${awsVersion}: install v2 (${INSTALL.aws})`);
  }

  const terraform = run('terraform', ['version', '-json']);
  if (terraform === undefined || terraform.status !== 0) {
    warnings.push(
      `terraform is not on PATH: the bootstrap and cdktf need Terraform >= 1.10. Install: ${INSTALL.terraform}`,
    );
  } else {
    const version = /"terraform_version"\s*:\s*"(\d+)\.(\d+)\.\d+/.exec(terraform.stdout);
    const [major, minor] = [Number(version?.[1] ?? 0), Number(version?.[2] ?? 0)];
    if (!version || major < 1 || (major === 1 && minor < 10)) {
      warnings.push(
        `terraform ${version ? `${major}.${minor}` : '(version unreadable)'} is too old: the S3 backend's use_lockfile needs >= 1.10. Install: ${INSTALL.terraform}`,
      );
    }
  }

  const kubectl = run('kubectl', ['version', '--client']);
  if (kubectl === undefined || kubectl.status !== 0) {
    warnings.push(
      `kubectl is not on PATH: not needed for the bootstrap, but to reach the cluster after eks-infra and for the teardown. Install: ${INSTALL.kubectl}`,
    );
  }
  return warnings;
}

/** `state.kmsKeyArn`: unset until the bootstrap prints it (the schema checks its account). */
export function kmsKeyNote(environment: EnvironmentConfig): string {
  const { name } = environment;
  return environment.state.kmsKeyArn === undefined
    ? `state.kmsKeyArn is unset, as expected before the bootstrap: npm run bootstrap -- ${name} prints the ARN to set.`
    : `state.kmsKeyArn is set: the bootstrap's first apply has run; run npm run bootstrap -- ${name} again if the state has not moved to S3 yet.`;
}

export function usage(environments: readonly EnvironmentConfig[]): string {
  return `usage: npm run preflight -- <${environments.map((e) => e.name).join('|')}>`;
}

export function preflight(argv: readonly string[], io: PreflightIo): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(usage(io.environments));
    io.out(
      'Lists the placeholder values to replace in environments/<env>.ts before the first deploy (exit 1 while any is left), and checks aws, terraform and kubectl. Runbook: docs/getting-started.md',
    );
    return 0;
  }
  const flags = argv.filter((a) => a.startsWith('-'));
  const names = argv.filter((a) => !a.startsWith('-'));
  const environment = io.environments.find((e) => e.name === names[0]);
  if (flags.length > 0 || names.length !== 1 || !environment) {
    const why =
      flags.length > 0
        ? `unknown option: ${flags[0]}`
        : names.length > 1
          ? `one environment at a time, got ${names.join(' ')}`
          : names[0] !== undefined
            ? `unknown environment: ${JSON.stringify(names[0])}`
            : 'name the environment';
    io.err(`${usage(io.environments)}\n${why}`);
    return 2;
  }

  const { name } = environment;
  try {
    validateEnvironments(io.environments);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    io.out(
      `preflight: the environment config is invalid; fix it first (the synth refuses it too):`,
    );
    error.issues.forEach((issue) => io.out(`  - ${formatIssue(issue)}`));
    return 1;
  }
  for (const warning of toolWarnings(io.run)) io.err(`warning: ${warning}`);
  io.err(`note: ${kmsKeyNote(environment)}`);

  const found = placeholders(environment);
  if (found.length === 0) {
    io.out(`preflight: ${name} has no placeholder values left; next: npm run bootstrap -- ${name}`);
    return 0;
  }
  if (bootstrapPlaceholders(environment).length === 0) {
    io.out(
      `preflight: ${name} is ready for the bootstrap; ${count(found.length)} left, the service image tags, set at each service's first deploy:`,
    );
    formatPlaceholders(name, found).forEach((line) => io.out(line));
    io.out('');
    io.out(
      `Next: npm run bootstrap -- ${name}; the image tags in step 9 of docs/getting-started.md.`,
    );
    return 0;
  }
  io.out(
    `preflight: ${name} has ${count(found.length)} to replace in environments/${name}.ts before the first deploy:`,
  );
  formatPlaceholders(name, found).forEach((line) => io.out(line));
  io.out('');
  io.out(`Replace them, then run npm run preflight -- ${name} again (docs/getting-started.md).`);
  return 1;
}

/** Runs a command without a shell; `undefined` when it cannot be started. */
const run: Run = (command, args) => {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    timeout: 20_000,
  });
  return result.error ? undefined : { status: result.status, stdout: result.stdout ?? '' };
};

if (require.main === module) {
  process.exitCode = preflight(process.argv.slice(2), {
    environments: committed,
    run,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
}
