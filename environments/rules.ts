/**
 * The domain rules of the environment model: what one field's schema cannot say because it reads
 * several fields, the environment's role (prod or not) or every environment at once. Each is
 * named, declares what it reads, and has its own negative test (__tests__/environments).
 */
import { windowSpan, windowsOverlap } from '../constructs/database/windows';
import { INSTANCE_FAMILIES, instanceFamily } from '../constructs/eks/system-node-group';
import {
  contains,
  lastAddress,
  mustParseCidr,
  overlaps,
  parseCidr,
  sizeOf,
} from '../constructs/network/cidr';
import { planSubnets, SUBNET_TIERS } from '../constructs/network/subnet-plan';
import { LOG_RETENTION_DAYS } from './aws-regions';
import { type EnvironmentConfig, isProduction } from './schema';

/** Records `<problem>. Fix: <fix>` at a path relative to what the rule checks (`rds.multiAz`, `[1].name`). */
export type Report = (path: string, value: unknown, message: string) => void;

export interface Rule<T> {
  /** Paths the rule reads: it runs only while none of them has a problem of its own. */
  readonly reads: readonly string[];
  /**
   * A stricter prod bound on a field with its own check: it runs even when that check failed
   * (not on a wrong type), and its message replaces the field's, so prod is told prod's bound.
   */
  readonly tightens?: boolean;
  readonly check: (value: T, report: Report) => void;
}

type Env = EnvironmentConfig;
const rule = <T = Env>(reads: string[], check: Rule<T>['check']): Rule<T> => ({ reads, check });

/** A prod-only bound: `holds` must be true of the value at `path` in prod. */
function inProd(path: string, holds: (value: never) => boolean, message: string): Rule<Env> {
  const value = (env: Env) =>
    path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], env);
  return {
    reads: ['name', path],
    tightens: true,
    check: (env, report) => {
      if (isProduction(env.name) && !holds(value(env) as never)) report(path, value(env), message);
    },
  };
}

const prodLogRetention = (path: string) =>
  inProd(
    path,
    (days: number) => LOG_RETENTION_DAYS.includes(days) && days >= 90,
    `must be a retention CloudWatch Logs accepts, of at least 90 days in prod. Fix: use one of ${LOG_RETENTION_DAYS.filter((d) => d >= 90).join(', ')}`,
  );

export const ENVIRONMENT_RULES: Readonly<Record<string, Rule<Env>>> = {
  prodZones: {
    ...rule(
      ['name', 'region', 'availabilityZones'],
      ({ name, region: r, availabilityZones: zones }, report) => {
        if (isProduction(name) && zones.length < 3) {
          const message = `must list at least 3 availability zones so prod survives the loss of a zone with quorum intact. Fix: list 3 or more distinct zones of ${r}, e.g. ${r}a, ${r}b, ${r}c`;
          report('availabilityZones', zones, message);
        }
      },
    ),
    tightens: true,
  },
  zonesInRegion: rule(['region', 'availabilityZones'], ({ region: r, availabilityZones }, report) =>
    availabilityZones.forEach((zone, i) => {
      const message = `is not an availability zone of ${r}. Fix: use a zone name of the form ${r}a, ${r}b, …`;
      if (!new RegExp(`^${r}[a-z]$`).test(zone)) report(`availabilityZones[${i}]`, zone, message);
    }),
  ),
  stateKeyInAccount: rule(
    ['region', 'accountId', 'state.kmsKeyArn'],
    ({ region, accountId, state }, report) => {
      const id = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}';
      if (
        state.kmsKeyArn !== undefined &&
        !new RegExp(`^arn:aws:kms:${region}:${accountId}:key/(${id})$`).test(state.kmsKeyArn)
      ) {
        const message = `must be the ARN of a KMS key in ${region} of account ${accountId} (Terraform's S3 backend refuses aliases). Fix: copy the \`state_kms_key_arn\` output that \`npm run bootstrap\` prints, or remove the field until the bootstrap has run`;
        report('state.kmsKeyArn', state.kmsKeyArn, message);
      }
    },
  ),
  prodStateHistory: inProd(
    'state.noncurrentVersionRetentionDays',
    (days: number) => Number.isInteger(days) && days >= 30 && days <= 3650,
    'must be a whole number of days from 30 to 3650 (prod keeps a month of state history to recover from a bad apply). Fix: set it to 90',
  ),
  prodNatPerZone: inProd(
    'network.natGateways',
    (nat: string) => nat === 'one-per-az',
    'must be `one-per-az` in prod: a single NAT gateway cuts every zone off the internet when its zone fails. Fix: set natGateways to `one-per-az`; `single` is a cost trade-off reserved for test',
  ),
  prodFlowLogRetention: prodLogRetention('network.flowLogRetentionDays'),
  slotsForEveryZone: rule(
    ['availabilityZones', 'network.reservedAzSlots'],
    ({ availabilityZones: { length: zones }, network }, report) => {
      const slots = network.reservedAzSlots;
      if (!Number.isInteger(slots) || slots < zones || slots > 8) {
        const message = `must be a whole number from the zone count (${zones}) to 8. Fix: set it to ${Math.min(8, Math.max(4, zones))}`;
        report('network.reservedAzSlots', slots, message);
      }
    },
  ),
  subnetPlan: rule(
    ['availabilityZones', 'network.vpcCidr', 'network.subnets', 'network.reservedAzSlots'],
    checkSubnetPlan,
  ),
  publicEndpointNotOpen: rule(['name', 'eks.publicAccessCidrs'], ({ name, eks }, report) =>
    eks.publicAccessCidrs.forEach((cidr, i) => {
      const block = parseCidr(cidr);
      if (typeof block === 'string' || block.prefixLength !== 0) return;
      const message = isProduction(name)
        ? 'opens the Kubernetes API to the whole internet in prod. Fix: remove it: prod keeps the public endpoint off (an empty list) or limited to named ranges'
        : 'opens the Kubernetes API to the whole internet. Fix: list the ranges that need the API, or leave the list empty for a private-only endpoint';
      report(`eks.publicAccessCidrs[${i}]`, cidr, message);
    }),
  ),
  prodEksLogRetention: prodLogRetention('eks.logRetentionDays'),
  prodSystemNodePerZone: inProd(
    'eks.systemNodeGroup.minSize',
    (size: number) => Number.isInteger(size) && size >= 3,
    'must be at least 3 in prod: one system node per zone, so the controllers survive a zone failure. Fix: set it to 3',
  ),
  systemNodeSizes: rule(
    [
      'eks.systemNodeGroup.minSize',
      'eks.systemNodeGroup.maxSize',
      'eks.systemNodeGroup.desiredSize',
    ],
    (
      {
        eks: {
          systemNodeGroup: { minSize: min, maxSize: max, desiredSize: desired },
        },
      },
      report,
    ) => {
      const fix = 'Fix: make minSize <= desiredSize <= maxSize';
      if (min > max)
        report('eks.systemNodeGroup.minSize', min, `is above maxSize (${max}). ${fix}`);
      if (!Number.isInteger(desired) || desired < min || desired > max) {
        report(
          'eks.systemNodeGroup.desiredSize',
          desired,
          `must lie between minSize (${min}) and maxSize (${max}). ${fix}`,
        );
      }
    },
  ),
  instanceTypesMatchAmi: rule(
    ['eks.systemNodeGroup.amiType', 'eks.systemNodeGroup.instanceTypes'],
    ({ eks }, report) => {
      const { amiType, instanceTypes } = eks.systemNodeGroup;
      const [arch, other] =
        amiType === 'AL2023_ARM_64_STANDARD'
          ? (['arm64', 'x86_64'] as const)
          : (['x86_64', 'arm64'] as const);
      instanceTypes.forEach((type, i) => {
        if (!INSTANCE_FAMILIES[other].includes(instanceFamily(type) ?? '')) return;
        const message = `is an ${other} type, but amiType ${amiType} is ${arch}. Fix: use a ${arch} family (${INSTANCE_FAMILIES[arch].slice(0, 4).join(', ')}, …) or change amiType`;
        report(`eks.systemNodeGroup.instanceTypes[${i}]`, type, message);
      });
    },
  ),
  storageWithinMaximum: rule(
    ['rds.allocatedStorageGiB', 'rds.maxAllocatedStorageGiB'],
    ({ rds }, report) => {
      if (rds.allocatedStorageGiB <= rds.maxAllocatedStorageGiB) return;
      const message = `is above the autoscaling maximum maxAllocatedStorageGiB (${rds.maxAllocatedStorageGiB}). Fix: raise maxAllocatedStorageGiB or lower allocatedStorageGiB`;
      report('rds.allocatedStorageGiB', rds.allocatedStorageGiB, message);
    },
  ),
  prodMultiAzDatabase: inProd(
    'rds.multiAz',
    (on: boolean) => on,
    'must be true in prod: a single-AZ database is down until restored when its zone fails. Fix: set multiAz: true; single-AZ is a cost trade-off reserved for test',
  ),
  prodDeletionProtection: inProd(
    'rds.deletionProtection',
    (on: boolean) => on,
    'must be true in prod. Fix: set deletionProtection: true',
  ),
  prodBackups: inProd(
    'rds.backupRetentionDays',
    (days: number) => Number.isInteger(days) && days >= 7 && days <= 35,
    'must be 7 to 35 days in prod (point-in-time recovery needs backups). Fix: use 14',
  ),
  windowsApart: rule(
    ['rds.backupWindow', 'rds.maintenanceWindow'],
    ({ rds: { backupWindow, maintenanceWindow } }, report) => {
      const message = `overlaps the backup window ${backupWindow}. Fix: move one of them; RDS refuses overlapping windows`;
      if (windowsOverlap(backupWindow, maintenanceWindow))
        report('rds.maintenanceWindow', maintenanceWindow, message);
    },
  ),
  windowsLastHalfHour: rule(['rds.backupWindow', 'rds.maintenanceWindow'], ({ rds }, report) =>
    (['backupWindow', 'maintenanceWindow'] as const).forEach((key) => {
      const [, length] = windowSpan(rds[key], key === 'backupWindow') ?? [0, 30];
      const message = `lasts ${length} minutes, and RDS requires at least 30. Fix: widen it to 30 minutes or more`;
      if (length < 30) report(`rds.${key}`, rds[key], message);
    }),
  ),
  prodDatabaseLogRetention: prodLogRetention('rds.logRetentionDays'),
  prodAlarmRecipients: inProd(
    'rds.alarmEmails',
    (emails: readonly string[]) => emails.length > 0,
    'must name at least one recipient in prod: alarms nobody receives protect nothing. Fix: add the on-call list address',
  ),
  prodAcceptsNoTradeoffs: rule(['name', 'policy.acceptedTradeoffs'], ({ name, policy }, report) => {
    const message =
      'is a cost trade-off, and prod accepts none. Fix: remove it and make the prod setting highly available';
    if (isProduction(name))
      policy.acceptedTradeoffs.forEach((t, i) =>
        report(`policy.acceptedTradeoffs[${i}]`, t, message),
      );
  }),
};

/** Subnet sizes against the VPC, explicit blocks against the zones and the VPC, the fit, no overlap. */
function checkSubnetPlan({ availabilityZones: zones, network }: Env, report: Report): void {
  const vpc = parseCidr(network.vpcCidr);
  if (typeof vpc === 'string') return;
  // The slot count is slotsForEveryZone's to report; a plan needs a sound one.
  const reserved = network.reservedAzSlots;
  if (!Number.isInteger(reserved) || reserved < zones.length || reserved > 8) return;
  const slots = Math.max(network.reservedAzSlots, zones.length);
  let fits = true;
  const problem: Report = (...args) => {
    fits = false;
    report(...args);
  };
  for (const tier of SUBNET_TIERS) {
    const { prefixLength: prefix, cidrs } = network.subnets[tier];
    const path = `network.subnets.${tier}`;
    const max = tier === 'private' ? 24 : 28;
    if (!Number.isInteger(prefix) || prefix <= vpc.prefixLength || prefix > max) {
      const why = tier === 'private' ? ' (EKS pods take their IPs from these subnets)' : '';
      const message = `must be a whole number above the VPC's /${vpc.prefixLength} and at most /${max}${why}. Fix: use a value from ${vpc.prefixLength + 1} to ${max}`;
      problem(`${path}.prefixLength`, prefix, message);
    }
    if (cidrs && cidrs.length !== zones.length) {
      const message = `must give exactly one CIDR per availability zone (${zones.length}). Fix: list one block per zone, in the order of availabilityZones, or drop \`cidrs\` to have them computed`;
      problem(`${path}.cidrs`, cidrs, message);
    }
    cidrs?.forEach((cidr, i) => {
      const block = parseCidr(cidr);
      if (typeof block === 'string') return;
      if (!contains(vpc, block)) {
        problem(
          `${path}.cidrs[${i}]`,
          cidr,
          `is not inside the VPC CIDR ${network.vpcCidr}. Fix: pick a block inside the VPC CIDR`,
        );
      } else if (block.prefixLength !== prefix) {
        const message = `has a different prefix length from subnets.${tier}.prefixLength (/${prefix}). Fix: make the two agree`;
        problem(`${path}.cidrs[${i}]`, cidr, message);
      }
    });
  }
  if (!fits) return;
  const plan = planSubnets(network.vpcCidr, zones, network.subnets, network.reservedAzSlots);
  const needed = plan.endAddress - vpc.network;
  if (plan.endAddress > lastAddress(vpc) + 1) {
    const layout = SUBNET_TIERS.map((t) => `${t} /${network.subnets[t].prefixLength}`).join(', ');
    const message = `is too small for the subnets: the layout (${layout}, ${slots} slots per tier) needs ${needed} addresses, the VPC has ${sizeOf(vpc.prefixLength)}. Fix: use a VPC CIDR of /${32 - Math.ceil(Math.log2(needed))} or larger, or smaller subnets (a higher subnets.<tier>.prefixLength)`;
    return report('network.vpcCidr', network.vpcCidr, message);
  }
  const blocks = plan.subnets.map((subnet) => ({ ...subnet, block: mustParseCidr(subnet.cidr) }));
  blocks.forEach((b, j) =>
    blocks.slice(0, j).forEach((a) => {
      if (!overlaps(a.block, b.block)) return;
      const message = `overlaps the ${a.tier} subnet ${a.cidr} (${a.availabilityZone}). Fix: move the ${b.tier} subnets to blocks no other subnet uses; computed tiers are packed from the start of ${network.vpcCidr} in the order ${SUBNET_TIERS.join(', ')}, ${slots} slots each`;
      report(`network.subnets.${b.tier}`, b.cidr, message);
    }),
  );
}

/** How a report names environment `i`: by name, or by place when the name is shared. */
const label = (configs: readonly Env[], i: number): string =>
  configs.filter((c) => c.name === configs[i].name).length === 1
    ? `environments.${configs[i].name}`
    : `environments[${i}]`;

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
};
