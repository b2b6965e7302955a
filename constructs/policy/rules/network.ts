import { each, isOpenCidr, list, type PolicyRule, referencing, type ResourceView } from '../engine';

const LOAD_BALANCER_TAG = 'platform.acme.io/load-balancer';

function openIngress(group: ResourceView): Record<string, unknown>[] {
  return (list(group.config.ingress) as Record<string, unknown>[]).filter(
    (rule) =>
      list(rule.cidr_blocks).some(isOpenCidr) || list(rule.ipv6_cidr_blocks).some(isOpenCidr),
  );
}

export const networkRules: PolicyRule[] = [
  {
    id: 'VPC-001',
    scannerIds: ['CKV2_AWS_11', 'AVD-AWS-0178'],
    title: 'Every VPC has flow logs',
    fix: 'add an aws_flow_log for the VPC (PlatformNetwork does)',
    check: (view) =>
      each(view.of('aws_vpc'), (vpc) =>
        referencing(view, vpc, ['aws_flow_log'], 'vpc_id').length > 0
          ? undefined
          : 'no flow log captures this VPC',
      ),
  },
  {
    id: 'VPC-002',
    scannerIds: ['CKV2_AWS_12'],
    title: "Every VPC's default security group has no rules",
    fix: 'adopt it with aws_default_security_group and empty ingress and egress',
    check: (view) =>
      each(view.of('aws_vpc'), (vpc) => {
        const group = referencing(view, vpc, ['aws_default_security_group'], 'vpc_id')[0];
        if (!group) return 'the default security group is not managed, so it keeps its allow rules';
        const rules = list(group.config.ingress).length + list(group.config.egress).length;
        return rules > 0 ? `the default security group has ${rules} rule(s)` : undefined;
      }),
  },
  {
    id: 'VPC-003',
    scannerIds: ['CKV_AWS_130', 'AVD-AWS-0164'],
    title: 'No public IPs are assigned on launch outside public subnets',
    fix: 'set map_public_ip_on_launch = false',
    check: (view) =>
      each(view.of('aws_subnet'), (s) => {
        const tags = (s.config.tags ?? {}) as Record<string, string>;
        const isPublic = tags.tier === 'public' || tags['kubernetes.io/role/elb'] === '1';
        return s.config.map_public_ip_on_launch === true && !isPublic
          ? 'assigns public IPs on launch in a non-public subnet'
          : undefined;
      }),
  },
  {
    id: 'VPC-004',
    scannerIds: ['CKV_AWS_24', 'CKV_AWS_25', 'CKV_AWS_260', 'AVD-AWS-0107'],
    title: 'No security group admits 0.0.0.0/0, except a load balancer on 80/443',
    fix: `admit a narrower source; a load balancer's group may admit 80/443 if tagged ${LOAD_BALANCER_TAG}=true`,
    check: (view) => [
      ...each(view.of('aws_security_group'), (g) => {
        const tags = (g.config.tags ?? {}) as Record<string, string>;
        const isLoadBalancer = tags[LOAD_BALANCER_TAG] === 'true';
        const bad = openIngress(g).filter(
          (r) =>
            !(
              isLoadBalancer &&
              [80, 443].includes(Number(r.from_port)) &&
              r.from_port === r.to_port
            ),
        );
        return bad.length
          ? `admits ${bad.map((r) => `${String(r.protocol)} ${String(r.from_port)}-${String(r.to_port)}`).join(', ')} from anywhere`
          : undefined;
      }),
      ...each(view.of('aws_vpc_security_group_ingress_rule', 'aws_security_group_rule'), (r) =>
        (r.type === 'aws_security_group_rule' && r.config.type !== 'ingress') ||
        !(
          isOpenCidr(r.config.cidr_ipv4) ||
          isOpenCidr(r.config.cidr_ipv6) ||
          list(r.config.cidr_blocks).some(isOpenCidr)
        )
          ? undefined
          : `admits ${String(r.config.from_port)}-${String(r.config.to_port)} from anywhere`,
      ),
    ],
  },
  {
    id: 'NET-001',
    scannerIds: [],
    title: 'A NAT gateway in every zone, so losing one zone cuts off no other',
    fix: 'set network.natGateways to one-per-az',
    relaxedBy: 'nat-per-az',
    check: (view) => {
      const zones = new Set(view.of('aws_subnet').map((s) => s.config.availability_zone));
      const nats = view.of('aws_nat_gateway');
      return nats.length > 0 && nats.length < zones.size
        ? [{ resource: nats[0], problem: `${nats.length} NAT gateway(s) for ${zones.size} zones` }]
        : [];
    },
  },
  {
    id: 'REL-001',
    scannerIds: [],
    title: 'Production subnets of every tier span at least three zones',
    fix: 'list three or more availability zones for the environment',
    check: (view) => {
      if (!view.production) return [];
      const byTier = new Map<string, ResourceView[]>();
      for (const s of view.of('aws_subnet')) {
        const tier = ((s.config.tags ?? {}) as Record<string, string>).tier ?? 'untiered';
        byTier.set(tier, [...(byTier.get(tier) ?? []), s]);
      }
      return [...byTier.entries()].flatMap(([tier, subnets]) => {
        const zones = new Set(subnets.map((s) => s.config.availability_zone));
        return zones.size < 3
          ? [{ resource: subnets[0], problem: `the ${tier} subnets span ${zones.size} zone(s)` }]
          : [];
      });
    },
  },
];
