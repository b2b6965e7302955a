import type { EnvironmentConfig } from './schema';

/** The `prod` environment: three zones, a NAT gateway per zone, long retention. */
export const prod: EnvironmentConfig = {
  name: 'prod',
  // Placeholder account: replace with the prod account's id before the first deploy.
  accountId: '222222222222',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  tags: {
    owner: 'platform-team',
    repository: 'github.com/acme/platform-infra',
    extra: { 'cost-center': 'platform-prod' },
  },
  state: {
    bucketName: 'acme-platform-tfstate-prod-222222222222',
    lockTableName: 'acme-platform-tfstate-lock-prod',
    accessLogBucketName: 'acme-platform-tfstate-prod-222222222222-logs',
    noncurrentVersionRetentionDays: 90,
    accessLogRetentionDays: 365,
  },
  network: {
    vpcCidr: '10.10.0.0/16',
    natGateways: 'one-per-az',
    subnets: {
      private: { prefixLength: 19 },
      public: { prefixLength: 24 },
      database: { prefixLength: 24 },
    },
    reservedAzSlots: 4,
    flowLogRetentionDays: 365,
  },
  eks: {
    clusterName: 'platform-prod',
  },
};
