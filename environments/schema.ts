import {
  contains,
  formatCidr,
  isPrivate,
  lastAddress,
  overlaps,
  parseCidr,
  PRIVATE_RANGES,
  sizeOf,
} from '../constructs/network/cidr';
import { planSubnets, SUBNET_TIERS, type SubnetLayout } from '../constructs/network/subnet-plan';
import type { PostgresSettings } from '../constructs/database/postgres-database';
import type { SystemNodeSizing } from '../constructs/eks/system-node-group';
import { TRADEOFFS, type Tradeoff } from '../constructs/policy/engine';

export type { Tradeoff } from '../constructs/policy/engine';
import { AWS_REGIONS, LOG_RETENTION_DAYS } from './aws-regions';

/** The environments this app knows. Stack names start with one of them: `test-network`. */
export const ENVIRONMENT_NAMES = ['test', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/**
 * How NAT gateways are laid out. `one-per-az` survives the loss of a zone; `single` is a named
 * cost trade-off that only the `test` environment may make.
 */
export const NAT_STRATEGIES = ['one-per-az', 'single'] as const;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

/** Tags every resource of the environment carries, through the provider's `default_tags`. */
export interface TagsConfig {
  /** Team or person accountable for the resources. */
  readonly owner: string;
  /** Repository the resources are managed from, so a stray resource leads back to its code. */
  readonly repository: string;
  /**
   * Further tags (cost centre, data classification).
   * @default - none
   */
  readonly extra?: Readonly<Record<string, string>>;
}

/** The Terraform state backend of the environment: created by the `tfstate` stack. */
export interface StateConfig {
  /** S3 bucket holding every stack's state, globally unique. */
  readonly bucketName: string;
  /** DynamoDB table for state locks (kept beside S3-native locking while both are supported). */
  readonly lockTableName: string;
  /** S3 bucket receiving the state bucket's server access logs. */
  readonly accessLogBucketName: string;
  /** Days a superseded state version is kept before S3 expires it. */
  readonly noncurrentVersionRetentionDays: number;
  /** Days access log objects are kept. */
  readonly accessLogRetentionDays: number;
  /**
   * ARN of the state bucket's KMS key (`arn:aws:kms:<region>:<account>:key/<id>`), printed by
   * `npm run bootstrap`. Terraform's S3 backend accepts only a key ARN, never an alias, and a
   * key's id is random, so it can only be filled in after the tfstate stack exists.
   * @default - state objects are encrypted with S3-managed keys (SSE-S3) until it is set
   */
  readonly kmsKeyArn?: string;
}

export interface NetworkConfig {
  /** The VPC's IPv4 block, inside an RFC 1918 range, /16 to /24. */
  readonly vpcCidr: string;
  /** NAT gateway layout; prod must use `one-per-az`. */
  readonly natGateways: NatStrategy;
  /** Subnet sizes per tier (or explicit CIDRs). */
  readonly subnets: SubnetLayout;
  /**
   * Subnet slots reserved per tier, so adding a zone later does not renumber existing subnets.
   * Must be at least the number of availability zones.
   */
  readonly reservedAzSlots: number;
  /** VPC flow logs retention in CloudWatch Logs, in days (a value CloudWatch accepts). */
  readonly flowLogRetentionDays: number;
}

/** AMI families for the managed system node group (Amazon Linux 2023). */
export const SYSTEM_NODE_AMI_TYPES = ['AL2023_x86_64_STANDARD', 'AL2023_ARM_64_STANDARD'] as const;
export type SystemNodeAmiType = (typeof SYSTEM_NODE_AMI_TYPES)[number];

/** The managed node group that runs the platform's controllers (never application pods). */
export interface SystemNodeGroupConfig extends SystemNodeSizing {
  readonly amiType: SystemNodeAmiType;
}

/** Versions of the EKS managed add-ons, `vX.Y.Z-eksbuild.N`. */
export interface EksAddonVersions {
  readonly vpcCni: string;
  readonly coredns: string;
  readonly kubeProxy: string;
  readonly podIdentityAgent: string;
  readonly ebsCsiDriver: string;
}

export interface EksConfig {
  /** Cluster name; the network stack tags subnets for it (`karpenter.sh/discovery`). */
  readonly clusterName: string;
  /** Kubernetes minor version, `1.NN`, one in EKS standard support (see `EKS_STANDARD_SUPPORT`). */
  readonly kubernetesVersion: string;
  /**
   * CIDRs allowed to reach the public API endpoint. Empty: the public endpoint is off and the API
   * is reachable from inside the VPC only. Never `0.0.0.0/0`.
   */
  readonly publicAccessCidrs: readonly string[];
  /** Control-plane and workload log retention in CloudWatch Logs (prod >= 90). */
  readonly logRetentionDays: number;
  /** IAM roles granted cluster admin through access entries. */
  readonly adminRoleArns: readonly string[];
  /** The role CI deploys with; granted cluster admin to install the in-cluster add-ons. */
  readonly ciDeployRoleArn: string;
  readonly systemNodeGroup: SystemNodeGroupConfig;
  readonly addonVersions: EksAddonVersions;
  /** Secrets Manager name prefix External Secrets may read, e.g. `platform/test/`. */
  readonly externalSecretsPrefix: string;
}

/**
 * Kubernetes versions in EKS standard support, with the date it ends (docs.aws.amazon.com,
 * "Understand the Kubernetes version lifecycle on EKS"). Add a version when EKS releases it;
 * remove one once its standard support has ended and no environment uses it.
 */
export const EKS_STANDARD_SUPPORT: Readonly<Record<string, string>> = {
  '1.34': '2026-12-02',
  '1.35': '2027-03-27',
};

/** Instance families the system node group may use, by architecture. */
export const INSTANCE_FAMILIES: Readonly<Record<'x86_64' | 'arm64', readonly string[]>> = {
  x86_64: [
    't3',
    't3a',
    'm5',
    'm5a',
    'm6i',
    'm6a',
    'm7i',
    'm7a',
    'c5',
    'c6i',
    'c6a',
    'c7i',
    'c7a',
    'r5',
    'r6i',
    'r6a',
    'r7i',
    'r7a',
  ],
  arm64: ['t4g', 'm6g', 'm7g', 'm8g', 'c6g', 'c7g', 'c8g', 'r6g', 'r7g', 'r8g'],
};

/** PostgreSQL major versions this platform runs. */
export const POSTGRES_MAJOR_VERSIONS = ['16', '17'] as const;
export type PostgresMajorVersion = (typeof POSTGRES_MAJOR_VERSIONS)[number];

/** Enhanced Monitoring intervals RDS accepts (0, off, is refused: monitoring is required). */
export const MONITORING_INTERVALS: readonly number[] = [1, 5, 10, 15, 30, 60];

/**
 * The application's PostgreSQL. The settings are the construct's (`PostgresSettings`); the rules
 * this schema adds are in docs/rds.md: prod needs Multi-AZ, deletion protection and >= 7 days
 * of backups; `false`/`0` there are named test trade-offs.
 */
export interface RdsConfig extends PostgresSettings {
  /** DB instance identifier, e.g. `platform-test`. Changing it replaces the database. */
  readonly instanceIdentifier: string;
  /** The pinned major version; `engineVersion` must belong to it. */
  readonly majorVersion: PostgresMajorVersion;
  /** Alarm when connections exceed this many. */
  readonly connectionsAlarmThreshold: number;
  /** E-mail addresses subscribed to the database's alarm topic. */
  readonly alarmEmails: readonly string[];
}

/** Everything that differs between environments. */
export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  /** The AWS account the environment lives in; the provider refuses any other. */
  readonly accountId: string;
  readonly region: string;
  /** Zone names, in order; prod needs three or more. */
  readonly availabilityZones: readonly string[];
  readonly tags: TagsConfig;
  readonly state: StateConfig;
  readonly network: NetworkConfig;
  readonly eks: EksConfig;
  readonly rds: RdsConfig;
  readonly policy: PolicyConfig;
}

/** Relaxations of the policy rules (constructs/policy) this environment accepts. */
export interface PolicyConfig {
  /**
   * Cost trade-offs accepted by name; each relaxes the one rule it names. Test only: prod
   * accepts none.
   */
  readonly acceptedTradeoffs: readonly Tradeoff[];
}

/** One problem in the config: where, what was found, and what to do about it. */
export interface ConfigIssue {
  readonly path: string;
  readonly value: unknown;
  readonly problem: string;
  readonly fix: string;
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path} ${issue.problem}, got ${show(issue.value)}. Fix: ${issue.fix}`;
}

/** Records an issue under `path`: `report(field, value, problem, fix)`. */
type Report = (field: string, value: unknown, problem: string, fix: string) => void;

function reporter(issues: ConfigIssue[], path: string): Report {
  return (field, value, problem, fix) =>
    issues.push({ path: `${path}.${field}`, value, problem, fix });
}

/** A whole, non-negative number (sizes, counts, days). */
function whole(n: number): boolean {
  return Number.isInteger(n) && n >= 0;
}

/** Every CloudWatch Logs retention of the config: a value CloudWatch accepts; prod >= 90 days. */
function checkLogRetention(report: Report, field: string, days: number, isProd: boolean): void {
  if (!LOG_RETENTION_DAYS.includes(days) || (isProd && days < 90)) {
    report(
      field,
      days,
      `must be a retention CloudWatch Logs accepts${isProd ? ', of at least 90 days in prod' : ''}`,
      `use one of ${LOG_RETENTION_DAYS.filter((d) => !isProd || d >= 90).join(', ')}`,
    );
  }
}

/** Thrown before any stack is built when the environment config is invalid. */
export class ConfigValidationError extends Error {
  constructor(public readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid environment configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}); nothing was synthesized:\n` +
        issues.map((issue) => `  - ${formatIssue(issue)}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

/**
 * Validates every environment, alone and against each other, and throws one
 * {@link ConfigValidationError} listing every problem found. Call it before building any stack.
 */
export function validateEnvironments(configs: readonly EnvironmentConfig[]): void {
  const issues: ConfigIssue[] = [];
  configs.forEach((config, index) => issues.push(...validateEnvironment(config, index)));
  issues.push(...validateAcrossEnvironments(configs));
  if (issues.length > 0) {
    throw new ConfigValidationError(issues);
  }
}

function validateEnvironment(config: EnvironmentConfig, index: number): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const validName = (ENVIRONMENT_NAMES as readonly string[]).includes(config.name);
  const root = validName ? `environments.${config.name}` : `environments[${index}]`;
  const report = reporter(issues, root);

  if (!validName) {
    report(
      'name',
      config.name,
      `must be one of ${ENVIRONMENT_NAMES.join(', ')}`,
      'rename the environment or add its name to ENVIRONMENT_NAMES in environments/schema.ts',
    );
  }
  if (!/^\d{12}$/.test(String(config.accountId))) {
    report(
      'accountId',
      config.accountId,
      'must be a 12-digit AWS account id',
      'copy the id from `aws sts get-caller-identity --query Account` (keep leading zeros, as a string)',
    );
  }

  const regionKnown = AWS_REGIONS.includes(config.region);
  if (!regionKnown) {
    report(
      'region',
      config.region,
      'is not a known region of the aws partition',
      `use one of ${AWS_REGIONS.join(', ')}`,
    );
  }

  issues.push(...validateZones(config, root, regionKnown));
  issues.push(...validateTags(config.tags, `${root}.tags`));
  issues.push(...validateState(config, `${root}.state`));
  issues.push(...validateNetwork(config, `${root}.network`));

  issues.push(...validateEks(config, `${root}.eks`));
  issues.push(...validateRds(config, `${root}.rds`));
  config.policy.acceptedTradeoffs.forEach((tradeoff, i) => {
    if (!(TRADEOFFS as readonly string[]).includes(tradeoff)) {
      report(
        `policy.acceptedTradeoffs[${i}]`,
        tradeoff,
        `is not a known trade-off (${TRADEOFFS.join(', ')})`,
        'remove it, or use one of the named trade-offs',
      );
    } else if (config.name === 'prod') {
      report(
        `policy.acceptedTradeoffs[${i}]`,
        tradeoff,
        'is a cost trade-off, and prod accepts none',
        'remove it and make the prod setting highly available',
      );
    }
  });
  return issues;
}

function validateZones(
  config: EnvironmentConfig,
  root: string,
  regionKnown: boolean,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const path = `${root}.availabilityZones`;
  const zones = config.availabilityZones;
  const minimum = config.name === 'prod' ? 3 : 2;
  if (zones.length < minimum) {
    issues.push({
      path,
      value: zones,
      problem:
        config.name === 'prod'
          ? 'must list at least 3 availability zones so prod survives the loss of a zone with quorum intact'
          : 'must list at least 2 availability zones (EKS requires subnets in two zones)',
      fix: `list ${minimum} or more distinct zones of ${config.region}, e.g. ${['a', 'b', 'c']
        .slice(0, minimum)
        .map((l) => config.region + l)
        .join(', ')}`,
    });
  }
  const seen = new Set<string>();
  zones.forEach((zone, i) => {
    if (seen.has(zone)) {
      issues.push({
        path: `${path}[${i}]`,
        value: zone,
        problem: 'is listed twice',
        fix: 'list each zone once; subnets in the same zone give no redundancy',
      });
    }
    seen.add(zone);
    if (regionKnown && !new RegExp(`^${config.region}[a-z]$`).test(zone)) {
      issues.push({
        path: `${path}[${i}]`,
        value: zone,
        problem: `is not an availability zone of ${config.region}`,
        fix: `use a zone name of the form ${config.region}a, ${config.region}b, …`,
      });
    }
  });
  return issues;
}

function validateTags(tags: TagsConfig, path: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const key of ['owner', 'repository'] as const) {
    if (typeof tags[key] !== 'string' || tags[key].trim() === '' || tags[key].length > 256) {
      issues.push({
        path: `${path}.${key}`,
        value: tags[key],
        problem: 'must be a non-empty tag value of at most 256 characters',
        fix:
          key === 'owner'
            ? 'name the team accountable for the environment'
            : 'give the repository URL or owner/name',
      });
    }
  }
  for (const [key, value] of Object.entries(tags.extra ?? {})) {
    if (key.length === 0 || key.length > 128 || key.toLowerCase().startsWith('aws:')) {
      issues.push({
        path: `${path}.extra`,
        value: key,
        problem:
          'has a tag key that is empty, longer than 128 characters or in the reserved aws: namespace',
        fix: 'rename the tag key',
      });
    }
    if (value.length > 256) {
      issues.push({
        path: `${path}.extra.${key}`,
        value,
        problem: 'is longer than 256 characters',
        fix: 'shorten the tag value',
      });
    }
  }
  return issues;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

function bucketNameProblem(name: string): string | undefined {
  if (!BUCKET_NAME.test(name)) {
    return 'must be a valid S3 bucket name: 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit (dots are refused: they break TLS on virtual-hosted URLs)';
  }
  if (
    name.startsWith('xn--') ||
    name.startsWith('sthree-') ||
    name.endsWith('-s3alias') ||
    name.endsWith('--ol-s3')
  ) {
    return 'uses a prefix or suffix S3 reserves';
  }
  return undefined;
}

function validateState(config: EnvironmentConfig, path: string): ConfigIssue[] {
  const { state, region, accountId } = config;
  const isProd = config.name === 'prod';
  const issues: ConfigIssue[] = [];
  for (const key of ['bucketName', 'accessLogBucketName'] as const) {
    const problem = bucketNameProblem(state[key]);
    if (problem) {
      issues.push({
        path: `${path}.${key}`,
        value: state[key],
        problem,
        fix: 'use a name like `<org>-platform-tfstate-<env>-<account id>`',
      });
    }
  }
  if (state.bucketName === state.accessLogBucketName) {
    issues.push({
      path: `${path}.accessLogBucketName`,
      value: state.accessLogBucketName,
      problem:
        'must differ from state.bucketName (a bucket cannot log to itself without a feedback loop)',
      fix: 'append `-access-logs` to the state bucket name',
    });
  }
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(state.lockTableName)) {
    issues.push({
      path: `${path}.lockTableName`,
      value: state.lockTableName,
      problem:
        'must be a valid DynamoDB table name: 3-255 letters, digits, underscores, hyphens or dots',
      fix: 'use a name like `platform-tfstate-lock-<env>`',
    });
  }
  const minNoncurrent = isProd ? 30 : 1;
  if (
    !Number.isInteger(state.noncurrentVersionRetentionDays) ||
    state.noncurrentVersionRetentionDays < minNoncurrent ||
    state.noncurrentVersionRetentionDays > 3650
  ) {
    issues.push({
      path: `${path}.noncurrentVersionRetentionDays`,
      value: state.noncurrentVersionRetentionDays,
      problem: `must be a whole number of days from ${minNoncurrent} to 3650${isProd ? ' (prod keeps a month of state history to recover from a bad apply)' : ''}`,
      fix: `set it to ${isProd ? 90 : 30}`,
    });
  }
  if (
    state.kmsKeyArn !== undefined &&
    !new RegExp(
      `^arn:aws:kms:${region}:${accountId}:key/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`,
    ).test(state.kmsKeyArn)
  ) {
    issues.push({
      path: `${path}.kmsKeyArn`,
      value: state.kmsKeyArn,
      problem: `must be the ARN of a KMS key in ${region} of account ${accountId} (Terraform's S3 backend refuses aliases)`,
      fix: 'copy the `state_kms_key_arn` output that `npm run bootstrap` prints, or remove the field until the bootstrap has run',
    });
  }
  if (
    !Number.isInteger(state.accessLogRetentionDays) ||
    state.accessLogRetentionDays < 1 ||
    state.accessLogRetentionDays > 3650
  ) {
    issues.push({
      path: `${path}.accessLogRetentionDays`,
      value: state.accessLogRetentionDays,
      problem: 'must be a whole number of days from 1 to 3650',
      fix: 'set it to 365',
    });
  }
  return issues;
}

function validateNetwork(config: EnvironmentConfig, path: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const network = config.network;
  const isProd = config.name === 'prod';
  const report = reporter(issues, path);

  if (!(NAT_STRATEGIES as readonly string[]).includes(network.natGateways)) {
    report(
      'natGateways',
      network.natGateways,
      `must be one of ${NAT_STRATEGIES.join(', ')}`,
      'use `one-per-az` (survives a zone failure) or, in test only, `single`',
    );
  } else if (isProd && network.natGateways !== 'one-per-az') {
    report(
      'natGateways',
      network.natGateways,
      'must be `one-per-az` in prod: a single NAT gateway cuts every zone off the internet when its zone fails',
      'set natGateways to `one-per-az`; `single` is a cost trade-off reserved for test',
    );
  }

  checkLogRetention(report, 'flowLogRetentionDays', network.flowLogRetentionDays, isProd);

  const zoneCount = config.availabilityZones.length;
  if (
    !Number.isInteger(network.reservedAzSlots) ||
    network.reservedAzSlots < zoneCount ||
    network.reservedAzSlots > 8
  ) {
    report(
      'reservedAzSlots',
      network.reservedAzSlots,
      `must be a whole number from the zone count (${zoneCount}) to 8`,
      `set it to ${Math.max(4, zoneCount)}`,
    );
  }

  const vpc = parseCidr(network.vpcCidr);
  if (typeof vpc === 'string') {
    report('vpcCidr', network.vpcCidr, vpc, 'give a block such as 10.10.0.0/16');
    return issues;
  }
  if (!isPrivate(vpc)) {
    report(
      'vpcCidr',
      network.vpcCidr,
      `is not inside a private range (${PRIVATE_RANGES.join(', ')})`,
      'choose a block inside 10.0.0.0/8, e.g. 10.10.0.0/16',
    );
  }
  if (vpc.prefixLength < 16 || vpc.prefixLength > 24) {
    report(
      'vpcCidr',
      network.vpcCidr,
      'must have a prefix length from /16 (the largest block AWS allows) to /24',
      'use a /16 to /20 for an EKS VPC',
    );
  }

  let layoutValid = true;
  for (const tier of SUBNET_TIERS) {
    const tierLayout = network.subnets[tier];
    const tierPath = `subnets.${tier}`;
    const maxPrefix = tier === 'private' ? 24 : 28;
    const prefix = tierLayout.prefixLength;
    if (!Number.isInteger(prefix) || prefix <= vpc.prefixLength || prefix > maxPrefix) {
      layoutValid = false;
      report(
        `${tierPath}.prefixLength`,
        prefix,
        `must be a whole number above the VPC's /${vpc.prefixLength} and at most /${maxPrefix}${tier === 'private' ? ' (EKS pods take their IPs from these subnets)' : ''}`,
        `use a value from ${vpc.prefixLength + 1} to ${maxPrefix}`,
      );
    }
    if (tierLayout.cidrs) {
      if (tierLayout.cidrs.length !== zoneCount) {
        layoutValid = false;
        report(
          `${tierPath}.cidrs`,
          tierLayout.cidrs,
          `must give exactly one CIDR per availability zone (${zoneCount})`,
          'list one block per zone, in the order of availabilityZones, or drop `cidrs` to have them computed',
        );
      }
      tierLayout.cidrs.forEach((cidr, i) => {
        const parsed = parseCidr(cidr);
        if (typeof parsed === 'string') {
          layoutValid = false;
          report(`${tierPath}.cidrs[${i}]`, cidr, parsed, 'give a block such as 10.10.0.0/20');
        } else if (!contains(vpc, parsed)) {
          layoutValid = false;
          report(
            `${tierPath}.cidrs[${i}]`,
            cidr,
            `is not inside the VPC CIDR ${network.vpcCidr}`,
            'pick a block inside the VPC CIDR',
          );
        } else if (parsed.prefixLength !== prefix) {
          layoutValid = false;
          report(
            `${tierPath}.cidrs[${i}]`,
            cidr,
            `has a different prefix length from ${tierPath}.prefixLength (/${prefix})`,
            'make the two agree',
          );
        }
      });
    }
  }
  if (!layoutValid || zoneCount === 0) {
    return issues;
  }

  const plan = planSubnets(
    network.vpcCidr,
    config.availabilityZones,
    network.subnets,
    network.reservedAzSlots,
  );
  const vpcEnd = lastAddress(vpc) + 1;
  if (plan.endAddress > vpcEnd) {
    const needed = plan.endAddress - vpc.network;
    const neededPrefix = 32 - Math.ceil(Math.log2(needed));
    report(
      'vpcCidr',
      network.vpcCidr,
      `is too small for the subnets: the layout (${SUBNET_TIERS.map((t) => `${t} /${network.subnets[t].prefixLength}`).join(', ')}, ${Math.max(network.reservedAzSlots, zoneCount)} slots per tier) needs ${needed} addresses, the VPC has ${sizeOf(vpc.prefixLength)}`,
      `use a VPC CIDR of /${neededPrefix} or larger, or smaller subnets (a higher subnets.<tier>.prefixLength)`,
    );
    return issues;
  }
  const parsed = plan.subnets.map((s) => ({ ...s, block: parseCidr(s.cidr) }));
  for (let i = 0; i < parsed.length; i++) {
    for (let j = i + 1; j < parsed.length; j++) {
      const a = parsed[i];
      const b = parsed[j];
      if (typeof a.block === 'string' || typeof b.block === 'string') continue;
      if (overlaps(a.block, b.block)) {
        report(
          `subnets.${b.tier}`,
          b.cidr,
          `overlaps the ${a.tier} subnet ${a.cidr} (${a.availabilityZone})`,
          `move the ${b.tier} subnets to blocks no other subnet uses; computed tiers are packed from the start of ${formatCidr(vpc)} in the order ${SUBNET_TIERS.join(', ')}, ${Math.max(network.reservedAzSlots, zoneCount)} slots each`,
        );
      }
    }
  }
  return issues;
}

const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ADDON_VERSION = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;

function validateEks(config: EnvironmentConfig, path: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const eks = config.eks;
  const isProd = config.name === 'prod';
  const report = reporter(issues, path);

  if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(eks.clusterName)) {
    report(
      'clusterName',
      eks.clusterName,
      'must be 1-100 letters, digits, hyphens or underscores, starting with a letter or digit',
      'choose a name such as `platform-test`',
    );
  }
  const supported = Object.keys(EKS_STANDARD_SUPPORT);
  if (!/^1\.\d{2}$/.test(eks.kubernetesVersion)) {
    report(
      'kubernetesVersion',
      eks.kubernetesVersion,
      'must be a Kubernetes minor version of the form 1.NN',
      `use one in EKS standard support: ${supported.join(', ')}`,
    );
  } else if (!supported.includes(eks.kubernetesVersion)) {
    report(
      'kubernetesVersion',
      eks.kubernetesVersion,
      'is not in EKS standard support (extended support costs extra and ends in a forced upgrade)',
      `use one of ${supported.map((v) => `${v} (until ${EKS_STANDARD_SUPPORT[v]})`).join(', ')}, or add a newly released version to EKS_STANDARD_SUPPORT`,
    );
  }

  eks.publicAccessCidrs.forEach((cidr, i) => {
    const parsed = parseCidr(cidr);
    if (typeof parsed === 'string') {
      report(
        `publicAccessCidrs[${i}]`,
        cidr,
        parsed,
        'give the office or VPN egress range, e.g. 203.0.113.0/24',
      );
    } else if (parsed.prefixLength === 0) {
      report(
        `publicAccessCidrs[${i}]`,
        cidr,
        `opens the Kubernetes API to the whole internet${isProd ? ' in prod' : ''}`,
        isProd
          ? 'remove it: prod keeps the public endpoint off (an empty list) or limited to named ranges'
          : 'list the ranges that need the API, or leave the list empty for a private-only endpoint',
      );
    }
  });

  checkLogRetention(report, 'logRetentionDays', eks.logRetentionDays, isProd);

  if (eks.adminRoleArns.length === 0) {
    report(
      'adminRoleArns',
      eks.adminRoleArns,
      'must name at least one role: with the cluster creator not made admin, nobody else could administer the cluster',
      "add the platform team's admin role",
    );
  }
  eks.adminRoleArns.forEach((arn, i) => {
    if (!ROLE_ARN.test(arn)) {
      report(
        `adminRoleArns[${i}]`,
        arn,
        'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
        'use the role ARN, not a user, an assumed-role session or an SSO permission set name',
      );
    }
  });
  if (!ROLE_ARN.test(eks.ciDeployRoleArn)) {
    report(
      'ciDeployRoleArn',
      eks.ciDeployRoleArn,
      'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
      'use the ARN of the role CI assumes to deploy',
    );
  }

  const group = eks.systemNodeGroup;
  const gp = 'systemNodeGroup';
  if (!(SYSTEM_NODE_AMI_TYPES as readonly string[]).includes(group.amiType)) {
    report(
      `${gp}.amiType`,
      group.amiType,
      `must be one of ${SYSTEM_NODE_AMI_TYPES.join(', ')}`,
      'use AL2023_x86_64_STANDARD, or AL2023_ARM_64_STANDARD with Graviton instance types',
    );
  }
  const arch = group.amiType === 'AL2023_ARM_64_STANDARD' ? 'arm64' : 'x86_64';
  if (group.instanceTypes.length === 0) {
    report(
      `${gp}.instanceTypes`,
      group.instanceTypes,
      'must list at least one instance type',
      'use e.g. m7i.large',
    );
  }
  group.instanceTypes.forEach((type, i) => {
    const match = /^([a-z]+\d+[a-z]*)\.(nano|micro|small|medium|large|metal|\d*xlarge)$/.exec(type);
    const family = match?.[1];
    const otherArch = arch === 'arm64' ? 'x86_64' : 'arm64';
    if (!family || ![...INSTANCE_FAMILIES.x86_64, ...INSTANCE_FAMILIES.arm64].includes(family)) {
      report(
        `${gp}.instanceTypes[${i}]`,
        type,
        'is not an instance type of a known general-purpose, compute or memory family',
        `use a type of ${INSTANCE_FAMILIES[arch].join(', ')} (e.g. ${INSTANCE_FAMILIES[arch].includes('m7i') ? 'm7i' : 'm7g'}.large), or add the family to INSTANCE_FAMILIES`,
      );
    } else if (INSTANCE_FAMILIES[otherArch].includes(family)) {
      report(
        `${gp}.instanceTypes[${i}]`,
        type,
        `is an ${otherArch} type, but amiType ${group.amiType} is ${arch}`,
        `use a ${arch} family (${INSTANCE_FAMILIES[arch].slice(0, 4).join(', ')}, …) or change amiType`,
      );
    }
  });
  const minimum = isProd ? 3 : 1;
  if (!whole(group.minSize) || group.minSize < minimum) {
    report(
      `${gp}.minSize`,
      group.minSize,
      isProd
        ? 'must be at least 3 in prod: one system node per zone, so the controllers survive a zone failure'
        : 'must be a whole number of at least 1',
      `set it to ${Math.max(minimum, 2)}`,
    );
  }
  if (!whole(group.maxSize) || group.maxSize > 100) {
    report(
      `${gp}.maxSize`,
      group.maxSize,
      'must be a whole number up to 100',
      'set it to a few nodes above minSize',
    );
  } else if (group.minSize > group.maxSize) {
    report(
      `${gp}.minSize`,
      group.minSize,
      `is above maxSize (${group.maxSize})`,
      'make minSize <= desiredSize <= maxSize',
    );
  }
  if (
    !whole(group.desiredSize) ||
    group.desiredSize < group.minSize ||
    group.desiredSize > group.maxSize
  ) {
    report(
      `${gp}.desiredSize`,
      group.desiredSize,
      `must lie between minSize (${group.minSize}) and maxSize (${group.maxSize})`,
      'make minSize <= desiredSize <= maxSize',
    );
  }
  if (!whole(group.diskSizeGiB) || group.diskSizeGiB < 20 || group.diskSizeGiB > 1000) {
    report(
      `${gp}.diskSizeGiB`,
      group.diskSizeGiB,
      'must be a whole number of GiB from 20 to 1000',
      'use 50',
    );
  }

  for (const [name, version] of Object.entries(eks.addonVersions)) {
    if (!ADDON_VERSION.test(version)) {
      report(
        `addonVersions.${name}`,
        version,
        'does not look like an EKS add-on version vX.Y.Z-eksbuild.N',
        `pick one from \`aws eks describe-addon-versions --kubernetes-version ${eks.kubernetesVersion}\``,
      );
    }
  }
  if (!/^[A-Za-z0-9/_+=.@-]+\/$/.test(eks.externalSecretsPrefix)) {
    report(
      'externalSecretsPrefix',
      eks.externalSecretsPrefix,
      'must be a Secrets Manager name prefix ending in `/`',
      `use e.g. platform/${config.name}/`,
    );
  }
  return issues;
}

const BACKUP_WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;
const MAINTENANCE_WINDOW =
  /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$/;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const WEEK_MINUTES = 7 * 1440;

/** A window as [start, end) minute ranges of the week, split where it wraps past Sunday. */
function weekRanges(start: number, duration: number): [number, number][] {
  const begin = start % WEEK_MINUTES;
  const end = begin + duration;
  return end <= WEEK_MINUTES
    ? [[begin, end]]
    : [
        [begin, WEEK_MINUTES],
        [0, end - WEEK_MINUTES],
      ];
}

/** Whether the daily backup window and the weekly maintenance window share any minute. */
function windowsOverlap(backup: string, maintenance: string): boolean {
  const b = BACKUP_WINDOW.exec(backup);
  const m = MAINTENANCE_WINDOW.exec(maintenance);
  if (!b || !m) return false;
  const bStart = Number(b[1]) * 60 + Number(b[2]);
  const bDuration = (Number(b[3]) * 60 + Number(b[4]) - bStart + 1440) % 1440 || 1440;
  const mStart = DAYS.indexOf(m[1]) * 1440 + Number(m[2]) * 60 + Number(m[3]);
  const mEnd = DAYS.indexOf(m[4]) * 1440 + Number(m[5]) * 60 + Number(m[6]);
  const maintenanceRanges = weekRanges(mStart, (mEnd - mStart + WEEK_MINUTES) % WEEK_MINUTES);
  return DAYS.some((_, day) =>
    weekRanges(day * 1440 + bStart, bDuration).some(([bs, be]) =>
      maintenanceRanges.some(([ms, me]) => bs < me && ms < be),
    ),
  );
}

function validateRds(config: EnvironmentConfig, path: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const rds = config.rds;
  const isProd = config.name === 'prod';
  const report = reporter(issues, path);

  if (
    !/^[a-z][a-z0-9-]{0,62}$/.test(rds.instanceIdentifier) ||
    rds.instanceIdentifier.endsWith('-') ||
    rds.instanceIdentifier.includes('--')
  ) {
    report(
      'instanceIdentifier',
      rds.instanceIdentifier,
      'must be 1-63 lowercase letters, digits or single hyphens, starting with a letter',
      `use e.g. platform-${config.name}`,
    );
  }
  if (!(POSTGRES_MAJOR_VERSIONS as readonly string[]).includes(rds.majorVersion)) {
    report(
      'majorVersion',
      rds.majorVersion,
      `must be one of ${POSTGRES_MAJOR_VERSIONS.join(', ')}`,
      'pin 17 for a new database',
    );
  } else if (!new RegExp(`^${rds.majorVersion}\\.\\d+$`).test(rds.engineVersion)) {
    report(
      'engineVersion',
      rds.engineVersion,
      `does not match the pinned major version ${rds.majorVersion} (expected ${rds.majorVersion}.<minor>)`,
      `use a ${rds.majorVersion}.x version from \`aws rds describe-db-engine-versions --engine postgres --query "DBEngineVersions[].EngineVersion"\`, or change majorVersion on purpose (a major upgrade)`,
    );
  }
  if (!/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(rds.instanceClass)) {
    report(
      'instanceClass',
      rds.instanceClass,
      'is not an RDS instance class (db.<family>.<size>)',
      'use e.g. db.m7g.large or db.t4g.medium',
    );
  }
  if (!whole(rds.allocatedStorageGiB) || rds.allocatedStorageGiB < 20) {
    report(
      'allocatedStorageGiB',
      rds.allocatedStorageGiB,
      'must be a whole number of GiB of at least 20 (the gp3 minimum for PostgreSQL)',
      'use 20 or more',
    );
  }
  if (!whole(rds.maxAllocatedStorageGiB) || rds.maxAllocatedStorageGiB > 65536) {
    report(
      'maxAllocatedStorageGiB',
      rds.maxAllocatedStorageGiB,
      'must be a whole number of GiB up to 65536',
      'use a ceiling such as 4x the initial storage',
    );
  } else if (rds.allocatedStorageGiB > rds.maxAllocatedStorageGiB) {
    report(
      'allocatedStorageGiB',
      rds.allocatedStorageGiB,
      `is above the autoscaling maximum maxAllocatedStorageGiB (${rds.maxAllocatedStorageGiB})`,
      'raise maxAllocatedStorageGiB or lower allocatedStorageGiB',
    );
  }
  if (isProd && !rds.multiAz) {
    report(
      'multiAz',
      rds.multiAz,
      'must be true in prod: a single-AZ database is down until restored when its zone fails',
      'set multiAz: true; single-AZ is a cost trade-off reserved for test',
    );
  }
  if (isProd && !rds.deletionProtection) {
    report(
      'deletionProtection',
      rds.deletionProtection,
      'must be true in prod',
      'set deletionProtection: true',
    );
  }
  const minBackup = isProd ? 7 : 0;
  if (
    !whole(rds.backupRetentionDays) ||
    rds.backupRetentionDays > 35 ||
    rds.backupRetentionDays < minBackup ||
    (rds.backupRetentionDays === 0 && isProd)
  ) {
    report(
      'backupRetentionDays',
      rds.backupRetentionDays,
      isProd
        ? 'must be 7 to 35 days in prod (point-in-time recovery needs backups)'
        : 'must be 1 to 35 days (0, no backups, is allowed in test only)',
      isProd ? 'use 14' : 'use 7',
    );
  }
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(rds.databaseName)) {
    report(
      'databaseName',
      rds.databaseName,
      'must be 1-63 lowercase letters, digits or underscores, starting with a letter',
      'use e.g. app',
    );
  }
  if (
    !/^[a-z][a-z0-9_]{0,62}$/.test(rds.masterUsername) ||
    ['postgres', 'admin', 'rdsadmin'].includes(rds.masterUsername)
  ) {
    report(
      'masterUsername',
      rds.masterUsername,
      'must be 1-63 lowercase letters, digits or underscores, starting with a letter, and not a reserved name',
      'use e.g. platform_admin',
    );
  }
  if (!BACKUP_WINDOW.exec(rds.backupWindow)) {
    report('backupWindow', rds.backupWindow, 'must be hh:mm-hh:mm in UTC', 'use e.g. 02:00-03:00');
  }
  if (!MAINTENANCE_WINDOW.exec(rds.maintenanceWindow)) {
    report(
      'maintenanceWindow',
      rds.maintenanceWindow,
      'must be ddd:hh:mm-ddd:hh:mm in UTC',
      'use e.g. sun:04:00-sun:05:00',
    );
  } else if (windowsOverlap(rds.backupWindow, rds.maintenanceWindow)) {
    report(
      'maintenanceWindow',
      rds.maintenanceWindow,
      `overlaps the backup window ${rds.backupWindow}`,
      'move one of them; RDS refuses overlapping windows',
    );
  }
  if (!whole(rds.slowQueryThresholdMs) || rds.slowQueryThresholdMs < 0) {
    report(
      'slowQueryThresholdMs',
      rds.slowQueryThresholdMs,
      'must be a whole number of milliseconds',
      'use e.g. 500',
    );
  }
  if (!MONITORING_INTERVALS.includes(rds.monitoringIntervalSeconds)) {
    report(
      'monitoringIntervalSeconds',
      rds.monitoringIntervalSeconds,
      `must be one of ${MONITORING_INTERVALS.join(', ')} (Enhanced Monitoring stays on)`,
      'use 60',
    );
  }
  const pi = rds.performanceInsightsRetentionDays;
  if (!(pi === 7 || (whole(pi) && pi % 31 === 0 && pi >= 31 && pi <= 713) || pi === 731)) {
    report(
      'performanceInsightsRetentionDays',
      pi,
      'must be 7, a multiple of 31 up to 713, or 731',
      'use 7 (free tier) or 731',
    );
  }
  checkLogRetention(report, 'logRetentionDays', rds.logRetentionDays, isProd);
  if (!whole(rds.connectionsAlarmThreshold) || rds.connectionsAlarmThreshold < 1) {
    report(
      'connectionsAlarmThreshold',
      rds.connectionsAlarmThreshold,
      'must be a whole number of connections',
      'use about 80% of the instance class max_connections',
    );
  }
  rds.alarmEmails.forEach((email, i) => {
    if (!/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(email)) {
      report(
        `alarmEmails[${i}]`,
        email,
        'is not an e-mail address',
        'use the on-call list address',
      );
    }
  });
  if (isProd && rds.alarmEmails.length === 0) {
    report(
      'alarmEmails',
      rds.alarmEmails,
      'must name at least one recipient in prod: alarms nobody receives protect nothing',
      'add the on-call list address',
    );
  }
  return issues;
}

function validateAcrossEnvironments(configs: readonly EnvironmentConfig[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seenNames = new Map<string, number>();
  const buckets = new Map<string, string>();
  const lockTables = new Map<string, string>();
  configs.forEach((config, index) => {
    const root = `environments.${config.name}`;
    if (seenNames.has(config.name)) {
      issues.push({
        path: `environments[${index}].name`,
        value: config.name,
        problem: 'is used by two environments',
        fix: 'give each environment its own name',
      });
    }
    seenNames.set(config.name, index);
    for (const key of ['bucketName', 'accessLogBucketName'] as const) {
      const bucket = config.state[key];
      const owner = buckets.get(bucket);
      if (owner) {
        issues.push({
          path: `${root}.state.${key}`,
          value: bucket,
          problem: `is already used by ${owner}: environments must not share state buckets`,
          fix: 'give each environment its own bucket, e.g. suffix it with the environment name and account id',
        });
      } else {
        buckets.set(bucket, `${root}.state.${key}`);
      }
    }
    // Lock table names are per account and region.
    const tableKey = `${config.accountId}/${config.region}/${config.state.lockTableName}`;
    const tableOwner = lockTables.get(tableKey);
    if (tableOwner) {
      issues.push({
        path: `${root}.state.lockTableName`,
        value: config.state.lockTableName,
        problem: `is already used by ${tableOwner} in the same account and region`,
        fix: 'suffix the table name with the environment name',
      });
    } else {
      lockTables.set(tableKey, `${root}.state.lockTableName`);
    }
  });
  return issues;
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
