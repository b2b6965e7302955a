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
    // Placeholder: the platform team's admin role in this account. The CI deploy role gets its
    // access from the tfstate stack that creates it (cross-stack reference), not from here.
    adminRoleArns: ['arn:aws:iam::111111111111:role/platform-admin'],
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
      // 1.22.2 ships network-policy agent 1.3.5: 1.3.1's start-up CRD check could block all pod
      // traffic on a fresh AL2023 cluster (aws-network-policy-agent issues 553, 570).
      vpcCni: 'v1.22.2-eksbuild.1',
      coredns: 'v1.14.3-eksbuild.2',
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
  // Placeholder zone: the public hosted zone of this account (delegated from the parent zone in prod).
  dns: { hostedZoneName: 'test.example.com', domain: 'test.example.com' },
  k8s: {
    // Upgrade test first: prod may not run a chart newer than test's (docs/eks-k8s.md).
    charts: {
      karpenter: '1.14.1',
      awsLoadBalancerController: '1.17.1',
      externalDns: '1.21.1',
      metricsServer: '3.13.1',
      verticalPodAutoscaler: '5.0.0',
      externalSecrets: '2.9.0',
      // prometheus-operator-crds 31.0.1 is operator v0.93.1, as in kube-prometheus-stack 88.5.3.
      prometheusOperatorCrds: '31.0.1',
      kubePrometheusStack: '88.5.3',
      fluentBit: '0.58.1',
      blackboxExporter: '11.17.2',
    },
    controllerReplicas: 2,
    karpenter: {
      // Check before a deploy: the newest release for the cluster's version (docs/eks-k8s.md).
      amiAlias: 'al2023@v20260903',
      nodePools: {
        general: {
          // Cost trade-off, test only: spot first, on-demand when spot is short.
          capacityTypes: ['spot', 'on-demand'],
          instanceCategories: ['c', 'm', 'r'],
          limits: { cpu: '32', memory: '128Gi' },
          expireAfter: '720h',
          consolidateAfter: '1m',
          disruptionBudget: '20%',
        },
      },
    },
    ingress: {
      accessLogBucketName: 'acme-platform-alb-logs-test-111111111111',
      wafRateLimitPer5Minutes: 2000,
      accessLogRetentionDays: 30,
    },
    monitoring: {
      prometheusReplicas: 1,
      prometheusRetentionDays: 7,
      prometheusStorageGiB: 20,
      alertEmails: ['platform-alerts@example.com'],
      grafanaAdminSecret: 'platform/test/monitoring/grafana-admin',
    },
  },
  services: {
    backend: {
      namespace: 'backend',
      quota: { requestsCpu: '4', requestsMemory: '4Gi', limitsMemory: '8Gi', pods: 30 },
      // Set by the delivery pipeline; placeholder until the first image is pushed.
      image: 'sha-0000000',
      replicas: { min: 2, max: 6 },
      autoscaling: {
        memoryPercent: 80,
        scaleUpPodsPerMinute: 4,
        scaleDownStabilizationSeconds: 300,
      },
      // The frontend proxies /api to the backend inside the cluster: the backend is internal.
      alerts: { errorRatioPercent: 5, p99LatencyMs: 1000 },
    },
    frontend: {
      namespace: 'frontend',
      quota: { requestsCpu: '2', requestsMemory: '2Gi', limitsMemory: '4Gi', pods: 30 },
      // Set by the delivery pipeline; placeholder until the first image is pushed.
      image: 'sha-0000000',
      replicas: { min: 2, max: 6 },
      autoscaling: {
        memoryPercent: 80,
        scaleUpPodsPerMinute: 4,
        scaleDownStabilizationSeconds: 300,
      },
      route: { host: 'shop', path: '/', healthCheckPath: '/readyz' },
      alerts: { errorRatioPercent: 5, p99LatencyMs: 1000 },
    },
  },
  // The repository whose workflows may assume this account's CI roles (the tfstate stack).
  delivery: { repository: 'acme/platform-infra' },
  // Named cost trade-offs, each relaxing one policy rule (docs/security.md).
  policy: {
    acceptedTradeoffs: ['nat-per-az', 'multi-az-database', 'public-endpoint-allow-list'],
  },
};
