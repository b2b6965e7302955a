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

/**
 * Where a mirror is usually put (an image's /opt or /usr/local, a volume under /mnt), searched a
 * few levels deep before the whole disk: this machine's (/opt/tf-plugins) is found in 0.2 s,
 * where the walk of the whole disk took 8 to 10 s with a cold page cache, at the start of every
 * `npm test`.
 */
export const LIKELY_MIRROR_PARENTS: readonly string[] = [
  '/opt',
  '/usr/local',
  '/srv',
  '/mnt',
  '/var/lib',
  '/usr/share',
];

/** Where {@link findProviderMirror} looks, in order (tests point them at directories of theirs). */
export interface MirrorSearch {
  /** Searched first, at most {@link LIKELY_DEPTH} levels down. */
  readonly likely?: readonly string[];
  /** Then this, all the way down. */
  readonly everywhere?: string;
}

/**
 * How deep the likely places are searched: a plugin lies 6 levels below its mirror's root
 * (`registry.terraform.io/<namespace>/<type>/<version>/<os_arch>/<binary>`), so a mirror up to
 * 2 levels below one of them is found there (`/opt/tf-plugins`, `/opt/ci/mirror`); one deeper,
 * by the search of the whole disk.
 */
export const LIKELY_DEPTH = 8;

/**
 * The first provider plugin under `roots` in a mirror layout: a file named like the provider's
 * binary, over 1 MiB and executable ({@link isPlugin}: a test's stub or a failed copy is
 * neither). One `find` that stops at the first match; `node_modules` and `.git` are skipped.
 */
function searchMirror(
  roots: readonly string[],
  provider: string,
  maxDepth?: number,
): string | undefined {
  // Only the whole disk's search keeps to the root's filesystem (-xdev): a likely place's is
  // bounded by its depth, and a mirror there may be a volume or bind mount of its own.
  const existing = roots.filter((root) => existsSync(root));
  if (existing.length === 0) return undefined;
  const found = spawnSync(
    'find',
    [
      ...existing,
      ...(maxDepth === undefined ? ['-xdev'] : ['-maxdepth', String(maxDepth)]),
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
      '-size',
      '+1M',
      '-perm',
      '/111',
      '-print',
      '-quit',
    ],
    // Its complaints (unreadable directories) are not read: past 1 MiB they would stop it.
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  // No stdout when find itself is missing.
  const line = (found.stdout ?? '').trim();
  return line && isPlugin(line) ? mirrorRootOf(line) : undefined;
}

export function findProviderMirror(
  provider = 'aws',
  { likely = LIKELY_MIRROR_PARENTS, everywhere = '/' }: MirrorSearch = {},
): string | undefined {
  const implied = [
    join(homedir(), '.terraform.d', 'plugins'),
    join(homedir(), '.local', 'share', 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ];
  for (const dir of implied) {
    if (existsSync(join(dir, 'registry.terraform.io', 'hashicorp', provider))) return dir;
  }
  return searchMirror(likely, provider, LIKELY_DEPTH) ?? searchMirror([everywhere], provider);
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
