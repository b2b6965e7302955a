import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The environment for running Terraform from our scripts: no phoning home, and, when
 * `TF_PROVIDER_MIRROR` names a filesystem mirror (a directory laid out as
 * `registry.terraform.io/hashicorp/aws/<version>/<os_arch>/…`), a CLI config of our own that
 * installs providers from it and from nowhere else. Without it, Terraform uses the registry.
 * A plugin cache is Terraform's own `TF_PLUGIN_CACHE_DIR`, passed through.
 *
 * The CLI config is written under `workDir`; nothing is read from or written to the home dir.
 */
export function terraformEnvironment(
  workDir: string,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, CHECKPOINT_DISABLE: '1' };
  const mirror = base.TF_PROVIDER_MIRROR;
  if (mirror) {
    const configPath = join(workDir, 'terraform.rc');
    mkdirSync(dirname(configPath), { recursive: true });
    writeFileSync(configPath, cliConfig(resolve(mirror)));
    env.TF_CLI_CONFIG_FILE = configPath;
  }
  return env;
}

/** A CLI config that takes every provider from the mirror and nothing from the network. */
export function cliConfig(mirrorPath: string): string {
  return [
    'provider_installation {',
    '  filesystem_mirror {',
    `    path = ${JSON.stringify(mirrorPath)}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Parses `terraform version -json` output; returns [major, minor, patch]. */
export function parseTerraformVersion(json: string): [number, number, number] {
  const parsed = JSON.parse(json) as { terraform_version?: string };
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(parsed.terraform_version ?? '');
  if (!match) {
    throw new Error(`cannot read a Terraform version from: ${json.trim()}`);
  }
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}
