/**
 * eks-infra: the AWS side of the Kubernetes platform. Owns the EKS cluster (control plane,
 * keys, log groups, access entries, OIDC provider), the system node group, the managed add-ons,
 * Karpenter's node role and interruption queue, the Pod Identity roles of the in-cluster
 * controllers, and the security group of the hosts allowed to reach the private API.
 *
 * Reads from network (cross-stack references): the VPC and its private subnet ids. From tfstate:
 * the CI deploy role (cluster admin) and plan role (view, Secrets included) it grants access.
 * Read by eks-k8s (cluster endpoint, CA, role ARNs, queue), rds (node security group), services,
 * and the delivery runner (API client security group).
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { alertTopic, CLOUDWATCH_ALARMS_PUBLISH } from '../constructs/alert-topic';
import { AlertHeartbeat } from '../constructs/alert-heartbeat';
import { NodeBootstrapAddons, WorkloadAddons } from '../constructs/eks/cluster-addons';
import { KarpenterInfra } from '../constructs/eks/karpenter-infra';
import { PlatformCluster } from '../constructs/eks/platform-cluster';
import { PodIdentityRole } from '../constructs/eks/pod-identity-role';
import { loadBalancerControllerPolicy } from '../constructs/eks/policies/load-balancer-controller';
import {
  alertPublishingPolicy,
  externalDnsPolicy,
  externalSecretsPolicy,
  logShippingPolicy,
} from '../constructs/eks/policies/workload-policies';
import { SERVICE_ACCOUNTS } from '../constructs/eks/service-accounts';
import { amiRelease, SystemNodeGroup } from '../constructs/eks/system-node-group';
import { ApiClients } from '../constructs/eks/api-clients';
import { GithubRunner } from '../constructs/delivery/github-runner';
import type { ClusterAccess } from '../constructs/kubernetes/cluster-providers';
import type { PlatformNetwork } from '../constructs/network/platform-network';
import { PlatformStack, type PlatformStackProps } from './platform-stack';
import type { TfstateStack } from './tfstate-stack';

export interface EksInfraStackProps extends PlatformStackProps {
  /** The network stack's VPC. */
  readonly network: PlatformNetwork;
  /**
   * The account's bootstrap: the CI roles that get cluster access, and the GitHub connection the
   * in-VPC runner reaches GitHub with.
   */
  readonly tfstate: Pick<TfstateStack, 'ciRoleArns' | 'githubConnectionArn'>;
}

/** Role ARNs of the in-cluster controllers, for eks-k8s. */
export interface ControllerRoles {
  readonly ebsCsiDriver: string;
  readonly loadBalancerController: string;
  readonly karpenter: string;
  readonly externalSecrets: string;
  readonly logShipping: string;
  readonly externalDns: string;
  readonly alertmanager: string;
}

export class EksInfraStack extends PlatformStack {
  public readonly clusterName: string;
  public readonly clusterEndpoint: string;
  public readonly clusterCertificateAuthorityData: string;
  public readonly oidcProviderArn: string;
  public readonly nodeSecurityGroupId: string;
  /** Hosts in this security group (an admin instance, the CI runner) reach the private API. */
  public readonly apiClientSecurityGroupId: string;
  /** The CodeBuild-hosted GitHub Actions runner inside the VPC. */
  public readonly runner: GithubRunner;
  public readonly roleArns: ControllerRoles;
  public readonly karpenterNodeRoleName: string;
  public readonly karpenterInterruptionQueueName: string;
  public readonly workloadLogGroupName: string;
  /** The environment's public hosted zone (config `dns.hostedZoneName`), looked up by name. */
  public readonly hostedZoneId: string;
  /** The platform's alert topic: Alertmanager and the platform's CloudWatch alarms publish here. */
  public readonly alertTopicArn: string;
  /** Where Alertmanager sends its Watchdog, the alert path's heartbeat. */
  public readonly alertHeartbeatTopicArn: string;
  public readonly cluster: PlatformCluster;
  /** What a stack working in the cluster configures its providers with (clusterProviders). */
  public readonly clusterAccess: ClusterAccess;

  constructor(scope: Construct, id: string, props: EksInfraStackProps) {
    super(scope, id, props);
    const env = this.environment;
    const eks = env.eks;
    const subnetIds = props.network.privateSubnets.ids;
    const identity = { accountId: env.accountId };

    this.cluster = new PlatformCluster(this, 'cluster', {
      clusterName: eks.clusterName,
      kubernetesVersion: eks.kubernetesVersion,
      accountId: env.accountId,
      region: env.region,
      subnetIds,
      publicAccessCidrs: eks.publicAccessCidrs,
      logRetentionDays: eks.logRetentionDays,
      // The deploy role installs the in-cluster add-ons and services; the plan role reads the
      // cluster (Helm's release Secrets included) for the plans of eks-k8s and the services.
      adminRoleArns: [...eks.adminRoleArns, props.tfstate.ciRoleArns.deploy],
      viewRoleArns: [props.tfstate.ciRoleArns.plan],
    });
    const cluster = this.cluster;
    const bound = { clusterName: cluster.clusterName, clusterArn: cluster.clusterArn, ...identity };

    const bootstrapAddons = new NodeBootstrapAddons(this, 'node-bootstrap-addons', {
      clusterName: cluster.clusterName,
      vpcCniVersion: eks.addonVersions.vpcCni,
      kubeProxyVersion: eks.addonVersions.kubeProxy,
      podIdentityAgentVersion: eks.addonVersions.podIdentityAgent,
    });
    const systemNodes = new SystemNodeGroup(this, 'system-nodes', {
      clusterName: cluster.clusterName,
      accountId: env.accountId,
      subnetIds,
      ...eks.systemNodeGroup,
      kubernetesVersion: cluster.cluster.version,
      configuredKubernetesVersion: eks.kubernetesVersion,
      amiRelease: amiRelease(env.k8s.karpenter.amiAlias),
      dependsOn: bootstrapAddons.all,
    });

    const ebsCsi = new PodIdentityRole(this, 'ebs-csi-driver', {
      ...bound,
      roleName: `${eks.clusterName}-ebs-csi-driver`,
      serviceAccount: SERVICE_ACCOUNTS.ebsCsiController,
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy'],
    });

    new WorkloadAddons(this, 'workload-addons', {
      clusterName: cluster.clusterName,
      corednsVersion: eks.addonVersions.coredns,
      ebsCsiDriverVersion: eks.addonVersions.ebsCsiDriver,
      nodes: systemNodes.nodeGroup,
      ebsCsiIdentity: ebsCsi.association,
    });

    const loadBalancerController = new PodIdentityRole(this, 'load-balancer-controller', {
      ...bound,
      roleName: `${eks.clusterName}-load-balancer-controller`,
      serviceAccount: SERVICE_ACCOUNTS.loadBalancerController,
      policy: loadBalancerControllerPolicy(),
    });

    const karpenter = new KarpenterInfra(this, 'karpenter', {
      clusterName: cluster.clusterName,
      clusterArn: cluster.clusterArn,
      region: env.region,
      accountId: env.accountId,
    });

    const externalSecrets = new PodIdentityRole(this, 'external-secrets', {
      ...bound,
      roleName: `${eks.clusterName}-external-secrets`,
      serviceAccount: SERVICE_ACCOUNTS.externalSecrets,
      policy: externalSecretsPolicy(env.region, env.accountId, eks.externalSecretsPrefix),
    });

    const workloadLogs = new CloudwatchLogGroup(this, 'workload-logs', {
      name: `/aws/eks/${eks.clusterName}/workloads`,
      retentionInDays: eks.logRetentionDays,
      kmsKeyId: cluster.logsKey.keyArn,
    });
    const logShipping = new PodIdentityRole(this, 'log-shipping', {
      ...bound,
      roleName: `${eks.clusterName}-log-shipping`,
      serviceAccount: SERVICE_ACCOUNTS.logShipping,
      policy: logShippingPolicy(workloadLogs.arn),
    });

    const zone = new DataAwsRoute53Zone(this, 'hosted-zone', {
      name: env.dns.hostedZoneName,
      privateZone: false,
    });
    const externalDns = new PodIdentityRole(this, 'external-dns', {
      ...bound,
      roleName: `${eks.clusterName}-external-dns`,
      serviceAccount: SERVICE_ACCOUNTS.externalDns,
      policy: externalDnsPolicy(zone.arn),
    });

    const alerts = alertTopic(new Construct(this, 'platform-alerts'), {
      name: `${eks.clusterName}-platform-alerts`,
      description: `Platform alerts of ${eks.clusterName}`,
      accountId: env.accountId,
      emails: env.k8s.monitoring.alertEmails,
      servicePublishers: [CLOUDWATCH_ALARMS_PUBLISH],
    });
    // The alert path's dead man's switch: Alertmanager's Watchdog every few minutes, a
    // CloudWatch alarm to the alert topic when it stops.
    const heartbeat = new AlertHeartbeat(this, 'alert-heartbeat', {
      name: `${eks.clusterName}-alertmanager-heartbeat`,
      keyArn: alerts.key.keyArn,
      alarmTopicArn: alerts.topicArn,
      source: `the Alertmanager of ${eks.clusterName}`,
    });
    const alertmanager = new PodIdentityRole(this, 'alertmanager', {
      ...bound,
      roleName: `${eks.clusterName}-alertmanager`,
      serviceAccount: SERVICE_ACCOUNTS.alertmanager,
      policy: alertPublishingPolicy([alerts.topicArn, heartbeat.topicArn], alerts.key.keyArn),
    });

    this.clusterName = cluster.clusterName;
    this.clusterEndpoint = cluster.endpoint;
    this.clusterCertificateAuthorityData = cluster.certificateAuthorityData;
    this.oidcProviderArn = cluster.oidcProviderArn;
    this.nodeSecurityGroupId = cluster.nodeSecurityGroupId;
    this.apiClientSecurityGroupId = new ApiClients(this, 'api-clients', {
      clusterName: cluster.clusterName,
      vpcId: props.network.vpcId,
      clusterSecurityGroupId: cluster.nodeSecurityGroupId,
    }).securityGroupId;
    // The GitHub Actions runner for the stacks that talk to the cluster API (docs/delivery.md):
    // in the private subnets, carrying the API client security group.
    this.runner = new GithubRunner(this, 'github-runner', {
      environmentName: env.name,
      accountId: env.accountId,
      region: env.region,
      logRetentionDays: env.eks.logRetentionDays,
      repository: env.delivery.repository,
      connectionArn: props.tfstate.githubConnectionArn,
      vpcId: props.network.vpcId,
      subnetIds,
      securityGroupIds: [this.apiClientSecurityGroupId],
    });
    this.roleArns = {
      ebsCsiDriver: ebsCsi.roleArn,
      loadBalancerController: loadBalancerController.roleArn,
      karpenter: karpenter.controllerRole.roleArn,
      externalSecrets: externalSecrets.roleArn,
      logShipping: logShipping.roleArn,
      externalDns: externalDns.roleArn,
      alertmanager: alertmanager.roleArn,
    };
    this.hostedZoneId = zone.zoneId;
    this.clusterAccess = {
      endpoint: this.clusterEndpoint,
      certificateAuthorityData: this.clusterCertificateAuthorityData,
      clusterName: this.clusterName,
      region: env.region,
    };
    this.alertTopicArn = alerts.topicArn;
    this.alertHeartbeatTopicArn = heartbeat.topicArn;
    this.karpenterNodeRoleName = karpenter.nodeRole.roleName;
    this.karpenterInterruptionQueueName = karpenter.queueName;
    this.workloadLogGroupName = workloadLogs.name;

    // For people (kubectl setup) and scripts; stacks consume the typed fields instead.
    new TerraformOutput(this, 'cluster_name', { value: this.clusterName });
    new TerraformOutput(this, 'cluster_endpoint', { value: this.clusterEndpoint });
    new TerraformOutput(this, 'api_client_security_group_id', {
      value: this.apiClientSecurityGroupId,
      description: 'Give it to an admin instance or a CI runner in the VPC to reach the API.',
    });
    new TerraformOutput(this, 'github_runner_project', {
      value: this.runner.projectName,
      description: 'The CodeBuild project hosting the GitHub Actions runner inside the VPC.',
    });
    new TerraformOutput(this, 'kubeconfig_command', {
      value: `aws eks update-kubeconfig --region ${env.region} --name ${eks.clusterName}`,
    });
  }
}
