import { describe, expect, it } from 'vitest';
import { SERVICE_ACCOUNTS } from '../../constructs/eks/service-accounts';
import { prodEnv } from '../helpers/environments';
import { policyOf, resourcesOf, synthEnvironment } from '../helpers/synth';

describe('EksInfraStack', () => {
  const { stacks, read } = synthEnvironment(prodEnv());
  const { eksInfra } = stacks;
  const json = read('eks-infra');
  const network = read('network');

  it('reads the private subnets from the network stack through remote state, not copied ids', () => {
    const remote = Object.values(json.data?.terraform_remote_state ?? {});
    expect(remote.map((r) => (r.config as { key: string }).key).sort()).toEqual([
      'prod/network.tfstate',
      'prod/tfstate.tfstate',
    ]);
    expect(remote[0]).toMatchObject({ backend: 's3' });
    const cluster = resourcesOf(json, 'aws_eks_cluster')[0][1];
    const subnetIds = (cluster.vpc_config as { subnet_ids: string[] }).subnet_ids;
    expect(subnetIds).toHaveLength(3);
    for (const id of subnetIds) {
      expect(id).toMatch(/^\$\{data\.terraform_remote_state\.[^.]+\.outputs\.[^}]+\}$/);
    }
    const crossStack = Object.entries(network.output ?? {})
      .filter(([name]) => name.startsWith('cross-stack-output-'))
      .map(([, o]) => String(o.value));
    expect(crossStack.filter((v) => /aws_subnet\.network_private-subnet/.test(v))).toHaveLength(3);
  });

  it('admits HTTPS to the private API from the operator and runner security group only, and exports it', () => {
    const [clusterName] = resourcesOf(json, 'aws_eks_cluster')[0];
    const rules = resourcesOf(json, 'aws_vpc_security_group_ingress_rule').map(([, r]) => r);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      security_group_id: `\${aws_eks_cluster.${clusterName}.vpc_config[0].cluster_security_group_id}`,
      referenced_security_group_id: expect.stringMatching(/aws_security_group\.api-clients_/),
      from_port: 443,
      to_port: 443,
    });
    expect(rules[0].cidr_ipv4).toBeUndefined();
    expect(String(json.output?.api_client_security_group_id?.value)).toMatch(
      /aws_security_group\.api-clients_/,
    );
  });

  it('starts nodes only after the networking add-ons, and CoreDNS and EBS CSI after the nodes', () => {
    const [nodeGroupName, nodeGroup] = resourcesOf(json, 'aws_eks_node_group')[0];
    const addons: Record<string, { name: string; a: Record<string, unknown> }> = Object.fromEntries(
      resourcesOf(json, 'aws_eks_addon').map(([name, a]) => [a.addon_name, { name, a }]),
    );
    for (const early of ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent']) {
      expect(nodeGroup.depends_on).toContain(`aws_eks_addon.${addons[early].name}`);
    }
    for (const late of ['coredns', 'aws-ebs-csi-driver']) {
      expect(addons[late].a.depends_on).toContain(`aws_eks_node_group.${nodeGroupName}`);
    }
    expect(addons['aws-ebs-csi-driver'].a.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_eks_pod_identity_association\.ebs-csi-driver/),
      ]),
    );
    expect(JSON.parse(String(addons['vpc-cni'].a.configuration_values))).toEqual({
      enableNetworkPolicy: 'true',
    });
    // CoreDNS stays on the system nodes, off the nodes Karpenter consolidates.
    expect(JSON.parse(String(addons.coredns.a.configuration_values))).toEqual({
      nodeSelector: { 'platform.acme.io/node-pool': 'system' },
    });
    expect(
      Object.fromEntries(Object.entries(addons).map(([n, { a }]) => [n, a.addon_version])),
    ).toEqual({
      'vpc-cni': prodEnv().eks.addonVersions.vpcCni,
      'kube-proxy': prodEnv().eks.addonVersions.kubeProxy,
      'eks-pod-identity-agent': prodEnv().eks.addonVersions.podIdentityAgent,
      coredns: prodEnv().eks.addonVersions.coredns,
      'aws-ebs-csi-driver': prodEnv().eks.addonVersions.ebsCsiDriver,
    });
  });

  it('binds a role to each controller service account', () => {
    const bound = resourcesOf(json, 'aws_eks_pod_identity_association').map(
      ([, a]) => `${a.namespace}/${a.service_account}`,
    );
    expect(bound.sort()).toEqual(
      Object.values(SERVICE_ACCOUNTS)
        .map((sa) => `${sa.namespace}/${sa.name}`)
        .sort(),
    );
  });

  it("grants cluster admin to the admin roles and tfstate's CI deploy role, view to its plan role", () => {
    const fromTfstate = (output: string) =>
      new RegExp(
        `^\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-prod-tfstate\\.outputs\\.${output}\\}$`,
      );
    // The name of tfstate's cross-stack output holding a CI role's ARN.
    const tfstateOutputs = Object.entries(read('tfstate').output ?? {});
    const outputFor = (role: string) =>
      tfstateOutputs.find(
        ([name, o]) =>
          name.startsWith('cross-stack-output-') &&
          new RegExp(`^\\$\\{aws_iam_role\\.github-delivery_${role}-role_[^.]+\\.arn\\}$`).test(
            String(o.value),
          ),
      )?.[0] ?? `no output of the ${role} role's ARN`;
    const policyOfEntry = Object.fromEntries(
      resourcesOf(json, 'aws_eks_access_policy_association').map(([, a]) => [
        String(a.principal_arn),
        a.policy_arn,
      ]),
    );
    const principals = resourcesOf(json, 'aws_eks_access_entry')
      .filter(([, e]) => e.type === 'STANDARD')
      .map(([name, e]) => ({ arn: String(e.principal_arn), name }));
    expect(principals.map((p) => p.arn)).toEqual([
      ...prodEnv().eks.adminRoleArns,
      expect.stringMatching(fromTfstate(outputFor('deploy'))),
      expect.stringMatching(fromTfstate(outputFor('plan'))),
    ]);
    // No role ARN written out: the CI roles come from tfstate's state.
    expect(JSON.stringify(json)).not.toMatch(/role\/platform-prod-ci-/);
    const policies = principals.map(
      (p) => policyOfEntry[`\${aws_eks_access_entry.${p.name}.principal_arn}`],
    );
    expect(policies).toEqual([
      'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy',
    ]);
  });

  it('creates a KMS-encrypted workload log group with the configured retention', () => {
    const group = resourcesOf(json, 'aws_cloudwatch_log_group').find(
      ([, g]) => g.name === '/aws/eks/platform-prod/workloads',
    );
    expect(group?.[1]).toMatchObject({
      retention_in_days: 365,
      kms_key_id: expect.stringMatching(/aws_kms_key\.cluster_logs-key/),
    });
  });

  it('exposes typed fields for eks-k8s, rds and the services', () => {
    for (const value of [
      eksInfra.clusterName,
      eksInfra.clusterEndpoint,
      eksInfra.clusterCertificateAuthorityData,
      eksInfra.oidcProviderArn,
      eksInfra.nodeSecurityGroupId,
      eksInfra.karpenterNodeRoleName,
      eksInfra.karpenterInterruptionQueueName,
      eksInfra.hostedZoneId,
      eksInfra.alertTopicArn,
      ...Object.values(eksInfra.roleArns),
    ]) {
      expect(value).toMatch(/\$\{TfToken\[TOKEN\.\d+\]\}/);
    }
    expect(Object.keys(eksInfra.roleArns).sort()).toEqual([
      'alertmanager',
      'ebsCsiDriver',
      'externalDns',
      'externalSecrets',
      'karpenter',
      'loadBalancerController',
      'logShipping',
    ]);
  });

  it("lets ExternalDNS change records of the environment's hosted zone only, found by name", () => {
    const [zoneName, zone] = Object.entries(json.data?.aws_route53_zone ?? {})[0];
    expect(zone).toMatchObject({ name: prodEnv().dns.hostedZoneName, private_zone: false });
    const role = resourcesOf(json, 'aws_iam_role_policy').find(([name]) =>
      name.startsWith('external-dns'),
    );
    const statements = policyOf(role![1]).Statement;
    expect(statements.find((s) => s.Sid === 'ManageRecordsOfOneZone')?.Resource).toBe(
      `\${data.aws_route53_zone.${zoneName}.arn}`,
    );
    expect(statements.find((s) => s.Resource === '*')?.Action).toBe('route53:ListHostedZones');
  });

  it("raises a CloudWatch alarm to the alert topic when Alertmanager's heartbeat stops", () => {
    const [heartbeatName, heartbeat] = resourcesOf(json, 'aws_sns_topic').find(
      ([, t]) => t.name === 'platform-prod-alertmanager-heartbeat',
    )!;
    // The alert topic's key: the one Alertmanager may already encrypt with.
    expect(heartbeat.kms_master_key_id).toMatch(/aws_kms_key\.platform-alerts_topic-key/);
    const [alertTopicName] = resourcesOf(json, 'aws_sns_topic').find(
      ([, t]) => t.name === 'platform-prod-platform-alerts',
    )!;
    const [, alarm] = resourcesOf(json, 'aws_cloudwatch_metric_alarm').find(
      ([, a]) => a.alarm_name === 'platform-prod-alertmanager-heartbeat-missing',
    )!;
    expect(alarm).toMatchObject({
      namespace: 'AWS/SNS',
      metric_name: 'NumberOfMessagesPublished',
      dimensions: { TopicName: `\${aws_sns_topic.${heartbeatName}.name}` },
      statistic: 'Sum',
      period: 300,
      evaluation_periods: 3,
      threshold: 1,
      comparison_operator: 'LessThanThreshold',
      treat_missing_data: 'breaching',
      alarm_actions: [`\${aws_sns_topic.${alertTopicName}.arn}`],
      ok_actions: [`\${aws_sns_topic.${alertTopicName}.arn}`],
    });
  });

  it('sends platform alerts to a KMS-encrypted topic with the configured e-mail subscribers, which Alertmanager may publish to', () => {
    const [topicName, topic] = resourcesOf(json, 'aws_sns_topic').find(
      ([, t]) => t.name === 'platform-prod-platform-alerts',
    )!;
    expect(topic.kms_master_key_id).toMatch(/aws_kms_key\.platform-alerts_topic-key/);
    const subscriptions = resourcesOf(json, 'aws_sns_topic_subscription')
      .filter(([, s]) => s.topic_arn === `\${aws_sns_topic.${topicName}.arn}`)
      .map(([, s]) => s.endpoint);
    expect(subscriptions).toEqual(prodEnv().k8s.monitoring.alertEmails);
    const policy = resourcesOf(json, 'aws_iam_role_policy').find(([name]) =>
      name.startsWith('alertmanager'),
    );
    const heartbeatName = resourcesOf(json, 'aws_sns_topic').find(
      ([, t]) => t.name === 'platform-prod-alertmanager-heartbeat',
    )![0];
    expect(policyOf(policy![1]).Statement).toEqual([
      expect.objectContaining({
        Action: 'sns:Publish',
        Resource: [`\${aws_sns_topic.${topicName}.arn}`, `\${aws_sns_topic.${heartbeatName}.arn}`],
      }),
      expect.objectContaining({
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        Resource: expect.stringMatching(/aws_kms_key\.platform-alerts_topic-key/),
      }),
    ]);
  });
});
