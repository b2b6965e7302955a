import {
  contains,
  formatCidr,
  type Ipv4Cidr,
  lastAddress,
  mustParseCidr,
  overlaps,
  parseCidr,
  sizeOf,
} from './cidr';

/** The three subnet tiers of the platform VPC, in allocation order. */
export const SUBNET_TIERS = ['private', 'public', 'database'] as const;
export type SubnetTier = (typeof SUBNET_TIERS)[number];

/** How one tier's subnets are sized, or pinned to an existing IP plan. */
export interface SubnetTierLayout {
  /** Prefix length of every subnet of the tier, e.g. 19 for a /19. */
  readonly prefixLength: number;
  /**
   * Explicit CIDRs, one per availability zone in the same order, for a VPC whose IP plan
   * already exists.
   * @default - computed from the VPC CIDR (see {@link planSubnets})
   */
  readonly cidrs?: readonly string[];
}

export type SubnetLayout = Readonly<Record<SubnetTier, SubnetTierLayout>>;

export interface PlannedSubnet {
  readonly tier: SubnetTier;
  readonly availabilityZone: string;
  readonly cidr: string;
}

export interface SubnetPlan {
  readonly subnets: readonly PlannedSubnet[];
  /** First address after the last computed block: how much of the VPC the plan uses. */
  readonly endAddress: number;
}

/**
 * Lays the subnets out inside the VPC CIDR.
 *
 * Each computed tier gets one aligned block of `reservedAzSlots` subnets, tiers in
 * {@link SUBNET_TIERS} order. Reserving slots beyond today's AZ count keeps every existing
 * subnet's CIDR stable when a zone is added later: a changed CIDR would replace the subnet and
 * everything in it. A tier with explicit `cidrs` takes no block.
 *
 * Does not check the plan: {@link subnetPlanProblems} does.
 */
export function planSubnets(
  vpcCidr: string,
  availabilityZones: readonly string[],
  layout: SubnetLayout,
  reservedAzSlots: number,
): SubnetPlan {
  const vpc = mustParseCidr(vpcCidr);
  const slots = Math.max(reservedAzSlots, availabilityZones.length);
  let cursor = vpc.network;
  const subnets: PlannedSubnet[] = [];
  for (const tier of SUBNET_TIERS) {
    const tierLayout = layout[tier];
    if (tierLayout.cidrs) {
      tierLayout.cidrs.forEach((cidr, i) =>
        subnets.push({ tier, availabilityZone: availabilityZones[i], cidr }),
      );
      continue;
    }
    const size = sizeOf(tierLayout.prefixLength);
    cursor = Math.ceil(cursor / size) * size;
    availabilityZones.forEach((availabilityZone, i) => {
      const block: Ipv4Cidr = { network: cursor + i * size, prefixLength: tierLayout.prefixLength };
      subnets.push({ tier, availabilityZone, cidr: formatCidr(block) });
    });
    cursor += slots * size;
  }
  return { subnets, endAddress: cursor };
}

/** A problem of a subnet plan: a path as the environment names it (`subnets.public.cidrs[0]`). */
export interface SubnetPlanProblem {
  readonly path: string;
  readonly value: unknown;
  /** `<problem>. Fix: <fix>` */
  readonly message: string;
}

/**
 * Whether the plan can be built: the slot count, each tier's size and explicit blocks against
 * the zones and the VPC, then the fit and overlaps. A later check waits for the earlier ones, so
 * one mistake gives one problem. A malformed VPC CIDR gives none: it is its parser's to report.
 */
export function subnetPlanProblems(
  vpcCidr: string,
  zones: readonly string[],
  layout: SubnetLayout,
  reservedAzSlots: number,
): SubnetPlanProblem[] {
  const vpc = parseCidr(vpcCidr);
  const slots = reservedAzSlots;
  if (!Number.isInteger(slots) || slots < zones.length || slots > 8) {
    const message = `must be a whole number from the zone count (${zones.length}) to 8. Fix: set it to ${Math.min(8, Math.max(4, zones.length))}`;
    return [{ path: 'reservedAzSlots', value: slots, message }];
  }
  if (typeof vpc === 'string') return [];
  const problems: SubnetPlanProblem[] = [];
  const problem = (path: string, value: unknown, message: string) =>
    problems.push({ path, value, message });
  for (const tier of SUBNET_TIERS) {
    const { prefixLength: prefix, cidrs } = layout[tier];
    const [path, max] = [`subnets.${tier}`, tier === 'private' ? 24 : 28];
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
      if (typeof block === 'string') return; // the parser's to report
      if (!contains(vpc, block)) {
        const message = `is not inside the VPC CIDR ${vpcCidr}. Fix: pick a block inside the VPC CIDR`;
        problem(`${path}.cidrs[${i}]`, cidr, message);
      } else if (block.prefixLength !== prefix) {
        const message = `has a different prefix length from subnets.${tier}.prefixLength (/${prefix}). Fix: make the two agree`;
        problem(`${path}.cidrs[${i}]`, cidr, message);
      }
    });
  }
  if (problems.length > 0) return problems;
  const plan = planSubnets(vpcCidr, zones, layout, slots);
  const needed = plan.endAddress - vpc.network;
  if (plan.endAddress > lastAddress(vpc) + 1) {
    const tiers = SUBNET_TIERS.map((t) => `${t} /${layout[t].prefixLength}`).join(', ');
    const message = `is too small for the subnets: the layout (${tiers}, ${slots} slots per tier) needs ${needed} addresses, the VPC has ${sizeOf(vpc.prefixLength)}. Fix: use a VPC CIDR of /${32 - Math.ceil(Math.log2(needed))} or larger, or smaller subnets (a higher subnets.<tier>.prefixLength)`;
    return [{ path: 'vpcCidr', value: vpcCidr, message }];
  }
  const blocks = plan.subnets.map((subnet) => ({ ...subnet, block: mustParseCidr(subnet.cidr) }));
  blocks.forEach((b, j) =>
    blocks.slice(0, j).forEach((a) => {
      const message = `overlaps the ${a.tier} subnet ${a.cidr} (${a.availabilityZone}). Fix: move the ${b.tier} subnets to blocks no other subnet uses; computed tiers are packed from the start of ${vpcCidr} in the order ${SUBNET_TIERS.join(', ')}, ${slots} slots each`;
      if (overlaps(a.block, b.block)) problem(`subnets.${b.tier}`, b.cidr, message);
    }),
  );
  return problems;
}
