/**
 * `npm run -s ci:env -- <env>`: what a workflow needs to act on an environment, as `key=value`
 * lines for `$GITHUB_OUTPUT`: its account and region, the two roles GitHub Actions assumes there
 * (constructs/delivery/names.ts), the `runs-on` label prefix of its in-VPC runner and the GitHub
 * environment that guards its deploys. Read from environments/, validated first, so a workflow
 * never holds a hand-copied account id or ARN. Exit 1 on an unknown environment, 2 on a bad
 * command line.
 */
import {
  ciRoleArn,
  githubEnvironmentName,
  runnerLabelPrefix,
} from '../../constructs/delivery/names';
import { type EnvironmentConfig, environments, validateEnvironments } from '../../environments';
import { parseCommandLine, runCommand, ScriptError, UsageError } from './cli';

export const USAGE =
  'usage: npm run -s ci:env -- <env>   (prints key=value lines for $GITHUB_OUTPUT)';

/** The outputs of one environment, in the order printed. */
export function ciEnvironment(environment: EnvironmentConfig): Record<string, string> {
  return {
    account_id: environment.accountId,
    region: environment.region,
    plan_role_arn: ciRoleArn(environment.accountId, environment.name, 'plan'),
    deploy_role_arn: ciRoleArn(environment.accountId, environment.name, 'deploy'),
    runner_label_prefix: runnerLabelPrefix(environment.name),
    github_environment: githubEnvironmentName(environment.name),
  };
}

/** The environment named on the command line; one that names none fails naming the choices. */
export function findEnvironment(
  all: readonly EnvironmentConfig[],
  name: string | undefined,
): EnvironmentConfig {
  const names = all.map((e) => e.name).join(', ');
  if (name === undefined) throw new UsageError(`<env> is missing. Fix: name one of ${names}`);
  const match = all.find((e) => e.name === name);
  if (!match) {
    throw new ScriptError(
      `<env> names no environment, got ${JSON.stringify(name)}. Fix: use one of ${names} (environments/index.ts)`,
    );
  }
  return match;
}

export function main(args: readonly string[]): void {
  const { positionals } = parseCommandLine(args, {});
  if (positionals.length > 1) {
    throw new UsageError(`expected one <env>, got ${JSON.stringify(positionals.join(' '))}`);
  }
  const environment = findEnvironment(validateEnvironments(environments), positionals[0]);
  for (const [key, value] of Object.entries(ciEnvironment(environment))) {
    console.log(`${key}=${value}`);
  }
}

if (require.main === module) runCommand(USAGE, () => main(process.argv.slice(2)));
