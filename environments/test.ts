import type { EnvironmentConfig } from './schema';

/**
 * The `test` environment: same shape as prod, with the cost trade-offs named here
 * (a single NAT gateway, two zones, shorter retention).
 */
export const test: EnvironmentConfig = {
  name: 'test',
  // Placeholder account: replace with the test account's id before the first deploy.
  accountId: '111111111111',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  tags: {
    owner: 'platform-team',
    repository: 'github.com/acme/platform-infra',
    extra: { 'cost-center': 'platform-test' },
  },
  state: {
    bucketName: 'acme-platform-tfstate-test-111111111111',
    lockTableName: 'acme-platform-tfstate-lock-test',
    accessLogBucketName: 'acme-platform-tfstate-test-111111111111-logs',
    noncurrentVersionRetentionDays: 30,
    accessLogRetentionDays: 90,
  },
  network: {
    vpcCidr: '10.20.0.0/16',
    // Cost trade-off, test only: one NAT gateway for every zone. Losing its zone cuts the
    // private subnets of the other zone off the internet until it is back.
    natGateways: 'single',
    subnets: {
      private: { prefixLength: 19 },
      public: { prefixLength: 24 },
      database: { prefixLength: 24 },
    },
    reservedAzSlots: 4,
    flowLogRetentionDays: 30,
  },
  eks: {
    clusterName: 'platform-test',
  },
};
