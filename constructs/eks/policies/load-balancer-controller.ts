import { policyDocument, type PolicyDocument } from '../../iam/policy-document';

/**
 * The AWS Load Balancer Controller's IAM policy as the project publishes it
 * (kubernetes-sigs/aws-load-balancer-controller, docs/install/iam_policy.json, v2.x), as a typed
 * document. Writes on `*` are conditioned on the controller's own cluster tags, as upstream
 * does; the unconditioned ones are those the controller needs before a resource is tagged.
 * Keep it in step with the controller version installed by eks-k8s.
 */
export function loadBalancerControllerPolicy(): PolicyDocument {
  const ingressTagged = { Null: { 'aws:ResourceTag/ingress.k8s.aws/cluster': 'false' } };
  const serviceTagged = { Null: { 'aws:ResourceTag/service.k8s.aws/cluster': 'false' } };
  const modifyActions = [
    'elasticloadbalancing:ModifyLoadBalancerAttributes',
    'elasticloadbalancing:SetIpAddressType',
    'elasticloadbalancing:SetSubnets',
    'elasticloadbalancing:DeleteLoadBalancer',
    'elasticloadbalancing:ModifyTargetGroup',
    'elasticloadbalancing:ModifyTargetGroupAttributes',
    'elasticloadbalancing:RegisterTargets',
    'elasticloadbalancing:DeregisterTargets',
    'elasticloadbalancing:DeleteTargetGroup',
  ];
  return policyDocument(
    {
      Sid: 'DescribeForDiscovery',
      Effect: 'Allow',
      Action: [
        'iam:CreateServiceLinkedRole',
        'ec2:DescribeAccountAttributes',
        'ec2:DescribeAddresses',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeVpcs',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeTags',
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
      Action: 'ec2:CreateSecurityGroup',
      Resource: '*',
    },
    {
      Sid: 'TagNewSecurityGroup',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: '*',
      Condition: {
        StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' },
        Null: { 'aws:RequestTag/ingress.k8s.aws/cluster': 'false' },
      },
    },
    {
      Sid: 'RetagOwnSecurityGroups',
      Effect: 'Allow',
      Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
      Resource: '*',
      Condition: {
        Null: {
          'aws:RequestTag/ingress.k8s.aws/cluster': 'true',
          'aws:ResourceTag/ingress.k8s.aws/cluster': 'false',
        },
      },
    },
    {
      Sid: 'ManageOwnSecurityGroups',
      Effect: 'Allow',
      Action: [
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:DeleteSecurityGroup',
      ],
      Resource: '*',
      Condition: ingressTagged,
    },
    {
      Sid: 'CreateTaggedLoadBalancers',
      Effect: 'Allow',
      Action: 'elasticloadbalancing:CreateLoadBalancer',
      Resource: '*',
      Condition: {
        'ForAnyValue:StringEquals': {
          'aws:TagKeys': ['ingress.k8s.aws/cluster', 'service.k8s.aws/cluster'],
        },
      },
    },
    {
      Sid: 'ManageListenersRulesTargetGroups',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteRule',
        'elasticloadbalancing:CreateTargetGroup',
      ],
      Resource: '*',
    },
    {
      Sid: 'RetagOwnIngressLoadBalancers',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: 'arn:aws:elasticloadbalancing:*:*:loadbalancer/*',
      Condition: {
        Null: {
          'aws:RequestTag/ingress.k8s.aws/cluster': 'true',
          'aws:ResourceTag/ingress.k8s.aws/cluster': 'false',
        },
      },
    },
    {
      Sid: 'RetagOwnServiceLoadBalancers',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: 'arn:aws:elasticloadbalancing:*:*:loadbalancer/*',
      Condition: {
        Null: {
          'aws:RequestTag/service.k8s.aws/cluster': 'true',
          'aws:ResourceTag/service.k8s.aws/cluster': 'false',
        },
      },
    },
    {
      Sid: 'TagTargetGroups',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: 'arn:aws:elasticloadbalancing:*:*:targetgroup/*',
    },
    {
      Sid: 'ModifyOwnIngressLoadBalancers',
      Effect: 'Allow',
      Action: [...modifyActions, 'elasticloadbalancing:SetSecurityGroups'],
      Resource: '*',
      Condition: ingressTagged,
    },
    {
      Sid: 'ModifyOwnServiceLoadBalancers',
      Effect: 'Allow',
      Action: modifyActions,
      Resource: '*',
      Condition: serviceTagged,
    },
    {
      Sid: 'ModifyListenersAndRules',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates',
        'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:SetWebAcl',
      ],
      Resource: '*',
    },
  );
}
