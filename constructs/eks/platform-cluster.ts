import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Ec2Tag } from '@cdktf/provider-aws/lib/ec2-tag';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { serviceTrustPolicy, toJson } from '../iam/policy-document';
import { cloudWatchLogsKeyStatement, EncryptionKey } from '../kms-key';

/** Every control-plane log type EKS offers. */
export const CONTROL_PLANE_LOG_TYPES: readonly string[] = [
  'api',
  'audit',
  'authenticator',
  'controllerManager',
  'scheduler',
];

/**
 * Kubernetes versions in EKS standard support, with the date it ends (docs.aws.amazon.com,
 * "Understand the Kubernetes version lifecycle on EKS"). Add a version when EKS releases it;
 * remove one once its standard support has ended and no environment uses it.
 */
export const EKS_STANDARD_SUPPORT: Readonly<Record<string, string>> = {
  '1.34': '2026-12-02',
  '1.35': '2027-03-27',
};

/** Months of standard support EKS gives each Kubernetes version from its release. */
export const EKS_STANDARD_SUPPORT_MONTHS = 14;

/** When EKS released `version` (`YYYY-MM-DD`): its end of standard support, less 14 months. */
export function eksReleaseDate(version: string): string | undefined {
  const end = EKS_STANDARD_SUPPORT[version];
  if (!end) return undefined;
  const [year, month, day] = end.split('-').map(Number);
  const months = year * 12 + (month - 1) - EKS_STANDARD_SUPPORT_MONTHS;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(months / 12)}-${pad((months % 12) + 1)}-${pad(day)}`;
}

export const CLUSTER_ADMIN_POLICY_ARN =
  'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';
/**
 * get, list and watch on every resource of the cluster, Secrets included (unlike
 * AmazonEKSViewPolicy): Helm keeps its release records in Secrets, so a plan of a helm_release
 * needs to read them.
 */
export const ADMIN_VIEW_POLICY_ARN =
  'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy';

export interface PlatformClusterProps {
  readonly clusterName: string;
  readonly kubernetesVersion: string;
  readonly accountId: string;
  readonly region: string;
  /** Private subnets, one per zone: the control plane's network interfaces go here. */
  readonly subnetIds: readonly string[];
  /** CIDRs allowed to the public endpoint; empty turns the public endpoint off. */
  readonly publicAccessCidrs: readonly string[];
  readonly logRetentionDays: number;
  /** Roles granted cluster admin through access entries. */
  readonly adminRoleArns: readonly string[];
  /**
   * Roles granted read access to every resource, Secrets included (AmazonEKSAdminViewPolicy),
   * through access entries: what a Terraform plan of the in-cluster stacks needs.
   * @default - none
   */
  readonly viewRoleArns?: readonly string[];
}

/**
 * The EKS control plane, hardened:
 * - private endpoint on; public endpoint off, or limited to an allow-list;
 * - Kubernetes secrets envelope-encrypted with a customer-managed key;
 * - every control-plane log type to a log group we create (retention and KMS key ours);
 * - authentication mode API: access entries only, no aws-auth ConfigMap, and the identity that
 *   created the cluster gets no implicit admin;
 * - standard support only (no silent extended-support charges); zonal shift enabled;
 * - an IAM OIDC provider, for tools that still need IRSA (our own roles use Pod Identity).
 * The cluster's primary security group, which EKS attaches to every managed node, is the node
 * security group; it is tagged for Karpenter discovery.
 */
export class PlatformCluster extends Construct {
  public readonly clusterName: string;
  public readonly clusterArn: string;
  public readonly endpoint: string;
  public readonly certificateAuthorityData: string;
  public readonly oidcProviderArn: string;
  public readonly oidcIssuerUrl: string;
  public readonly nodeSecurityGroupId: string;
  /** Key for the cluster's CloudWatch log groups (control plane and workloads). */
  public readonly logsKey: EncryptionKey;
  public readonly cluster: EksCluster;

  constructor(scope: Construct, id: string, props: PlatformClusterProps) {
    super(scope, id);
    const { clusterName, accountId, region } = props;
    const logGroupPrefix = `/aws/eks/${clusterName}/`;

    const role = new IamRole(this, 'cluster-role', {
      name: `${clusterName}-cluster`,
      description: `EKS control plane of ${clusterName}`,
      assumeRolePolicy: toJson(serviceTrustPolicy('eks.amazonaws.com', accountId)),
    });
    const rolePolicy = new IamRolePolicyAttachment(this, 'cluster-policy', {
      role: role.name,
      policyArn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
    });

    const secretsKey = new EncryptionKey(this, 'secrets-key', {
      description: `Envelope encryption of Kubernetes secrets in ${clusterName}`,
      alias: `${clusterName}-secrets`,
      accountId,
    });
    this.logsKey = new EncryptionKey(this, 'logs-key', {
      description: `CloudWatch log groups of ${clusterName}`,
      alias: `${clusterName}-logs`,
      accountId,
      serviceStatements: [
        cloudWatchLogsKeyStatement(
          region,
          `arn:aws:logs:${region}:${accountId}:log-group:${logGroupPrefix}*`,
        ),
      ],
    });

    // EKS writes to /aws/eks/<name>/cluster; creating it first makes its retention and key ours.
    const logGroup = new CloudwatchLogGroup(this, 'control-plane-logs', {
      name: `${logGroupPrefix}cluster`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: this.logsKey.keyArn,
    });

    const publicEndpoint = props.publicAccessCidrs.length > 0;
    this.cluster = new EksCluster(this, 'cluster', {
      name: clusterName,
      version: props.kubernetesVersion,
      roleArn: role.arn,
      vpcConfig: {
        subnetIds: [...props.subnetIds],
        endpointPrivateAccess: true,
        endpointPublicAccess: publicEndpoint,
        ...(publicEndpoint ? { publicAccessCidrs: [...props.publicAccessCidrs] } : {}),
      },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: secretsKey.keyArn } },
      enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      // The networking add-ons are EKS managed add-ons with pinned versions (ClusterAddons).
      bootstrapSelfManagedAddons: false,
      upgradePolicy: { supportType: 'STANDARD' },
      zonalShiftConfig: { enabled: true },
      dependsOn: [logGroup, rolePolicy],
    });
    this.clusterName = this.cluster.name;
    this.clusterArn = this.cluster.arn;
    this.endpoint = this.cluster.endpoint;
    this.certificateAuthorityData = this.cluster.certificateAuthority.get(0).data;
    this.oidcIssuerUrl = this.cluster.identity.get(0).oidc.get(0).issuer;
    this.nodeSecurityGroupId = this.cluster.vpcConfig.clusterSecurityGroupId;

    const oidc = new IamOpenidConnectProvider(this, 'oidc-provider', {
      url: this.oidcIssuerUrl,
      clientIdList: ['sts.amazonaws.com'],
    });
    this.oidcProviderArn = oidc.arn;

    new Ec2Tag(this, 'node-security-group-discovery-tag', {
      resourceId: this.nodeSecurityGroupId,
      key: 'karpenter.sh/discovery',
      value: clusterName,
    });

    props.adminRoleArns.forEach((principalArn, i) => {
      const entry = new EksAccessEntry(this, `admin-access-entry-${i}`, {
        clusterName: this.cluster.name,
        principalArn,
        type: 'STANDARD',
      });
      new EksAccessPolicyAssociation(this, `admin-access-policy-${i}`, {
        clusterName: this.cluster.name,
        principalArn: entry.principalArn,
        policyArn: CLUSTER_ADMIN_POLICY_ARN,
        accessScope: { type: 'cluster' },
      });
    });
    (props.viewRoleArns ?? []).forEach((principalArn, i) => {
      const entry = new EksAccessEntry(this, `view-access-entry-${i}`, {
        clusterName: this.cluster.name,
        principalArn,
        type: 'STANDARD',
      });
      new EksAccessPolicyAssociation(this, `view-access-policy-${i}`, {
        clusterName: this.cluster.name,
        principalArn: entry.principalArn,
        policyArn: ADMIN_VIEW_POLICY_ARN,
        accessScope: { type: 'cluster' },
      });
    });
  }
}
