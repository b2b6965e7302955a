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
    kubernetesVersion: '1.35',
    // Cost/convenience trade-off, test only: the public API endpoint, limited to the office and
    // VPN egress range (placeholder: replace). prod keeps it off.
    publicAccessCidrs: ['203.0.113.0/24'],
    logRetentionDays: 30,
    // Placeholders: the platform team's admin role and the CI deploy role of this account.
    adminRoleArns: ['arn:aws:iam::111111111111:role/platform-admin'],
    ciDeployRoleArn: 'arn:aws:iam::111111111111:role/platform-ci-deploy',
    systemNodeGroup: {
      instanceTypes: ['m7i.large', 'm6i.large'],
      amiType: 'AL2023_x86_64_STANDARD',
      minSize: 2,
      maxSize: 3,
      desiredSize: 2,
      diskSizeGiB: 50,
    },
    // Verify before the first deploy, and on every upgrade:
    // aws eks describe-addon-versions --kubernetes-version 1.35 \
    //   --query 'addons[].[addonName, addonVersions[0].addonVersion]'
    addonVersions: {
      vpcCni: 'v1.21.1-eksbuild.1',
      coredns: 'v1.12.4-eksbuild.1',
      kubeProxy: 'v1.35.0-eksbuild.2',
      podIdentityAgent: 'v1.3.10-eksbuild.1',
      ebsCsiDriver: 'v1.53.0-eksbuild.1',
    },
    externalSecretsPrefix: 'platform/test/',
  },
  rds: {
    instanceIdentifier: 'platform-test',
    majorVersion: '17',
    instanceClass: 'db.t4g.medium',
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 100,
    // Cost trade-off, test only: no standby. A zone failure means restoring from backup.
    multiAz: false,
    deletionProtection: true,
    databaseName: 'app',
    masterUsername: 'platform_admin',
    backupRetentionDays: 7,
    backupWindow: '02:00-03:00',
    maintenanceWindow: 'sun:04:00-sun:05:00',
    slowQueryThresholdMs: 500,
    monitoringIntervalSeconds: 60,
    performanceInsightsRetentionDays: 7,
    logRetentionDays: 30,
    connectionsAlarmThreshold: 300,
    alarmEmails: ['platform-alerts@example.com'],
  },
  // Named cost trade-offs, each relaxing one policy rule (docs/security.md).
  policy: {
    acceptedTradeoffs: ['nat-per-az', 'multi-az-database', 'public-endpoint-allow-list'],
  },
};
