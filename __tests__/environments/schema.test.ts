import { describe, expect, it } from 'vitest';
import {
  ConfigValidationError,
  type EnvironmentConfig,
  environments,
  type NatStrategy,
  selectEnvironments,
  validateEnvironments,
} from '../../environments';
import { prodEnv, testEnv } from '../helpers/environments';

/** Validates test and prod together and returns the error's message (fails if none). */
function errorFor(test: EnvironmentConfig, prod: EnvironmentConfig = prodEnv()): string {
  try {
    validateEnvironments([test, prod]);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as Error).message;
  }
  throw new Error('expected validateEnvironments to throw');
}

describe('validateEnvironments', () => {
  it('accepts the committed environments', () => {
    expect(() => validateEnvironments(environments)).not.toThrow();
  });

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

  it('throws when prod has fewer than 3 availability zones', () => {
    const message = errorFor(
      testEnv(),
      prodEnv({ availabilityZones: ['eu-west-1a', 'eu-west-1b'] }),
    );
    expect(message).toContain(
      'environments.prod.availabilityZones must list at least 3 availability zones',
    );
    expect(message).toContain(
      'got ["eu-west-1a","eu-west-1b"]. Fix: list 3 or more distinct zones of eu-west-1, e.g. eu-west-1a, eu-west-1b, eu-west-1c',
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

  it('throws when an availability zone is not in the region', () => {
    const message = errorFor(testEnv({ availabilityZones: ['eu-west-1a', 'us-east-1b'] }));
    expect(message).toContain(
      'environments.test.availabilityZones[1] is not an availability zone of eu-west-1, got "us-east-1b". Fix: use a zone name of the form eu-west-1a',
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

  it('throws when the VPC CIDR is too small for the subnets', () => {
    const message = errorFor(testEnv({ network: { vpcCidr: '10.20.0.0/18' } }));
    expect(message).toContain('environments.test.network.vpcCidr is too small for the subnets');
    expect(message).toContain(
      '(private /19, public /24, database /24, 4 slots per tier) needs 34816 addresses, the VPC has 16384, got "10.20.0.0/18". Fix: use a VPC CIDR of /16 or larger, or smaller subnets',
    );
  });

  it('throws when explicit subnet CIDRs overlap computed ones', () => {
    const message = errorFor(
      testEnv({
        network: {
          subnets: { database: { prefixLength: 24, cidrs: ['10.20.0.0/24', '10.20.200.0/24'] } },
        },
      }),
    );
    expect(message).toContain(
      'environments.test.network.subnets.database overlaps the private subnet 10.20.0.0/19 (eu-west-1a), got "10.20.0.0/24". Fix: move the database subnets',
    );
  });

  it('throws when explicit subnet CIDRs overlap each other', () => {
    const message = errorFor(
      testEnv({
        network: {
          subnets: { public: { prefixLength: 24, cidrs: ['10.20.250.0/24', '10.20.250.0/24'] } },
        },
      }),
    );
    expect(message).toContain(
      'environments.test.network.subnets.public overlaps the public subnet 10.20.250.0/24 (eu-west-1a)',
    );
  });

  it('throws when an explicit subnet is outside the VPC or the count does not match the zones', () => {
    const message = errorFor(
      testEnv({ network: { subnets: { public: { prefixLength: 24, cidrs: ['10.99.0.0/24'] } } } }),
    );
    expect(message).toContain(
      'environments.test.network.subnets.public.cidrs must give exactly one CIDR per availability zone (2)',
    );
    expect(message).toContain(
      'environments.test.network.subnets.public.cidrs[0] is not inside the VPC CIDR 10.20.0.0/16, got "10.99.0.0/24"',
    );
  });

  it('throws when a subnet size is impossible', () => {
    const message = errorFor(testEnv({ network: { subnets: { private: { prefixLength: 12 } } } }));
    expect(message).toContain(
      "environments.test.network.subnets.private.prefixLength must be a whole number above the VPC's /16 and at most /24",
    );
    expect(message).toContain('got 12. Fix: use a value from 17 to 24');
  });

  it('throws when test and prod share a state bucket', () => {
    const message = errorFor(testEnv({ state: { bucketName: prodEnv().state.bucketName } }));
    expect(message).toContain(
      'environments.prod.state.bucketName is already used by environments.test.state.bucketName: environments must not share state buckets, got "acme-platform-tfstate-prod-222222222222"',
    );
  });

  it('throws when two environments in one account and region share a lock table', () => {
    const message = errorFor(
      testEnv({ accountId: '222222222222', state: { lockTableName: 'shared-lock' } }),
      prodEnv({ state: { lockTableName: 'shared-lock' } }),
    );
    expect(message).toContain(
      'environments.prod.state.lockTableName is already used by environments.test.state.lockTableName in the same account and region',
    );
  });

  it('throws when the NAT strategy is unknown', () => {
    const message = errorFor(testEnv({ network: { natGateways: 'none' as NatStrategy } }));
    expect(message).toContain(
      'environments.test.network.natGateways must be one of one-per-az, single, got "none". Fix:',
    );
  });

  it('throws when prod uses a single NAT gateway', () => {
    const message = errorFor(testEnv(), prodEnv({ network: { natGateways: 'single' } }));
    expect(message).toContain('environments.prod.network.natGateways must be `one-per-az` in prod');
    expect(message).toContain(
      'got "single". Fix: set natGateways to `one-per-az`; `single` is a cost trade-off reserved for test',
    );
  });

  it('throws when a state bucket name is not a valid S3 name', () => {
    const message = errorFor(testEnv({ state: { bucketName: 'Acme_State' } }));
    expect(message).toContain('environments.test.state.bucketName must be a valid S3 bucket name');
    expect(message).toContain('got "Acme_State"');
  });

  it('throws when the state KMS key ARN is an alias or in another account', () => {
    const alias = errorFor(
      testEnv({ state: { kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:alias/state' } }),
    );
    expect(alias).toContain(
      "environments.test.state.kmsKeyArn must be the ARN of a KMS key in eu-west-1 of account 111111111111 (Terraform's S3 backend refuses aliases)",
    );
    expect(() =>
      validateEnvironments([
        testEnv({
          state: {
            kmsKeyArn:
              'arn:aws:kms:eu-west-1:111111111111:key/0b7e4a2c-5d1f-4e8a-9c3b-2f6d8e1a7b40',
          },
        }),
        prodEnv(),
      ]),
    ).not.toThrow();
  });

  it('throws when prod flow logs are kept less than 90 days or retention is not a CloudWatch value', () => {
    expect(errorFor(testEnv(), prodEnv({ network: { flowLogRetentionDays: 30 } }))).toContain(
      'environments.prod.network.flowLogRetentionDays must be a retention CloudWatch Logs accepts, of at least 90 days in prod, got 30',
    );
    expect(errorFor(testEnv({ network: { flowLogRetentionDays: 10 } }))).toContain(
      'environments.test.network.flowLogRetentionDays must be a retention CloudWatch Logs accepts, got 10. Fix: use one of 1, 3, 5, 7, 14, 30',
    );
  });

  it('throws when reserved zone slots are fewer than the zones', () => {
    const message = errorFor(testEnv(), prodEnv({ network: { reservedAzSlots: 2 } }));
    expect(message).toContain(
      'environments.prod.network.reservedAzSlots must be a whole number from the zone count (3) to 8, got 2',
    );
  });

  it('throws when the environment name is unknown or the owner tag is empty', () => {
    const message = errorFor(testEnv({ name: 'staging' as 'test', tags: { owner: ' ' } }));
    expect(message).toContain('environments[0].name must be one of test, prod, got "staging"');
    expect(message).toContain('environments[0].tags.owner must be a non-empty tag value');
  });

  it('throws when the system node group sizes are inconsistent', () => {
    const minAboveMax = errorFor(
      testEnv({ eks: { systemNodeGroup: { minSize: 4, maxSize: 3, desiredSize: 3 } } }),
    );
    expect(minAboveMax).toContain(
      'environments.test.eks.systemNodeGroup.minSize is above maxSize (3), got 4. Fix: make minSize <= desiredSize <= maxSize',
    );
    const desiredOutside = errorFor(testEnv({ eks: { systemNodeGroup: { desiredSize: 9 } } }));
    expect(desiredOutside).toContain(
      'environments.test.eks.systemNodeGroup.desiredSize must lie between minSize (2) and maxSize (3), got 9',
    );
  });

  it('throws when prod has fewer than 3 system nodes', () => {
    const message = errorFor(
      testEnv(),
      prodEnv({ eks: { systemNodeGroup: { minSize: 2, desiredSize: 2 } } }),
    );
    expect(message).toContain(
      'environments.prod.eks.systemNodeGroup.minSize must be at least 3 in prod: one system node per zone',
    );
    expect(message).toContain('got 2. Fix: set it to 3');
  });

  it('throws when the public endpoint allow-list contains 0.0.0.0/0', () => {
    const message = errorFor(
      testEnv(),
      prodEnv({ eks: { publicAccessCidrs: ['198.51.100.0/24', '0.0.0.0/0'] } }),
    );
    expect(message).toContain(
      'environments.prod.eks.publicAccessCidrs[1] opens the Kubernetes API to the whole internet in prod, got "0.0.0.0/0". Fix: remove it',
    );
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
    const message = errorFor(
      testEnv({ eks: { adminRoleArns: [], ciDeployRoleArn: 'arn:aws:iam::111111111111:user/ci' } }),
    );
    expect(message).toContain('environments.test.eks.adminRoleArns must name at least one role');
    expect(message).toContain(
      'environments.test.eks.ciDeployRoleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got "arn:aws:iam::111111111111:user/ci"',
    );
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

  it('throws when backup retention is outside 1-35, or 0 or under 7 in prod', () => {
    expect(errorFor(testEnv({ rds: { backupRetentionDays: 36 } }))).toContain(
      'environments.test.rds.backupRetentionDays must be 1 to 35 days (0, no backups, is allowed in test only), got 36',
    );
    expect(() =>
      validateEnvironments([testEnv({ rds: { backupRetentionDays: 0 } }), prodEnv()]),
    ).not.toThrow();
    expect(errorFor(testEnv(), prodEnv({ rds: { backupRetentionDays: 0 } }))).toContain(
      'environments.prod.rds.backupRetentionDays must be 7 to 35 days in prod (point-in-time recovery needs backups), got 0',
    );
    expect(errorFor(testEnv(), prodEnv({ rds: { backupRetentionDays: 3 } }))).toContain(
      'environments.prod.rds.backupRetentionDays must be 7 to 35 days in prod',
    );
  });

  it('throws when prod has no Multi-AZ standby or no deletion protection', () => {
    const message = errorFor(
      testEnv(),
      prodEnv({ rds: { multiAz: false, deletionProtection: false } }),
    );
    expect(message).toContain(
      'environments.prod.rds.multiAz must be true in prod: a single-AZ database is down until restored when its zone fails, got false. Fix: set multiAz: true; single-AZ is a cost trade-off reserved for test',
    );
    expect(message).toContain(
      'environments.prod.rds.deletionProtection must be true in prod, got false',
    );
  });

  it('throws when the engine version does not match the pinned major', () => {
    expect(errorFor(testEnv({ rds: { majorVersion: '16', engineVersion: '17.6' } }))).toContain(
      'environments.test.rds.engineVersion does not match the pinned major version 16 (expected 16.<minor>), got "17.6"',
    );
    expect(errorFor(testEnv({ rds: { majorVersion: '15' as '16' } }))).toContain(
      'environments.test.rds.majorVersion must be one of 16, 17, got "15"',
    );
  });

  it('throws when the maintenance window overlaps the backup window', () => {
    expect(
      errorFor(
        testEnv({ rds: { backupWindow: '23:30-00:30', maintenanceWindow: 'mon:00:00-mon:01:00' } }),
      ),
    ).toContain(
      'environments.test.rds.maintenanceWindow overlaps the backup window 23:30-00:30, got "mon:00:00-mon:01:00"',
    );
  });

  it('throws when prod alarms go to nobody or an address is malformed', () => {
    expect(errorFor(testEnv(), prodEnv({ rds: { alarmEmails: [] } }))).toContain(
      'environments.prod.rds.alarmEmails must name at least one recipient in prod',
    );
    expect(errorFor(testEnv({ rds: { alarmEmails: ['oncall'] } }))).toContain(
      'environments.test.rds.alarmEmails[0] is not an e-mail address, got "oncall"',
    );
  });

  it('reports every problem at once, counted', () => {
    const message = errorFor(
      testEnv({ accountId: 'x', region: 'nowhere-1' }),
      prodEnv({ network: { natGateways: 'single' } }),
    );
    expect(message).toMatch(
      /^Invalid environment configuration \(\d+ problems\); nothing was synthesized:/,
    );
    expect(message).toContain('environments.test.accountId');
    expect(message).toContain('environments.test.region');
    expect(message).toContain('environments.prod.network.natGateways');
  });
});

describe('selectEnvironments', () => {
  it('returns every environment when none is requested', () => {
    expect(selectEnvironments(environments, undefined).map((e) => e.name)).toEqual([
      'test',
      'prod',
    ]);
  });

  it('returns the one requested', () => {
    expect(selectEnvironments(environments, 'prod').map((e) => e.name)).toEqual(['prod']);
  });

  it('throws when the requested environment does not exist', () => {
    expect(() => selectEnvironments(environments, 'stage')).toThrow(
      'PLATFORM_ENV names no environment, got "stage". Fix: set it to one of test, prod, or unset it to synthesize all',
    );
  });
});
