import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environments, selectEnvironments } from '../../environments';
import { staging } from '../fixtures/staging';
import { copyApp, TSX } from '../helpers/paths';
import { runCommand } from '../helpers/process';
import { readStackJson } from '../helpers/synth';

describe('selectEnvironments', () => {
  it('returns every environment when none is requested', () => {
    expect(selectEnvironments(environments, undefined).map((e) => e.name)).toEqual([
      'test',
      'prod',
    ]);
  });

  it('returns the one requested', () => {
    expect(selectEnvironments(environments, 'prod').map((e) => e.name)).toEqual(['prod']);
  });

  it('throws when the requested environment does not exist', () => {
    expect(() => selectEnvironments(environments, 'stage')).toThrow(
      'PLATFORM_ENV names no environment, got "stage". Fix: set it to one of test, prod, or unset it to synthesize all',
    );
  });
});

describe('adding an environment', () => {
  it('takes environments/staging.ts and two lines in environments/index.ts, nothing else', async () => {
    // GIVEN a copy of the app with the fixture written as environments/staging.ts and listed
    const copy = copyApp('platform-add-environment');
    try {
      writeFileSync(
        join(copy, 'environments', 'staging.ts'),
        `import type { EnvironmentConfig } from './schema';\n\nexport const staging: EnvironmentConfig = ${JSON.stringify(staging, null, 2)};\n`,
      );
      const indexPath = join(copy, 'environments', 'index.ts');
      const index = readFileSync(indexPath, 'utf8');
      const edited = index
        .replace("import { test } from './test';", "import { staging } from './staging';\n$&")
        .replace('[test, prod]', '[test, staging, prod]');
      expect(edited.split('\n').length - index.split('\n').length).toBe(1);
      expect(edited).toContain('[test, staging, prod]');
      writeFileSync(indexPath, edited);

      // WHEN the app runs there for the new environment
      const outdir = join(copy, 'out');
      const result = await runCommand(TSX, ['main.ts'], {
        cwd: copy,
        env: {
          ...process.env,
          CHECKPOINT_DISABLE: '1',
          CDKTF_OUTDIR: outdir,
          PLATFORM_ENV: 'staging',
        },
      });

      // THEN every stack of staging is synthesized, with its own state key
      expect(result.status, result.stderr).toBe(0);
      expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(
        [
          'eks-infra',
          'eks-k8s',
          'network',
          'rds',
          'service-backend',
          'service-frontend',
          'tfstate',
        ].map((c) => `staging-${c}`),
      );
      expect(readStackJson(outdir, 'staging-network').terraform?.backend).toMatchObject({
        s3: { key: 'staging/network.tfstate', bucket: staging.state.bucketName },
      });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
