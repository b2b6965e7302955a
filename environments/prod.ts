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
    kubernetesVersion: '1.35',
    // Private endpoint only: kubectl and the eks-k8s deploy run from inside the VPC.
    publicAccessCidrs: [],
    logRetentionDays: 365,
    // Placeholder: the platform team's admin role in this account. The CI deploy role gets its
    // access from the tfstate stack that creates it (cross-stack reference), not from here.
    adminRoleArns: ['arn:aws:iam::222222222222:role/platform-admin'],
    systemNodeGroup: {
      instanceTypes: ['m7i.large', 'm6i.large'],
      amiType: 'AL2023_x86_64_STANDARD',
      minSize: 3,
      maxSize: 6,
      desiredSize: 3,
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
    externalSecretsPrefix: 'platform/prod/',
  },
  rds: {
    instanceIdentifier: 'platform-prod',
    majorVersion: '17',
    instanceClass: 'db.m7g.large',
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 500,
    multiAz: true,
    deletionProtection: true,
    databaseName: 'app',
    masterUsername: 'platform_admin',
    backupRetentionDays: 14,
    backupWindow: '02:00-03:00',
    maintenanceWindow: 'sun:04:00-sun:05:00',
    slowQueryThresholdMs: 250,
    monitoringIntervalSeconds: 30,
    performanceInsightsRetentionDays: 31,
    logRetentionDays: 365,
    connectionsAlarmThreshold: 600,
    // Placeholder: the on-call list.
    alarmEmails: ['platform-oncall@example.com'],
  },
  // Placeholder zone: the public hosted zone of this account.
  dns: { hostedZoneName: 'example.com', domain: 'example.com' },
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
          capacityTypes: ['on-demand'],
          instanceCategories: ['c', 'm', 'r'],
          limits: { cpu: '128', memory: '512Gi' },
          expireAfter: '720h',
          consolidateAfter: '5m',
          disruptionBudget: '10%',
        },
      },
    },
    ingress: {
      accessLogBucketName: 'acme-platform-alb-logs-prod-222222222222',
      wafRateLimitPer5Minutes: 2000,
      accessLogRetentionDays: 365,
    },
    monitoring: {
      prometheusReplicas: 2,
      prometheusRetentionDays: 30,
      prometheusStorageGiB: 100,
      alertEmails: ['platform-oncall@example.com'],
      grafanaAdminSecret: 'platform/prod/monitoring/grafana-admin',
    },
  },
  services: {
    backend: {
      namespace: 'backend',
      quota: { requestsCpu: '16', requestsMemory: '16Gi', limitsMemory: '32Gi', pods: 100 },
      // Set by the delivery pipeline; placeholder until the first image is pushed.
      image: 'sha-0000000',
      replicas: { min: 2, max: 20 },
      autoscaling: {
        memoryPercent: 80,
        scaleUpPodsPerMinute: 4,
        scaleDownStabilizationSeconds: 300,
      },
      // The frontend proxies /api to the backend inside the cluster: the backend is internal.
      alerts: { errorRatioPercent: 2, p99LatencyMs: 500 },
    },
    frontend: {
      namespace: 'frontend',
      quota: { requestsCpu: '8', requestsMemory: '8Gi', limitsMemory: '16Gi', pods: 100 },
      // Set by the delivery pipeline; placeholder until the first image is pushed.
      image: 'sha-0000000',
      replicas: { min: 2, max: 20 },
      autoscaling: {
        memoryPercent: 80,
        scaleUpPodsPerMinute: 4,
        scaleDownStabilizationSeconds: 300,
      },
      route: { host: 'shop', path: '/', healthCheckPath: '/readyz' },
      alerts: { errorRatioPercent: 2, p99LatencyMs: 500 },
    },
  },
  // The repository whose workflows may assume this account's CI roles (the tfstate stack).
  delivery: { repository: 'acme/platform-infra' },
  policy: { acceptedTradeoffs: [] },
};
