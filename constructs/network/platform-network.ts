import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Construct } from 'constructs';
import { VpcFlowLogs } from './flow-logs';
import { planSubnets, type SubnetLayout, subnetPlanProblems, type SubnetTier } from './subnet-plan';
import { VpcEndpoints } from './vpc-endpoints';

/** `one-per-az` survives a zone failure; `single` saves the cost of the others. */
export const NAT_GATEWAY_LAYOUTS = ['one-per-az', 'single'] as const;
export type NatGatewayLayout = (typeof NAT_GATEWAY_LAYOUTS)[number];

export interface PlatformNetworkProps {
  /** Prefix of every Name tag and named resource, e.g. `test`. */
  readonly namePrefix: string;
  readonly accountId: string;
  readonly region: string;
  readonly vpcCidr: string;
  /** Zones to spread every tier over, in order. */
  readonly availabilityZones: readonly string[];
  readonly subnetLayout: SubnetLayout;
  /** Subnet slots reserved per tier (see `planSubnets`). */
  readonly reservedAzSlots: number;
  readonly natGateways: NatGatewayLayout;
  readonly flowLogRetentionDays: number;
  /** The EKS cluster that will use this VPC; tagged on private subnets for Karpenter discovery. */
  readonly clusterName: string;
  /**
   * Interface endpoint services.
   * @default DEFAULT_INTERFACE_ENDPOINTS
   */
  readonly interfaceEndpoints?: readonly string[];
}

/** The subnets of one tier, in availability zone order. */
export interface SubnetGroup {
  readonly ids: readonly string[];
  readonly cidrs: readonly string[];
  readonly routeTableIds: readonly string[];
}

/**
 * A three-tier VPC over the given zones:
 * - public: load balancers and NAT gateways; routes to the internet gateway; tagged for
 *   internet-facing load balancers. No public IPs are assigned on launch.
 * - private: workloads (EKS nodes and pods); a route table per zone to a NAT gateway (its own
 *   zone's with `one-per-az`); tagged for internal load balancers and Karpenter.
 * - database: isolated; no route out of the VPC at all.
 * Plus flow logs, a default security group with no rules, and VPC endpoints.
 */
export class PlatformNetwork extends Construct {
  public readonly vpcId: string;
  public readonly vpcCidr: string;
  public readonly availabilityZones: readonly string[];
  public readonly publicSubnets: SubnetGroup;
  public readonly privateSubnets: SubnetGroup;
  public readonly databaseSubnets: SubnetGroup;
  public readonly natGatewayIds: readonly string[];
  public readonly endpoints: VpcEndpoints;
  public readonly flowLogs: VpcFlowLogs;

  constructor(scope: Construct, id: string, props: PlatformNetworkProps) {
    super(scope, id);
    const prefix = props.namePrefix;
    const zones = props.availabilityZones;
    const problems = subnetPlanProblems(
      props.vpcCidr,
      zones,
      props.subnetLayout,
      props.reservedAzSlots,
    );
    if (problems.length > 0) {
      // The environment schema reports these with their environment paths; this guards other callers.
      const lines = problems.map(
        (p) =>
          `  - ${p.path} ${p.message.replace('. Fix: ', `, got ${JSON.stringify(p.value)}. Fix: `)}`,
      );
      throw new Error(
        `PlatformNetwork ${id}: the subnet plan cannot be built:\n${lines.join('\n')}`,
      );
    }
    const plan = planSubnets(props.vpcCidr, zones, props.subnetLayout, props.reservedAzSlots);
    const cidrsOf = (tier: SubnetTier): string[] =>
      plan.subnets.filter((s) => s.tier === tier).map((s) => s.cidr);

    const vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.vpcCidr,
      enableDnsSupport: true,
      // Private DNS of interface endpoints and EKS node names need DNS hostnames.
      enableDnsHostnames: true,
      tags: { Name: `${prefix}-vpc` },
    });
    this.vpcId = vpc.id;
    this.vpcCidr = props.vpcCidr;
    this.availabilityZones = zones;

    // Adopt the default security group and leave it with no rules, so nothing that falls back
    // to it gets any traffic.
    new DefaultSecurityGroup(this, 'default-security-group', {
      vpcId: vpc.id,
      ingress: [],
      egress: [],
      tags: { Name: `${prefix}-default-deny-all` },
    });

    const subnetsOf = (tier: SubnetTier, tags: Record<string, string>): Subnet[] =>
      cidrsOf(tier).map(
        (cidr, i) =>
          new Subnet(this, `${tier}-subnet-${zones[i]}`, {
            vpcId: vpc.id,
            cidrBlock: cidr,
            availabilityZone: zones[i],
            mapPublicIpOnLaunch: false,
            tags: { Name: `${prefix}-${tier}-${zones[i]}`, tier, ...tags },
          }),
      );
    const publicSubnets = subnetsOf('public', { 'kubernetes.io/role/elb': '1' });
    const privateSubnets = subnetsOf('private', {
      'kubernetes.io/role/internal-elb': '1',
      'karpenter.sh/discovery': props.clusterName,
    });
    const databaseSubnets = subnetsOf('database', {});

    // Public tier: one route table, default route to the internet gateway.
    const internetGateway = new InternetGateway(this, 'internet-gateway', {
      vpcId: vpc.id,
      tags: { Name: `${prefix}-igw` },
    });
    const publicRouteTable = new RouteTable(this, 'public-route-table', {
      vpcId: vpc.id,
      tags: { Name: `${prefix}-public` },
    });
    new Route(this, 'public-default-route', {
      routeTableId: publicRouteTable.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: internetGateway.id,
    });
    publicSubnets.forEach((subnet, i) => {
      new RouteTableAssociation(this, `public-route-table-association-${zones[i]}`, {
        subnetId: subnet.id,
        routeTableId: publicRouteTable.id,
      });
    });

    // NAT gateways in the public subnets: every zone, or only the first.
    const natZones = props.natGateways === 'one-per-az' ? zones : zones.slice(0, 1);
    const natGateways = natZones.map((zone, i) => {
      const eip = new Eip(this, `nat-eip-${zone}`, {
        domain: 'vpc',
        tags: { Name: `${prefix}-nat-${zone}` },
        dependsOn: [internetGateway],
      });
      return new NatGateway(this, `nat-gateway-${zone}`, {
        allocationId: eip.allocationId,
        subnetId: publicSubnets[i].id,
        connectivityType: 'public',
        tags: { Name: `${prefix}-nat-${zone}` },
        dependsOn: [internetGateway],
      });
    });
    this.natGatewayIds = natGateways.map((nat) => nat.id);

    // Private tier: a route table per zone so a zone's traffic leaves through its own NAT.
    const privateRouteTables = privateSubnets.map((subnet, i) => {
      const zone = zones[i];
      const table = new RouteTable(this, `private-route-table-${zone}`, {
        vpcId: vpc.id,
        tags: { Name: `${prefix}-private-${zone}` },
      });
      new Route(this, `private-default-route-${zone}`, {
        routeTableId: table.id,
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: natGateways[props.natGateways === 'one-per-az' ? i : 0].id,
      });
      new RouteTableAssociation(this, `private-route-table-association-${zone}`, {
        subnetId: subnet.id,
        routeTableId: table.id,
      });
      return table;
    });

    // Database tier: isolated, only the VPC-local route (and the gateway endpoints).
    const databaseRouteTable = new RouteTable(this, 'database-route-table', {
      vpcId: vpc.id,
      tags: { Name: `${prefix}-database` },
    });
    databaseSubnets.forEach((subnet, i) => {
      new RouteTableAssociation(this, `database-route-table-association-${zones[i]}`, {
        subnetId: subnet.id,
        routeTableId: databaseRouteTable.id,
      });
    });

    const group = (subnets: Subnet[], tier: SubnetTier, tables: RouteTable[]): SubnetGroup => ({
      ids: subnets.map((s) => s.id),
      cidrs: cidrsOf(tier),
      routeTableIds: tables.map((t) => t.id),
    });
    this.publicSubnets = group(publicSubnets, 'public', [publicRouteTable]);
    this.privateSubnets = group(privateSubnets, 'private', privateRouteTables);
    this.databaseSubnets = group(databaseSubnets, 'database', [databaseRouteTable]);

    this.flowLogs = new VpcFlowLogs(this, 'flow-logs', {
      vpcId: vpc.id,
      namePrefix: prefix,
      accountId: props.accountId,
      region: props.region,
      retentionInDays: props.flowLogRetentionDays,
    });

    this.endpoints = new VpcEndpoints(this, 'endpoints', {
      namePrefix: prefix,
      region: props.region,
      vpcId: vpc.id,
      vpcCidr: props.vpcCidr,
      subnetIds: this.privateSubnets.ids,
      routeTableIds: [...this.privateSubnets.routeTableIds, ...this.databaseSubnets.routeTableIds],
      ...(props.interfaceEndpoints ? { interfaceServices: props.interfaceEndpoints } : {}),
    });
  }
}
