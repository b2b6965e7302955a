import { policyDocument, type PolicyDocument } from '../../iam/policy-document';

export interface KarpenterControllerPolicyProps {
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly region: string;
  readonly accountId: string;
  /** The role Karpenter's nodes run as; the only role it may pass. */
  readonly nodeRoleArn: string;
  readonly interruptionQueueArn: string;
}

/**
 * The Karpenter version whose published policy this is; eks-k8s must install this one. Upgrade
 * the two together, checking the policy against that version's getting-started CloudFormation
 * template (__tests__/fixtures/upstream-policies.ts holds the reference the tests compare with).
 */
export const KARPENTER_VERSION = '1.14.1';

/**
 * The Karpenter versions an environment may run: those whose published policy is
 * {@link karpenterControllerPolicy}'s (each checked against its upstream digest). An upgrade adds
 * the new version here first, so test can run it while prod stays on the one before; a version
 * leaves once no environment runs it.
 */
export const KARPENTER_POLICY_VERSIONS: readonly string[] = [KARPENTER_VERSION];

/**
 * Karpenter's controller policy as the project publishes it for {@link KARPENTER_VERSION}
 * (getting-started CloudFormation template, the KarpenterController*Policy documents), as one
 * typed document: instance, launch template and instance profile writes are scoped to resources
 * tagged for this cluster and a node pool, reads to this region, `iam:PassRole` to the node role.
 */
export function karpenterControllerPolicy(props: KarpenterControllerPolicyProps): PolicyDocument {
  const { clusterName, region, accountId } = props;
  const ec2 = (resource: string, account = '*'): string =>
    `arn:aws:ec2:${region}:${account}:${resource}`;
  const clusterTag = `kubernetes.io/cluster/${clusterName}`;
  const taggedResources = [
    ec2('fleet/*'),
    ec2('instance/*'),
    ec2('volume/*'),
    ec2('network-interface/*'),
    ec2('launch-template/*'),
    ec2('spot-instances-request/*'),
  ];
  const instanceProfiles = `arn:aws:iam::${accountId}:instance-profile/*`;
  return policyDocument(
    {
      Sid: 'AllowScopedEC2InstanceAccessActions',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
      Resource: [
        ec2('image/*', ''),
        ec2('snapshot/*', ''),
        ec2('security-group/*'),
        ec2('subnet/*'),
        ec2('capacity-reservation/*'),
        ec2('placement-group/*'),
      ],
    },
    {
      Sid: 'AllowScopedEC2LaunchTemplateAccessActions',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
      Resource: ec2('launch-template/*'),
      Condition: {
        StringEquals: { [`aws:ResourceTag/${clusterTag}`]: 'owned' },
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      Sid: 'AllowScopedEC2InstanceActionsWithTags',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      Resource: taggedResources,
      Condition: {
        StringEquals: {
          [`aws:RequestTag/${clusterTag}`]: 'owned',
          'aws:RequestTag/eks:eks-cluster-name': clusterName,
        },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      Sid: 'AllowScopedResourceCreationTagging',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: taggedResources,
      Condition: {
        StringEquals: {
          [`aws:RequestTag/${clusterTag}`]: 'owned',
          'aws:RequestTag/eks:eks-cluster-name': clusterName,
          'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'],
        },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      Sid: 'AllowScopedResourceTagging',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: ec2('instance/*'),
      Condition: {
        StringEquals: { [`aws:ResourceTag/${clusterTag}`]: 'owned' },
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
        StringEqualsIfExists: { 'aws:RequestTag/eks:eks-cluster-name': clusterName },
        'ForAllValues:StringEquals': {
          'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'],
        },
      },
    },
    {
      Sid: 'AllowScopedDeletion',
      Effect: 'Allow',
      Action: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
      Resource: [ec2('instance/*'), ec2('launch-template/*')],
      Condition: {
        StringEquals: { [`aws:ResourceTag/${clusterTag}`]: 'owned' },
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      Sid: 'AllowRegionalReadActions',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeCapacityReservations',
        'ec2:DescribeImages',
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceStatus',
        'ec2:DescribeInstanceTypeOfferings',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplates',
        'ec2:DescribePlacementGroups',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSpotPriceHistory',
        'ec2:DescribeSubnets',
      ],
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': region } },
    },
    {
      Sid: 'AllowSSMReadActions',
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: `arn:aws:ssm:${region}::parameter/aws/service/*`,
    },
    {
      Sid: 'AllowPricingReadActions',
      Effect: 'Allow',
      Action: 'pricing:GetProducts',
      Resource: '*',
    },
    {
      Sid: 'AllowInterruptionQueueActions',
      Effect: 'Allow',
      Action: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      Resource: props.interruptionQueueArn,
    },
    {
      Sid: 'AllowPassingInstanceRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: props.nodeRoleArn,
      // Upstream also lists ec2.amazonaws.com.cn; these stacks are in the aws partition only.
      Condition: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com'] } },
    },
    {
      Sid: 'AllowScopedInstanceProfileCreationActions',
      Effect: 'Allow',
      Action: 'iam:CreateInstanceProfile',
      Resource: instanceProfiles,
      Condition: {
        StringEquals: {
          [`aws:RequestTag/${clusterTag}`]: 'owned',
          'aws:RequestTag/eks:eks-cluster-name': clusterName,
          'aws:RequestTag/topology.kubernetes.io/region': region,
        },
        StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    },
    {
      Sid: 'AllowScopedInstanceProfileTagActions',
      Effect: 'Allow',
      Action: 'iam:TagInstanceProfile',
      Resource: instanceProfiles,
      Condition: {
        StringEquals: {
          [`aws:ResourceTag/${clusterTag}`]: 'owned',
          'aws:ResourceTag/topology.kubernetes.io/region': region,
          [`aws:RequestTag/${clusterTag}`]: 'owned',
          'aws:RequestTag/eks:eks-cluster-name': clusterName,
          'aws:RequestTag/topology.kubernetes.io/region': region,
        },
        StringLike: {
          'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*',
          'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*',
        },
      },
    },
    {
      Sid: 'AllowScopedInstanceProfileActions',
      Effect: 'Allow',
      Action: [
        'iam:AddRoleToInstanceProfile',
        'iam:RemoveRoleFromInstanceProfile',
        'iam:DeleteInstanceProfile',
      ],
      Resource: instanceProfiles,
      Condition: {
        StringEquals: {
          [`aws:ResourceTag/${clusterTag}`]: 'owned',
          'aws:ResourceTag/topology.kubernetes.io/region': region,
        },
        StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    },
    {
      // Instance profile garbage collection lists them on every reconcile; IAM offers no scope.
      Sid: 'AllowUnscopedInstanceProfileListAction',
      Effect: 'Allow',
      Action: 'iam:ListInstanceProfiles',
      Resource: '*',
    },
    {
      Sid: 'AllowInstanceProfileReadActions',
      Effect: 'Allow',
      Action: 'iam:GetInstanceProfile',
      Resource: instanceProfiles,
    },
    {
      Sid: 'AllowZonalShiftStatusReadOnly',
      Effect: 'Allow',
      Action: 'arc-zonal-shift:GetManagedResource',
      Resource: '*',
      Condition: { StringEquals: { 'arc-zonal-shift:ResourceIdentifier': props.clusterArn } },
    },
    {
      Sid: 'AllowAPIServerEndpointDiscovery',
      Effect: 'Allow',
      Action: 'eks:DescribeCluster',
      Resource: props.clusterArn,
    },
  );
}
