/**
 * The environment model: every field defined once, as a zod schema with its doc comment, type,
 * range, pattern and message; the types are inferred from it. `prodSchema` holds prod to more.
 * Rules that read several fields are `rules.ts`; `validation.ts` runs both and reports.
 * Guide: docs/environments.md.
 *
 * A message reads `<problem>. Fix: <fix>`; the report inserts `, got <value>` before `. Fix:`.
 * `{path}` in a message (`{region}`) is the environment's own value at that path.
 */
import { z } from 'zod';
import {
  MONITORING_INTERVALS,
  POSTGRES_MAJOR_VERSIONS,
} from '../constructs/database/postgres-database';
import { BACKUP_WINDOW, MAINTENANCE_WINDOW } from '../constructs/database/windows';
import { EKS_STANDARD_SUPPORT } from '../constructs/eks/platform-cluster';
import {
  INSTANCE_FAMILIES,
  instanceFamily,
  SYSTEM_NODE_AMI_TYPES,
} from '../constructs/eks/system-node-group';
import { isPrivate, type Ipv4Cidr, parseCidr, PRIVATE_RANGES } from '../constructs/network/cidr';
import { NAT_GATEWAY_LAYOUTS } from '../constructs/network/platform-network';
import { LOAD_BALANCER_CONTROLLER_POLICY_VERSIONS } from '../constructs/eks/policies/load-balancer-controller';
import { KARPENTER_POLICY_VERSIONS } from '../constructs/eks/policies/karpenter-controller';
import { TRADEOFFS } from '../constructs/policy/engine';
import { AWS_REGIONS, LOG_RETENTION_DAYS } from './aws-regions';

export type { Tradeoff } from '../constructs/policy/engine';

/** Splits a message into what is wrong and what to do. */
export const FIX = '. Fix: ';

/** The environment held to `prodSchema`; every other one is non-production. */
export const PRODUCTION = 'prod';
export const isProduction = (name: unknown): boolean => name === PRODUCTION;

const text = (pattern: RegExp, message: string) => z.string().regex(pattern, message);
const str = (test: (s: string) => boolean, message: string) => z.string().refine(test, message);
const num = (test: (n: number) => boolean, message: string) => z.number().refine(test, message);
const oneOf = <T extends readonly [string, ...string[]]>(values: T, fix: string) =>
  z.enum(values, `must be one of ${values.join(', ')}${FIX}${fix}`);
const isTrue = (message: string) => z.boolean().refine((on) => on, message);

/** A whole number from `min` to `max`, its message made from the range. */
function whole(min: number, max: number, unit: string, fix: string, why = '') {
  const range =
    max === Infinity ? `of at least ${min}` : min <= 0 ? `up to ${max}` : `from ${min} to ${max}`;
  const message = `must be a whole number ${unit ? `of ${unit} ` : ''}${range}${why}${FIX}${fix}`;
  return z.number().refine(Number.isInteger, message).min(min, message).max(max, message);
}

/** An IPv4 CIDR block; the problem says what is malformed (its form, an octet, host bits). */
const cidr = (fix: string) =>
  z.string().superRefine((block, ctx) => {
    const parsed = parseCidr(block);
    if (typeof parsed === 'string') ctx.addIssue(parsed + FIX + fix);
  });

/** Whether a CIDR that parses passes `test` (one that does not is `cidr`'s to report). */
const parsed = (block: string, test: (b: Ipv4Cidr) => boolean): boolean => {
  const b = parseCidr(block);
  return typeof b === 'string' || test(b);
};

/** A retention CloudWatch Logs accepts; prod keeps 90 days at least. */
const logRetention = (prod = false) => {
  const days = LOG_RETENTION_DAYS.filter((d) => !prod || d >= 90);
  const inProd = prod ? ', of at least 90 days in prod' : '';
  const message = `must be a retention CloudWatch Logs accepts${inProd}${FIX}use one of ${days.join(', ')}`;
  return num((d) => days.includes(d), message);
};
const roleArn = (fix: string) =>
  text(
    /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
    `must be an IAM role ARN (arn:aws:iam::<account>:role/<name>). Fix: ${fix}`,
  );

const SUPPORTED = Object.keys(EKS_STANDARD_SUPPORT);
const UNTIL = SUPPORTED.map((v) => `${v} (until ${EKS_STANDARD_SUPPORT[v]})`).join(', ');

const BUCKET_FIX = 'Fix: use a name like `<org>-platform-tfstate-<env>-<account id>`';
const bucketName = text(
  /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  `must be a valid S3 bucket name: 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit (dots are refused: they break TLS on virtual-hosted URLs). ${BUCKET_FIX}`,
).refine(
  (name) => !/^(xn--|sthree-)|(-s3alias|--ol-s3)$/.test(name),
  `uses a prefix or suffix S3 reserves. ${BUCKET_FIX}`,
);

const tagValue = (fix: string) =>
  str(
    (value) => value.trim() !== '' && value.length <= 256,
    `must be a non-empty tag value of at most 256 characters. Fix: ${fix}`,
  );
const TAG_KEY =
  'has a tag key that is empty, longer than 128 characters or in the reserved aws: namespace. Fix: rename the tag key';

const tagsSchema = z.strictObject({
  /** Team or person accountable for the resources. */
  owner: tagValue('name the team accountable for the environment'),
  /** Repository the resources are managed from, so a stray resource leads back to its code. */
  repository: tagValue('give the repository URL or owner/name'),
  /** Further tags (cost centre, data classification). @default - none */
  extra: z
    .record(
      z.string(),
      z.string().max(256, 'is longer than 256 characters. Fix: shorten the tag value'),
    )
    .superRefine((tags, ctx) =>
      Object.keys(tags)
        .filter((key) => key === '' || key.length > 128 || key.toLowerCase().startsWith('aws:'))
        .forEach((key) => ctx.addIssue({ code: 'custom', input: key, message: TAG_KEY })),
    )
    .optional(),
});

const PROD_HISTORY = ' (prod keeps a month of state history to recover from a bad apply)';

const stateSchema = z.strictObject({
  /** S3 bucket holding every stack's state, globally unique. */
  bucketName,
  /** DynamoDB table for state locks (kept beside S3-native locking while both are supported). */
  lockTableName: text(
    /^[A-Za-z0-9_.-]{3,255}$/,
    'must be a valid DynamoDB table name: 3-255 letters, digits, underscores, hyphens or dots. Fix: use a name like `platform-tfstate-lock-<env>`',
  ),
  /** S3 bucket receiving the state bucket's server access logs. */
  accessLogBucketName: bucketName,
  /** Days a superseded state version is kept (prod: at least 30). */
  noncurrentVersionRetentionDays: whole(1, 3650, 'days', 'set it to 30'),
  /** Days access log objects are kept. */
  accessLogRetentionDays: whole(1, 3650, 'days', 'set it to 365'),
  /**
   * ARN of the state bucket's KMS key in the environment's region and account, printed by
   * `npm run bootstrap`. Terraform's S3 backend takes only a key ARN, and a key's id is random,
   * so it is filled in once the tfstate stack exists.
   * @default - state objects are encrypted with S3-managed keys (SSE-S3) until it is set
   */
  kmsKeyArn: z.string().optional(),
});

/** One tier's subnets: a size, or explicit blocks for a VPC whose IP plan already exists. */
const tierSchema = z.strictObject({
  /** Prefix length of every subnet of the tier, above the VPC's and at most /24 (private) or /28. */
  prefixLength: z.number(),
  /** Explicit CIDRs, one per zone in the same order. @default - computed from the VPC CIDR */
  cidrs: z.array(cidr('give a block such as 10.10.0.0/20')).optional(),
});

const networkSchema = z.strictObject({
  /** The VPC's IPv4 block, inside an RFC 1918 range, /16 to /24, large enough for the subnets. */
  vpcCidr: cidr('give a block such as 10.10.0.0/16')
    .refine(
      (block) => parsed(block, isPrivate),
      `is not inside a private range (${PRIVATE_RANGES.join(', ')}). Fix: choose a block inside 10.0.0.0/8, e.g. 10.10.0.0/16`,
    )
    .refine(
      (block) => parsed(block, (b) => b.prefixLength >= 16 && b.prefixLength <= 24),
      'must have a prefix length from /16 (the largest block AWS allows) to /24. Fix: use a /16 to /20 for an EKS VPC',
    ),
  /** NAT gateway layout; prod must use `one-per-az`. */
  natGateways: oneOf(
    NAT_GATEWAY_LAYOUTS,
    'use `one-per-az` (survives a zone failure) or, in test only, `single`',
  ),
  /** Subnet sizes per tier (or explicit CIDRs); none may overlap another. */
  subnets: z.strictObject({ private: tierSchema, public: tierSchema, database: tierSchema }),
  /** Subnet slots reserved per tier (zone count to 8), so adding a zone renumbers nothing. */
  reservedAzSlots: z.number(),
  /** VPC flow logs retention in CloudWatch Logs, in days (prod >= 90). */
  flowLogRetentionDays: logRetention(),
});

const ALL_FAMILIES = [...INSTANCE_FAMILIES.x86_64, ...INSTANCE_FAMILIES.arm64];

/** The managed node group that runs the platform's controllers (never application pods). */
const systemNodeGroupSchema = z.strictObject({
  /** Instance types, e.g. `m7i.large`, of a known family of `amiType`'s architecture. */
  instanceTypes: z
    .array(
      str(
        (type) => ALL_FAMILIES.includes(instanceFamily(type) ?? ''),
        `is not an instance type of a known general-purpose, compute or memory family. Fix: use a type of ${INSTANCE_FAMILIES.x86_64.join(', ')} (e.g. m7i.large), or of ${INSTANCE_FAMILIES.arm64.join(', ')} with AL2023_ARM_64_STANDARD, or add the family to INSTANCE_FAMILIES`,
      ),
    )
    .min(1, 'must list at least one instance type. Fix: use e.g. m7i.large'),
  /** The EKS AMI, whose architecture the instance types must match. */
  amiType: oneOf(
    SYSTEM_NODE_AMI_TYPES,
    'use AL2023_x86_64_STANDARD, or AL2023_ARM_64_STANDARD with Graviton instance types',
  ),
  /** At least 1; in prod at least 3, one per zone. */
  minSize: whole(1, Infinity, '', 'set it to 2'),
  /** At least minSize. */
  maxSize: whole(0, 100, '', 'set it to a few nodes above minSize'),
  /** From minSize to maxSize; set at creation only, scaling changes it afterwards. */
  desiredSize: z.number(),
  /** Root volume size (gp3, encrypted). */
  diskSizeGiB: whole(20, 1000, 'GiB', 'use 50'),
});

const addonVersion = text(
  /^v\d+\.\d+\.\d+-eksbuild\.\d+$/,
  'does not look like an EKS add-on version vX.Y.Z-eksbuild.N. Fix: pick one from `aws eks describe-addon-versions --kubernetes-version {eks.kubernetesVersion}`',
);

const OPEN_API = 'opens the Kubernetes API to the whole internet';
const apiCidrs = (message: string) =>
  z.array(
    cidr('give the office or VPN egress range, e.g. 203.0.113.0/24').refine(
      (block) => parsed(block, (b) => b.prefixLength !== 0),
      message,
    ),
  );

const eksSchema = z.strictObject({
  /** Cluster name; the network stack tags subnets for it (`karpenter.sh/discovery`). */
  clusterName: text(
    /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/,
    'must be 1-100 letters, digits, hyphens or underscores, starting with a letter or digit. Fix: choose a name such as `platform-test`',
  ),
  /** Kubernetes minor version, `1.NN`, one in EKS standard support (`EKS_STANDARD_SUPPORT`). */
  kubernetesVersion: text(
    /^1\.\d{2}$/,
    `must be a Kubernetes minor version of the form 1.NN. Fix: use one in EKS standard support: ${SUPPORTED.join(', ')}`,
  ).refine(
    (version) => !/^1\.\d{2}$/.test(version) || SUPPORTED.includes(version),
    `is not in EKS standard support (extended support costs extra and ends in a forced upgrade). Fix: use one of ${UNTIL}, or add a newly released version to EKS_STANDARD_SUPPORT`,
  ),
  /** CIDRs that reach the public API endpoint; empty turns it off. Never `0.0.0.0/0`. */
  publicAccessCidrs: apiCidrs(
    `${OPEN_API}. Fix: list the ranges that need the API, or leave the list empty for a private-only endpoint`,
  ),
  /** Control-plane and workload log retention in CloudWatch Logs (prod >= 90). */
  logRetentionDays: logRetention(),
  /** IAM roles granted cluster admin through access entries. */
  adminRoleArns: z
    .array(
      roleArn(
        'use the role ARN, not a user, an assumed-role session or an SSO permission set name',
      ),
    )
    .min(
      1,
      "must name at least one role: with the cluster creator not made admin, nobody else could administer the cluster. Fix: add the platform team's admin role",
    ),
  systemNodeGroup: systemNodeGroupSchema,
  /** Versions of the EKS managed add-ons, `vX.Y.Z-eksbuild.N`. */
  addonVersions: z.strictObject({
    vpcCni: addonVersion,
    coredns: addonVersion,
    kubeProxy: addonVersion,
    podIdentityAgent: addonVersion,
    ebsCsiDriver: addonVersion,
  }),
  /** Secrets Manager name prefix External Secrets may read, e.g. `platform/test/`. */
  externalSecretsPrefix: text(
    /^[A-Za-z0-9/_+=.@-]+\/$/,
    'must be a Secrets Manager name prefix ending in `/`. Fix: use e.g. platform/{name}/',
  ),
});

const PG_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const PG_NAME_RULE =
  'must be 1-63 lowercase letters, digits or underscores, starting with a letter';

const email = text(
  /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i,
  'is not an e-mail address. Fix: use the on-call list address',
);

/** The application's PostgreSQL: the construct's `PostgresSettings` plus identity and alarms. */
const rdsSchema = z.strictObject({
  /** DB instance identifier, e.g. `platform-test`. Changing it replaces the database. */
  instanceIdentifier: text(
    /^[a-z](?!.*--)[a-z0-9-]{0,62}(?<!-)$/,
    'must be 1-63 lowercase letters, digits or single hyphens, starting with a letter. Fix: use e.g. platform-{name}',
  ),
  /** PostgreSQL major version: the engine version (RDS applies minor upgrades) and parameter family. */
  majorVersion: oneOf(POSTGRES_MAJOR_VERSIONS, 'pin 17 for a new database'),
  /** Instance class, `db.<family>.<size>`. */
  instanceClass: text(
    /^db\.[a-z0-9]+\.[a-z0-9]+$/,
    'is not an RDS instance class (db.<family>.<size>). Fix: use e.g. db.m7g.large or db.t4g.medium',
  ),
  /** Initial gp3 storage, at most `maxAllocatedStorageGiB`. */
  allocatedStorageGiB: whole(
    20,
    Infinity,
    'GiB',
    'use 20 or more',
    ' (the gp3 minimum for PostgreSQL)',
  ),
  /** Upper bound of storage autoscaling. */
  maxAllocatedStorageGiB: whole(20, 65536, 'GiB', 'use a ceiling such as 4x the initial storage'),
  /** A standby in another zone with automatic failover; required in prod. */
  multiAz: z.boolean(),
  /** Refuse deletion through the API; required in prod. */
  deletionProtection: z.boolean(),
  /** The application database. */
  databaseName: text(PG_NAME, `${PG_NAME_RULE}. Fix: use e.g. app`),
  /** The master user; RDS manages its password in Secrets Manager. */
  masterUsername: str(
    (name) => PG_NAME.test(name) && !['postgres', 'admin', 'rdsadmin'].includes(name),
    `${PG_NAME_RULE}, and not a reserved name. Fix: use e.g. platform_admin`,
  ),
  /** Days of automated backups; 0 (none) is a test trade-off, prod keeps 7 to 35. */
  backupRetentionDays: num(
    (days) => Number.isInteger(days) && days >= 0 && days <= 35,
    'must be 1 to 35 days (0, no backups, is allowed in test only). Fix: use 7',
  ),
  /** Daily backup window, UTC, `hh:mm-hh:mm`, at least 30 minutes. */
  backupWindow: text(BACKUP_WINDOW, 'must be hh:mm-hh:mm in UTC. Fix: use e.g. 02:00-03:00'),
  /** Weekly maintenance window, UTC, `ddd:hh:mm-ddd:hh:mm`, apart from the backup window. */
  maintenanceWindow: text(
    MAINTENANCE_WINDOW,
    'must be ddd:hh:mm-ddd:hh:mm in UTC. Fix: use e.g. sun:04:00-sun:05:00',
  ),
  /** Log statements slower than this, in ms (`log_min_duration_statement`); an hour at most. */
  slowQueryThresholdMs: whole(0, 3_600_000, 'milliseconds', 'use e.g. 500'),
  /** Enhanced Monitoring interval, seconds. */
  monitoringIntervalSeconds: num(
    (seconds) => MONITORING_INTERVALS.includes(seconds),
    `must be one of ${MONITORING_INTERVALS.join(', ')} (Enhanced Monitoring stays on). Fix: use 60`,
  ),
  /** Performance Insights retention: 7, a multiple of 31 up to 713, or 731. */
  performanceInsightsRetentionDays: num(
    (d) => d === 7 || d === 731 || (Number.isInteger(d) && d % 31 === 0 && d >= 31 && d <= 713),
    'must be 7, a multiple of 31 up to 713, or 731. Fix: use 7 (free tier) or 731',
  ),
  /** Retention of the exported PostgreSQL logs (prod >= 90). */
  logRetentionDays: logRetention(),
  /** Alarm when connections exceed this many (about 80% of the class's max_connections). */
  connectionsAlarmThreshold: whole(
    1,
    100_000,
    'connections',
    'use about 80% of the instance class max_connections',
  ),
  /** E-mail addresses subscribed to the database's alarm topic; prod needs one at least. */
  alarmEmails: z.array(email),
});

/** An exact chart version, `X.Y.Z` (a pre-release suffix allowed, a range never). */
const chartVersion = (fix = 'pin the exact version the chart repository lists, e.g. 1.2.3') =>
  text(
    /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/,
    `must be an exact chart version X.Y.Z (semver, no range, no leading v)${FIX}${fix}`,
  );
/** A chart whose controller's IAM policy eks-infra grants for the listed versions only. */
const policyBoundChart = (versions: readonly string[], list: string) =>
  chartVersion(`use ${versions.join(' or ')}`).refine(
    (v) => versions.includes(v),
    `must be a version whose IAM policy eks-infra grants (${versions.join(', ')}: ${list})${FIX}use ${versions.join(' or ')}, or add the new version's policy first: docs/eks-k8s.md`,
  );

/** A Kubernetes resource quantity: `4`, `500m`, `16Gi`. */
const quantity = (fix: string) =>
  text(
    /^\d+(\.\d+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/,
    `is not a Kubernetes quantity (a number with an optional suffix such as m or Gi)${FIX}${fix}`,
  );
/** A Go duration of hours, minutes and seconds (`720h`, `30s`), as Karpenter reads them. */
const duration = (fix: string) =>
  text(/^(?=\d)(\d+h)?(\d+m)?(\d+s)?$/, `must be a duration such as 720h or 30s${FIX}${fix}`);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Namespaces the platform itself uses: a service in one would share its policies and quota. */
export const RESERVED_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'external-secrets',
  'external-dns',
  'monitoring',
  'logging',
];

const dnsSchema = z.strictObject({
  /** The public Route53 hosted zone, in the environment's account, that holds its records. */
  hostedZoneName: text(
    /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a lowercase DNS name such as example.com, without a trailing dot. Fix: give the name of the public hosted zone (aws route53 list-hosted-zones)',
  ),
  /**
   * The environment's domain, the zone or a name inside it: the certificate covers it and
   * `*.<domain>`, and services get hostnames under it.
   */
  domain: text(
    /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a lowercase DNS name such as test.example.com, without a trailing dot. Fix: use e.g. {name}.<hosted zone>',
  ),
});

/** Capacity Karpenter may buy for a NodePool. */
const CAPACITY_TYPES = ['spot', 'on-demand'] as const;

/** One Karpenter NodePool: what it may launch, how much, and how fast it may replace it. */
const nodePoolSchema = z.strictObject({
  /** Capacity types; with both, Karpenter launches spot first and falls back to on-demand. */
  capacityTypes: z
    .array(oneOf(CAPACITY_TYPES, 'use spot and on-demand (test) or on-demand (prod)'))
    .min(1, 'must list a capacity type. Fix: use ["on-demand"]'),
  /** EC2 instance categories (`karpenter.k8s.aws/instance-category`), e.g. c, m, r. */
  instanceCategories: z
    .array(text(/^[a-z]$/, 'must be one letter, an EC2 instance category. Fix: use c, m or r'))
    .min(1, 'must list an instance category. Fix: use ["c", "m", "r"]'),
  /** Ceilings on the NodePool's total capacity: Karpenter launches nothing past them. */
  limits: z.strictObject({ cpu: quantity('use e.g. 64'), memory: quantity('use e.g. 256Gi') }),
  /** Nodes older than this are replaced, so they pick up new AMIs (`Never` is refused). */
  expireAfter: duration('use 720h (30 days)'),
  /** How long a node must be empty or underused before consolidation acts on it. */
  consolidateAfter: duration('use e.g. 5m'),
  /** Nodes that voluntary disruption (consolidation, drift, expiry) may take at once: `10%` or `1`. */
  disruptionBudget: text(
    /^((100|[1-9]?\d)%|\d+)$/,
    'must be a node count or a percentage such as 10%. Fix: use 10%',
  ),
});

const k8sSchema = z.strictObject({
  /** Chart versions, each from its upstream repository (docs/eks-k8s.md); prod never runs one newer than test. */
  charts: z.strictObject({
    karpenter: policyBoundChart(
      KARPENTER_POLICY_VERSIONS,
      'KARPENTER_POLICY_VERSIONS in constructs/eks/policies/karpenter-controller.ts',
    ),
    awsLoadBalancerController: policyBoundChart(
      LOAD_BALANCER_CONTROLLER_POLICY_VERSIONS,
      'LOAD_BALANCER_CONTROLLER_POLICY_VERSIONS in constructs/eks/policies/load-balancer-controller.ts',
    ),
    externalDns: chartVersion(),
    metricsServer: chartVersion(),
    verticalPodAutoscaler: chartVersion(),
    externalSecrets: chartVersion(),
    /** The Prometheus Operator's CRDs: the same operator version as kubePrometheusStack's. */
    prometheusOperatorCrds: chartVersion(),
    kubePrometheusStack: chartVersion(),
    fluentBit: chartVersion(),
    blackboxExporter: chartVersion(),
  }),
  /** Replicas of every controller (each with a PodDisruptionBudget); prod needs 2. */
  controllerReplicas: whole(1, 5, '', 'use 2'),
  karpenter: z.strictObject({
    /** The EKS-optimized AL2023 AMI release of every node (Karpenter's and the system node group), pinned (`al2023@vYYYYMMDD`), never `latest`. */
    amiAlias: text(
      /^al2023@v20\d{6}$/,
      'must pin an AL2023 AMI release as al2023@vYYYYMMDD (never @latest: a new AMI would roll every node unreviewed). Fix: use the newest release listed by `aws ssm get-parameters-by-path --path /aws/service/eks/optimized-ami/{eks.kubernetesVersion}/amazon-linux-2023/x86_64/standard/`',
    ),
    /** NodePools by name: where application pods run. */
    nodePools: z
      .record(text(DNS_LABEL, 'must be a DNS-1123 label. Fix: use e.g. general'), nodePoolSchema)
      .refine((pools) => Object.keys(pools).length > 0, 'must define a NodePool. Fix: add general'),
  }),
  ingress: z.strictObject({
    /** Requests one client IP may make in 5 minutes before the WAF blocks it. */
    wafRateLimitPer5Minutes: whole(100, 2_000_000_000, 'requests', 'use e.g. 2000'),
    /** The bucket the shared ALB's access logs go to (created by the tfstate stack, kept on teardown). */
    accessLogBucketName: bucketName,
    /** Days the shared ALB's access logs are kept (prod: at least 90). */
    accessLogRetentionDays: whole(1, 3650, 'days', 'use 90'),
  }),
  monitoring: z.strictObject({
    /** Prometheus replicas, each with its own volume; prod runs 2. */
    prometheusReplicas: whole(1, 3, '', 'use 2'),
    /** Days of metrics Prometheus keeps. */
    prometheusRetentionDays: whole(1, 365, 'days', 'use 15'),
    /** Each Prometheus replica's gp3 volume; retention by size stops at 90% of it. */
    prometheusStorageGiB: whole(10, 16384, 'GiB', 'use 50'),
    /** E-mail addresses subscribed to the platform's alert topic (Alertmanager, certificate expiry); prod needs one. */
    alertEmails: z.array(email),
    /**
     * Secrets Manager secret, under `<eks.externalSecretsPrefix>monitoring/`, holding Grafana's
     * admin login as JSON `{"admin-user": …, "admin-password": …}`. Created by hand
     * (docs/eks-k8s.md).
     */
    grafanaAdminSecret: text(
      /^[A-Za-z0-9/_+=.@-]+$/,
      'must be a Secrets Manager secret name. Fix: use e.g. platform/{name}/monitoring/grafana-admin',
    ),
  }),
});

/** An image tag other than `latest`, or a digest: what runs is always a reviewed, fixed image. */
const imageReference = text(
  /^(?!latest$)([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$/,
  'must be an image tag other than `latest`, or a digest sha256:<64 hex>. Fix: use the tag the pipeline pushed, e.g. sha-0123abc (a moving tag would deploy an image nobody reviewed)',
);
const urlPath = (fix: string) =>
  text(/^\/[A-Za-z0-9/_.-]*$/, `must be an absolute URL path starting with /${FIX}${fix}`);

/**
 * What eks-k8s prepares for one service (its namespace and quota) and how the service's stack
 * runs it (`<env>-service-<name>`, docs/services.md). The service's own contract (port, probes,
 * resources, metrics) is `environments/services.ts`, the same in every environment.
 */
const serviceSchema = z.strictObject({
  /** The service's namespace: restricted Pod Security, default-deny network policies. */
  namespace: text(
    DNS_LABEL,
    'must be a DNS-1123 label: lowercase letters, digits and hyphens, at most 63. Fix: use the service name, e.g. backend',
  ).refine(
    (name) => !RESERVED_NAMESPACES.includes(name),
    `is a namespace the platform itself uses (${RESERVED_NAMESPACES.join(', ')}). Fix: use the service's own name`,
  ),
  /** The namespace's ResourceQuota: totals over all its pods. */
  quota: z.strictObject({
    requestsCpu: quantity('use e.g. 4'),
    requestsMemory: quantity('use e.g. 8Gi'),
    limitsMemory: quantity('use e.g. 16Gi'),
    pods: whole(1, 1000, 'pods', 'use e.g. 50'),
  }),
  /** The image in the service's ECR repository: a tag or a digest, never `latest`. */
  image: imageReference,
  /** The HorizontalPodAutoscaler's bounds; prod runs 2 at least. */
  replicas: z.strictObject({
    min: whole(1, 100, '', 'use 2'),
    max: whole(1, 100, '', 'use a few times min'),
  }),
  /** The HPA's behaviour; its CPU target is the service's contract's (it sizes the pods). */
  autoscaling: z.strictObject({
    /** Average memory, percent of the request. */
    memoryPercent: whole(10, 100, 'percent', 'use 80'),
    /** Pods added per minute at most. */
    scaleUpPodsPerMinute: whole(1, 100, 'pods', 'use 4'),
    /** Seconds a lower recommendation must hold before pods are removed. */
    scaleDownStabilizationSeconds: whole(0, 3600, 'seconds', 'use 300'),
  }),
  /**
   * Exposure through the shared ALB: `<host>.<dns.domain>` at `path`. Leave it out for a
   * service reached inside the cluster only.
   * @default - internal only
   */
  route: z
    .strictObject({
      host: text(
        DNS_LABEL,
        'must be a DNS-1123 label, the name under dns.domain. Fix: use e.g. shop',
      ),
      path: urlPath('use / for the frontend, /api for the backend'),
      /** The ALB's health check of each pod. */
      healthCheckPath: urlPath('use the readiness path, e.g. /readyz'),
    })
    .optional(),
  /** Thresholds of the service's alerts. */
  alerts: z.strictObject({
    /** Percent of requests answered 5xx over 10 minutes. */
    errorRatioPercent: num(
      (p) => p > 0 && p <= 100,
      'must be a percentage above 0, up to 100. Fix: use e.g. 2',
    ),
    /** p99 latency over 10 minutes, in ms. */
    p99LatencyMs: whole(1, 60_000, 'milliseconds', 'use e.g. 500'),
  }),
  /**
   * A second Deployment that receives `weight` percent of the requests. Removing the entry
   * removes the canary and sends everything back to `image`: it promotes nothing.
   * @default - no canary
   */
  canary: z
    .strictObject({
      image: imageReference,
      weight: whole(0, 100, 'percent', 'use 10 to start'),
    })
    .optional(),
});

const REPOSITORY_FIX =
  'give the GitHub repository as <owner>/<name>, exactly as GitHub spells it (e.g. acme/platform-infra), without https://github.com/ or .git';

/** The delivery pipeline's identity in the environment's account (stack `<env>-tfstate`). */
const deliverySchema = z.strictObject({
  /**
   * The GitHub repository, `<owner>/<name>`, whose workflows may assume the environment's CI
   * roles through GitHub's OIDC provider: its pull requests and `main` the plan role, its jobs in
   * the GitHub environment of the same name the deploy role. The `sub` claim is compared exactly
   * (case included), so write it as GitHub shows it.
   */
  repository: text(
    /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/(?!\.{1,2}$)(?!.*\.git$)[A-Za-z0-9._-]{1,100}$/,
    `must be a GitHub repository as <owner>/<name>: an owner of 1-39 letters, digits or single hyphens, and a name of letters, digits, '.', '_' or '-'${FIX}${REPOSITORY_FIX}`,
  ),
});

/** Distinct zone names, at least `min` of them. */
const zones = (min: number, message: string) =>
  z
    .array(z.string())
    .min(min, message)
    .superRefine((zones, ctx) =>
      zones.forEach((zone, i) => {
        const message = `is listed twice${FIX}list each zone once; subnets in the same zone give no redundancy`;
        if (zones.indexOf(zone) !== i)
          ctx.addIssue({ code: 'custom', path: [i], input: zone, message });
      }),
    );

/** Prefix of every stack name (`<name>-network`) and state key. */
export const environmentName = text(
  /^[a-z][a-z0-9]{0,15}$/,
  'must be 1-16 lowercase letters or digits, starting with a letter (it prefixes every stack name). Fix: rename the environment, e.g. staging',
);

/** One environment: everything that differs between environments. */
export const environmentSchema = z.strictObject({
  /** Prefix of every stack name (`<name>-network`) and state key; `prod` is held to prod's rules. */
  name: environmentName,
  /** The AWS account the environment lives in; the provider refuses any other. */
  accountId: text(
    /^\d{12}$/,
    'must be a 12-digit AWS account id. Fix: copy the id from `aws sts get-caller-identity --query Account` (keep leading zeros, as a string)',
  ),
  /** A region of the `aws` partition (aws-regions.ts). */
  region: str(
    (region) => AWS_REGIONS.includes(region),
    `is not a known region of the aws partition. Fix: use one of ${AWS_REGIONS.join(', ')}`,
  ),
  /** Zones of the region, in order, each once; prod needs three or more. */
  availabilityZones: zones(
    2,
    'must list at least 2 availability zones (EKS requires subnets in two zones). Fix: list 2 or more distinct zones of {region}, e.g. {region}a, {region}b',
  ),
  tags: tagsSchema,
  state: stateSchema,
  network: networkSchema,
  eks: eksSchema,
  rds: rdsSchema,
  dns: dnsSchema,
  /** The in-cluster platform (stack `<env>-eks-k8s`). */
  k8s: k8sSchema,
  /** The services, by name, that eks-k8s prepares a namespace for. */
  services: z.record(
    text(DNS_LABEL, 'must be a DNS-1123 label. Fix: use e.g. backend'),
    serviceSchema,
  ),
  /** What the delivery pipeline deploys from (docs/delivery.md). */
  delivery: deliverySchema,
  /** Relaxations of the policy rules (constructs/policy) this environment accepts. */
  policy: z.strictObject({
    /** Cost trade-offs accepted by name, each relaxing the one rule it names; prod accepts none. */
    acceptedTradeoffs: z.array(
      z.enum(
        TRADEOFFS,
        `is not a known trade-off (${TRADEOFFS.join(', ')}). Fix: remove it, or use one of the named trade-offs`,
      ),
    ),
  }),
});

/**
 * The production rules: prod's stricter bound on each field that has one, replacing the field's
 * own check in prod. A weaker setting is a cost trade-off reserved for non-production.
 */
export const prodSchema = environmentSchema.extend({
  availabilityZones: zones(
    3,
    'must list at least 3 availability zones so prod survives the loss of a zone with quorum intact. Fix: list 3 or more distinct zones of {region}, e.g. {region}a, {region}b, {region}c',
  ),
  state: stateSchema.extend({
    noncurrentVersionRetentionDays: whole(30, 3650, 'days', 'set it to 90', PROD_HISTORY),
  }),
  network: networkSchema.extend({
    natGateways: z.literal(
      'one-per-az',
      'must be `one-per-az` in prod: a single NAT gateway cuts every zone off the internet when its zone fails. Fix: set natGateways to `one-per-az`; `single` is a cost trade-off reserved for test',
    ),
    flowLogRetentionDays: logRetention(true),
  }),
  eks: eksSchema.extend({
    publicAccessCidrs: apiCidrs(
      `${OPEN_API} in prod. Fix: remove it: prod keeps the public endpoint off (an empty list) or limited to named ranges`,
    ),
    logRetentionDays: logRetention(true),
    systemNodeGroup: systemNodeGroupSchema.extend({
      minSize: num(
        (size) => Number.isInteger(size) && size >= 3,
        'must be at least 3 in prod: one system node per zone, so the controllers survive a zone failure. Fix: set it to 3',
      ),
    }),
  }),
  rds: rdsSchema.extend({
    multiAz: isTrue(
      'must be true in prod: a single-AZ database is down until restored when its zone fails. Fix: set multiAz: true; single-AZ is a cost trade-off reserved for test',
    ),
    deletionProtection: isTrue('must be true in prod. Fix: set deletionProtection: true'),
    backupRetentionDays: num(
      (days) => Number.isInteger(days) && days >= 7 && days <= 35,
      'must be 7 to 35 days in prod (point-in-time recovery needs backups). Fix: use 14',
    ),
    logRetentionDays: logRetention(true),
    alarmEmails: rdsSchema.shape.alarmEmails.min(
      1,
      'must name at least one recipient in prod: alarms nobody receives protect nothing. Fix: add the on-call list address',
    ),
  }),
  k8s: k8sSchema.extend({
    controllerReplicas: whole(
      2,
      5,
      '',
      'set it to 2',
      ' in prod, so a controller survives a node or zone',
    ),
    karpenter: k8sSchema.shape.karpenter.extend({
      nodePools: k8sSchema.shape.karpenter.shape.nodePools.refine(
        (pools) => Object.values(pools).every((p) => p.capacityTypes.includes('on-demand')),
        'has a spot-only NodePool: in prod a spot reclaim wave could take every replica at once. Fix: add on-demand to capacityTypes (prod runs on-demand)',
      ),
    }),
    ingress: k8sSchema.shape.ingress.extend({
      accessLogRetentionDays: whole(90, 3650, 'days', 'use 365', ' in prod'),
    }),
    monitoring: k8sSchema.shape.monitoring.extend({
      alertEmails: k8sSchema.shape.monitoring.shape.alertEmails.min(
        1,
        'must name at least one recipient in prod: alerts nobody receives protect nothing. Fix: add the on-call list address',
      ),
      prometheusReplicas: whole(
        2,
        3,
        '',
        'set it to 2',
        ' in prod: one replica loses metrics while it restarts',
      ),
    }),
  }),
  services: z.record(
    text(DNS_LABEL, 'must be a DNS-1123 label. Fix: use e.g. backend'),
    serviceSchema.extend({
      replicas: serviceSchema.shape.replicas.extend({
        min: whole(2, 100, '', 'set it to 2', ' in prod: one pod is an outage when its node goes'),
      }),
    }),
  ),
  policy: z.strictObject({
    acceptedTradeoffs: z.array(
      z.never(
        'is a cost trade-off, and prod accepts none. Fix: remove it and make the prod setting highly available',
      ),
    ),
  }),
});

type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** One environment's configuration, as `environments/<name>.ts` writes it. */
export type EnvironmentConfig = DeepReadonly<z.infer<typeof environmentSchema>>;
export type NatStrategy = EnvironmentConfig['network']['natGateways'];
