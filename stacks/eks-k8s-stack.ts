/**
 * eks-k8s: the in-cluster platform, installed through the Helm and Kubernetes providers. Owns
 * the releases of Karpenter (and its NodePools), the AWS Load Balancer Controller (and the
 * shared ALB's IngressClass), ExternalDNS, metrics-server, the Vertical Pod Autoscaler, External
 * Secrets (and the cluster's secret store), kube-prometheus-stack, Fluent Bit and the blackbox
 * exporter; the platform's namespaces, default StorageClass and alert rules; and, on the AWS side,
 * the environment's certificate and web ACL.
 *
 * Reads (cross-stack references): the VPC id from network; the cluster's endpoint, CA, name,
 * controller roles' service accounts, Karpenter's queue and node role, the hosted zone, the
 * workload log group and the alert topic from eks-infra; the ALB log bucket from tfstate.
 * Read by the service stacks: the namespaces, IngressClass, certificate and web ACL.
 *
 * Custom resources go in through the in-repository chart, released after the chart that owns
 * their CRDs, so the first deploy on a fresh cluster plans and applies (docs/eks-k8s.md).
 */
import { Annotations } from '@cdktf/provider-kubernetes/lib/annotations';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { SiteCertificate } from '../constructs/ingress/site-certificate';
import { WebAcl } from '../constructs/ingress/web-acl';
import {
  EXTERNAL_DNS_CHART,
  externalDnsValues,
  METRICS_SERVER_CHART,
  metricsServerValues,
  VPA_CHART,
  verticalPodAutoscalerValues,
} from '../constructs/kubernetes/cluster-services';
import {
  EXTERNAL_SECRETS_CHART,
  externalSecretsValues,
  noNamespacedSecretStores,
  secretStore,
  secretStoreName,
  syncedSecret,
} from '../constructs/kubernetes/external-secrets';
import { clusterProviders } from '../constructs/kubernetes/cluster-providers';
import {
  ChartRelease,
  type ChartReleaseProps,
  ManifestChart,
  ManifestRelease,
  type ManifestReleaseProps,
} from '../constructs/kubernetes/helm-release';
import {
  ingressClass,
  LOAD_BALANCER_CONTROLLER_CHART,
  loadBalancerControllerValues,
} from '../constructs/kubernetes/ingress-class';
import {
  KARPENTER_CHART,
  KARPENTER_CRD_CHART,
  karpenterValues,
  nodeClass,
  nodePool,
} from '../constructs/kubernetes/karpenter';
import {
  defaultStorageClass,
  namespace,
  serviceNamespace,
} from '../constructs/kubernetes/namespaces';
import {
  BLACKBOX_EXPORTER_CHART,
  blackboxExporterValues,
  FLUENT_BIT_CHART,
  fluentBitValues,
  GRAFANA_ADMIN_SECRET,
  KUBE_PROMETHEUS_STACK_CHART,
  kubePrometheusStackValues,
  platformAlerts,
  PROMETHEUS_OPERATOR_CRDS_CHART,
} from '../constructs/kubernetes/observability';
import { SERVICE_ACCOUNTS } from '../constructs/eks/service-accounts';
import type { PlatformNetwork } from '../constructs/network/platform-network';
import { isProduction } from '../environments';
import type { EksInfraStack } from './eks-infra-stack';
import { defaultTags, PlatformStack, type PlatformStackProps, stackName } from './platform-stack';
import type { TfstateStack } from './tfstate-stack';

export interface EksK8sStackProps extends PlatformStackProps {
  readonly network: PlatformNetwork;
  readonly eksInfra: EksInfraStack;
  /** The account's bootstrap, which owns the ALB access log bucket. */
  readonly tfstate: TfstateStack;
}

/** Namespaces of the platform's own components (the controllers in kube-system aside). */
export const PLATFORM_NAMESPACES = {
  externalSecrets: SERVICE_ACCOUNTS.externalSecrets.namespace,
  externalDns: SERVICE_ACCOUNTS.externalDns.namespace,
  monitoring: SERVICE_ACCOUNTS.alertmanager.namespace,
  logging: SERVICE_ACCOUNTS.logShipping.namespace,
} as const;

/**
 * A file of this repository on its default branch, from the `repository` tag (a URL, a
 * `host/owner/name`, or an `owner/name` on GitHub).
 */
export function repositoryUrl(repository: string, path: string): string {
  const bare = repository
    .replace(/^https?:\/\//, '')
    .replace(/\.git$/, '')
    .replace(/\/$/, '');
  const withHost = bare.split('/')[0].includes('.') ? bare : `github.com/${bare}`;
  return `https://${withHost}/blob/main/${path}`;
}

export class EksK8sStack extends PlatformStack {
  /** The IngressClass every service's Ingress names: one shared internet-facing ALB. */
  public readonly ingressClassName: string;
  /** The validated certificate of the environment's domain and its wildcard. */
  public readonly certificateArn: string;
  public readonly webAclArn: string;
  /** Each configured service's namespace, by service name. */
  public readonly serviceNamespaces: Readonly<Record<string, string>>;
  /** Each service's secret store (reads `<externalSecretsPrefix><namespace>/` only), by service name. */
  public readonly secretStores: Readonly<Record<string, string>>;
  /** Every release, by construct id, in the order they are declared. */
  public readonly releases: Readonly<Record<string, ChartRelease | ManifestRelease>>;

  constructor(scope: Construct, id: string, props: EksK8sStackProps) {
    super(scope, id, props);
    const env = this.environment;
    const { eks, k8s } = env;
    const infra = props.eksInfra;
    const prod = isProduction(env.name);

    clusterProviders(this, infra.clusterAccess);

    const certificate = new SiteCertificate(this, 'certificate', {
      domain: env.dns.domain,
      hostedZoneId: infra.hostedZoneId,
      alarmTopicArn: infra.alertTopicArn,
    });
    const webAcl = new WebAcl(this, 'web-acl', {
      name: `${eks.clusterName}-ingress`,
      region: env.region,
      accountId: env.accountId,
      rateLimitPer5Minutes: k8s.ingress.wafRateLimitPer5Minutes,
      logRetentionDays: eks.logRetentionDays,
    });

    const chart = new ManifestChart(this, 'manifest-chart');
    const releases: Record<string, ChartRelease | ManifestRelease> = {};
    const upstream = (id: string, p: ChartReleaseProps) =>
      (releases[id] = new ChartRelease(this, id, p)).release;
    const manifests = (id: string, p: Omit<ManifestReleaseProps, 'chart'>) =>
      (releases[id] = new ManifestRelease(this, id, { ...p, chart })).release;

    const services = Object.entries(env.services);
    const base = manifests('platform-base', {
      name: 'platform-base',
      namespace: 'kube-system',
      objects: [
        namespace(PLATFORM_NAMESPACES.externalSecrets, 'restricted'),
        namespace(PLATFORM_NAMESPACES.externalDns, 'restricted'),
        // node-exporter and Fluent Bit read the host (host network, PID, paths).
        namespace(PLATFORM_NAMESPACES.monitoring, 'privileged'),
        namespace(PLATFORM_NAMESPACES.logging, 'privileged'),
        defaultStorageClass(),
        ...services.flatMap(([, service]) => serviceNamespace(service)),
      ],
    });
    // Clusters created before Kubernetes 1.30 mark EKS's gp2 class default: two defaults would
    // leave a claim's class to chance.
    new Annotations(this, 'gp2-not-default', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'gp2' },
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' },
      force: true,
      dependsOn: [base],
    });

    // CRDs first, each from a chart that upgrades them with it; then everything that uses them.
    const prometheusCrds = upstream('prometheus-operator-crds', {
      name: 'prometheus-operator-crds',
      namespace: PLATFORM_NAMESPACES.monitoring,
      source: PROMETHEUS_OPERATOR_CRDS_CHART,
      version: k8s.charts.prometheusOperatorCrds,
      values: {},
      dependsOn: [base],
    });
    const karpenterCrds = upstream('karpenter-crd', {
      name: 'karpenter-crd',
      namespace: SERVICE_ACCOUNTS.karpenter.namespace,
      source: KARPENTER_CRD_CHART,
      version: k8s.charts.karpenter,
      values: {},
      dependsOn: [base],
    });
    const afterCrds = [base, prometheusCrds];
    const replicas = k8s.controllerReplicas;

    const karpenter = upstream('karpenter', {
      name: 'karpenter',
      namespace: SERVICE_ACCOUNTS.karpenter.namespace,
      source: KARPENTER_CHART,
      version: k8s.charts.karpenter,
      skipCrds: true,
      values: karpenterValues({
        clusterName: infra.clusterName,
        region: env.region,
        interruptionQueueName: infra.karpenterInterruptionQueueName,
        replicas,
      }),
      dependsOn: [...afterCrds, karpenterCrds],
    });
    manifests('karpenter-nodes', {
      name: 'karpenter-nodes',
      namespace: SERVICE_ACCOUNTS.karpenter.namespace,
      objects: [
        nodeClass({
          clusterName: infra.clusterName,
          nodeRoleName: infra.karpenterNodeRoleName,
          amiAlias: k8s.karpenter.amiAlias,
          tags: defaultTags(env, stackName(env, 'karpenter-nodes')),
        }),
        ...Object.entries(k8s.karpenter.nodePools).map(([name, pool]) =>
          nodePool({ name, zones: env.availabilityZones, ...pool }),
        ),
      ],
      dependsOn: [karpenter],
    });

    const loadBalancerController = upstream('aws-load-balancer-controller', {
      name: 'aws-load-balancer-controller',
      namespace: SERVICE_ACCOUNTS.loadBalancerController.namespace,
      source: LOAD_BALANCER_CONTROLLER_CHART,
      version: k8s.charts.awsLoadBalancerController,
      values: loadBalancerControllerValues({
        clusterName: infra.clusterName,
        region: env.region,
        vpcId: props.network.vpcId,
        replicas,
        defaultTags: defaultTags(env, stackName(env, 'ingress')),
      }),
      dependsOn: afterCrds,
    });
    this.ingressClassName = 'alb';
    manifests('ingress-class', {
      name: 'ingress-class',
      namespace: SERVICE_ACCOUNTS.loadBalancerController.namespace,
      objects: ingressClass({
        name: this.ingressClassName,
        groupName: `${env.name}-shared`,
        certificateArn: certificate.certificateArn,
        webAclArn: webAcl.webAclArn,
        accessLogBucket: props.tfstate.albAccessLogs.bucketName,
        accessLogPrefix: props.tfstate.albAccessLogs.prefix,
        // prod's load balancer survives an accidental Ingress deletion; teardown says how to lift it.
        deletionProtection: prod,
        tags: defaultTags(env, stackName(env, 'ingress')),
      }),
      dependsOn: [loadBalancerController],
    });

    upstream('external-dns', {
      name: 'external-dns',
      namespace: PLATFORM_NAMESPACES.externalDns,
      source: EXTERNAL_DNS_CHART,
      version: k8s.charts.externalDns,
      values: externalDnsValues({
        region: env.region,
        hostedZoneId: infra.hostedZoneId,
        domain: env.dns.domain,
        ownerId: eks.clusterName,
      }),
      dependsOn: afterCrds,
    });
    upstream('metrics-server', {
      name: 'metrics-server',
      namespace: 'kube-system',
      source: METRICS_SERVER_CHART,
      version: k8s.charts.metricsServer,
      values: metricsServerValues({ replicas }),
      dependsOn: afterCrds,
    });
    upstream('vertical-pod-autoscaler', {
      name: 'vpa',
      namespace: 'kube-system',
      source: VPA_CHART,
      version: k8s.charts.verticalPodAutoscaler,
      values: verticalPodAutoscalerValues(),
      dependsOn: afterCrds,
    });

    const externalSecrets = upstream('external-secrets', {
      name: 'external-secrets',
      namespace: PLATFORM_NAMESPACES.externalSecrets,
      source: EXTERNAL_SECRETS_CHART,
      version: k8s.charts.externalSecrets,
      values: externalSecretsValues({ replicas }),
      dependsOn: afterCrds,
    });
    // A store per namespace, each reading under `<externalSecretsPrefix><namespace>/` only.
    const secretPrefix = (namespace: string) => `${eks.externalSecretsPrefix}${namespace}/`;
    const storeFor = (namespace: string) =>
      secretStore({ region: env.region, namespace, prefix: secretPrefix(namespace) });
    const monitoringNs = PLATFORM_NAMESPACES.monitoring;
    const secrets = manifests('secret-stores', {
      name: 'secret-stores',
      namespace: PLATFORM_NAMESPACES.externalSecrets,
      objects: [
        ...noNamespacedSecretStores(),
        storeFor(monitoringNs),
        ...services.map(([, service]) => storeFor(service.namespace)),
        syncedSecret({
          name: GRAFANA_ADMIN_SECRET,
          namespace: monitoringNs,
          key: k8s.monitoring.grafanaAdminSecret.slice(secretPrefix(monitoringNs).length),
        }),
      ],
      dependsOn: [externalSecrets],
    });

    const monitoring = upstream('kube-prometheus-stack', {
      name: 'kube-prometheus-stack',
      namespace: PLATFORM_NAMESPACES.monitoring,
      source: KUBE_PROMETHEUS_STACK_CHART,
      version: k8s.charts.kubePrometheusStack,
      values: kubePrometheusStackValues({
        region: env.region,
        environmentName: env.name,
        prometheusReplicas: k8s.monitoring.prometheusReplicas,
        retentionDays: k8s.monitoring.prometheusRetentionDays,
        storageGiB: k8s.monitoring.prometheusStorageGiB,
        alertTopicArn: infra.alertTopicArn,
        heartbeatTopicArn: infra.alertHeartbeatTopicArn,
      }),
      // Volumes are created and attached on the first install.
      timeoutSeconds: 900,
      dependsOn: [...afterCrds, secrets],
    });
    upstream('blackbox-exporter', {
      name: 'blackbox-exporter',
      namespace: PLATFORM_NAMESPACES.monitoring,
      source: BLACKBOX_EXPORTER_CHART,
      version: k8s.charts.blackboxExporter,
      values: blackboxExporterValues({ replicas }),
      dependsOn: afterCrds,
    });
    upstream('fluent-bit', {
      name: 'fluent-bit',
      namespace: PLATFORM_NAMESPACES.logging,
      source: FLUENT_BIT_CHART,
      version: k8s.charts.fluentBit,
      values: fluentBitValues({ region: env.region, logGroupName: infra.workloadLogGroupName }),
      dependsOn: afterCrds,
    });
    // The operator's admission webhook checks rules: released once the operator runs.
    manifests('platform-alerts', {
      name: 'platform-alerts',
      namespace: PLATFORM_NAMESPACES.monitoring,
      objects: [
        platformAlerts(
          PLATFORM_NAMESPACES.monitoring,
          repositoryUrl(env.tags.repository, 'docs/monitoring.md'),
        ),
      ],
      dependsOn: [monitoring],
    });

    this.releases = releases;
    this.certificateArn = certificate.certificateArn;
    this.webAclArn = webAcl.webAclArn;
    this.serviceNamespaces = Object.fromEntries(
      services.map(([name, service]) => [name, service.namespace]),
    );
    this.secretStores = Object.fromEntries(
      services.map(([name, service]) => [name, secretStoreName(service.namespace)]),
    );

    new TerraformOutput(this, 'ingress_class_name', { value: this.ingressClassName });
    new TerraformOutput(this, 'certificate_arn', { value: this.certificateArn });
    new TerraformOutput(this, 'web_acl_arn', { value: this.webAclArn });
    new TerraformOutput(this, 'service_namespaces', { value: this.serviceNamespaces });
    new TerraformOutput(this, 'secret_stores', { value: this.secretStores });
    new TerraformOutput(this, 'grafana', {
      value: `kubectl -n ${PLATFORM_NAMESPACES.monitoring} port-forward svc/kube-prometheus-stack-grafana 3000:80`,
      description: 'Grafana is not exposed: reach it through a port-forward (docs/monitoring.md).',
    });
  }
}
