import { policyDocument, type PolicyDocument } from '../../iam/policy-document';

/**
 * The controller version whose published policy this is; eks-k8s must install this one (Helm
 * chart 1.17.1 of aws/eks-charts, appVersion v2.17.1); upgrade the two together, checking the
 * policy against that version's `docs/install/iam_policy.json`
 * (__tests__/fixtures/upstream-policies.ts holds the reference the tests compare with).
 */
export const LOAD_BALANCER_CONTROLLER_VERSION = 'v2.17.1';
/** The Helm chart (aws/eks-charts) that installs {@link LOAD_BALANCER_CONTROLLER_VERSION}. */
export const LOAD_BALANCER_CONTROLLER_CHART_VERSION = '1.17.1';

/**
 * The controller's chart versions an environment may run: those whose published policy is
 * {@link loadBalancerControllerPolicy}'s. An upgrade adds the new version here first, so test can
 * run it while prod stays on the one before.
 */
export const LOAD_BALANCER_CONTROLLER_POLICY_VERSIONS: readonly string[] = [
  LOAD_BALANCER_CONTROLLER_CHART_VERSION,
];

/**
 * The AWS Load Balancer Controller's IAM policy exactly as the project publishes it for
 * {@link LOAD_BALANCER_CONTROLLER_VERSION} (kubernetes-sigs/aws-load-balancer-controller,
 * docs/install/iam_policy.json), statement for statement, with Sids added. Writes are
 * conditioned on the v2 controller's cluster tag `elbv2.k8s.aws/cluster` (on the request when it
 * creates, on the resource after); the unconditioned ones are those upstream leaves open
 * (listeners, rules and targets, which carry no tag of their own).
 */
export function loadBalancerControllerPolicy(): PolicyDocument {
  return policyDocument(
    {
      Sid: 'CreateElbServiceLinkedRole',
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: '*',
      Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    },
    {
      Sid: 'DescribeForDiscovery',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeAccountAttributes',
        'ec2:DescribeAddresses',
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeVpcs',
        'ec2:DescribeVpcPeeringConnections',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeTags',
        'ec2:GetCoipPoolUsage',
        'ec2:DescribeCoipPools',
        'ec2:GetSecurityGroupsForVpc',
        'ec2:DescribeIpamPools',
        'ec2:DescribeRouteTables',
        'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:DescribeLoadBalancerAttributes',
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeListenerCertificates',
        'elasticloadbalancing:DescribeSSLPolicies',
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetGroupAttributes',
        'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeTags',
        'elasticloadbalancing:DescribeTrustStores',
        'elasticloadbalancing:DescribeListenerAttributes',
        'elasticloadbalancing:DescribeCapacityReservation',
      ],
      Resource: '*',
    },
    {
      Sid: 'CertificatesWafShield',
      Effect: 'Allow',
      Action: [
        'cognito-idp:DescribeUserPoolClient',
        'acm:ListCertificates',
        'acm:DescribeCertificate',
        'iam:ListServerCertificates',
        'iam:GetServerCertificate',
        'waf-regional:GetWebACL',
        'waf-regional:GetWebACLForResource',
        'waf-regional:AssociateWebACL',
        'waf-regional:DisassociateWebACL',
        'wafv2:GetWebACL',
        'wafv2:GetWebACLForResource',
        'wafv2:AssociateWebACL',
        'wafv2:DisassociateWebACL',
        'shield:GetSubscriptionState',
        'shield:DescribeProtection',
        'shield:CreateProtection',
        'shield:DeleteProtection',
      ],
      Resource: '*',
    },
    {
      Sid: 'ManageSecurityGroupIngress',
      Effect: 'Allow',
      Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
      Resource: '*',
    },
    {
      Sid: 'CreateSecurityGroup',
      Effect: 'Allow',
      Action: ['ec2:CreateSecurityGroup'],
      Resource: '*',
    },
    {
      Sid: 'TagSecurityGroupAtCreation',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: 'arn:aws:ec2:*:*:security-group/*',
      Condition: {
        StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' },
        Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' },
      },
    },
    {
      Sid: 'TagOwnSecurityGroups',
      Effect: 'Allow',
      Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
      Resource: 'arn:aws:ec2:*:*:security-group/*',
      Condition: {
        Null: {
          'aws:RequestTag/elbv2.k8s.aws/cluster': 'true',
          'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false',
        },
      },
    },
    {
      Sid: 'ModifyOwnSecurityGroups',
      Effect: 'Allow',
      Action: [
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:DeleteSecurityGroup',
      ],
      Resource: '*',
      Condition: { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } },
    },
    {
      Sid: 'CreateLoadBalancersAndTargetGroups',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
      Resource: '*',
      Condition: { Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' } },
    },
    {
      Sid: 'ManageListenersAndRules',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteRule',
      ],
      Resource: '*',
    },
    {
      Sid: 'TagOwnLoadBalancersAndTargetGroups',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: [
        'arn:aws:elasticloadbalancing:*:*:targetgroup/*/*',
        'arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*',
        'arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*',
      ],
      Condition: {
        Null: {
          'aws:RequestTag/elbv2.k8s.aws/cluster': 'true',
          'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false',
        },
      },
    },
    {
      Sid: 'TagListenersAndRules',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: [
        'arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*',
        'arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*',
        'arn:aws:elasticloadbalancing:*:*:listener-rule/net/*/*/*',
        'arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*',
      ],
    },
    {
      Sid: 'ModifyOwnLoadBalancersAndTargetGroups',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:SetIpAddressType',
        'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets',
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:ModifyCapacityReservation',
        'elasticloadbalancing:ModifyIpPools',
      ],
      Resource: '*',
      Condition: { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } },
    },
    {
      Sid: 'TagAtCreation',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags'],
      Resource: [
        'arn:aws:elasticloadbalancing:*:*:targetgroup/*/*',
        'arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*',
        'arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*',
      ],
      Condition: {
        StringEquals: {
          'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'],
        },
        Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' },
      },
    },
    {
      Sid: 'RegisterTargets',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      Resource: 'arn:aws:elasticloadbalancing:*:*:targetgroup/*/*',
    },
    {
      Sid: 'ModifyListenersAndRules',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:SetWebAcl',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates',
        'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:SetRulePriorities',
      ],
      Resource: '*',
    },
  );
}
