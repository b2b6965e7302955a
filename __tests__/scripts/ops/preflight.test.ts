import { chmodSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentConfig } from '../../../environments';
import { prod } from '../../../environments/prod';
import { test as committedTest } from '../../../environments/test';
import { placeholders } from '../../../scripts/ops/placeholders';
import { preflight, type Run, toolWarnings } from '../../../scripts/ops/preflight';
import { staging } from '../../fixtures/staging';
import { prodEnv, REAL_ACCOUNT, realTestEnv, testEnv } from '../../helpers/environments';
import { copyApp, ROOT, TSX } from '../../helpers/paths';
import { runCommand } from '../../helpers/process';

const ACCOUNT = REAL_ACCOUNT;

/** test with every placeholder replaced by a real-looking value, the image tags too. */
const real = realTestEnv({
  services: { backend: { image: 'sha-1a2b3c4' }, frontend: { image: 'sha-1a2b3c4' } },
});

const paths = (environment: EnvironmentConfig) => placeholders(environment).map((p) => p.path);
/** The paths found in `real` with its `eks` patched. */
const withEks = (eks: Partial<EnvironmentConfig['eks']>) =>
  paths({ ...real, eks: { ...real.eks, ...eks } });

/** Runs `preflight` in-process with the given tools; returns its exit code and output. */
function run(argv: string[], environments: readonly EnvironmentConfig[], tools: Run = allTools) {
  const out: string[] = [];
  const err: string[] = [];
  const code = preflight(argv, {
    environments,
    run: tools,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const allTools: Run = (command) =>
  ({
    aws: { status: 0, stdout: 'aws-cli/2.27.1 Python/3.13.2 Linux/6.8 exe/x86_64' },
    terraform: { status: 0, stdout: '{"terraform_version":"1.11.4"}' },
    kubectl: { status: 0, stdout: 'Client Version: v1.35.0' },
  })[command];

describe('placeholders', () => {
  it('lists exactly the committed test environment placeholders', () => {
    expect(paths(committedTest)).toEqual([
      'environments.test.accountId',
      'environments.test.state.bucketName',
      'environments.test.state.accessLogBucketName',
      'environments.test.eks.publicAccessCidrs[0]',
      'environments.test.eks.adminRoleArns[0]',
      'environments.test.rds.alarmEmails[0]',
      'environments.test.dns.hostedZoneName',
      'environments.test.dns.domain',
      'environments.test.k8s.ingress.accessLogBucketName',
      'environments.test.k8s.monitoring.alertEmails[0]',
      'environments.test.services.backend.image',
      'environments.test.services.frontend.image',
    ]);
  });

  it('lists exactly the committed prod environment placeholders (its API has no public CIDR)', () => {
    expect(paths(prod)).toEqual([
      'environments.prod.accountId',
      'environments.prod.state.bucketName',
      'environments.prod.state.accessLogBucketName',
      'environments.prod.eks.adminRoleArns[0]',
      'environments.prod.rds.alarmEmails[0]',
      'environments.prod.dns.hostedZoneName',
      'environments.prod.dns.domain',
      'environments.prod.k8s.ingress.accessLogBucketName',
      'environments.prod.k8s.monitoring.alertEmails[0]',
      'environments.prod.services.backend.image',
      'environments.prod.services.frontend.image',
    ]);
  });

  it("catches the staging fixture's 333333333333 in its account, roles and buckets", () => {
    expect(paths(staging).filter((p) => /accountId|Arn|BucketName/i.test(p))).toEqual([
      'environments.staging.accountId',
      'environments.staging.state.bucketName',
      'environments.staging.state.accessLogBucketName',
      'environments.staging.eks.adminRoleArns[0]',
      'environments.staging.k8s.ingress.accessLogBucketName',
    ]);
  });

  it('finds none in a real environment, and never refuses tags.repository', () => {
    expect(real.tags.repository).toBe('github.com/acme/platform-infra');
    expect(placeholders(real)).toEqual([]);
  });

  it('says what to put instead, with the real account id once it is known', () => {
    const [bucket] = placeholders(testEnv({ ...real, state: committedTest.state }));
    expect(bucket).toMatchObject({
      path: 'environments.test.state.bucketName',
      value: 'acme-platform-tfstate-test-111111111111',
      problem: 'is a bucket name built on a placeholder account id',
      fix: `use the real account id in it: "acme-platform-tfstate-test-${ACCOUNT}" (bucket names are global)`,
      group: 'bootstrap',
    });
  });

  it.each(['000000000000', '999999999999', '123456789012', '012345678901'])(
    'catches the placeholder account id %s',
    (id) => {
      expect(paths({ ...real, accountId: id })).toEqual(['environments.test.accountId']);
    },
  );

  it('catches a role ARN in a placeholder account', () => {
    expect(withEks({ adminRoleArns: ['arn:aws:iam::123456789012:role/ci'] })).toEqual([
      'environments.test.eks.adminRoleArns[0]',
    ]);
    expect(
      withEks({ adminRoleArns: [real.eks.adminRoleArns[0], 'arn:aws:iam::555555555555:role/a'] }),
    ).toEqual(['environments.test.eks.adminRoleArns[1]']);
  });

  it.each(['192.0.2.0/24', '198.51.100.7/32', '203.0.113.128/25'])(
    'catches the documentation range %s in the public API CIDRs',
    (block) => {
      expect(withEks({ publicAccessCidrs: ['85.214.10.0/24', block] })).toEqual([
        'environments.test.eks.publicAccessCidrs[1]',
      ]);
    },
  );

  it.each([
    'oncall@example.com',
    'oncall@alerts.example.org',
    'oncall@example.net',
    'oncall@acme.example',
    'oncall@acme.test',
    'oncall@acme.invalid',
    'oncall@acme.localhost',
  ])('catches the reserved-domain address %s', (address) => {
    const k8s = { ...real.k8s, monitoring: { ...real.k8s.monitoring, alertEmails: [address] } };
    expect(paths({ ...real, k8s })).toEqual(['environments.test.k8s.monitoring.alertEmails[0]']);
  });

  it.each(['example.com', 'shop.example.net', 'acme.example', 'acme.test', 'acme.invalid'])(
    'catches the reserved hosted zone %s',
    (zone) => {
      expect(paths({ ...real, dns: { hostedZoneName: zone, domain: zone } })).toEqual([
        'environments.test.dns.hostedZoneName',
        'environments.test.dns.domain',
      ]);
    },
  );

  it('catches the placeholder image tag, in a canary too', () => {
    const backend = { ...real.services.backend, canary: { image: 'sha-0000000', weight: 10 } };
    const services = {
      ...real.services,
      frontend: { ...real.services.frontend, image: 'sha-000' },
    };
    expect(paths({ ...real, services: { ...services, backend } })).toEqual([
      'environments.test.services.backend.canary.image',
      'environments.test.services.frontend.image',
    ]);
  });
});

describe('preflight', () => {
  it('prints every placeholder of test, grouped, with its fix, and exits 1', () => {
    const { code, out } = run(['test'], [committedTest, prod]);
    expect(code).toBe(1);
    const lines = out.split('\n');
    expect(lines[0]).toBe(
      'preflight: test has 12 placeholder values to replace in environments/test.ts before the first deploy:',
    );
    expect(lines.filter((l) => l.startsWith('  - '))).toHaveLength(12);
    expect(lines.filter((l) => l.endsWith(':') && !l.startsWith(' ')).slice(1)).toEqual([
      'account and state backend:',
      'access to the cluster (before test-eks-infra):',
      'DNS (before test-eks-infra: it looks the zone up):',
      'alarm and alert recipients (before test-eks-infra and test-rds):',
      'service images (before test-service-<name>: push the first image, then set its tag):',
    ]);
    expect(out).toContain(
      '  - environments.test.accountId is a placeholder account id, got "111111111111". Fix: use the account id of `aws sts get-caller-identity --query Account --output text`',
    );
  });

  it('exits 0 with one line when nothing is left', () => {
    const { code, out, err } = run(['test'], [real, prod]);
    expect(out).toBe(
      'preflight: test has no placeholder values left; next: npm run bootstrap -- test',
    );
    expect(code).toBe(0);
    expect(err).toBe(
      'note: state.kmsKeyArn is unset, as expected before the bootstrap: npm run bootstrap -- test prints the ARN to set.',
    );
  });

  it('exits 0, ready for the bootstrap, when only the service image tags are left, and lists them', () => {
    const placeholderImage = { image: 'sha-0000000' };
    const { code, out } = run(
      ['test'],
      [
        {
          ...real,
          services: {
            backend: { ...real.services.backend!, ...placeholderImage },
            frontend: { ...real.services.frontend!, ...placeholderImage },
          },
        },
        prod,
      ],
    );
    const lines = out.split('\n');
    expect(lines[0]).toBe(
      "preflight: test is ready for the bootstrap; 2 placeholder values left, the service image tags, set at each service's first deploy:",
    );
    expect(lines.filter((l) => l.startsWith('  - ')).map((l) => l.split(' ')[3])).toEqual([
      'environments.test.services.backend.image',
      'environments.test.services.frontend.image',
    ]);
    expect(lines.at(-1)).toBe(
      'Next: npm run bootstrap -- test; the image tags in step 9 of docs/getting-started.md.',
    );
    expect(code).toBe(0);
  });

  it('refuses an invalid config before listing placeholders', () => {
    const { code, out } = run(['test'], [{ ...real, region: 'mars-1' }, prodEnv()]);
    expect(code).toBe(1);
    expect(out).toMatch(/^preflight: the environment config is invalid/);
    expect(out).toContain('environments.test.region is not a known region');
  });

  it('warns about missing or old tools, never failing on them', () => {
    const tools: Run = (command) =>
      ({
        aws: { status: 0, stdout: 'aws-cli/1.18.69 Python/3.8' },
        terraform: { status: 0, stdout: '{"terraform_version":"1.9.8"}' },
      })[command];
    expect(toolWarnings(tools)).toEqual([
      'aws is AWS CLI v1: install v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)',
      "terraform 1.9 is too old: the S3 backend's use_lockfile needs >= 1.10. Install: https://developer.hashicorp.com/terraform/install",
      'kubectl is not on PATH: not needed for the bootstrap, but to reach the cluster after eks-infra and for the teardown. Install: https://kubernetes.io/docs/tasks/tools/',
    ]);
    expect(toolWarnings(() => undefined).map((w) => w.split(' ')[0])).toEqual([
      'aws',
      'terraform',
      'kubectl',
    ]);
    const { code, err } = run(['test'], [real, prod], () => undefined);
    expect(code).toBe(0);
    expect(err).toContain('warning: kubectl is not on PATH');
  });

  it('notes a state.kmsKeyArn already set, and refuses one of another account', () => {
    const key = (account: string) =>
      `arn:aws:kms:eu-west-1:${account}:key/0b7e4a2c-5d1f-4e8a-9c3b-2f6d8e1a7b40`;
    const withKey = (arn: string) => [{ ...real, state: { ...real.state, kmsKeyArn: arn } }, prod];
    const set = run(['test'], withKey(key(ACCOUNT)));
    expect(set.code).toBe(0);
    expect(set.err).toContain('note: state.kmsKeyArn is set: the bootstrap');
    const other = run(['test'], withKey(key('135792468013')));
    expect(other.code).toBe(1);
    expect(other.out).toContain('environments.test.state.kmsKeyArn');
  });

  it.each([
    [['staging'], 'unknown environment: "staging"'],
    [['test', '--force'], 'unknown option: --force'],
    [[], 'name the environment'],
    [['test', 'prod'], 'one environment at a time, got test prod'],
  ])('refuses %j with the usage (exit 2)', (argv, why) => {
    const { code, out, err } = run(argv, [committedTest, prod]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(`usage: npm run preflight -- <test|prod>\n${why}`);
  });

  it('prints the usage for --help (exit 0)', () => {
    const { code, out } = run(['--help'], [committedTest, prod]);
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: npm run preflight -- <test\|prod>\n/);
  });
});

describe('npm run preflight (process)', () => {
  let copy: string;
  let bin: string;

  beforeAll(() => {
    // A copy of the app whose environments/test.ts holds the real-looking values.
    copy = copyApp('preflight');
    mkdirSync(join(copy, 'scripts', 'ops'), { recursive: true });
    for (const file of ['ops/preflight.ts', 'ops/placeholders.ts']) {
      cpSync(join(ROOT, 'scripts', file), join(copy, 'scripts', file));
    }
    writeFileSync(
      join(copy, 'environments', 'test.ts'),
      `import type { EnvironmentConfig } from './schema';\n\nexport const test: EnvironmentConfig = ${JSON.stringify(real, null, 2)};\n`,
    );
    // Tools that answer as a good machine's would, first on PATH.
    bin = join(copy, 'bin');
    mkdirSync(bin);
    const tools = {
      aws: 'echo "aws-cli/2.27.1 Python/3.13.2 Linux/6.8 exe/x86_64"',
      terraform: `echo '{"terraform_version":"1.11.4"}'`,
      kubectl: 'echo "Client Version: v1.35.0"',
    };
    for (const [name, body] of Object.entries(tools)) {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    }
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  const preflightProcess = (cwd: string, args: string[]) =>
    runCommand(TSX, ['scripts/ops/preflight.ts', ...args], {
      cwd,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    });

  it('exits 0 with its one line for a real environment', async () => {
    const result = await preflightProcess(copy, ['test']);
    expect(result.stdout).toBe(
      'preflight: test has no placeholder values left; next: npm run bootstrap -- test\n',
    );
    expect(result.stderr).not.toContain('warning');
    expect(result.status).toBe(0);
  });

  // The usage (exit 2) is tested in process above; the process's exit codes all come from
  // preflight()'s return, which these two see as 0 and 1.
  it('exits 1 with the list for the committed test environment', async () => {
    const result = await preflightProcess(ROOT, ['test']);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('preflight: test has 12 placeholder values to replace');
  });
});
