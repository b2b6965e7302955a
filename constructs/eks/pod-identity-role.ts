import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument, type PolicyDocument, toJson } from '../iam/policy-document';

/** A Kubernetes service account, the one identity a Pod Identity role trusts. */
export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

export interface PodIdentityRoleProps {
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly accountId: string;
  /** IAM role name. */
  readonly roleName: string;
  readonly serviceAccount: ServiceAccountRef;
  /**
   * The role's own permissions, as an inline policy.
   * @default - none
   */
  readonly policy?: PolicyDocument;
  /**
   * AWS managed policies to attach, for controllers AWS publishes one for (EBS CSI).
   * @default - none
   */
  readonly managedPolicyArns?: readonly string[];
}

/**
 * The trust policy of an EKS Pod Identity role that only one service account of one cluster in
 * this account can assume: EKS Pod Identity sets the cluster ARN, namespace and service account
 * as session tags, and the conditions require all three.
 */
export function podIdentityTrustPolicy(
  accountId: string,
  clusterArn: string,
  serviceAccount: ServiceAccountRef,
): PolicyDocument {
  return policyDocument({
    Sid: 'OneServiceAccountOfOneCluster',
    Effect: 'Allow',
    Principal: { Service: 'pods.eks.amazonaws.com' },
    Action: ['sts:AssumeRole', 'sts:TagSession'],
    Condition: {
      StringEquals: {
        'aws:SourceAccount': accountId,
        'aws:RequestTag/eks-cluster-arn': clusterArn,
        'aws:RequestTag/kubernetes-namespace': serviceAccount.namespace,
        'aws:RequestTag/kubernetes-service-account': serviceAccount.name,
      },
    },
  });
}

/**
 * An IAM role for one Kubernetes service account through EKS Pod Identity: the role, its
 * scoped trust, its permissions, and the pod identity association.
 */
export class PodIdentityRole extends Construct {
  public readonly roleArn: string;
  public readonly roleName: string;
  public readonly trustPolicy: PolicyDocument;
  /** The pod identity association: depend on it to start a controller with credentials. */
  public readonly association: EksPodIdentityAssociation;
  /**
   * Everything a pod needs before it starts: the association and the role's permissions (its
   * inline policy, its managed policies).
   */
  public readonly ready: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    this.trustPolicy = podIdentityTrustPolicy(
      props.accountId,
      props.clusterArn,
      props.serviceAccount,
    );
    const role = new IamRole(this, 'role', {
      name: props.roleName,
      description: `EKS Pod Identity: ${props.serviceAccount.namespace}/${props.serviceAccount.name} on ${props.clusterName}`,
      assumeRolePolicy: toJson(this.trustPolicy),
    });
    if (props.policy) {
      this.ready.push(
        new IamRolePolicy(this, 'policy', {
          name: props.roleName,
          role: role.id,
          policy: toJson(props.policy),
        }),
      );
    }
    (props.managedPolicyArns ?? []).forEach((policyArn, i) => {
      this.ready.push(
        new IamRolePolicyAttachment(this, `managed-policy-${i}`, { role: role.name, policyArn }),
      );
    });
    this.association = new EksPodIdentityAssociation(this, 'association', {
      clusterName: props.clusterName,
      namespace: props.serviceAccount.namespace,
      serviceAccount: props.serviceAccount.name,
      roleArn: role.arn,
    });
    this.ready.push(this.association);
    this.roleArn = role.arn;
    this.roleName = role.name;
  }
}
