import { formatCidr, type Ipv4Cidr, mustParseCidr, sizeOf } from './cidr';

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
 * everything in it. A tier with explicit `cidrs` takes no block; the schema checks those for
 * overlaps with the rest.
 *
 * Does not check that the plan fits the VPC: callers compare `endAddress` with the VPC's end.
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
