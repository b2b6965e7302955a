/**
 * `npm run -s find-provider-mirror`: prints the root of a Terraform filesystem mirror on this
 * machine (a directory holding `registry.terraform.io/<namespace>/<type>/<version>/<os_arch>/`),
 * for `export TF_PROVIDER_MIRROR=$(npm run -s find-provider-mirror)`. Looks in Terraform's
 * implied mirror directories first, then searches the filesystem. Exits 1 if there is none.
 *
 * Every script that runs Terraform (plan-offline, bench) finds the mirror the same way, through
 * `resolveProviderMirror`, as `npm test` and `.ci/run` do.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const MARKER = '/registry.terraform.io/';

/** The mirror root of a provider binary's path, or undefined if it is not in a mirror layout. */
export function mirrorRootOf(binaryPath: string): string | undefined {
  const at = binaryPath.indexOf(MARKER);
  return at > 0 ? binaryPath.slice(0, at) : undefined;
}

export function findProviderMirror(provider = 'aws'): string | undefined {
  const implied = [
    join(homedir(), '.terraform.d', 'plugins'),
    join(homedir(), '.local', 'share', 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ];
  for (const dir of implied) {
    if (existsSync(join(dir, 'registry.terraform.io', 'hashicorp', provider))) return dir;
  }
  const found = spawnSync(
    'find',
    [
      '/',
      '-xdev',
      '(',
      '-path',
      '/proc',
      '-o',
      '-path',
      '/sys',
      '-o',
      '-path',
      '/dev',
      '-o',
      '-name',
      'node_modules',
      '-o',
      '-name',
      '.git',
      ')',
      '-prune',
      '-o',
      '-type',
      'f',
      '-name',
      `terraform-provider-${provider}_*`,
      '-path',
      `*${MARKER}*`,
      '-print',
    ],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  for (const line of found.stdout.split('\n')) {
    const root = mirrorRootOf(line.trim());
    if (root && isPlugin(line.trim())) return root;
  }
  return undefined;
}

/** What to do when no mirror of `provider` is found: the one line a script prints before it exits 1. */
export const noProviderMirror = (provider: string): string =>
  `no Terraform provider mirror with hashicorp/${provider} found on this machine: set TF_PROVIDER_MIRROR to ` +
  'the root of one (the directory holding registry.terraform.io/), or run online so Terraform ' +
  'installs providers from its registry';

/** The line for the AWS provider, the one every stack needs. */
export const NO_PROVIDER_MIRROR = noProviderMirror('aws');

/**
 * The provider mirror for a script's Terraform runs: `TF_PROVIDER_MIRROR` if set, else the one
 * `find` (default: `findProviderMirror`) finds on this machine, else undefined.
 */
export function resolveProviderMirror(
  env: NodeJS.ProcessEnv = process.env,
  find: () => string | undefined = () => findProviderMirror(),
): string | undefined {
  return env.TF_PROVIDER_MIRROR || find();
}

/**
 * Whether a file can be a provider plugin: executable, and more than a stub (a test's fake or a
 * failed copy is neither, and Terraform would install it as the provider).
 */
export function isPlugin(path: string): boolean {
  try {
    const stat = statSync(path);
    return stat.isFile() && stat.size > 1024 * 1024 && (stat.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const provider = args[0] ?? 'aws';
  if (args.length > 1 || !/^[a-z][a-z0-9-]*$/.test(provider)) {
    console.error(
      `usage: npm run -s find-provider-mirror [-- <provider>] (default aws); got ${JSON.stringify(args.join(' '))}`,
    );
    process.exit(2);
  }
  const mirror = findProviderMirror(provider);
  if (!mirror) {
    console.error(noProviderMirror(provider));
    process.exit(1);
  }
  console.log(mirror);
}
