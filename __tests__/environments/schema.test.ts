import { describe, expect, it } from 'vitest';
import { type NatStrategy, validateEnvironments } from '../../environments';
import { errorFor, issuesFor, prodEnv, testEnv } from '../helpers/environments';

/** The committed test environment with one value replaced by something of the wrong shape. */
function testWith(section: 'rds' | 'network' | 'tags', patch: Record<string, unknown>): unknown {
  const env = testEnv();
  return { ...env, [section]: { ...env[section], ...patch } };
}

describe('environment schema: each field', () => {
  it('throws when the account id is not 12 digits', () => {
    const message = errorFor(testEnv({ accountId: '12345' }));
    expect(message).toContain(
      'environments.test.accountId must be a 12-digit AWS account id, got "12345". Fix:',
    );
  });

  it('throws when the region is unknown', () => {
    const message = errorFor(
      testEnv({ region: 'eu-middle-9', availabilityZones: ['eu-middle-9a', 'eu-middle-9b'] }),
    );
    expect(message).toMatch(
      /environments\.test\.region is not a known region of the aws partition, got "eu-middle-9"\. Fix: use one of .*eu-west-1/,
    );
  });

  it('throws when test has a single availability zone', () => {
    const message = errorFor(testEnv({ availabilityZones: ['eu-west-1a'] }));
    expect(message).toContain(
      'environments.test.availabilityZones must list at least 2 availability zones (EKS requires subnets in two zones)',
    );
  });

  it('throws when an availability zone is listed twice', () => {
    const message = errorFor(
      testEnv(),
      prodEnv({ availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1a'] }),
    );
    expect(message).toContain(
      'environments.prod.availabilityZones[2] is listed twice, got "eu-west-1a". Fix:',
    );
  });

  it('throws when the VPC CIDR is not a private range', () => {
    const message = errorFor(testEnv({ network: { vpcCidr: '52.20.0.0/16' } }));
    expect(message).toContain(
      'environments.test.network.vpcCidr is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), got "52.20.0.0/16". Fix:',
    );
  });

  it('throws when the VPC CIDR is malformed or has host bits set', () => {
    expect(errorFor(testEnv({ network: { vpcCidr: '10.20.0/16' } }))).toContain(
      'environments.test.network.vpcCidr is not an IPv4 CIDR block of the form a.b.c.d/n, got "10.20.0/16"',
    );
    expect(errorFor(testEnv({ network: { vpcCidr: '10.20.5.0/16' } }))).toContain(
      'environments.test.network.vpcCidr has host bits set (the network address is 10.20.0.0/16), got "10.20.5.0/16"',
    );
  });

  it('throws when the NAT strategy is unknown', () => {
    const message = errorFor(testEnv({ network: { natGateways: 'none' as NatStrategy } }));
    expect(message).toContain(
      'environments.test.network.natGateways must be one of one-per-az, single, got "none". Fix:',
    );
  });

  it('throws when a state bucket name is not a valid S3 name', () => {
    const message = errorFor(testEnv({ state: { bucketName: 'Acme_State' } }));
    expect(message).toContain('environments.test.state.bucketName must be a valid S3 bucket name');
    expect(message).toContain('got "Acme_State"');
  });

  it('throws when the environment name cannot prefix a stack name or the owner tag is empty', () => {
    const message = errorFor(testEnv({ name: 'Test env', tags: { owner: ' ' } }));
    expect(message).toContain(
      'environments[0].name must be 1-16 lowercase letters or digits, starting with a letter (it prefixes every stack name), got "Test env". Fix: rename the environment, e.g. staging',
    );
    expect(message).toContain('environments[0].tags.owner must be a non-empty tag value');
  });

  it('throws when an add-on version does not look like vX.Y.Z-eksbuild.N', () => {
    const message = errorFor(testEnv({ eks: { addonVersions: { coredns: '1.12.4' } } }));
    expect(message).toContain(
      'environments.test.eks.addonVersions.coredns does not look like an EKS add-on version vX.Y.Z-eksbuild.N, got "1.12.4". Fix: pick one from `aws eks describe-addon-versions --kubernetes-version 1.35`',
    );
  });

  it('throws on an unknown instance type family, or one of the wrong architecture', () => {
    const unknown = errorFor(
      testEnv({ eks: { systemNodeGroup: { instanceTypes: ['x9z.large'] } } }),
    );
    expect(unknown).toContain(
      'environments.test.eks.systemNodeGroup.instanceTypes[0] is not an instance type of a known general-purpose, compute or memory family, got "x9z.large"',
    );
    const arm = errorFor(testEnv({ eks: { systemNodeGroup: { instanceTypes: ['m7g.large'] } } }));
    expect(arm).toContain(
      'environments.test.eks.systemNodeGroup.instanceTypes[0] is an arm64 type, but amiType AL2023_x86_64_STANDARD is x86_64, got "m7g.large"',
    );
  });

  it('throws on a malformed or unsupported Kubernetes version', () => {
    expect(errorFor(testEnv({ eks: { kubernetesVersion: '1.35.2' } }))).toContain(
      'environments.test.eks.kubernetesVersion must be a Kubernetes minor version of the form 1.NN, got "1.35.2"',
    );
    expect(errorFor(testEnv({ eks: { kubernetesVersion: '1.29' } }))).toContain(
      'environments.test.eks.kubernetesVersion is not in EKS standard support (extended support costs extra and ends in a forced upgrade), got "1.29". Fix: use one of 1.34 (until 2026-12-02), 1.35 (until 2027-03-27)',
    );
  });

  it('throws when no admin role is given or a role ARN is malformed', () => {
    expect(errorFor(testEnv({ eks: { adminRoleArns: [] } }))).toContain(
      'environments.test.eks.adminRoleArns must name at least one role',
    );
    expect(
      errorFor(testEnv({ eks: { adminRoleArns: ['arn:aws:iam::111111111111:user/ci'] } })),
    ).toContain(
      'environments.test.eks.adminRoleArns[0] must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got "arn:aws:iam::111111111111:user/ci"',
    );
  });

  it.each([
    'https://github.com/acme/platform-infra',
    'acme/platform-infra.git',
    'acme',
    'acme/platform-infra/extra',
    '-acme/platform-infra',
    'ac--me/platform-infra',
    'acme/..',
    'acme/platform infra',
  ])('throws when delivery.repository is not <owner>/<name>: %s', (repository) => {
    expect(errorFor(testEnv({ delivery: { repository } }))).toContain(
      `environments.test.delivery.repository must be a GitHub repository as <owner>/<name>: an owner of 1-39 letters, digits or single hyphens, and a name of letters, digits, '.', '_' or '-', got ${JSON.stringify(repository)}. Fix: give the GitHub repository as <owner>/<name>, exactly as GitHub spells it (e.g. acme/platform-infra), without https://github.com/ or .git`,
    );
  });

  it.each(['acme/platform-infra', 'Acme-Corp/platform.infra_2', 'a/b', 'acme/.github'])(
    'accepts the repository %s',
    (repository) => {
      expect(() =>
        validateEnvironments([testEnv({ delivery: { repository } }), prodEnv()]),
      ).not.toThrow();
    },
  );

  it('throws when delivery is missing, naming the field', () => {
    const { delivery: _delivery, ...withoutDelivery } = testEnv();
    expect(errorFor(withoutDelivery)).toContain('environments.test.delivery');
  });

  it('throws when database storage is under 20 GiB or above the autoscaling maximum', () => {
    expect(errorFor(testEnv({ rds: { allocatedStorageGiB: 10 } }))).toContain(
      'environments.test.rds.allocatedStorageGiB must be a whole number of GiB of at least 20 (the gp3 minimum for PostgreSQL), got 10',
    );
    expect(
      errorFor(testEnv({ rds: { allocatedStorageGiB: 200, maxAllocatedStorageGiB: 100 } })),
    ).toContain(
      'environments.test.rds.allocatedStorageGiB is above the autoscaling maximum maxAllocatedStorageGiB (100), got 200. Fix: raise maxAllocatedStorageGiB or lower allocatedStorageGiB',
    );
  });

  it('throws when the instance class is not db.*', () => {
    expect(errorFor(testEnv({ rds: { instanceClass: 'm7g.large' } }))).toContain(
      'environments.test.rds.instanceClass is not an RDS instance class (db.<family>.<size>), got "m7g.large"',
    );
  });

  it('throws when an extra tag key is reserved or a value is too long', () => {
    const message = errorFor(
      testEnv({ tags: { extra: { 'aws:team': 'x', team: 'y'.repeat(257) } } }),
    );
    expect(message).toContain(
      'environments.test.tags.extra has a tag key that is empty, longer than 128 characters or in the reserved aws: namespace, got "aws:team". Fix: rename the tag key',
    );
    expect(message).toContain('environments.test.tags.extra.team is longer than 256 characters');
  });
});

describe('environment schema: structure', () => {
  it('throws when a field is missing', () => {
    const { alarmEmails: _, ...rds } = testEnv().rds;
    expect(errorFor({ ...testEnv(), rds })).toContain(
      'environments.test.rds.alarmEmails is missing, got nothing. Fix: add it: every field is described in environments/schema.ts and docs/environments.md',
    );
  });

  it('throws when a string stands where a number or a boolean goes', () => {
    const message = errorFor(testWith('rds', { allocatedStorageGiB: '20', multiAz: 'true' }));
    expect(message).toContain(
      'environments.test.rds.allocatedStorageGiB must be a number, got "20". Fix: write a number, without quotes',
    );
    expect(message).toContain(
      'environments.test.rds.multiAz must be a boolean, got "true". Fix: write true or false, without quotes',
    );
  });

  it('throws on an unknown key, naming the field it may have meant', () => {
    expect(errorFor(testWith('rds', { alarmEmail: ['oncall@example.com'] }))).toContain(
      'environments.test.rds.alarmEmail is not a known field, got ["oncall@example.com"]. Fix: did you mean alarmEmails? (a misspelt field is an error, never ignored)',
    );
    expect(errorFor(testWith('network', { ipv6: true }))).toContain(
      'environments.test.network.ipv6 is not a known field, got true. Fix: use one of vpcCidr, natGateways, subnets, reservedAzSlots, flowLogRetentionDays',
    );
  });

  it('reports a misspelt field once, as the field it meant, not also as a missing one', () => {
    const { alarmEmails, ...rds } = testEnv().rds;
    const issues = issuesFor({ ...testEnv(), rds: { ...rds, alarmEmail: alarmEmails } }, prodEnv());
    expect(issues.map((i) => `${i.path} ${i.problem}`)).toEqual([
      'environments.test.rds.alarmEmail is not a known field',
    ]);
    expect(issues[0].fix).toMatch(/^did you mean alarmEmails\?/);
  });

  it('throws when an environment is not an object, naming it by its place in the list', () => {
    expect(errorFor(42)).toContain(
      'environments[0] must be an object, got 42. Fix: write an object: { … }',
    );
  });

  it('reports a structural problem beside every other problem of the environment', () => {
    const { alarmEmails: _, ...rds } = testEnv().rds;
    const issues = issuesFor({ ...testEnv({ accountId: '12345' }), rds }, prodEnv());
    expect(issues.map((i) => i.path)).toEqual([
      'environments.test.accountId',
      'environments.test.rds.alarmEmails',
    ]);
  });
});
