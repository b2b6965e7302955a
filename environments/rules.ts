/**
 * The domain rules of the environment model: what one field's schema cannot say because it reads
 * several fields or every environment at once (prod's stricter bounds are the fields' own, in
 * schema.ts). Each is named, declares what it reads, and has its own negative test.
 */
import { windowSpan, windowsOverlap } from '../constructs/database/windows';
import { eksReleaseDate } from '../constructs/eks/platform-cluster';
import { INSTANCE_FAMILIES, instanceFamily } from '../constructs/eks/system-node-group';
import { subnetPlanProblems } from '../constructs/network/subnet-plan';
import semver from 'semver';
import { type EnvironmentConfig as Env, environmentName } from './schema';
import { SERVICES } from './services';

/** Records `<problem>. Fix: <fix>` at a path relative to what the rule checks (`rds.multiAz`, `[1].name`). */
export type Report = (path: string, value: unknown, message: string) => void;

export interface Rule<T> {
  /** Paths the rule reads: it runs only while none of them has a problem of its own. */
  readonly reads: readonly string[];
  readonly check: (value: T, report: Report) => void;
}

const rule = <T = Env>(reads: string[], check: Rule<T>['check']): Rule<T> => ({ reads, check });

/** The subnet plan's problems (constructs/network/subnet-plan.ts): the slot count's, or the rest. */
const planProblems = (slots: boolean) => (env: Env, report: Report) => {
  const { vpcCidr, subnets, reservedAzSlots } = env.network;
  subnetPlanProblems(vpcCidr, env.availabilityZones, subnets, reservedAzSlots)
    .filter(({ path }) => (path === 'reservedAzSlots') === slots)
    .forEach(({ path, value, message }) => report(`network.${path}`, value, message));
};

export const ENVIRONMENT_RULES: Readonly<Record<string, Rule<Env>>> = {
  zonesInRegion: rule(['region', 'availabilityZones'], ({ region: r, availabilityZones }, report) =>
    availabilityZones.forEach((zone, i) => {
      const message = `is not an availability zone of ${r}. Fix: use a zone name of the form ${r}a, ${r}b, …`;
      if (!new RegExp(`^${r}[a-z]$`).test(zone)) report(`availabilityZones[${i}]`, zone, message);
    }),
  ),
  stateKeyInAccount: rule(['region', 'accountId', 'state.kmsKeyArn'], (env, report) => {
    const id = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}';
    const arn = env.state.kmsKeyArn;
    const message = `must be the ARN of a KMS key in ${env.region} of account ${env.accountId} (Terraform's S3 backend refuses aliases). Fix: copy the \`state_kms_key_arn\` output that \`npm run bootstrap\` prints, or remove the field until the bootstrap has run`;
    const key = new RegExp(`^arn:aws:kms:${env.region}:${env.accountId}:key/(${id})$`);
    if (arn !== undefined && !key.test(arn)) report('state.kmsKeyArn', arn, message);
  }),
  ownAccessLogBucket: rule(
    ['state.bucketName', 'state.accessLogBucketName'],
    ({ state }, report) => {
      const message =
        'must differ from state.bucketName (a bucket cannot log to itself without a feedback loop). Fix: append `-access-logs` to the state bucket name';
      if (state.bucketName === state.accessLogBucketName)
        report('state.accessLogBucketName', state.accessLogBucketName, message);
    },
  ),
  slotsForEveryZone: rule(['availabilityZones', 'network.reservedAzSlots'], planProblems(true)),
  subnetPlan: rule(
    ['availabilityZones', 'network.vpcCidr', 'network.subnets', 'network.reservedAzSlots'],
    planProblems(false),
  ),
  systemNodeSizes: rule(['eks.systemNodeGroup'], ({ eks }, report) => {
    const { minSize: min, maxSize: max, desiredSize: desired } = eks.systemNodeGroup;
    const [at, fix] = ['eks.systemNodeGroup', 'Fix: make minSize <= desiredSize <= maxSize'];
    if (min > max) report(`${at}.minSize`, min, `is above maxSize (${max}). ${fix}`);
    const between = `must lie between minSize (${min}) and maxSize (${max}). ${fix}`;
    if (!Number.isInteger(desired) || desired < min || desired > max)
      report(`${at}.desiredSize`, desired, between);
  }),
  instanceTypesMatchAmi: rule(['eks.systemNodeGroup'], ({ eks }, report) => {
    const { amiType, instanceTypes } = eks.systemNodeGroup;
    const arm = amiType === 'AL2023_ARM_64_STANDARD';
    const [arch, other] = arm ? (['arm64', 'x86_64'] as const) : (['x86_64', 'arm64'] as const);
    const message = `is an ${other} type, but amiType ${amiType} is ${arch}. Fix: use a ${arch} family (${INSTANCE_FAMILIES[arch].slice(0, 4).join(', ')}, …) or change amiType`;
    instanceTypes.forEach((type, i) => {
      if (INSTANCE_FAMILIES[other].includes(instanceFamily(type) ?? ''))
        report(`eks.systemNodeGroup.instanceTypes[${i}]`, type, message);
    });
  }),
  storageWithinMaximum: rule(
    ['rds.allocatedStorageGiB', 'rds.maxAllocatedStorageGiB'],
    ({ rds }, report) => {
      const message = `is above the autoscaling maximum maxAllocatedStorageGiB (${rds.maxAllocatedStorageGiB}). Fix: raise maxAllocatedStorageGiB or lower allocatedStorageGiB`;
      if (rds.allocatedStorageGiB > rds.maxAllocatedStorageGiB)
        report('rds.allocatedStorageGiB', rds.allocatedStorageGiB, message);
    },
  ),
  windowsApart: rule(['rds.backupWindow', 'rds.maintenanceWindow'], ({ rds }, report) => {
    const message = `overlaps the backup window ${rds.backupWindow}. Fix: move one of them; RDS refuses overlapping windows`;
    if (windowsOverlap(rds.backupWindow, rds.maintenanceWindow))
      report('rds.maintenanceWindow', rds.maintenanceWindow, message);
  }),
  windowsLastHalfHour: rule(['rds.backupWindow', 'rds.maintenanceWindow'], ({ rds }, report) =>
    (['backupWindow', 'maintenanceWindow'] as const).forEach((key) => {
      const [, length] = windowSpan(rds[key], key === 'backupWindow') ?? [0, 30];
      const message = `lasts ${length} minutes, and RDS requires at least 30. Fix: widen it to 30 minutes or more`;
      if (length < 30) report(`rds.${key}`, rds[key], message);
    }),
  ),
  // An AMI release older than the cluster's Kubernetes version has no image for it: Karpenter
  // would resolve nothing and never launch a node, while the deploy itself succeeds.
  amiForKubernetesVersion: rule(
    ['eks.kubernetesVersion', 'k8s.karpenter.amiAlias'],
    ({ eks, k8s }, report) => {
      const released = eksReleaseDate(eks.kubernetesVersion);
      const [, y, m, d] = /v(\d{4})(\d{2})(\d{2})$/.exec(k8s.karpenter.amiAlias) ?? [];
      const message = `is older than Kubernetes ${eks.kubernetesVersion} on EKS (released ${released}), so no image of it exists for the cluster. Fix: pin a release from after ${released}, listed by \`aws ssm get-parameters-by-path --path /aws/service/eks/optimized-ami/${eks.kubernetesVersion}/amazon-linux-2023/x86_64/standard/\``;
      if (released && `${y}-${m}-${d}` < released)
        report('k8s.karpenter.amiAlias', k8s.karpenter.amiAlias, message);
    },
  ),
  // kube-proxy must run the cluster's minor version: a build for another is refused by EKS at
  // best, and at worst left behind by an upgrade of the control plane.
  kubeProxyFollowsCluster: rule(
    ['eks.kubernetesVersion', 'eks.addonVersions.kubeProxy'],
    ({ eks }, report) => {
      const minor = /^v(\d+\.\d+)\./.exec(eks.addonVersions.kubeProxy)?.[1];
      if (minor !== undefined && minor !== eks.kubernetesVersion) {
        report(
          'eks.addonVersions.kubeProxy',
          eks.addonVersions.kubeProxy,
          `is built for Kubernetes ${minor}, not the cluster's ${eks.kubernetesVersion}. Fix: pick the kube-proxy build for ${eks.kubernetesVersion} from \`aws eks describe-addon-versions --addon-name kube-proxy --kubernetes-version ${eks.kubernetesVersion}\`, and upgrade it with the cluster (docs/upgrades.md)`,
        );
      }
    },
  ),
  // Network policies are always on (vpc-cni enableNetworkPolicy): agent 1.3.1 (vpc-cni before
  // 1.22.2) could block all pod traffic on a fresh AL2023 cluster while it waited for its CRD
  // (aws-network-policy-agent issues 553, 570; fixed in agent 1.3.5, vpc-cni 1.22.2).
  vpcCniWithPolicyAgentFix: rule(['eks.addonVersions.vpcCni'], ({ eks }, report) => {
    const [major = 0, minor = 0, patch = 0] = (
      /^v(\d+)\.(\d+)\.(\d+)/.exec(eks.addonVersions.vpcCni) ?? []
    )
      .slice(1)
      .map(Number);
    if (major === 1 && (minor < 22 || (minor === 22 && patch < 2))) {
      report(
        'eks.addonVersions.vpcCni',
        eks.addonVersions.vpcCni,
        `ships a network policy agent older than 1.3.5, which can block all pod traffic on a new node while it waits for its CRD. Fix: use v1.22.2-eksbuild.1 or later, from \`aws eks describe-addon-versions --addon-name vpc-cni --kubernetes-version ${eks.kubernetesVersion}\``,
      );
    }
  }),
  domainInZone: rule(['dns'], ({ dns }, report) => {
    const message = `is outside the hosted zone ${dns.hostedZoneName}: its certificate could not be validated nor its records written there. Fix: use ${dns.hostedZoneName} or a name ending in .${dns.hostedZoneName}`;
    if (dns.domain !== dns.hostedZoneName && !dns.domain.endsWith(`.${dns.hostedZoneName}`))
      report('dns.domain', dns.domain, message);
  }),
  grafanaSecretReadable: rule(
    ['eks.externalSecretsPrefix', 'k8s.monitoring.grafanaAdminSecret'],
    ({ eks, k8s }, report) => {
      const secret = k8s.monitoring.grafanaAdminSecret;
      const prefix = `${eks.externalSecretsPrefix}monitoring/`;
      const message = `is outside ${prefix}, the only secrets the monitoring namespace's store reads. Fix: name it ${prefix}grafana-admin`;
      if (!secret.startsWith(prefix) || secret === prefix)
        report('k8s.monitoring.grafanaAdminSecret', secret, message);
    },
  ),
  replicasWithinRange: rule(['services'], ({ services }, report) =>
    Object.entries(services).forEach(([name, { replicas }]) => {
      const message = `is above replicas.max (${replicas.max}). Fix: make min <= max`;
      if (replicas.min > replicas.max)
        report(`services.${name}.replicas.min`, replicas.min, message);
    }),
  ),
  // The weight is the ALB's: a service it does not route to would run a canary nobody reaches.
  canaryNeedsRoute: rule(['services'], ({ services }, report) =>
    Object.entries(services).forEach(([name, { canary, route }]) => {
      const message =
        'needs a route: the ALB splits the traffic by weight, and no request of an internal service passes through it. Fix: remove the canary, or give the service a route';
      if (canary && !route) report(`services.${name}.canary`, canary, message);
    }),
  ),
  // Every service of the apps runs in every environment, in the namespace eks-k8s makes for it.
  servicesKnownAndConfigured: rule(['services'], ({ services }, report) => {
    const known = Object.keys(SERVICES);
    Object.keys(services)
      .filter((name) => !known.includes(name))
      .forEach((name) => {
        const message = `names no service of environments/services.ts (${known.join(', ')}). Fix: add the service's contract there first, or remove it`;
        report(`services.${name}`, name, message);
      });
    known
      .filter((name) => !(name in services))
      .forEach((name) => {
        const message = `is not configured, so eks-k8s creates no namespace for it and its stack has nowhere to run. Fix: add services.${name} with its namespace, quota and image`;
        report(`services.${name}`, undefined, message);
      });
  }),
  ownNamespaces: rule(['services'], ({ services }, report) => {
    const owners = new Map<string, string>();
    Object.entries(services).forEach(([name, { namespace }]) => {
      const owner = owners.get(namespace);
      const message = `is already the namespace of service ${owner}: each service gets its own quota and network policies. Fix: use the service's name`;
      if (owner) report(`services.${name}.namespace`, namespace, message);
      else owners.set(namespace, name);
    });
  }),
};

/** How a report names environment `i`: by name, or by place when the name is unusable or shared. */
export function label(configs: readonly unknown[], i: number): string {
  const nameOf = (config: unknown) => (config as Partial<Env> | undefined)?.name;
  const name = nameOf(configs[i]);
  const unique = configs.filter((c) => nameOf(c) === name).length === 1;
  return environmentName.safeParse(name).success && unique
    ? `environments.${name}`
    : `environments[${i}]`;
}

/** Rules over every environment at once; their paths start with the environment's index. */
export const CROSS_ENVIRONMENT_RULES: Readonly<Record<string, Rule<readonly Env[]>>> = {
  uniqueNames: rule<readonly Env[]>(['name'], (configs, report) =>
    configs.forEach(({ name }, i) => {
      const message = 'is used by two environments. Fix: give each environment its own name';
      if (configs.findIndex((c) => c.name === name) !== i) report(`[${i}].name`, name, message);
    }),
  ),
  ownStateBuckets: rule<readonly Env[]>(
    ['name', 'state.bucketName', 'state.accessLogBucketName'],
    (configs, report) => {
      const owners = new Map<string, string>();
      configs.forEach(({ state }, i) =>
        (['bucketName', 'accessLogBucketName'] as const).forEach((key) => {
          const owner = owners.get(state[key]);
          const message = `is already used by ${owner}: environments must not share state buckets. Fix: give each environment its own bucket, e.g. suffix it with the environment name and account id`;
          if (owner) report(`[${i}].state.${key}`, state[key], message);
          else owners.set(state[key], `${label(configs, i)}.state.${key}`);
        }),
      );
    },
  ),
  // Lock table names are per account and region.
  ownLockTables: rule<readonly Env[]>(
    ['name', 'accountId', 'region', 'state.lockTableName'],
    (configs, report) => {
      const owners = new Map<string, string>();
      configs.forEach(({ accountId, region, state: { lockTableName: table } }, i) => {
        const owner = owners.get(`${accountId}/${region}/${table}`);
        const message = `is already used by ${owner} in the same account and region. Fix: suffix the table name with the environment name`;
        if (owner) report(`[${i}].state.lockTableName`, table, message);
        else
          owners.set(`${accountId}/${region}/${table}`, `${label(configs, i)}.state.lockTableName`);
      });
    },
  ),
  // The GitHub OIDC provider's URL is unique per account, and each environment's deploy role is
  // administrator of its whole account: in a shared account, test's unreviewed deploys from main
  // could change prod, and the second tfstate could not create the provider.
  ownAccounts: rule<readonly Env[]>(['name', 'accountId'], (configs, report) => {
    const owners = new Map<string, string>();
    configs.forEach(({ accountId }, i) => {
      const owner = owners.get(accountId);
      const message = `is already the account of ${owner}: each environment's tfstate creates the account's one GitHub OIDC provider and a CI deploy role that administers the whole account, so a deploy of one environment could change the other. Fix: give each environment its own AWS account`;
      if (owner) report(`[${i}].accountId`, accountId, message);
      else owners.set(accountId, label(configs, i));
    });
  }),
  // Environments are listed in promotion order: a chart version reaches one only after the one before.
  chartsPromotedInOrder: rule<readonly Env[]>(['name', 'k8s.charts'], (configs, report) =>
    configs.slice(1).forEach(({ k8s }, j) => {
      const before = configs[j];
      Object.entries(k8s.charts).forEach(([chart, version]) => {
        const tried = before.k8s.charts[chart as keyof typeof k8s.charts];
        const message = `is newer than ${before.name}'s ${tried}: a chart version reaches ${configs[j + 1].name} only after ${before.name} ran it. Fix: upgrade ${label(configs, j)}.k8s.charts.${chart} first, or keep ${tried}`;
        if (semver.gt(version, tried)) report(`[${j + 1}].k8s.charts.${chart}`, version, message);
      });
    }),
  ),
};
