import { describe, expect, it } from 'vitest';
import {
  PlatformNetwork,
  type PlatformNetworkProps,
} from '../../../constructs/network/platform-network';
import {
  expectResource,
  onlyResource,
  resourcesOf,
  synthConstruct,
  type SynthJson,
} from '../../helpers/synth';

const props: PlatformNetworkProps = {
  namePrefix: 'prod',
  accountId: '222222222222',
  region: 'eu-west-1',
  vpcCidr: '10.10.0.0/16',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  subnetLayout: {
    private: { prefixLength: 19 },
    public: { prefixLength: 24 },
    database: { prefixLength: 24 },
  },
  reservedAzSlots: 4,
  natGateways: 'one-per-az',
  flowLogRetentionDays: 365,
  clusterName: 'platform-prod',
};

function synthNetwork(overrides: Partial<PlatformNetworkProps> = {}): SynthJson {
  return synthConstruct(
    (scope) => new PlatformNetwork(scope, 'network', { ...props, ...overrides }),
  );
}

/** Subnets of a tier, keyed by zone. */
function subnets(json: SynthJson, tier: string): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    resourcesOf(json, 'aws_subnet')
      .filter(([, s]) => (s.tags as Record<string, string>).tier === tier)
      .map(([, s]) => [s.availability_zone as string, s]),
  );
}

describe('PlatformNetwork props', () => {
  it('throws when the subnet plan cannot be built, before creating any resource', () => {
    expect(() => synthNetwork({ vpcCidr: '10.10.0.0/18' })).toThrow(
      /^PlatformNetwork network: the subnet plan cannot be built:\n {2}- vpcCidr is too small for the subnets: .*, got "10\.10\.0\.0\/18"\. Fix: use a VPC CIDR of \/16 or larger/,
    );
  });
});

describe('PlatformNetwork', () => {
  const json = synthNetwork();

  it('creates a VPC with DNS support and hostnames', () => {
    expectResource(json, 'aws_vpc', {
      cidr_block: '10.10.0.0/16',
      enable_dns_support: true,
      enable_dns_hostnames: true,
    });
  });

  it('puts a public, a private and a database subnet in every zone, computed from the VPC CIDR', () => {
    for (const [tier, cidrs] of Object.entries({
      private: ['10.10.0.0/19', '10.10.32.0/19', '10.10.64.0/19'],
      public: ['10.10.128.0/24', '10.10.129.0/24', '10.10.130.0/24'],
      database: ['10.10.132.0/24', '10.10.133.0/24', '10.10.134.0/24'],
    })) {
      const byZone = subnets(json, tier);
      expect(Object.keys(byZone).sort()).toEqual(props.availabilityZones);
      expect(props.availabilityZones.map((zone) => byZone[zone].cidr_block)).toEqual(cidrs);
    }
  });

  it('never assigns public IPs on launch, even in public subnets', () => {
    for (const [, subnet] of resourcesOf(json, 'aws_subnet')) {
      expect(subnet.map_public_ip_on_launch).toBe(false);
    }
  });

  it('tags subnets for load balancers and Karpenter discovery', () => {
    for (const subnet of Object.values(subnets(json, 'public'))) {
      expect(subnet.tags).toMatchObject({ 'kubernetes.io/role/elb': '1' });
    }
    for (const subnet of Object.values(subnets(json, 'private'))) {
      expect(subnet.tags).toMatchObject({
        'kubernetes.io/role/internal-elb': '1',
        'karpenter.sh/discovery': 'platform-prod',
      });
    }
    for (const subnet of Object.values(subnets(json, 'database'))) {
      expect(Object.keys(subnet.tags as object)).not.toContain('karpenter.sh/discovery');
      expect(Object.keys(subnet.tags as object)).not.toContain('kubernetes.io/role/elb');
    }
  });

  it('routes the public tier to the internet gateway', () => {
    const [igwName] = resourcesOf(json, 'aws_internet_gateway')[0];
    expectResource(json, 'aws_route', {
      destination_cidr_block: '0.0.0.0/0',
      gateway_id: `\${aws_internet_gateway.${igwName}.id}`,
    });
  });

  it('places a NAT gateway in every zone and routes each private subnet through its own', () => {
    const nats = resourcesOf(json, 'aws_nat_gateway');
    expect(nats).toHaveLength(3);
    expect(resourcesOf(json, 'aws_eip')).toHaveLength(3);
    const natRoutes = resourcesOf(json, 'aws_route').filter(([, r]) => r.nat_gateway_id);
    expect(natRoutes).toHaveLength(3);
    const targets = new Set(natRoutes.map(([, r]) => r.nat_gateway_id));
    expect(targets.size).toBe(3);
    // Each private route table is named for its zone and its NAT gateway is that zone's.
    for (const zone of props.availabilityZones) {
      const [, route] = natRoutes.find(([name]) => name.includes(zone))!;
      const [natName] = nats.find(([name]) => name.includes(zone))!;
      expect(route.nat_gateway_id).toBe(`\${aws_nat_gateway.${natName}.id}`);
    }
  });

  it('with a single NAT gateway, routes every private subnet through it', () => {
    const single = synthNetwork({ natGateways: 'single' });
    expect(resourcesOf(single, 'aws_nat_gateway')).toHaveLength(1);
    const natRoutes = resourcesOf(single, 'aws_route').filter(([, r]) => r.nat_gateway_id);
    expect(natRoutes).toHaveLength(3);
    expect(new Set(natRoutes.map(([, r]) => r.nat_gateway_id)).size).toBe(1);
  });

  it('gives the database tier a route table with no route out of the VPC', () => {
    const [databaseTable] = resourcesOf(json, 'aws_route_table').find(([name]) =>
      name.startsWith('network_database'),
    )!;
    const routes = resourcesOf(json, 'aws_route').filter(([, r]) =>
      String(r.route_table_id).includes(databaseTable),
    );
    expect(routes).toHaveLength(0);
    const associations = resourcesOf(json, 'aws_route_table_association').filter(([, a]) =>
      String(a.route_table_id).includes(databaseTable),
    );
    expect(associations).toHaveLength(3);
  });

  it('has route tables per tier: one public, one per zone for private, one database', () => {
    expect(resourcesOf(json, 'aws_route_table')).toHaveLength(5);
    expect(resourcesOf(json, 'aws_route_table_association')).toHaveLength(9);
  });

  it('strips every rule from the default security group', () => {
    const group = onlyResource(json, 'aws_default_security_group');
    expect(group.ingress).toEqual([]);
    expect(group.egress).toEqual([]);
  });

  it('turns on flow logs and interface endpoints', () => {
    expect(resourcesOf(json, 'aws_flow_log')).toHaveLength(1);
    expect(resourcesOf(json, 'aws_vpc_endpoint')).toHaveLength(2 + 8); // S3 and DynamoDB gateways; 8 interface endpoints;
  });
});
