import { describe, expect, it } from 'vitest';
import {
  planSubnets,
  type SubnetLayout,
  subnetPlanProblems,
} from '../../../constructs/network/subnet-plan';

const layout: SubnetLayout = {
  private: { prefixLength: 19 },
  public: { prefixLength: 24 },
  database: { prefixLength: 24 },
};

describe('planSubnets', () => {
  it('packs each tier into its own aligned block, a subnet per zone', () => {
    // WHEN
    const plan = planSubnets('10.10.0.0/16', ['a', 'b', 'c'], layout, 4);
    // THEN
    expect(plan.subnets.map((s) => `${s.tier} ${s.availabilityZone} ${s.cidr}`)).toEqual([
      'private a 10.10.0.0/19',
      'private b 10.10.32.0/19',
      'private c 10.10.64.0/19',
      'public a 10.10.128.0/24',
      'public b 10.10.129.0/24',
      'public c 10.10.130.0/24',
      'database a 10.10.132.0/24',
      'database b 10.10.133.0/24',
      'database c 10.10.134.0/24',
    ]);
    expect(plan.endAddress - (10 * 2 ** 24 + 10 * 2 ** 16)).toBe(4 * 8192 + 8 * 256);
  });

  it('keeps existing subnets where they are when a zone is added', () => {
    const before = planSubnets('10.10.0.0/16', ['a', 'b'], layout, 4).subnets;
    const after = planSubnets('10.10.0.0/16', ['a', 'b', 'c'], layout, 4).subnets;
    for (const subnet of before) {
      expect(after).toContainEqual(subnet);
    }
  });

  it('uses explicit CIDRs for a pinned tier and takes no block for it', () => {
    const plan = planSubnets(
      '10.10.0.0/16',
      ['a', 'b'],
      { ...layout, public: { prefixLength: 24, cidrs: ['10.10.250.0/24', '10.10.251.0/24'] } },
      2,
    );
    expect(plan.subnets.filter((s) => s.tier === 'public').map((s) => s.cidr)).toEqual([
      '10.10.250.0/24',
      '10.10.251.0/24',
    ]);
    expect(plan.subnets.filter((s) => s.tier === 'database').map((s) => s.cidr)).toEqual([
      '10.10.64.0/24',
      '10.10.65.0/24',
    ]);
  });
});

describe('subnetPlanProblems', () => {
  const zones = ['a', 'b', 'c'];

  it('finds nothing wrong with a plan that fits', () => {
    expect(subnetPlanProblems('10.10.0.0/16', zones, layout, 4)).toEqual([]);
  });

  it('throws out a slot count below the zones first, and nothing else', () => {
    expect(subnetPlanProblems('10.10.0.0/28', zones, layout, 2)).toEqual([
      {
        path: 'reservedAzSlots',
        value: 2,
        message: 'must be a whole number from the zone count (3) to 8. Fix: set it to 4',
      },
    ]);
  });

  it('reports a VPC too small for the layout once, at the VPC CIDR', () => {
    const problems = subnetPlanProblems('10.10.0.0/18', zones, layout, 4);
    expect(problems.map((p) => p.path)).toEqual(['vpcCidr']);
    expect(problems[0].message).toContain('needs 34816 addresses, the VPC has 16384');
  });

  it('reports each explicit block outside the VPC, and overlaps once the blocks are sound', () => {
    const outside = subnetPlanProblems(
      '10.10.0.0/16',
      ['a'],
      { ...layout, public: { prefixLength: 24, cidrs: ['10.99.0.0/24'] } },
      4,
    );
    expect(outside.map((p) => `${p.path} ${p.value}`)).toEqual([
      'subnets.public.cidrs[0] 10.99.0.0/24',
    ]);
    const overlapping = subnetPlanProblems(
      '10.10.0.0/16',
      ['a'],
      { ...layout, database: { prefixLength: 24, cidrs: ['10.10.0.0/24'] } },
      4,
    );
    expect(overlapping.map((p) => p.message)).toEqual([
      expect.stringMatching(/^overlaps the private subnet 10\.10\.0\.0\/19 \(a\)\. Fix:/),
    ]);
  });
});
