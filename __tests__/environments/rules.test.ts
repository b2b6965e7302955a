import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { KARPENTER_POLICY_VERSIONS } from '../../constructs/eks/policies/karpenter-controller';
import { CROSS_ENVIRONMENT_RULES, ENVIRONMENT_RULES } from '../../environments/rules';

/** The list the schema reads, opened up for a test that adds a version to it. */
const KARPENTER_POLICY_VERSIONS_FOR_TEST = KARPENTER_POLICY_VERSIONS as string[];
import { environmentSchema, prodSchema, validateEnvironments } from '../../environments';
import { errorFor, issuesFor, prodEnv, testEnv } from '../helpers/environments';

describe('environment rules', () => {
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

  it('throws when an availability zone is not in the region', () => {
    const message = errorFor(testEnv({ availabilityZones: ['eu-west-1a', 'us-east-1b'] }));
    expect(message).toContain(
      'environments.test.availabilityZones[1] is not an availability zone of eu-west-1, got "us-east-1b". Fix: use a zone name of the form eu-west-1a',
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

  it('throws when two environments share an AWS account (one GitHub OIDC provider per account)', () => {
    const message = errorFor(testEnv({ accountId: '222222222222' }), prodEnv());
    expect(message).toContain(
      'environments.prod.accountId is already the account of environments.test: each environment\'s tfstate creates the account\'s one GitHub OIDC provider and a CI deploy role that administers the whole account, so a deploy of one environment could change the other, got "222222222222". Fix: give each environment its own AWS account',
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

  it('throws when prod uses a single NAT gateway', () => {
    const message = errorFor(testEnv(), prodEnv({ network: { natGateways: 'single' } }));
    expect(message).toContain('environments.prod.network.natGateways must be `one-per-az` in prod');
    expect(message).toContain(
      'got "single". Fix: set natGateways to `one-per-az`; `single` is a cost trade-off reserved for test',
    );
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

  it('throws when the major version is not one the platform runs', () => {
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
});

/** For each named rule, environments that break it (test first, then prod). */
const BREAKS: Readonly<Record<string, readonly unknown[]>> = {
  zonesInRegion: [testEnv({ availabilityZones: ['eu-west-1a', 'us-east-1b'] }), prodEnv()],
  stateKeyInAccount: [
    testEnv({ state: { kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:alias/state' } }),
    prodEnv(),
  ],
  ownAccessLogBucket: [
    testEnv({ state: { accessLogBucketName: testEnv().state.bucketName } }),
    prodEnv(),
  ],
  slotsForEveryZone: [testEnv(), prodEnv({ network: { reservedAzSlots: 2 } })],
  subnetPlan: [testEnv({ network: { vpcCidr: '10.20.0.0/18' } }), prodEnv()],
  systemNodeSizes: [testEnv({ eks: { systemNodeGroup: { desiredSize: 9 } } }), prodEnv()],
  instanceTypesMatchAmi: [
    testEnv({ eks: { systemNodeGroup: { instanceTypes: ['m7g.large'] } } }),
    prodEnv(),
  ],
  storageWithinMaximum: [testEnv({ rds: { allocatedStorageGiB: 200 } }), prodEnv()],
  windowsApart: [testEnv({ rds: { maintenanceWindow: 'mon:02:30-mon:03:30' } }), prodEnv()],
  windowsLastHalfHour: [testEnv({ rds: { backupWindow: '02:00-02:15' } }), prodEnv()],
  uniqueNames: [testEnv(), testEnv({ state: { bucketName: 'b1', accessLogBucketName: 'b2' } })],
  ownStateBuckets: [testEnv({ state: { bucketName: prodEnv().state.bucketName } }), prodEnv()],
  ownLockTables: [
    testEnv({ accountId: '222222222222', state: { lockTableName: 'shared-lock' } }),
    prodEnv({ state: { lockTableName: 'shared-lock' } }),
  ],
  domainInZone: [testEnv({ dns: { domain: 'test.example.org' } }), prodEnv()],
  amiForKubernetesVersion: [
    testEnv({ k8s: { karpenter: { amiAlias: 'al2023@v20251117' } } }),
    prodEnv(),
  ],
  vpcCniWithPolicyAgentFix: [
    testEnv({
      eks: { addonVersions: { ...testEnv().eks.addonVersions, vpcCni: 'v1.21.1-eksbuild.1' } },
    }),
    prodEnv(),
  ],
  kubeProxyFollowsCluster: [
    testEnv({
      eks: { addonVersions: { ...testEnv().eks.addonVersions, kubeProxy: 'v1.34.1-eksbuild.3' } },
    }),
    prodEnv(),
  ],
  grafanaSecretReadable: [
    testEnv({ k8s: { monitoring: { grafanaAdminSecret: 'platform/test/grafana-admin' } } }),
    prodEnv(),
  ],
  ownNamespaces: [testEnv({ services: { frontend: { namespace: 'backend' } } }), prodEnv()],
  canaryNeedsRoute: [
    testEnv({ services: { backend: { canary: { image: 'sha-1111111', weight: 10 } } } }),
    prodEnv(),
  ],
  replicasWithinRange: [
    testEnv({ services: { backend: { replicas: { min: 5, max: 3 } } } }),
    prodEnv(),
  ],
  servicesKnownAndConfigured: [
    testEnv({ services: { worker: testEnv().services.backend } } as never),
    prodEnv(),
  ],
  chartsPromotedInOrder: [testEnv(), prodEnv({ k8s: { charts: { metricsServer: '9.0.0' } } })],
  ownAccounts: [testEnv({ accountId: '222222222222' }), prodEnv()],
};

describe('every named rule', () => {
  it('has a negative case below', () => {
    expect(Object.keys(BREAKS).sort()).toEqual(
      [...Object.keys(ENVIRONMENT_RULES), ...Object.keys(CROSS_ENVIRONMENT_RULES)].sort(),
    );
  });

  for (const [rule, environments] of Object.entries(BREAKS)) {
    it(`throws when ${rule} is broken, naming the rule`, () => {
      expect(issuesFor(...environments).map((issue) => issue.rule)).toContain(rule);
    });
  }
});

describe('how rules and field checks combine', () => {
  it("tells prod prod's bound when a value breaks a field check and prod's rule", () => {
    const zones = issuesFor(testEnv(), prodEnv({ availabilityZones: [] }));
    expect(zones.map((i) => i.problem)).toEqual([
      'must list at least 3 availability zones so prod survives the loss of a zone with quorum intact',
    ]);
    const retention = issuesFor(testEnv(), prodEnv({ rds: { logRetentionDays: 10 } }));
    expect(retention).toHaveLength(1);
    expect(retention[0].fix).toBe(
      'use one of 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    );
  });

  it('skips a rule while a field it reads has a problem of its own: one mistake, one line', () => {
    // The subnet plan would also complain about every tier's size against a /28.
    const issues = issuesFor(testEnv({ network: { vpcCidr: '10.20.0.0/28' } }), prodEnv());
    expect(issues.map((i) => [i.path, i.rule])).toEqual([
      ['environments.test.network.vpcCidr', undefined],
    ]);
    // prod's zone count is the field's own problem: the zones' region waits for it, as in test.
    const zones = issuesFor(
      testEnv(),
      prodEnv({ availabilityZones: ['eu-west-1a', 'us-east-1b'] }),
    );
    expect(zones.map((i) => i.path)).toEqual(['environments.prod.availabilityZones']);
  });

  it('reports every rule a value breaks: one rule finding does not silence another', () => {
    const windows = issuesFor(
      testEnv({ rds: { backupWindow: '04:00-04:15', maintenanceWindow: 'sun:04:00-sun:05:00' } }),
      prodEnv(),
    );
    expect(windows.map((i) => i.rule).sort()).toEqual(['windowsApart', 'windowsLastHalfHour']);
  });

  it('throws when a window is shorter than the 30 minutes RDS requires', () => {
    expect(errorFor(testEnv({ rds: { maintenanceWindow: 'sun:04:00-sun:04:00' } }))).toContain(
      'environments.test.rds.maintenanceWindow lasts 0 minutes, and RDS requires at least 30, got "sun:04:00-sun:04:00"',
    );
  });
});

/** The paths where prodSchema's check differs from every other environment's. */
function tightened(prod: z.ZodType, base: z.ZodType, path = ''): string[] {
  const shape = (s: z.ZodType) => (s as z.ZodObject).shape as Record<string, z.ZodType> | undefined;
  const [p, b] = [shape(prod), shape(base)];
  if (p && b) return Object.keys(p).flatMap((k) => tightened(p[k], b[k], `${path}.${k}`));
  return prod === base ? [] : [path.slice(1)];
}

/** For each prod bound: a value prod refuses, prod's message, and whether test accepts it. */
const PROD_BOUNDS: Readonly<Record<string, [patch: object, message: string, test?: 'refuses']>> = {
  availabilityZones: [
    { availabilityZones: ['eu-west-1a', 'eu-west-1b'] },
    'must list at least 3 availability zones so prod survives the loss of a zone',
  ],
  'state.noncurrentVersionRetentionDays': [
    { state: { noncurrentVersionRetentionDays: 7 } },
    'must be a whole number of days from 30 to 3650 (prod keeps a month of state history',
  ],
  'network.natGateways': [
    { network: { natGateways: 'single' } },
    'must be `one-per-az` in prod: a single NAT gateway cuts every zone off the internet',
  ],
  'network.flowLogRetentionDays': [
    { network: { flowLogRetentionDays: 30 } },
    'must be a retention CloudWatch Logs accepts, of at least 90 days in prod',
  ],
  'eks.publicAccessCidrs': [
    { eks: { publicAccessCidrs: ['0.0.0.0/0'] } },
    'opens the Kubernetes API to the whole internet in prod',
    'refuses',
  ],
  'eks.logRetentionDays': [
    { eks: { logRetentionDays: 30 } },
    'must be a retention CloudWatch Logs accepts, of at least 90 days in prod',
  ],
  'eks.systemNodeGroup.minSize': [
    { eks: { systemNodeGroup: { minSize: 2, desiredSize: 2 } } },
    'must be at least 3 in prod: one system node per zone',
  ],
  'rds.multiAz': [{ rds: { multiAz: false } }, 'must be true in prod: a single-AZ database'],
  'rds.deletionProtection': [{ rds: { deletionProtection: false } }, 'must be true in prod'],
  'rds.backupRetentionDays': [
    { rds: { backupRetentionDays: 0 } },
    'must be 7 to 35 days in prod (point-in-time recovery needs backups)',
  ],
  'rds.logRetentionDays': [
    { rds: { logRetentionDays: 30 } },
    'must be a retention CloudWatch Logs accepts, of at least 90 days in prod',
  ],
  'rds.alarmEmails': [{ rds: { alarmEmails: [] } }, 'must name at least one recipient in prod'],
  'k8s.controllerReplicas': [
    { k8s: { controllerReplicas: 1 } },
    'must be a whole number from 2 to 5 in prod, so a controller survives a node or zone',
  ],
  'k8s.karpenter.nodePools': [
    { k8s: { karpenter: { nodePools: { general: { capacityTypes: ['spot'] } } } } },
    'has a spot-only NodePool: in prod a spot reclaim wave could take every replica at once',
  ],
  'k8s.ingress.accessLogRetentionDays': [
    { k8s: { ingress: { accessLogRetentionDays: 30 } } },
    'must be a whole number of days from 90 to 3650 in prod',
  ],
  'k8s.monitoring.alertEmails': [
    { k8s: { monitoring: { alertEmails: [] } } },
    'must name at least one recipient in prod',
  ],
  'k8s.monitoring.prometheusReplicas': [
    { k8s: { monitoring: { prometheusReplicas: 1 } } },
    'must be a whole number from 2 to 3 in prod: one replica loses metrics while it restarts',
  ],
  services: [
    { services: { backend: { replicas: { min: 1, max: 4 } } } },
    'must be a whole number from 2 to 100 in prod: one pod is an outage when its node goes',
  ],
  'policy.acceptedTradeoffs': [
    { policy: { acceptedTradeoffs: ['nat-per-az'] } },
    'is a cost trade-off, and prod accepts none',
  ],
};

describe('prod bounds (prodSchema)', () => {
  it('has a case below for every field prod holds to more', () => {
    expect(Object.keys(PROD_BOUNDS).sort()).toEqual(
      tightened(prodSchema, environmentSchema).sort(),
    );
  });

  for (const [path, [patch, message, test]] of Object.entries(PROD_BOUNDS)) {
    it(`throws when prod breaks its bound on ${path}, which ${test === 'refuses' ? 'test refuses for its own reason' : 'test accepts'}`, () => {
      const prodIssues = issuesFor(testEnv(), prodEnv(patch));
      expect(prodIssues.map((i) => `${i.path} ${i.problem}`).join('\n')).toContain(
        `environments.prod.${path}`,
      );
      expect(prodIssues.map((i) => i.problem).join('\n')).toContain(message);
      if (test === 'refuses') {
        expect(errorFor(testEnv(patch))).not.toContain('in prod');
      } else {
        expect(() => validateEnvironments([testEnv(patch), prodEnv()])).not.toThrow();
      }
    });
  }
});

describe('the in-cluster platform (k8s, dns, services)', () => {
  it('throws when a chart version is not exact semver', () => {
    expect(errorFor(testEnv({ k8s: { charts: { metricsServer: '^3.13' } } }))).toContain(
      'environments.test.k8s.charts.metricsServer must be an exact chart version X.Y.Z (semver, no range, no leading v), got "^3.13". Fix: pin the exact version',
    );
    expect(errorFor(testEnv({ k8s: { charts: { fluentBit: 'v0.54.0' } } }))).toContain(
      'environments.test.k8s.charts.fluentBit must be an exact chart version',
    );
  });

  it('throws when Karpenter or the load balancer controller is not a version its IAM policy is for', () => {
    expect(errorFor(testEnv({ k8s: { charts: { karpenter: '1.15.0' } } }))).toContain(
      'environments.test.k8s.charts.karpenter must be a version whose IAM policy eks-infra grants (1.14.1: KARPENTER_POLICY_VERSIONS in constructs/eks/policies/karpenter-controller.ts), got "1.15.0". Fix: use 1.14.1, or add the new version\'s policy first',
    );
    expect(
      errorFor(testEnv({ k8s: { charts: { awsLoadBalancerController: '1.16.0' } } })),
    ).toContain(
      'environments.test.k8s.charts.awsLoadBalancerController must be a version whose IAM policy eks-infra grants (1.17.1:',
    );
  });

  it('lets test run a newer policy-bound version than prod once its policy is listed', () => {
    KARPENTER_POLICY_VERSIONS_FOR_TEST.push('1.15.0');
    try {
      expect(() =>
        validateEnvironments([testEnv({ k8s: { charts: { karpenter: '1.15.0' } } }), prodEnv()]),
      ).not.toThrow();
    } finally {
      KARPENTER_POLICY_VERSIONS_FOR_TEST.pop();
    }
  });

  it('throws when prod runs a chart version newer than test (promotion: test first)', () => {
    const issues = issuesFor(
      testEnv({ k8s: { charts: { kubePrometheusStack: '88.9.0' } } }),
      prodEnv({ k8s: { charts: { kubePrometheusStack: '88.10.0' } } }),
    );
    expect(issues.map((i) => `${i.path} ${i.problem}`)).toEqual([
      "environments.prod.k8s.charts.kubePrometheusStack is newer than test's 88.9.0: a chart version reaches prod only after test ran it",
    ]);
    expect(issues[0].fix).toBe(
      'upgrade environments.test.k8s.charts.kubePrometheusStack first, or keep 88.9.0',
    );
    // Compared as versions, not as text: 88.10.0 in test is newer than 88.9.0 in prod.
    expect(() =>
      validateEnvironments([
        testEnv({ k8s: { charts: { kubePrometheusStack: '88.10.0' } } }),
        prodEnv({ k8s: { charts: { kubePrometheusStack: '88.9.0' } } }),
      ]),
    ).not.toThrow();
  });

  it('throws when NodePool limits are not Kubernetes quantities', () => {
    const pool = (limits: object) =>
      testEnv({ k8s: { karpenter: { nodePools: { general: { limits } } } } });
    expect(errorFor(pool({ memory: '128GB' }))).toContain(
      'environments.test.k8s.karpenter.nodePools.general.limits.memory is not a Kubernetes quantity (a number with an optional suffix such as m or Gi), got "128GB". Fix: use e.g. 256Gi',
    );
    expect(errorFor(pool({ cpu: 'lots' }))).toContain(
      'environments.test.k8s.karpenter.nodePools.general.limits.cpu is not a Kubernetes quantity',
    );
  });

  it("throws when a namespace is not a DNS-1123 label, or is the platform's own", () => {
    expect(errorFor(testEnv({ services: { backend: { namespace: 'Back_End' } } }))).toContain(
      'environments.test.services.backend.namespace must be a DNS-1123 label: lowercase letters, digits and hyphens, at most 63, got "Back_End"',
    );
    expect(errorFor(testEnv({ services: { backend: { namespace: 'kube-system' } } }))).toContain(
      'environments.test.services.backend.namespace is a namespace the platform itself uses',
    );
  });

  it('throws when the domain is outside the hosted zone', () => {
    expect(errorFor(testEnv({ dns: { domain: 'shop.example.org' } }))).toContain(
      'environments.test.dns.domain is outside the hosted zone test.example.com: its certificate could not be validated nor its records written there, got "shop.example.org". Fix: use test.example.com or a name ending in .test.example.com',
    );
    // A suffix that is not a label boundary is outside too.
    expect(errorFor(testEnv({ dns: { domain: 'attest.example.com' } }))).toContain(
      'environments.test.dns.domain is outside the hosted zone',
    );
  });

  it('throws when the AMI alias is not a pinned al2023 release', () => {
    for (const amiAlias of ['al2023@latest', 'al2@v20251117', 'al2023@v2025111']) {
      expect(errorFor(testEnv({ k8s: { karpenter: { amiAlias } } }))).toContain(
        `environments.test.k8s.karpenter.amiAlias must pin an AL2023 AMI release as al2023@vYYYYMMDD (never @latest: a new AMI would roll every node unreviewed), got "${amiAlias}". Fix: use the newest release listed by \`aws ssm get-parameters-by-path --path /aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/standard/\``,
      );
    }
  });

  it('throws when vpc-cni ships the network policy agent that can block pod traffic', () => {
    const env = testEnv();
    for (const vpcCni of ['v1.21.1-eksbuild.1', 'v1.22.1-eksbuild.2']) {
      expect(
        errorFor(testEnv({ eks: { addonVersions: { ...env.eks.addonVersions, vpcCni } } })),
      ).toContain(
        `environments.test.eks.addonVersions.vpcCni ships a network policy agent older than 1.3.5, which can block all pod traffic on a new node while it waits for its CRD, got "${vpcCni}". Fix: use v1.22.2-eksbuild.1 or later`,
      );
    }
    expect(() =>
      validateEnvironments([
        testEnv({
          eks: { addonVersions: { ...env.eks.addonVersions, vpcCni: 'v1.22.3-eksbuild.1' } },
        }),
        prodEnv(),
      ]),
    ).not.toThrow();
  });

  it("throws when kube-proxy's build is for another Kubernetes version than the cluster's", () => {
    const env = testEnv();
    expect(
      errorFor(
        testEnv({
          eks: { addonVersions: { ...env.eks.addonVersions, kubeProxy: 'v1.34.1-eksbuild.3' } },
        }),
      ),
    ).toContain(
      'environments.test.eks.addonVersions.kubeProxy is built for Kubernetes 1.34, not the cluster\'s 1.35, got "v1.34.1-eksbuild.3". Fix: pick the kube-proxy build for 1.35 from `aws eks describe-addon-versions --addon-name kube-proxy --kubernetes-version 1.35`',
    );
  });

  it("throws when the AMI release predates the cluster's Kubernetes version on EKS", () => {
    expect(errorFor(testEnv({ k8s: { karpenter: { amiAlias: 'al2023@v20251117' } } }))).toContain(
      'environments.test.k8s.karpenter.amiAlias is older than Kubernetes 1.35 on EKS (released 2026-01-27), so no image of it exists for the cluster, got "al2023@v20251117". Fix: pin a release from after 2026-01-27',
    );
    // 1.34 was out by then: the same release is fine for it.
    expect(() =>
      validateEnvironments([
        testEnv({
          eks: {
            kubernetesVersion: '1.34',
            addonVersions: { ...testEnv().eks.addonVersions, kubeProxy: 'v1.34.1-eksbuild.3' },
          },
          k8s: { karpenter: { amiAlias: 'al2023@v20251117' } },
        }),
        prodEnv(),
      ]),
    ).not.toThrow();
  });

  it('throws when a prod NodePool is spot only, and accepts it in test', () => {
    const spotOnly = {
      k8s: { karpenter: { nodePools: { general: { capacityTypes: ['spot'] } } } },
    };
    expect(errorFor(testEnv(), prodEnv(spotOnly as never))).toContain(
      'environments.prod.k8s.karpenter.nodePools has a spot-only NodePool',
    );
    expect(() => validateEnvironments([testEnv(spotOnly as never), prodEnv()])).not.toThrow();
  });

  it('throws when a duration or a disruption budget is malformed', () => {
    const pool = (general: object) => testEnv({ k8s: { karpenter: { nodePools: { general } } } });
    expect(errorFor(pool({ expireAfter: 'Never' }))).toContain(
      'nodePools.general.expireAfter must be a duration such as 720h or 30s, got "Never". Fix: use 720h (30 days)',
    );
    expect(errorFor(pool({ disruptionBudget: '150%' }))).toContain(
      'nodePools.general.disruptionBudget must be a node count or a percentage such as 10%',
    );
  });
});

describe('the services: what their stacks deploy', () => {
  it('throws when the image is latest or missing', () => {
    expect(errorFor(testEnv({ services: { backend: { image: 'latest' } } }))).toContain(
      'environments.test.services.backend.image must be an image tag other than `latest`, or a digest sha256:<64 hex>, got "latest". Fix: use the tag the pipeline pushed',
    );
    const { image: _image, ...withoutImage } = testEnv().services.frontend;
    const missing = { ...testEnv(), services: { ...testEnv().services, frontend: withoutImage } };
    expect(errorFor(missing)).toContain('environments.test.services.frontend.image is missing');
  });

  it('throws when min replicas are above max', () => {
    expect(
      errorFor(testEnv({ services: { backend: { replicas: { min: 5, max: 3 } } } })),
    ).toContain(
      'environments.test.services.backend.replicas.min is above replicas.max (3), got 5. Fix: make min <= max',
    );
  });

  it('throws when a prod service runs fewer than 2 replicas, which test may', () => {
    const one = { services: { frontend: { replicas: { min: 1, max: 4 } } } };
    expect(errorFor(testEnv(), prodEnv(one))).toContain(
      'environments.prod.services.frontend.replicas.min must be a whole number from 2 to 100 in prod: one pod is an outage when its node goes, got 1',
    );
    expect(() => validateEnvironments([testEnv(one), prodEnv()])).not.toThrow();
  });

  it('throws when a canary weight is outside 0-100', () => {
    const canary = (weight: number) =>
      testEnv({ services: { frontend: { canary: { image: 'sha-1111111', weight } } } });
    expect(errorFor(canary(101))).toContain(
      'environments.test.services.frontend.canary.weight must be a whole number of percent up to 100, got 101',
    );
    expect(() => validateEnvironments([canary(10), prodEnv()])).not.toThrow();
  });

  it('throws when a health-check path does not start with /', () => {
    expect(
      errorFor(
        testEnv({
          services: { frontend: { route: { host: 'shop', path: '/', healthCheckPath: 'readyz' } } },
        }),
      ),
    ).toContain(
      'environments.test.services.frontend.route.healthCheckPath must be an absolute URL path starting with /, got "readyz"',
    );
  });

  it('throws when a service has no namespace from eks-k8s, or names no service of the apps', () => {
    const { frontend: _dropped, ...onlyBackend } = testEnv().services;
    expect(errorFor({ ...testEnv(), services: onlyBackend })).toContain(
      'environments.test.services.frontend is not configured, so eks-k8s creates no namespace for it and its stack has nowhere to run, got nothing. Fix: add services.frontend',
    );
    expect(
      errorFor(testEnv({ services: { worker: testEnv().services.backend } } as never)),
    ).toContain('environments.test.services.worker names no service of environments/services.ts');
  });

  it('throws when an internal service declares a canary: nothing would route to it', () => {
    expect(
      errorFor(
        testEnv({ services: { backend: { canary: { image: 'sha-1111111', weight: 10 } } } }),
      ),
    ).toContain(
      'environments.test.services.backend.canary needs a route: the ALB splits the traffic by weight, and no request of an internal service passes through it',
    );
  });
});
