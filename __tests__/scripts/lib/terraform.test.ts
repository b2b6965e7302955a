import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  childEnvironment,
  parseTerraformVersion,
  TERRAFORM_GOGC,
  terraformEnvironment,
} from '../../../scripts/lib/terraform';
import { tempDir } from '../../helpers/paths';

describe('terraformEnvironment', () => {
  it('writes a CLI config for the mirror named by TF_PROVIDER_MIRROR', () => {
    const workDir = tempDir('tfenv');
    const env = terraformEnvironment(workDir, { TF_PROVIDER_MIRROR: '/opt/mirror' });
    expect(env.CHECKPOINT_DISABLE).toBe('1');
    const config = readFileSync(String(env.TF_CLI_CONFIG_FILE), 'utf8');
    expect(config).toContain('filesystem_mirror {\n    path = "/opt/mirror"');
    expect(config).not.toContain('direct');
  });

  it("collects Go's garbage less often unless the user set GOGC", () => {
    expect(terraformEnvironment(tempDir('tfenv'), { PATH: '/bin' }).GOGC).toBe(TERRAFORM_GOGC);
    expect(terraformEnvironment(tempDir('tfenv'), { PATH: '/bin', GOGC: '150' }).GOGC).toBe('150');
    expect(terraformEnvironment(tempDir('tfenv'), { PATH: '/bin', GOGC: '' }).GOGC).toBe(
      TERRAFORM_GOGC,
    );
  });

  it('leaves provider installation to Terraform without a mirror', () => {
    const env = terraformEnvironment(tempDir('tfenv'), { PATH: '/bin' });
    expect(env.TF_CLI_CONFIG_FILE).toBeUndefined();
  });
});

describe('parseTerraformVersion', () => {
  it('reads the version from `terraform version -json`', () => {
    expect(
      parseTerraformVersion('{"terraform_version":"1.11.4","platform":"linux_amd64"}'),
    ).toEqual([1, 11, 4]);
    expect(() => parseTerraformVersion('{}')).toThrow(/cannot read a Terraform version/);
  });
});

describe('childEnvironment', () => {
  it('turns the checkpoint call off for every child process, over what the user set', () => {
    expect(childEnvironment({ PATH: '/bin', CHECKPOINT_DISABLE: '' }, { X: '1' })).toEqual({
      PATH: '/bin',
      CHECKPOINT_DISABLE: '1',
      X: '1',
    });
  });
});
