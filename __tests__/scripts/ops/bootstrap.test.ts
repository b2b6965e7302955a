import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentConfig } from '../../../environments';
import {
  bootstrap,
  BootstrapError,
  type BootstrapSteps,
  type CommandResult,
} from '../../../scripts/ops/bootstrap';
import { REAL_ACCOUNT, realTestEnv, testEnv } from '../../helpers/environments';
import { copyApp, ROOT, tempDir, TSX } from '../../helpers/paths';
import { runCommand } from '../../helpers/process';

const ACCOUNT = REAL_ACCOUNT;
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0b7e4a2c-5d1f-4e8a-9c3b-2f6d8e1a7b40`;

/** test with every placeholder replaced but the image tags: what the bootstrap accepts. */
const realState = (kmsKeyArn?: string) => realTestEnv({ state: { kmsKeyArn } });

/** Records every step; terraform answers from `answers` (by first argument), default success. */
function fakeSteps(workDir: string, answers: Record<string, Partial<CommandResult>> = {}) {
  const calls: string[] = [];
  const logs: string[] = [];
  const steps: BootstrapSteps = {
    terraform(args) {
      calls.push(`terraform ${args.join(' ')}`);
      if (args[0] === 'apply') writeFileSync(join(workDir, 'terraform.tfstate'), '{}');
      const defaults: Record<string, CommandResult> = {
        version: { status: 0, stdout: '{"terraform_version":"1.11.4"}' },
        output: { status: 0, stdout: KEY_ARN },
      };
      const success: CommandResult = { status: 0, stdout: '' };
      return { ...success, ...defaults[args[0]], ...answers[args[0]] };
    },
    synth(_env: EnvironmentConfig, _outdir: string, localStatePath?: string) {
      calls.push(localStatePath ? 'synth local' : 'synth s3');
    },
    log: (message) => logs.push(message),
  };
  return { steps, calls, logs };
}

describe('bootstrap', () => {
  it('applies with local state, then migrates it into S3 and checks the plan is empty', () => {
    const workDir = tempDir('bootstrap');
    const { steps, calls } = fakeSteps(workDir);
    const outcome = bootstrap(realState(KEY_ARN), { workDir, autoApprove: true }, steps);
    expect(outcome).toBe('migrated');
    expect(calls).toEqual([
      'terraform version -json',
      'synth local',
      'terraform init -input=false',
      'terraform apply -input=false -auto-approve',
      'terraform output -raw state_kms_key_arn',
      'synth s3',
      'terraform init -input=false -migrate-state -force-copy',
      'terraform plan -input=false -detailed-exitcode -lock-timeout=60s',
    ]);
    expect(existsSync(join(workDir, 'terraform.tfstate.migrated'))).toBe(true);
    expect(existsSync(join(workDir, 'terraform.tfstate'))).toBe(false);
  });

  it('stops before migrating and says what to paste when the config lacks the key ARN', () => {
    const workDir = tempDir('bootstrap');
    const { steps, calls, logs } = fakeSteps(workDir);
    expect(bootstrap(realState(), { workDir, autoApprove: false }, steps)).toBe(
      'needs-kms-key-arn',
    );
    expect(calls.at(-1)).toBe('terraform output -raw state_kms_key_arn');
    expect(calls).toContain('terraform apply -input=false');
    expect(logs.join('\n')).toContain(
      `set in environments/test.ts:\n\n  state: { …, kmsKeyArn: '${KEY_ARN}' }`,
    );
  });

  it('stops at the first failing step', () => {
    const workDir = tempDir('bootstrap');
    const { steps, calls } = fakeSteps(workDir, { apply: { status: 1 } });
    expect(() => bootstrap(realState(KEY_ARN), { workDir, autoApprove: true }, steps)).toThrow(
      new BootstrapError('apply failed (terraform exited 1); stopping.'),
    );
    expect(calls.at(-1)).toBe('terraform apply -input=false -auto-approve');
  });

  it('fails, keeping the local state, when the plan after the migration shows changes', () => {
    const workDir = tempDir('bootstrap');
    const { steps } = fakeSteps(workDir, { plan: { status: 2 } });
    expect(() => bootstrap(realState(KEY_ARN), { workDir, autoApprove: true }, steps)).toThrow(
      /terraform plan shows changes/,
    );
    expect(existsSync(join(workDir, 'terraform.tfstate'))).toBe(true);
  });

  it('refuses Terraform older than 1.10 before touching anything', () => {
    const workDir = tempDir('bootstrap');
    const { steps, calls } = fakeSteps(workDir, {
      version: { stdout: '{"terraform_version":"1.9.8"}' },
    });
    expect(() => bootstrap(realState(), { workDir, autoApprove: true }, steps)).toThrow(
      /Terraform 1\.9 is too old/,
    );
    expect(calls).toEqual(['terraform version -json']);
  });

  it('refuses every placeholder but the image tags before running anything', () => {
    const workDir = join(tempDir('bootstrap'), 'work');
    const { steps, calls, logs } = fakeSteps(workDir);
    let message = '';
    try {
      bootstrap(testEnv(), { workDir, autoApprove: true }, steps);
    } catch (error) {
      expect(error).toBeInstanceOf(BootstrapError);
      message = (error as Error).message;
    }
    expect(calls).toEqual([]);
    expect(logs).toEqual([]);
    expect(existsSync(workDir)).toBe(false);
    const listed = message.split('\n').filter((line) => line.startsWith('  - '));
    expect(listed).toHaveLength(10);
    expect(listed[0]).toMatch(/^ {2}- environments\.test\.accountId is a placeholder account id/);
    expect(listed.join('\n')).not.toContain('.image ');
  });

  it('refuses one placeholder left alone: a role in a placeholder account', () => {
    const workDir = join(tempDir('bootstrap'), 'work');
    const { steps, calls } = fakeSteps(workDir);
    const oneLeft = realTestEnv({
      eks: { adminRoleArns: ['arn:aws:iam::111111111111:role/platform-admin'] },
    });
    expect(() => bootstrap(oneLeft, { workDir, autoApprove: true }, steps)).toThrow(
      /test has 1 placeholder value to replace[^]*environments\.test\.eks\.adminRoleArns\[0\] is a role in a placeholder account/,
    );
    expect(calls).toEqual([]);
  });

  it('starts with the service image tags still placeholders (their repositories come later)', () => {
    const workDir = tempDir('bootstrap');
    const { steps, calls } = fakeSteps(workDir);
    expect(realState().services.backend?.image).toBe('sha-0000000');
    expect(bootstrap(realState(), { workDir, autoApprove: true }, steps)).toBe('needs-kms-key-arn');
    expect(calls[0]).toBe('terraform version -json');
  });

  it('refuses to run twice once the state has been migrated', () => {
    const workDir = tempDir('bootstrap');
    writeFileSync(join(workDir, 'terraform.tfstate.migrated'), '{}');
    const { steps, calls } = fakeSteps(workDir);
    expect(() => bootstrap(realState(), { workDir, autoApprove: true }, steps)).toThrow(
      /already bootstrapped/,
    );
    expect(calls).toEqual([]);
  });
});

describe('npm run bootstrap (process, with a fake terraform on PATH)', () => {
  /** A terraform stand-in that logs its calls and the backend it was initialized with. */
  function fakeTerraform(dir: string, failOn = ''): string {
    const bin = join(dir, 'bin');
    const script = `#!/usr/bin/env node
const fs = require('fs');
const args = process.argv.slice(2);
let backend = '';
if (args[0] === 'init') backend = Object.keys(JSON.parse(fs.readFileSync('cdk.tf.json', 'utf8')).terraform.backend)[0];
fs.appendFileSync(${JSON.stringify(join(dir, 'calls.log'))}, args.join(' ') + (backend ? ' [' + backend + ']' : '') + '\\n');
if (args[0] === ${JSON.stringify(failOn)}) process.exit(1);
if (args[0] === 'version') console.log('{"terraform_version":"1.11.4"}');
if (args[0] === 'output') process.stdout.write(${JSON.stringify(KEY_ARN)});
`;
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'terraform'), script);
    chmodSync(join(bin, 'terraform'), 0o755);
    return bin;
  }

  // A copy of the app whose environments/test.ts has real-looking values but the image tags (the
  // committed one is refused for its placeholders, below).
  let app: string;
  beforeAll(() => {
    app = copyApp('bootstrap-app');
    cpSync(join(ROOT, 'scripts'), join(app, 'scripts'), { recursive: true });
    const committed = readFileSync(join(ROOT, 'environments', 'test.ts'), 'utf8');
    expect(committed).toContain("accountId: '111111111111'");
    writeFileSync(
      join(app, 'environments', 'test.ts'),
      committed
        .replace(/111111111111/g, ACCOUNT)
        .replace('203.0.113.0/24', '85.214.10.0/24')
        .replace(/example\.com/g, 'acme-shop.io'),
    );
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  function runBootstrap(dir: string, bin: string, args: string[], cwd = app) {
    return runCommand(TSX, ['scripts/ops/bootstrap.ts', ...args], {
      cwd,
      env: {
        ...process.env,
        // As CI has it: with a mirror, the terraform commands get a CLI config in the work dir.
        TF_PROVIDER_MIRROR: join(dir, 'mirror'),
        PATH: `${bin}:${process.env.PATH}`,
        PLATFORM_BOOTSTRAP_DIR: join(dir, 'work'),
      },
    });
  }

  it('runs init and apply against a local backend, then asks for the key ARN (exit 3)', async () => {
    const dir = tempDir('bootstrap-process');
    const result = await runBootstrap(dir, fakeTerraform(dir), ['test', '--auto-approve']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(3);
    expect(readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n')).toEqual([
      'version -json',
      'init -input=false [local]',
      'apply -input=false -auto-approve',
      'output -raw state_kms_key_arn',
    ]);
    expect(result.stdout).toContain(`kmsKeyArn: '${KEY_ARN}'`);
  });

  it('refuses the committed placeholders, runs no terraform at all and prints them (exit 1)', async () => {
    const dir = tempDir('bootstrap-process');
    const result = await runBootstrap(dir, fakeTerraform(dir), ['test', '--auto-approve'], ROOT);
    expect(result.status).toBe(1);
    expect(existsSync(join(dir, 'calls.log'))).toBe(false);
    expect(existsSync(join(dir, 'work'))).toBe(false);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe(
      'bootstrap: test has 10 placeholder values to replace in environments/test.ts before the bootstrap; nothing was run:',
    );
    // Every placeholder of preflight's list but the service image tags.
    expect(lines.filter((line) => line.startsWith('  - ')).map((l) => l.split(' ')[3])).toEqual([
      'environments.test.accountId',
      'environments.test.state.bucketName',
      'environments.test.state.accessLogBucketName',
      'environments.test.k8s.ingress.accessLogBucketName',
      'environments.test.eks.publicAccessCidrs[0]',
      'environments.test.eks.adminRoleArns[0]',
      'environments.test.dns.hostedZoneName',
      'environments.test.dns.domain',
      'environments.test.rds.alarmEmails[0]',
      'environments.test.k8s.monitoring.alertEmails[0]',
    ]);
    expect(lines.at(-1)).toBe(
      'The service image tags (2) wait for their repositories (docs/getting-started.md). Check again with npm run preflight -- test.',
    );
  });

  it('prints usage for an unknown environment', async () => {
    const dir = tempDir('bootstrap-process');
    const result = await runBootstrap(dir, fakeTerraform(dir), ['staging']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: npm run bootstrap -- <test|prod> [--auto-approve]');
    expect(result.stderr).toContain('unknown environment: "staging"');
  });
});
