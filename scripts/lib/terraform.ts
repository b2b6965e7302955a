import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const TERRAFORM_MISSING =
  'terraform is not on PATH. Install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install: ' +
  'a single binary; put it in /usr/local/bin), or set SKIP_TERRAFORM=1 to skip the offline proof, loudly.';

/**
 * The environment for every child process our scripts start: the parent's, with Terraform's and
 * the CDKTF CLI's checkpoint call (an update check that prints a red `getaddrinfo ENOTFOUND`
 * offline) turned off, whether or not the user set CHECKPOINT_DISABLE.
 */
export function childEnvironment(
  base: NodeJS.ProcessEnv = process.env,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return { ...base, CHECKPOINT_DISABLE: '1', ...extra };
}

/**
 * `GOGC` for Terraform and the providers our scripts start: a collection when the heap has grown
 * by 400 % since the last, not Go's 100 %. Terraform's work on a large schema (the WAF web ACL's
 * nested rule statements) is mostly short-lived allocations: the offline proof of the app took
 * 82 CPU-s at 100 and 70 at 400, for a peak of 1.0 GB instead of 0.6 GB in one process
 * (docs/testing.md).
 */
export const TERRAFORM_GOGC = '400';

/**
 * The environment for running Terraform from our scripts: no phoning home, and, when
 * `TF_PROVIDER_MIRROR` names a filesystem mirror (a directory laid out as
 * `registry.terraform.io/hashicorp/aws/<version>/<os_arch>/…`), a CLI config of our own that
 * installs providers from it and from nowhere else. Without it, Terraform uses the registry.
 * A plugin cache is Terraform's own `TF_PLUGIN_CACHE_DIR`, passed through.
 *
 * The CLI config is written under `workDir`; nothing is read from or written to the home dir.
 *
 * Go's garbage collector runs less often ({@link TERRAFORM_GOGC}), unless the user set `GOGC`
 * (an empty one counts as unset).
 */
export function terraformEnvironment(
  workDir: string,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env = childEnvironment(base, { GOGC: base.GOGC || TERRAFORM_GOGC });
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
