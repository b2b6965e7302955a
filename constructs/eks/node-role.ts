import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { serviceTrustPolicy, toJson } from '../iam/policy-document';

/** AWS managed policies an EKS worker node needs, and no more. */
export const NODE_MANAGED_POLICIES: readonly string[] = [
  'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
  // The VPC CNI runs with the node's role so that nodes get pod networking before any other
  // credential path exists; the policy only manages ENIs and addresses.
  'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
  'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly',
  // Session Manager instead of SSH: no key pairs, no port 22.
  'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
];

export interface NodeRoleProps {
  readonly roleName: string;
  readonly accountId: string;
}

/** The IAM role EC2 worker nodes run as. */
export class NodeRole extends Construct {
  public readonly roleArn: string;
  public readonly roleName: string;

  constructor(scope: Construct, id: string, props: NodeRoleProps) {
    super(scope, id);
    const role = new IamRole(this, 'role', {
      name: props.roleName,
      description: 'EKS worker nodes',
      assumeRolePolicy: toJson(serviceTrustPolicy('ec2.amazonaws.com', props.accountId)),
    });
    NODE_MANAGED_POLICIES.forEach((policyArn) => {
      new IamRolePolicyAttachment(this, policyArn.split('/').pop()!, {
        role: role.name,
        policyArn,
      });
    });
    this.roleArn = role.arn;
    this.roleName = role.name;
  }
}
