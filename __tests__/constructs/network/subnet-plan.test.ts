import { describe, expect, it } from 'vitest';
import { planSubnets, type SubnetLayout } from '../../../constructs/network/subnet-plan';

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
