import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findProviderMirror,
  isPlugin,
  mirrorRootOf,
  resolveProviderMirror,
} from '../../../scripts/dev/find-provider-mirror';
import { tempDir } from '../../helpers/paths';
import { runScript } from '../../helpers/process';

describe('mirrorRootOf', () => {
  it('finds the mirror root above registry.terraform.io, and nothing outside that layout', () => {
    expect(
      mirrorRootOf(
        '/opt/tf-plugins/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws_v5.100.0_x5',
      ),
    ).toBe('/opt/tf-plugins');
    expect(mirrorRootOf('/usr/local/bin/terraform-provider-aws_v5.100.0_x5')).toBeUndefined();
  });
});

describe('isPlugin', () => {
  it('takes an executable of a real size, not an empty stub or a plain file', () => {
    const dir = tempDir('is-plugin');
    try {
      const stub = join(dir, 'terraform-provider-aws_v5.100.0_x5');
      writeFileSync(stub, '');
      chmodSync(stub, 0o755);
      expect(isPlugin(stub)).toBe(false);
      const big = join(dir, 'big');
      writeFileSync(big, Buffer.alloc(2 * 1024 * 1024));
      expect(isPlugin(big)).toBe(false);
      chmodSync(big, 0o755);
      expect(isPlugin(big)).toBe(true);
      expect(isPlugin(join(dir, 'missing'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('findProviderMirror', () => {
  /** A mirror layout under `root` holding a `fakeprov` plugin (a stub when `size` is small). */
  function plantMirror(root: string, size = 2 * 1024 * 1024): string {
    const dir = join(
      root,
      'registry.terraform.io',
      'hashicorp',
      'fakeprov',
      '1.0.0',
      'linux_amd64',
    );
    mkdirSync(dir, { recursive: true });
    const binary = join(dir, 'terraform-provider-fakeprov_v1.0.0_x5');
    writeFileSync(binary, Buffer.alloc(size));
    chmodSync(binary, 0o755);
    return root;
  }

  // The directories are tempDir()'s: removed after the file, by the suite's setup.
  it('looks in the likely places first, up to two levels below them', () => {
    const likely = tempDir('mirror-likely');
    const elsewhere = tempDir('mirror-elsewhere');
    // Both hold one; the likely place's is taken.
    const inLikely = plantMirror(join(likely, 'ci', 'mirror'));
    plantMirror(join(elsewhere, 'mirror'));
    expect(findProviderMirror('fakeprov', { likely: [likely], everywhere: elsewhere })).toBe(
      inLikely,
    );
  });

  it('searches everywhere else, all the way down, when the likely places hold none', () => {
    const likely = tempDir('mirror-likely');
    const elsewhere = tempDir('mirror-elsewhere');
    // Three levels below a likely place: too deep for its search, found by the whole one.
    const deep = plantMirror(join(likely, 'a', 'b', 'c'));
    expect(
      findProviderMirror('fakeprov', { likely: [likely], everywhere: elsewhere }),
    ).toBeUndefined();
    expect(findProviderMirror('fakeprov', { likely: [elsewhere], everywhere: likely })).toBe(deep);
  });

  it('passes over a stub and a file that is not executable, to the plugin after them', () => {
    const stub = plantMirror(tempDir('mirror-stub'), 16);
    const plain = plantMirror(tempDir('mirror-plain'));
    const binary = join(plain, 'registry.terraform.io/hashicorp/fakeprov/1.0.0/linux_amd64');
    chmodSync(join(binary, 'terraform-provider-fakeprov_v1.0.0_x5'), 0o644);
    const empty = tempDir('mirror-empty');
    const likely = [stub, join(stub, 'missing'), plain];
    expect(findProviderMirror('fakeprov', { likely, everywhere: empty })).toBeUndefined();
    // Searched in order, after the two that are not plugins.
    const real = plantMirror(tempDir('mirror-real'));
    expect(findProviderMirror('fakeprov', { likely: [...likely, real], everywhere: empty })).toBe(
      real,
    );
  });
});

describe('resolveProviderMirror', () => {
  it('takes TF_PROVIDER_MIRROR when set, without searching', () => {
    const search = () => {
      throw new Error('searched');
    };
    expect(resolveProviderMirror({ TF_PROVIDER_MIRROR: '/opt/mirror' }, search)).toBe(
      '/opt/mirror',
    );
  });

  it('searches when TF_PROVIDER_MIRROR is unset or empty, and returns what the search finds', () => {
    expect(resolveProviderMirror({}, () => '/found')).toBe('/found');
    expect(resolveProviderMirror({ TF_PROVIDER_MIRROR: '' }, () => '/found')).toBe('/found');
    expect(resolveProviderMirror({}, () => undefined)).toBeUndefined();
  });
});

describe('npm run -s find-provider-mirror (process)', () => {
  it('refuses an unknown flag with its usage (exit 2) instead of searching for a provider named so', async () => {
    const result = await runScript('dev/find-provider-mirror.ts', '--bogus');
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      'usage: npm run -s find-provider-mirror [-- <provider>] (default aws); got "--bogus"',
    );
  });
});
