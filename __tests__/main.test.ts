import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TerraformStack } from 'cdktf';
import { describe, expect, inject, it, vi } from 'vitest';
import { ConfigValidationError, environments } from '../environments';
import { synthesizePlatform } from '../stacks/platform';
import { prodEnv, testEnv, COMPONENTS } from './helpers/environments';
import { copyApp, ROOT, tempDir, TSX } from './helpers/paths';
import { runCommand } from './helpers/process';
import { readStackJson, type SynthJson } from './helpers/synth';

// The app as `npm run synth` writes it, once per run (setup/app-synth.ts).
const app = inject('app');

describe('the whole app', () => {
  const { outdir } = app;

  it('synthesizes <env>-<component> for every environment and nothing else', () => {
    const expected = environments.flatMap((env) => COMPONENTS.map((c) => `${env.name}-${c}`));
    expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(expected.sort());
  });

  for (const env of environments) {
    for (const component of COMPONENTS) {
      const stack = `${env.name}-${component}`;
      it(`${stack}: S3 backend, pinned provider, default tags`, () => {
        const json = readStackJson(outdir, stack);
        expect(json.terraform?.backend).toEqual({
          s3: expect.objectContaining({
            bucket: env.state.bucketName,
            key: `${env.name}/${component}.tfstate`,
            region: env.region,
            encrypt: true,
            dynamodb_table: env.state.lockTableName,
            use_lockfile: true,
          }),
        });
        expect(json.terraform?.required_providers).toMatchObject({ aws: { version: '5.100.0' } });
        const [provider] = json.provider?.aws ?? [];
        expect(provider).toMatchObject({
          region: env.region,
          allowed_account_ids: [env.accountId],
          default_tags: [
            {
              tags: expect.objectContaining({
                environment: env.name,
                stack,
                owner: env.tags.owner,
                repository: env.tags.repository,
              }),
            },
          ],
        });
        // Every stack creates something; an empty stack means a wiring mistake.
        expect(Object.keys(json.resource ?? {}).length).toBeGreaterThan(0);
      });
    }
  }

  it('keeps test and prod apart: their stacks share no bucket, account or VPC range', () => {
    const testNetwork = readStackJson(outdir, 'test-network');
    const prodNetwork = readStackJson(outdir, 'prod-network');
    const vpcCidr = (json: SynthJson): unknown =>
      Object.values(json.resource?.aws_vpc ?? {})[0].cidr_block;
    expect(vpcCidr(testNetwork)).toBe('10.20.0.0/16');
    expect(vpcCidr(prodNetwork)).toBe('10.10.0.0/16');
    expect(JSON.stringify(prodNetwork)).not.toContain('111111111111');
    expect(JSON.stringify(testNetwork)).not.toContain('222222222222');
  });

  it('writes nothing when the config is invalid', () => {
    const badOutdir = join(tempDir('platform-bad'), 'out');
    expect(() =>
      synthesizePlatform([testEnv({ network: { vpcCidr: '10.20.0.0/30' } }), prodEnv()], {
        outdir: badOutdir,
      }),
    ).toThrow(ConfigValidationError);
    expect(existsSync(badOutdir)).toBe(false);
  });

  it("runs every stack's own validations before writing any stack, and stops on a failure", () => {
    // The App skips validations during synth (the policy would run twice); synthesizePlatform
    // runs them itself, for every stack, before the first is written.
    const outdir = join(tempDir('platform-validations'), 'out');
    const stacksIn = (dir: string) =>
      existsSync(join(dir, 'stacks')) ? readdirSync(join(dir, 'stacks')).length : 0;
    const written: number[] = [];
    const validate = vi
      .spyOn(TerraformStack.prototype, 'runAllValidations')
      .mockImplementation(() => written.push(stacksIn(outdir)));
    try {
      synthesizePlatform(environments, { outdir, environmentName: 'test' });
      expect(written).toEqual(COMPONENTS.map(() => 0));
      expect(stacksIn(outdir)).toBe(COMPONENTS.length);
      validate.mockImplementationOnce(() => {
        throw new Error('a construct is invalid');
      });
      const again = join(tempDir('platform-validations'), 'out');
      expect(() => synthesizePlatform(environments, { outdir: again })).toThrow(
        'a construct is invalid',
      );
      expect(stacksIn(again)).toBe(0);
    } finally {
      validate.mockRestore();
    }
  });
});

describe('main.ts as a process', () => {
  async function runMain(env: Record<string, string>): Promise<{
    status: number | null;
    stderr: string;
    outdir: string;
  }> {
    const outdir = join(tempDir('platform-main'), 'out');
    const result = await runCommand(TSX, ['main.ts'], {
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_OUTDIR: outdir, ...env },
    });
    return { status: result.status, stderr: result.stderr, outdir };
  }

  // One run for both: PLATFORM_ENV alone is what the bootstrap sets beside the local state.
  it('synthesizes one environment only when PLATFORM_ENV names it, and gives its tfstate stack alone a local backend for the bootstrap', async () => {
    const { status, stderr, outdir } = await runMain({
      PLATFORM_ENV: 'prod',
      PLATFORM_BOOTSTRAP_LOCAL_STATE: '/tmp/x.tfstate',
    });
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(
      COMPONENTS.map((c) => `prod-${c}`).sort(),
    );
    expect(readStackJson(outdir, 'prod-tfstate').terraform?.backend).toEqual({
      local: { path: '/tmp/x.tfstate' },
    });
    expect(Object.keys(readStackJson(outdir, 'prod-network').terraform?.backend ?? {})).toEqual([
      's3',
    ]);
  });

  it('fails with the fix and writes nothing when PLATFORM_ENV is unknown', async () => {
    const { status, stderr, outdir } = await runMain({ PLATFORM_ENV: 'staging' });
    expect(status).toBe(1);
    expect(stderr).toContain(
      'PLATFORM_ENV names no environment, got "staging". Fix: set it to one of test, prod',
    );
    expect(existsSync(outdir)).toBe(false);
  });

  it('points a crash at the TypeScript source, though source maps are off during the synth', async () => {
    const copy = copyApp('platform-crash');
    try {
      const file = join(copy, 'constructs', 'network', 'flow-logs.ts');
      const lines = readFileSync(file, 'utf8').split('\n');
      const at = lines.findIndex((line) => line.includes('super(scope, id);')) + 1;
      lines.splice(at, 0, "    throw new TypeError('injected crash');");
      writeFileSync(file, lines.join('\n'));
      const result = await runCommand(TSX, ['main.ts'], {
        cwd: copy,
        env: { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_OUTDIR: join(copy, 'out') },
      });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('TypeError: injected crash');
      expect(result.stderr).toContain(`constructs/network/flow-logs.ts:${at + 1}:`);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('npm run synth (the app alone) writes exactly what cdktf synth writes, and says so', async () => {
    const cli = join(tempDir('platform-cdktf-cli'), 'out');
    const viaCli = await runCommand(
      join(ROOT, 'node_modules', '.bin', 'cdktf'),
      ['synth', '--output', cli],
      { env: { ...process.env, CHECKPOINT_DISABLE: '1' } },
    );
    expect(viaCli.status, viaCli.stderr).toBe(0);
    // The run's own synth (setup/app-synth.ts) is main.ts as a process, as npm run synth runs it.
    const viaApp = app.outdir;
    expect(app.stdout).toContain(`Synthesized 14 stacks into ${viaApp}/stacks: test-tfstate,`);
    const files = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name).slice(dir.length))
        .sort();
    expect(files(viaApp)).toEqual(files(cli));
    expect(files(viaApp).length).toBeGreaterThan(8);
    for (const file of files(cli)) {
      expect(readFileSync(join(viaApp, file), 'utf8'), file).toBe(
        readFileSync(join(cli, file), 'utf8'),
      );
    }
  }, 60_000);

  it('npx cdktf synth with an invalid config shows each problem once and writes nothing', async () => {
    // The CLI echoes what a failing app prints, then prints it again in its own error; under the
    // CLI, main.ts prints once and lets the CLI fail on the missing manifest.
    const copy = copyApp('platform-cli-bad-config');
    try {
      writeFileSync(join(copy, 'cdktf.json'), readFileSync(join(ROOT, 'cdktf.json')));
      const file = join(copy, 'environments', 'test.ts');
      const source = readFileSync(file, 'utf8');
      expect(source).toContain("vpcCidr: '10.20.0.0/16'");
      writeFileSync(file, source.replace("vpcCidr: '10.20.0.0/16'", "vpcCidr: '10.20.0.0/30'"));
      // A previous synth's output must not pass for this one's.
      const outdir = join(copy, 'cdktf.out');
      mkdirSync(outdir);
      writeFileSync(join(outdir, 'manifest.json'), '{"version":"0.21.0","stacks":{}}');
      const result = await runCommand(join(ROOT, 'node_modules', '.bin', 'cdktf'), ['synth'], {
        cwd: copy,
        env: { ...process.env, CHECKPOINT_DISABLE: '1', NO_COLOR: '1' },
      });
      const output = `${result.stdout}${result.stderr}`;
      expect(result.status, output).toBe(1);
      const problem =
        'environments.test.network.vpcCidr must have a prefix length from /16 (the largest block AWS allows) to /24, got "10.20.0.0/30"';
      expect(output.split(problem).length - 1, output).toBe(1);
      expect(output.split('Invalid environment configuration (1 problem)').length - 1).toBe(1);
      expect(existsSync(join(outdir, 'manifest.json'))).toBe(false);
      expect(existsSync(join(outdir, 'stacks'))).toBe(false);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a bootstrap local state without PLATFORM_ENV', async () => {
    const { status, stderr } = await runMain({ PLATFORM_BOOTSTRAP_LOCAL_STATE: '/tmp/x.tfstate' });
    expect(status).toBe(1);
    expect(stderr).toContain('PLATFORM_BOOTSTRAP_LOCAL_STATE applies to one environment only');
  });
});
