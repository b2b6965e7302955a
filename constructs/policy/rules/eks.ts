import { block, each, isOpenCidr, list, type PolicyRule } from '../engine';

export const CONTROL_PLANE_LOG_TYPES = [
  'api',
  'audit',
  'authenticator',
  'controllerManager',
  'scheduler',
];

/** EKS rules; `supportedVersions` are the Kubernetes versions in EKS standard support. */
export function eksRules(supportedVersions: readonly string[]): PolicyRule[] {
  return [
    {
      id: 'EKS-001',
      scannerIds: ['AVD-AWS-0040'],
      title: 'EKS clusters have the private endpoint on',
      fix: 'set vpc_config.endpoint_private_access = true',
      check: (view) =>
        each(view.of('aws_eks_cluster'), (c) =>
          block(c.config.vpc_config)?.endpoint_private_access === true
            ? undefined
            : 'the private endpoint is off',
        ),
    },
    {
      id: 'EKS-002',
      scannerIds: ['CKV_AWS_39', 'AVD-AWS-0040'],
      title:
        'EKS clusters have the public endpoint off (or allow-listed, as a named test trade-off)',
      fix: 'leave eks.publicAccessCidrs empty',
      relaxedBy: 'public-endpoint-allow-list',
      check: (view) =>
        each(view.of('aws_eks_cluster'), (c) => {
          const vpc = block(c.config.vpc_config);
          return vpc?.endpoint_public_access === false ? undefined : 'the public endpoint is on';
        }),
    },
    {
      id: 'EKS-003',
      scannerIds: ['CKV_AWS_38', 'AVD-AWS-0041'],
      title: 'An EKS public endpoint is never open to 0.0.0.0/0',
      fix: 'list the ranges that need the API in eks.publicAccessCidrs, or turn the public endpoint off',
      check: (view) =>
        each(view.of('aws_eks_cluster'), (c) => {
          const vpc = block(c.config.vpc_config);
          if (vpc?.endpoint_public_access === false) return undefined;
          const cidrs = list(vpc?.public_access_cidrs);
          return cidrs.length === 0 || cidrs.some(isOpenCidr)
            ? 'the public endpoint is open to 0.0.0.0/0'
            : undefined;
        }),
    },
    {
      id: 'EKS-004',
      scannerIds: ['CKV_AWS_58', 'AVD-AWS-0039'],
      title: 'EKS secrets are envelope-encrypted with a KMS key',
      fix: 'set encryption_config { resources = ["secrets"], provider.key_arn = <our key> }',
      check: (view) =>
        each(view.of('aws_eks_cluster'), (c) => {
          const encryption = block(c.config.encryption_config);
          return list(encryption?.resources).includes('secrets') &&
            block(encryption?.provider)?.key_arn
            ? undefined
            : 'secrets are not envelope-encrypted';
        }),
    },
    {
      id: 'EKS-005',
      scannerIds: ['CKV_AWS_37', 'AVD-AWS-0038'],
      title: 'EKS clusters log all five control-plane log types',
      fix: `set enabled_cluster_log_types to ${CONTROL_PLANE_LOG_TYPES.join(', ')}`,
      check: (view) =>
        each(view.of('aws_eks_cluster'), (c) => {
          const enabled = list(c.config.enabled_cluster_log_types);
          const missing = CONTROL_PLANE_LOG_TYPES.filter((t) => !enabled.includes(t));
          return missing.length
            ? `control-plane log types missing: ${missing.join(', ')}`
            : undefined;
        }),
    },
    {
      id: 'EKS-006',
      scannerIds: ['CKV_AWS_79', 'CKV_AWS_341', 'AVD-AWS-0028'],
      title: 'Launch templates require IMDSv2 with a hop limit of at most 2',
      fix: 'set metadata_options { http_tokens = "required", http_put_response_hop_limit <= 2 }',
      check: (view) =>
        each(view.of('aws_launch_template'), (t) => {
          const md = block(t.config.metadata_options);
          if (md?.http_tokens !== 'required') return 'IMDSv2 is not required';
          const hops = Number(md.http_put_response_hop_limit ?? 1);
          return hops > 2 ? `the metadata hop limit is ${hops}` : undefined;
        }),
    },
    {
      id: 'EKS-007',
      scannerIds: ['CKV_AWS_100'],
      title: 'Node groups allow no SSH remote access',
      fix: 'remove remote_access; use Session Manager',
      check: (view) =>
        each(view.of('aws_eks_node_group'), (g) =>
          g.config.remote_access ? 'SSH remote access is configured' : undefined,
        ),
    },
    {
      id: 'EKS-008',
      scannerIds: [],
      title: 'EKS clusters use access entries only, without implicit admin for the creator',
      fix: 'set access_config { authentication_mode = "API", bootstrap_cluster_creator_admin_permissions = false }',
      check: (view) =>
        each(view.of('aws_eks_cluster'), (c) => {
          const access = block(c.config.access_config);
          if (access?.authentication_mode !== 'API')
            return `authentication mode is ${String(access?.authentication_mode ?? 'CONFIG_MAP (default)')}`;
          return access.bootstrap_cluster_creator_admin_permissions === false
            ? undefined
            : 'the cluster creator is made admin';
        }),
    },
    {
      id: 'EKS-009',
      scannerIds: [],
      title: 'The VPC CNI enforces Kubernetes NetworkPolicies',
      fix: 'set the vpc-cni add-on configuration {"enableNetworkPolicy": "true"}',
      check: (view) =>
        each(
          view.of('aws_eks_addon').filter((a) => a.config.addon_name === 'vpc-cni'),
          (a) => {
            let config: Record<string, unknown> = {};
            try {
              config = JSON.parse(String(a.config.configuration_values ?? '{}')) as Record<
                string,
                unknown
              >;
            } catch {
              return 'configuration_values is not JSON';
            }
            return config.enableNetworkPolicy === 'true'
              ? undefined
              : 'network policy enforcement is off';
          },
        ),
    },
    {
      id: 'EKS-010',
      scannerIds: ['CKV_AWS_339'],
      title: 'EKS clusters pin a Kubernetes version in standard support',
      fix: `pin one of ${supportedVersions.join(', ')}`,
      check: (view) =>
        each(view.of('aws_eks_cluster'), (c) =>
          supportedVersions.includes(String(c.config.version))
            ? undefined
            : `version ${String(c.config.version ?? '(unpinned)')} is not pinned to one in standard support`,
        ),
    },
    {
      id: 'REL-002',
      scannerIds: [],
      title: 'Production node groups span at least three zones',
      fix: 'give the node group a subnet in each of three or more zones',
      check: (view) =>
        view.production
          ? each(view.of('aws_eks_node_group'), (g) => {
              const subnets = list(g.config.subnet_ids).length;
              return subnets < 3 ? `spans ${subnets} subnet(s)` : undefined;
            })
          : [],
    },
  ];
}
