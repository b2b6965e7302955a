import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { SYSTEM_NODE_LABEL } from './system-node-group';

function managedAddon(
  scope: Construct,
  clusterName: string,
  name: string,
  version: string,
  extra: { configurationValues?: string; dependsOn?: ITerraformDependable[] } = {},
): EksAddon {
  // Conflicts on create are overwritten (the add-on owns its objects); on update, local
  // changes are kept.
  return new EksAddon(scope, name, {
    clusterName,
    addonName: name,
    addonVersion: version,
    resolveConflictsOnCreate: 'OVERWRITE',
    resolveConflictsOnUpdate: 'PRESERVE',
    ...extra,
  });
}

export interface NodeBootstrapAddonsProps {
  readonly clusterName: string;
  readonly vpcCniVersion: string;
  readonly kubeProxyVersion: string;
  readonly podIdentityAgentVersion: string;
}

/**
 * The managed add-ons a node needs to become Ready, installed before any node group: vpc-cni
 * (with Kubernetes NetworkPolicy enforcement on), kube-proxy and the EKS Pod Identity agent.
 */
export class NodeBootstrapAddons extends Construct {
  public readonly vpcCni: EksAddon;
  public readonly kubeProxy: EksAddon;
  public readonly podIdentityAgent: EksAddon;
  /** Everything a node group must wait for. */
  public readonly all: readonly EksAddon[];

  constructor(scope: Construct, id: string, props: NodeBootstrapAddonsProps) {
    super(scope, id);
    this.vpcCni = managedAddon(this, props.clusterName, 'vpc-cni', props.vpcCniVersion, {
      configurationValues: JSON.stringify({ enableNetworkPolicy: 'true' }),
    });
    this.kubeProxy = managedAddon(this, props.clusterName, 'kube-proxy', props.kubeProxyVersion);
    this.podIdentityAgent = managedAddon(
      this,
      props.clusterName,
      'eks-pod-identity-agent',
      props.podIdentityAgentVersion,
    );
    this.all = [this.vpcCni, this.kubeProxy, this.podIdentityAgent];
  }
}

export interface WorkloadAddonsProps {
  readonly clusterName: string;
  readonly corednsVersion: string;
  readonly ebsCsiDriverVersion: string;
  /** The nodes their Deployments schedule on. */
  readonly nodes: ITerraformDependable;
  /** The EBS CSI driver's Pod Identity association, so its controller starts with credentials. */
  readonly ebsCsiIdentity: ITerraformDependable;
}

/** The managed add-ons that run Deployments, installed once the system nodes exist. */
export class WorkloadAddons extends Construct {
  public readonly coredns: EksAddon;
  public readonly ebsCsiDriver: EksAddon;

  constructor(scope: Construct, id: string, props: WorkloadAddonsProps) {
    super(scope, id);
    // On the system nodes only: CoreDNS tolerates their taint but, left to itself, also lands
    // on Karpenter's nodes, which consolidation replaces (spot ones at two minutes' notice).
    this.coredns = managedAddon(this, props.clusterName, 'coredns', props.corednsVersion, {
      configurationValues: JSON.stringify({
        nodeSelector: { [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value },
      }),
      dependsOn: [props.nodes],
    });
    this.ebsCsiDriver = managedAddon(
      this,
      props.clusterName,
      'aws-ebs-csi-driver',
      props.ebsCsiDriverVersion,
      {
        dependsOn: [props.nodes, props.ebsCsiIdentity],
      },
    );
  }
}
