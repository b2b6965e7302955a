import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { type ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { NodeRole } from './node-role';

/** The label and taint that reserve the system nodes for the platform's controllers. */
export const SYSTEM_NODE_LABEL = { key: 'platform.acme.io/node-pool', value: 'system' } as const;
export const SYSTEM_NODE_TAINT = {
  key: 'CriticalAddonsOnly',
  value: 'true',
  effect: 'NO_SCHEDULE',
} as const;

/** What the system nodes are and how many. */
export interface SystemNodeSizing {
  /** Instance types, e.g. `m7i.large`; their architecture must match `amiType`. */
  readonly instanceTypes: readonly string[];
  /** EKS AMI type, e.g. `AL2023_x86_64_STANDARD`. */
  readonly amiType: string;
  readonly minSize: number;
  readonly maxSize: number;
  /** Set at creation only; scaling changes it afterwards. */
  readonly desiredSize: number;
  /** Root volume size (gp3, encrypted). */
  readonly diskSizeGiB: number;
}

export interface SystemNodeGroupProps extends SystemNodeSizing {
  readonly clusterName: string;
  readonly accountId: string;
  /** Private subnets of every zone: the group spreads over all of them. */
  readonly subnetIds: readonly string[];
  /**
   * What must exist before nodes launch (the networking add-ons).
   * @default - nothing
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * A managed node group for the platform's own controllers (CoreDNS, Karpenter, the load
 * balancer controller, …) over every zone. Application pods stay off it: the nodes carry the
 * `CriticalAddonsOnly` taint, which those controllers tolerate and workloads do not; Karpenter
 * provisions the nodes applications run on.
 *
 * The launch template requires IMDSv2 with a hop limit of 2 (containers reach IMDS through the
 * extra hop of the pod network; 1 would cut off add-ons that read instance metadata) and gives
 * an encrypted gp3 root volume. No SSH: no key pair, no remote access; use Session Manager.
 */
export class SystemNodeGroup extends Construct {
  public readonly nodeGroup: EksNodeGroup;
  public readonly nodeRole: NodeRole;

  constructor(scope: Construct, id: string, props: SystemNodeGroupProps) {
    super(scope, id);
    this.nodeRole = new NodeRole(this, 'node-role', {
      roleName: `${props.clusterName}-system-nodes`,
      accountId: props.accountId,
    });

    const launchTemplate = new LaunchTemplate(this, 'launch-template', {
      name: `${props.clusterName}-system`,
      description: `System nodes of ${props.clusterName}`,
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 2,
        instanceMetadataTags: 'disabled',
      },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: props.diskSizeGiB,
            volumeType: 'gp3',
            encrypted: 'true',
            deleteOnTermination: 'true',
          },
        },
      ],
      monitoring: { enabled: true },
      tagSpecifications: [
        { resourceType: 'instance', tags: { Name: `${props.clusterName}-system` } },
        { resourceType: 'volume', tags: { Name: `${props.clusterName}-system` } },
      ],
    });

    this.nodeGroup = new EksNodeGroup(this, 'node-group', {
      clusterName: props.clusterName,
      // A prefix, not a fixed name: changes that replace the group (instance types, AMI type)
      // then create the new group before the old one drains, so the controllers keep nodes.
      nodeGroupNamePrefix: 'system-',
      nodeRoleArn: this.nodeRole.roleArn,
      subnetIds: [...props.subnetIds],
      amiType: props.amiType,
      capacityType: 'ON_DEMAND',
      instanceTypes: [...props.instanceTypes],
      scalingConfig: {
        minSize: props.minSize,
        maxSize: props.maxSize,
        desiredSize: props.desiredSize,
      },
      updateConfig: { maxUnavailable: 1 },
      launchTemplate: {
        id: launchTemplate.id,
        version: Token.asString(launchTemplate.latestVersion),
      },
      labels: { [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value },
      taint: [{ ...SYSTEM_NODE_TAINT }],
      nodeRepairConfig: { enabled: true },
      // Karpenter and upgrades change the size; Terraform sets it at creation only.
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'], createBeforeDestroy: true },
      ...(props.dependsOn ? { dependsOn: [...props.dependsOn] } : {}),
    });
  }
}
