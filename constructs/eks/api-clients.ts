import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';

export interface ApiClientsProps {
  readonly clusterName: string;
  readonly vpcId: string;
  /** The cluster security group, which the API endpoint's network interfaces carry. */
  readonly clusterSecurityGroupId: string;
}

/**
 * Who may reach the private Kubernetes API from inside the VPC: a security group for the hosts
 * that operate the cluster (an admin instance reached by Session Manager, the CI runner that
 * deploys eks-k8s and the services), and the one rule on the cluster security group that admits
 * HTTPS from it. Nothing else in the VPC reaches the API. Give a host this group beside its own,
 * which carries the rest of its egress: this group's only egress is 443 to the cluster.
 */
export class ApiClients extends Construct {
  public readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: ApiClientsProps) {
    super(scope, id);
    const group = new SecurityGroup(this, 'security-group', {
      name: `${props.clusterName}-api-clients`,
      description: `Operators and CI runners that reach the ${props.clusterName} Kubernetes API`,
      vpcId: props.vpcId,
      tags: { Name: `${props.clusterName}-api-clients` },
    });
    this.securityGroupId = group.id;

    new VpcSecurityGroupIngressRule(this, 'api-from-clients', {
      securityGroupId: props.clusterSecurityGroupId,
      referencedSecurityGroupId: group.id,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'Kubernetes API from operators and CI runners',
    });
    new VpcSecurityGroupEgressRule(this, 'clients-to-api', {
      securityGroupId: group.id,
      referencedSecurityGroupId: props.clusterSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'Kubernetes API',
    });
  }
}
