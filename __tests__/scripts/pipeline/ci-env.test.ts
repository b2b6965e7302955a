/**
 * `npm run -s ci:env -- <env>`: what a workflow reads into `$GITHUB_OUTPUT`. Each value is checked
 * against its source (the environment's config, constructs/delivery/names.ts) and against what the
 * synthesized stacks create under that name, so a workflow cannot assume a role or ask for a
 * runner that the stacks do not make.
 */
import { describe, expect, inject, it } from 'vitest';
import {
  ciRoleArn,
  githubEnvironmentName,
  runnerLabelPrefix,
} from '../../../constructs/delivery/names';
import { environments } from '../../../environments';
import { ciEnvironment, findEnvironment, main, USAGE } from '../../../scripts/pipeline/ci-env';
import { ScriptError, UsageError } from '../../../scripts/pipeline/cli';
import { runScript } from '../../helpers/process';
import {
  onlyResource,
  policyOf,
  readStackJson,
  resourcesOf,
  type SynthJson,
} from '../../helpers/synth';

const KEYS = [
  'account_id',
  'region',
  'plan_role_arn',
  'deploy_role_arn',
  'runner_label_prefix',
  'github_environment',
];

const ciEnv = (...args: string[]) => runScript('pipeline/ci-env.ts', ...args);

/** The real app, as `npm run synth` wrote it for this run (setup/app-synth.ts). */
const { outdir } = inject('app');

/**
 * The ARN a role of the tfstate stack gets once applied: the stack's AWS provider may only act in
 * `allowed_account_ids`, so the role lands there, under its `name`.
 */
function appliedRoleArn(tfstate: SynthJson, output: string): string {
  const reference = String(tfstate.output?.[output]?.value);
  const match = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(reference);
  expect(match, `${output} is ${reference}, not a role's ARN`).not.toBeNull();
  const role = tfstate.resource?.aws_iam_role?.[match![1]];
  expect(role, `no aws_iam_role ${match![1]}`).toBeDefined();
  const providers = tfstate.provider?.aws ?? [];
  expect(providers).toHaveLength(1);
  const accounts = providers[0].allowed_account_ids as string[];
  expect(accounts).toHaveLength(1);
  return `arn:aws:iam::${accounts[0]}:role/${String(role!.name)}`;
}

describe.each(environments.map((environment) => ({ name: environment.name, environment })))(
  'ci:env $name',
  ({ name, environment }) => {
    const outputs = ciEnvironment(environment);

    it('prints exactly the six keys, in order, from the config and names.ts', () => {
      expect(Object.keys(outputs)).toEqual(KEYS);
      expect(outputs).toEqual({
        account_id: environment.accountId,
        region: environment.region,
        plan_role_arn: ciRoleArn(environment.accountId, name, 'plan'),
        deploy_role_arn: ciRoleArn(environment.accountId, name, 'deploy'),
        runner_label_prefix: runnerLabelPrefix(name),
        github_environment: githubEnvironmentName(name),
      });
      expect(outputs.account_id).toMatch(/^\d{12}$/);
      expect(outputs.plan_role_arn).toBe(
        `arn:aws:iam::${environment.accountId}:role/platform-${name}-ci-plan`,
      );
      expect(outputs.plan_role_arn).toMatch(
        /^arn:aws:iam::\d{12}:role\/platform-[a-z0-9-]+-ci-plan$/,
      );
      expect(outputs.deploy_role_arn).toMatch(
        new RegExp(`^arn:aws:iam::\\d{12}:role/platform-${name}-ci-deploy$`),
      );
      // One `key=value` line each for $GITHUB_OUTPUT: no value may break a line.
      for (const value of Object.values(outputs)) expect(value).not.toMatch(/[\n\r]/);
    });

    it(`names the roles that ${name}-tfstate creates, in its account and region`, () => {
      const tfstate = readStackJson(outdir, `${name}-tfstate`);
      // The outputs are references (`${aws_iam_role.….arn}`): resolved through the role's name and
      // the account the provider is pinned to.
      expect(appliedRoleArn(tfstate, 'ci_deploy_role_arn')).toBe(outputs.deploy_role_arn);
      expect(appliedRoleArn(tfstate, 'ci_plan_role_arn')).toBe(outputs.plan_role_arn);
      expect(tfstate.provider?.aws?.[0].region).toBe(outputs.region);
    });

    it('names the GitHub environment the deploy role trusts', () => {
      const tfstate = readStackJson(outdir, `${name}-tfstate`);
      const deploy = resourcesOf(tfstate, 'aws_iam_role').find(
        ([, role]) => role.name === `platform-${name}-ci-deploy`,
      );
      expect(deploy).toBeDefined();
      const trust = policyOf(deploy![1], 'assume_role_policy');
      const subjects = trust.Statement.flatMap((s) =>
        Object.values(s.Condition ?? {}).flatMap((c) =>
          Object.entries(c)
            .filter(([key]) => key.endsWith(':sub'))
            .flatMap(([, value]) => (Array.isArray(value) ? value : [value])),
        ),
      );
      expect(subjects).toEqual([
        `repo:${environment.delivery.repository}:environment:${outputs.github_environment}`,
      ]);
    });

    it(`gives the runs-on prefix of the CodeBuild runner ${name}-eks-infra creates`, () => {
      const project = onlyResource(
        readStackJson(outdir, `${name}-eks-infra`),
        'aws_codebuild_project',
      );
      expect(outputs.runner_label_prefix).toBe(`codebuild-${String(project.name)}`);
    });
  },
);

describe('ci:env', () => {
  it('prints the lines as a process, exit 0; an unknown environment is exit 1 naming the choices', async () => {
    const names = environments.map((e) => e.name).join(', ');
    const [prod, staging] = await Promise.all([ciEnv('prod'), ciEnv('staging')]);

    expect(prod.status, prod.stderr).toBe(0);
    expect(prod.stderr).toBe('');
    const expected = ciEnvironment(findEnvironment(environments, 'prod'));
    expect(prod.stdout).toBe(
      `${Object.entries(expected)
        .map(([key, value]) => `${key}=${value}`)
        .join('\n')}\n`,
    );

    expect(staging.status).toBe(1);
    expect(staging.stdout).toBe('');
    expect(staging.stderr).toBe(
      `<env> names no environment, got "staging". Fix: use one of ${names} (environments/index.ts)\n`,
    );
  });

  // The exit code and usage of a UsageError come from scripts/pipeline/cli.ts's runCommand, proven as
  // a process in image-bump.test.ts; here, that main refuses these command lines with one.
  it.each([
    {
      why: 'two environments',
      args: ['test', 'prod'],
      message: 'expected one <env>, got "test prod"',
    },
    { why: 'an unknown flag', args: ['test', '--json'], message: "Unknown option '--json'" },
    {
      why: 'no environment',
      args: [],
      message: `<env> is missing. Fix: name one of ${environments.map((e) => e.name).join(', ')}`,
    },
  ])('refuses $why as a usage error (exit 2)', ({ args, message }) => {
    expect(() => main(args)).toThrow(UsageError);
    expect(() => main(args)).toThrow(message);
  });

  it('refuses an unknown environment in findEnvironment, naming the choices', () => {
    expect(() => findEnvironment(environments, 'staging')).toThrow(ScriptError);
    expect(() => findEnvironment(environments, 'staging')).toThrow(
      `<env> names no environment, got "staging". Fix: use one of ${environments.map((e) => e.name).join(', ')} (environments/index.ts)`,
    );
    expect(USAGE).toMatch(/^usage: npm run -s ci:env -- <env>/);
  });
});
