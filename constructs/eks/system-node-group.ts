import { DataAwsAmi } from '@cdktf/provider-aws/lib/data-aws-ami';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Fn, type ITerraformDependable, Token } from 'cdktf';
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
/** AMI families for the system node group (Amazon Linux 2023). */
/** The release of an AL2023 alias, `al2023@v20260903` → `v20260903`. */
export function amiRelease(alias: string): string {
  const release = /^al2023@(v\d{8})$/.exec(alias)?.[1];
  if (!release) throw new Error(`${alias} is not an AL2023 release alias al2023@vYYYYMMDD`);
  return release;
}

export const SYSTEM_NODE_AMI_TYPES = ['AL2023_x86_64_STANDARD', 'AL2023_ARM_64_STANDARD'] as const;
export type SystemNodeAmiType = (typeof SYSTEM_NODE_AMI_TYPES)[number];

/** Instance families the system node group may use, by architecture. */
export const INSTANCE_FAMILIES: Readonly<Record<'x86_64' | 'arm64', readonly string[]>> = {
  x86_64: 't3 t3a m5 m5a m6i m6a m7i m7a c5 c6i c6a c7i c7a r5 r6i r6a r7i r7a'.split(' '),
  arm64: 't4g m6g m7g m8g c6g c7g c8g r6g r7g r8g'.split(' '),
};

/** The family of an instance type (`m7i` of `m7i.large`), if it has the form of one. */
export const instanceFamily = (type: string): string | undefined =>
  /^([a-z]+\d+[a-z]*)\.(nano|micro|small|medium|large|metal|\d*xlarge)$/.exec(type)?.[1];

export interface SystemNodeSizing {
  /** Instance types, e.g. `m7i.large`; their architecture must match `amiType`. */
  readonly instanceTypes: readonly string[];
  /** EKS AMI type, e.g. `AL2023_x86_64_STANDARD`. */
  readonly amiType: SystemNodeAmiType;
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
   * The cluster's Kubernetes version, `1.35`, as the cluster resource reports it (a reference, so
   * the nodes are upgraded after the control plane, never before).
   */
  readonly kubernetesVersion: string;
  /**
   * The same version as written in the config, for the AMI's parameter path (a reference cannot
   * be part of a data source's name known at plan time).
   */
  readonly configuredKubernetesVersion: string;
  /**
   * The AL2023 AMI release the nodes run, `v20260903` (Karpenter's nodes run the same): its
   * release version for this Kubernetes version is read from the EKS-optimized AMI's public
   * parameter, so raising either rolls the nodes to that release.
   */
  readonly amiRelease: string;
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
 * The launch template requires IMDSv2 with a hop limit of 1, as on Karpenter's nodes: a pod on the
 * pod network cannot reach the node role's credentials (only host-network pods can: vpc-cni,
 * kube-proxy, the Pod Identity agent). The controllers here are given their region (Karpenter,
 * the load balancer controller, ExternalDNS) or fall back to the Kubernetes API (the EBS CSI
 * driver). It gives an encrypted gp3 root volume. No SSH: no key pair, no remote access; use Session Manager.
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
        httpPutResponseHopLimit: 1,
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

    // The release's AMI for this Kubernetes version, by the public parameter Karpenter resolves
    // `al2023@v…` through (`…/<image>/image_id`, amifamily/al2023.go); its description carries
    // the Kubernetes patch version (`(k8s: 1.35.3, containerd: …)`, amazon-eks-ami
    // templates/al2023), and the release version EKS takes is `<patch>-<date>`.
    const arch = props.amiType === 'AL2023_ARM_64_STANDARD' ? 'arm64' : 'x86_64';
    const image = `amazon-eks-node-al2023-${arch}-standard-${props.configuredKubernetesVersion}-${props.amiRelease}`;
    const imageId = new DataAwsSsmParameter(this, 'ami-image-id', {
      name: `/aws/service/eks/optimized-ami/${props.configuredKubernetesVersion}/amazon-linux-2023/${arch}/standard/${image}/image_id`,
    });
    const ami = new DataAwsAmi(this, 'ami', {
      owners: ['amazon'],
      filter: [{ name: 'image-id', values: [imageId.insecureValue] }],
    });
    const releaseVersion = Fn.join('-', [
      Fn.element(Fn.regex('k8s: ([0-9]+[.][0-9]+[.][0-9]+)', ami.description), 0),
      props.amiRelease.slice(1),
    ]);

    this.nodeGroup = new EksNodeGroup(this, 'node-group', {
      clusterName: props.clusterName,
      // A prefix, not a fixed name: changes that replace the group (instance types, AMI type)
      // then create the new group before the old one drains, so the controllers keep nodes.
      nodeGroupNamePrefix: 'system-',
      nodeRoleArn: this.nodeRole.roleArn,
      subnetIds: [...props.subnetIds],
      amiType: props.amiType,
      // Without both, raising the cluster's version upgrades the control plane only, and the
      // nodes keep their kubelet and their AMI is never patched.
      version: props.kubernetesVersion,
      releaseVersion,
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
