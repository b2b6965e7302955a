import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_ACCOUNTS } from '../../constructs/eks/service-accounts';
import { SYSTEM_NODE_LABEL } from '../../constructs/eks/system-node-group';
import { PLATFORM_ALERTS } from '../../constructs/kubernetes/observability';
import type { EnvironmentConfig } from '../../environments';
import { prodEnv, testEnv } from '../helpers/environments';
import { manifestReleases, validateObject } from '../helpers/kubernetes';
import { ROOT } from '../helpers/paths';
import { resourcesOf, type SynthJson, synthEnvironment } from '../helpers/synth';

/** Synthesized JSON, read loosely: the assertions say what each part must hold. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

function synth(environment: EnvironmentConfig) {
  const { stacks, read } = synthEnvironment(environment);
  const json = read('eks-k8s');
  const releases: Record<string, Loose> = Object.fromEntries(
    resourcesOf(json, 'helm_release').map(([id, r]) => [String(r.name), { id, ...r }]),
  );
  const values = (name: string) =>
    JSON.parse(String((releases[name].values as string[])[0])) as Loose;
  const objects = manifestReleases(json).flatMap((r) => r.objects);
  const object = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name) as Loose;
  return { stacks, read, json, releases, values, objects, object, environment };
}

const prod = synth(prodEnv());
const test = synth(testEnv());

/** `${data.terraform_remote_state.<eks-infra>.outputs.<…>}` */
const fromEksInfra = expect.stringMatching(
  /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-(prod|test)-eks-infra\.outputs\.[^}]+\}$/,
);

describe('EksK8sStack: providers', () => {
  it("configures Kubernetes and Helm from eks-infra's outputs, with a token from `aws eks get-token` at each run", () => {
    const kubernetes = prod.json.provider?.kubernetes?.[0] as Loose;
    const helm = (prod.json.provider?.helm?.[0] as Loose).kubernetes;
    for (const cluster of [kubernetes, helm]) {
      expect(cluster.host).toEqual(fromEksInfra);
      expect(cluster.cluster_ca_certificate).toMatch(
        /^\$\{base64decode\(data\.terraform_remote_state\.cross-stack-reference-input-prod-eks-infra\.outputs\.[^)]+\)\}$/,
      );
      expect(cluster.token).toBeUndefined();
    }
    const exec = { api_version: 'client.authentication.k8s.io/v1beta1', command: 'aws' };
    expect(kubernetes.exec).toEqual([expect.objectContaining(exec)]);
    expect(helm.exec).toEqual(expect.objectContaining(exec));
    expect(helm.exec.args).toEqual([
      'eks',
      'get-token',
      '--cluster-name',
      fromEksInfra,
      '--region',
      'eu-west-1',
    ]);
    // No token is read by a data source and frozen into state.
    expect(Object.keys(prod.json.data ?? {})).not.toContain('aws_eks_cluster_auth');
  });

  it("leaves Helm's manifest experiment off: it would put live Secrets in the state and still not show drift (docs/eks-k8s.md)", () => {
    expect(Object.keys(prod.json.provider?.helm?.[0] as Loose)).toEqual(['kubernetes']);
    const doc = readFileSync(join(ROOT, 'docs/eks-k8s.md'), 'utf8');
    expect(doc).toContain('### Drift in the cluster');
    expect(doc).toContain('`getLiveResources`');
  });
});

/** Every upstream release: its chart, repository, namespace and which config pin it follows. */
const UPSTREAM: Readonly<
  Record<string, [chart: string, repository: string, ns: string, pin: string]>
> = {
  'karpenter-crd': ['karpenter-crd', 'oci://public.ecr.aws/karpenter', 'kube-system', 'karpenter'],
  karpenter: ['karpenter', 'oci://public.ecr.aws/karpenter', 'kube-system', 'karpenter'],
  'aws-load-balancer-controller': [
    'aws-load-balancer-controller',
    'https://aws.github.io/eks-charts',
    'kube-system',
    'awsLoadBalancerController',
  ],
  'external-dns': [
    'external-dns',
    'https://kubernetes-sigs.github.io/external-dns/',
    'external-dns',
    'externalDns',
  ],
  'metrics-server': [
    'metrics-server',
    'https://kubernetes-sigs.github.io/metrics-server/',
    'kube-system',
    'metricsServer',
  ],
  vpa: ['vpa', 'https://charts.fairwinds.com/stable', 'kube-system', 'verticalPodAutoscaler'],
  'external-secrets': [
    'external-secrets',
    'https://charts.external-secrets.io',
    'external-secrets',
    'externalSecrets',
  ],
  'prometheus-operator-crds': [
    'prometheus-operator-crds',
    'https://prometheus-community.github.io/helm-charts',
    'monitoring',
    'prometheusOperatorCrds',
  ],
  'kube-prometheus-stack': [
    'kube-prometheus-stack',
    'https://prometheus-community.github.io/helm-charts',
    'monitoring',
    'kubePrometheusStack',
  ],
  'blackbox-exporter': [
    'prometheus-blackbox-exporter',
    'https://prometheus-community.github.io/helm-charts',
    'monitoring',
    'blackboxExporter',
  ],
  'fluent-bit': ['fluent-bit', 'https://fluent.github.io/helm-charts', 'logging', 'fluentBit'],
};
const OWN = [
  'platform-base',
  'karpenter-nodes',
  'ingress-class',
  'secret-stores',
  'platform-alerts',
];

describe('EksK8sStack: releases', () => {
  it('releases exactly the upstream charts and the in-repository chart releases listed here', () => {
    expect(Object.keys(prod.releases).sort()).toEqual([...Object.keys(UPSTREAM), ...OWN].sort());
  });

  for (const [name, [chart, repository, namespace, pin]] of Object.entries(UPSTREAM)) {
    it(`${name}: ${chart} from its upstream repository at the version each environment pins`, () => {
      for (const env of [prod, test]) {
        expect(env.releases[name]).toMatchObject({
          chart,
          repository,
          namespace,
          version: env.environment.k8s.charts[pin as keyof EnvironmentConfig['k8s']['charts']],
        });
      }
    });
  }

  it('installs every release atomically, waited for, with a timeout and a bounded history', () => {
    for (const release of Object.values(prod.releases)) {
      expect(release).toMatchObject({
        atomic: true,
        wait: true,
        wait_for_jobs: true,
        cleanup_on_fail: true,
        max_history: 5,
        create_namespace: false,
        timeout: expect.any(Number),
      });
      expect(release.timeout as number).toBeGreaterThanOrEqual(600);
    }
  });

  it('releases the custom resources through the in-repository chart, after the chart that owns their CRDs', () => {
    const dependsOn = (name: string) => prod.releases[name].depends_on as string[];
    const ref = (name: string) => `helm_release.${prod.releases[name].id}`;
    for (const own of OWN)
      expect(String(prod.releases[own].chart)).toMatch(/^assets\/manifest-chart_/);
    expect(dependsOn('karpenter-nodes')).toEqual([ref('karpenter')]);
    expect(dependsOn('karpenter')).toContain(ref('karpenter-crd'));
    expect(dependsOn('ingress-class')).toEqual([ref('aws-load-balancer-controller')]);
    expect(dependsOn('secret-stores')).toEqual([ref('external-secrets')]);
    expect(dependsOn('platform-alerts')).toEqual([ref('kube-prometheus-stack')]);
    // Grafana's admin secret exists before Grafana starts.
    expect(dependsOn('kube-prometheus-stack')).toContain(ref('secret-stores'));
    // Every chart that creates a ServiceMonitor comes after the Prometheus Operator's CRDs.
    for (const name of [
      'karpenter',
      'aws-load-balancer-controller',
      'external-secrets',
      'fluent-bit',
    ]) {
      expect(prod.values(name).serviceMonitor).toMatchObject({ enabled: true });
      expect(dependsOn(name)).toContain(ref('prometheus-operator-crds'));
    }
    // No custom resource is planned against a CRD that a fresh cluster does not have yet.
    expect(Object.keys(prod.json.resource ?? {})).not.toContain('kubernetes_manifest');
    // Karpenter's CRDs come from their own chart, which upgrades them with the version.
    expect(prod.releases.karpenter.skip_crds).toBe(true);
    expect(prod.values('kube-prometheus-stack').crds).toEqual({ enabled: false });
  });

  it('validates every object of the in-repository chart releases against its Kubernetes or CRD schema', () => {
    for (const env of [prod, test]) {
      expect(env.objects.length).toBeGreaterThan(20);
      for (const object of env.objects) validateObject(object);
    }
    const kinds = new Set(prod.objects.map((o) => `${o.apiVersion}/${o.kind}`));
    expect(kinds.size).toBe(14);
  });

  it('names no object twice in a release', () => {
    for (const r of manifestReleases(prod.json)) {
      const names = r.objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
      expect(new Set(names).size).toBe(names.length);
    }
  });
});

describe('EksK8sStack: controllers', () => {
  const system = { [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value };
  const tolerates = [{ key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' }];

  it('runs each controller on the system nodes, two replicas with a disruption budget and zone spread', () => {
    const controllers: Record<string, (v: Loose) => Loose> = {
      karpenter: (v) => ({ ...v, replicas: v.replicas }),
      'aws-load-balancer-controller': (v) => ({ ...v, replicas: v.replicaCount }),
      'metrics-server': (v) => v,
      'external-secrets': (v) => ({ ...v, replicas: v.replicaCount }),
      'blackbox-exporter': (v) => v,
    };
    for (const [name, pick] of Object.entries(controllers)) {
      const v = pick(prod.values(name));
      expect(v.nodeSelector, name).toEqual(system);
      expect(v.tolerations, name).toEqual(tolerates);
      expect(v.replicas, name).toBe(2);
      expect(v.podDisruptionBudget, name).toMatchObject({ maxUnavailable: 1 });
      expect(v.topologySpreadConstraints[0], name).toMatchObject({
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'DoNotSchedule',
      });
    }
    const eso = prod.values('external-secrets');
    expect(eso.leaderElect).toBe(true);
    expect(eso.serviceMonitor).toEqual({ enabled: true, renderMode: 'alwaysRender' });
    for (const part of [eso, eso.webhook, eso.certController]) {
      expect(part.resources.requests).toBeDefined();
    }
    for (const part of [eso.webhook, eso.certController]) {
      expect(part).toMatchObject({ replicaCount: 2, nodeSelector: system, tolerations: tolerates });
      expect(part.podDisruptionBudget).toMatchObject({ enabled: true, maxUnavailable: 1 });
    }
  });

  it('lets no namespace make a store of its own: namespaced SecretStores refused at admission, only cluster stores bound to one namespace', () => {
    for (const env of [prod, test]) {
      // A store without auth would read with the operator's role, which reaches every secret.
      expect(env.values('external-secrets').processSecretStore).toBe(false);
      const policy = env.object('ValidatingAdmissionPolicy', 'no-namespaced-secret-stores');
      expect(policy.spec.matchConstraints.resourceRules).toEqual([
        {
          apiGroups: ['external-secrets.io'],
          apiVersions: ['*'],
          operations: ['CREATE', 'UPDATE'],
          resources: ['secretstores'],
        },
      ]);
      expect(policy.spec.validations).toEqual([
        expect.objectContaining({ expression: 'false', reason: 'Forbidden' }),
      ]);
      expect(policy.spec.failurePolicy).toBe('Fail');
      expect(
        env.object('ValidatingAdmissionPolicyBinding', 'no-namespaced-secret-stores').spec,
      ).toEqual({
        policyName: 'no-namespaced-secret-stores',
        validationActions: ['Deny'],
      });
      const stores = env.objects.filter((o: Loose) => /SecretStore$/.test(o.kind));
      expect(stores.length).toBeGreaterThan(0);
      for (const store of stores) {
        expect(store.kind).toBe('ClusterSecretStore');
        expect(store.spec.conditions).toEqual([
          { namespaces: [expect.stringMatching(/^[a-z0-9-]+$/)] },
        ]);
      }
    }
  });

  it('installs each controller under the service account its eks-infra role is bound to', () => {
    expect(prod.values('karpenter').serviceAccount.name).toBe(SERVICE_ACCOUNTS.karpenter.name);
    expect(prod.values('aws-load-balancer-controller').serviceAccount.name).toBe(
      SERVICE_ACCOUNTS.loadBalancerController.name,
    );
    expect(prod.values('external-secrets').serviceAccount.name).toBe(
      SERVICE_ACCOUNTS.externalSecrets.name,
    );
    expect(prod.values('external-dns').serviceAccount.name).toBe(SERVICE_ACCOUNTS.externalDns.name);
    expect(prod.values('fluent-bit').serviceAccount.name).toBe(SERVICE_ACCOUNTS.logShipping.name);
    expect(prod.values('kube-prometheus-stack').alertmanager.serviceAccount.name).toBe(
      SERVICE_ACCOUNTS.alertmanager.name,
    );
  });

  it('installs each controller where eks-infra binds its role: the same namespace and service account', () => {
    const bound = resourcesOf(prod.read('eks-infra'), 'aws_eks_pod_identity_association').map(
      ([, a]) => `${a.namespace}/${a.service_account}`,
    );
    const installed = [
      ['karpenter', prod.values('karpenter').serviceAccount.name],
      [
        'aws-load-balancer-controller',
        prod.values('aws-load-balancer-controller').serviceAccount.name,
      ],
      ['external-secrets', prod.values('external-secrets').serviceAccount.name],
      ['external-dns', prod.values('external-dns').serviceAccount.name],
      ['fluent-bit', prod.values('fluent-bit').serviceAccount.name],
      [
        'kube-prometheus-stack',
        prod.values('kube-prometheus-stack').alertmanager.serviceAccount.name,
      ],
    ].map(([release, account]) => `${prod.releases[release].namespace}/${account}`);
    for (const pair of installed) expect(bound).toContain(pair);
    // Every role eks-infra binds, but the EBS CSI driver's (an EKS add-on), has its controller here.
    expect(bound.filter((b) => !installed.includes(b))).toEqual([
      'kube-system/ebs-csi-controller-sa',
    ]);
  });

  it("gives Karpenter the cluster's name and interruption queue from eks-infra, its region, and the cluster's zonal shift", () => {
    expect(prod.values('karpenter').settings).toEqual({
      clusterName: fromEksInfra,
      interruptionQueue: fromEksInfra,
      enableZonalShift: true,
    });
    // Given, not read from instance metadata, which system-node pods cannot reach (hop limit 1).
    expect(prod.values('karpenter').controller.env).toEqual([
      { name: 'AWS_REGION', value: 'eu-west-1' },
    ]);
  });

  it('gives the load balancer controller its region and VPC: pods cannot reach instance metadata', () => {
    expect(prod.values('aws-load-balancer-controller')).toMatchObject({
      clusterName: fromEksInfra,
      region: 'eu-west-1',
      vpcId: expect.stringMatching(/cross-stack-reference-input-prod-network/),
      createIngressClassResource: false,
      // Its Service webhook would refuse the Services of charts installed beside it.
      enableServiceMutatorWebhook: false,
    });
  });

  it("lets ExternalDNS manage the environment's domain in its zone, its own records only, as one replica", () => {
    const v = prod.values('external-dns');
    expect(v).toMatchObject({
      provider: { name: 'aws' },
      policy: 'sync',
      registry: 'txt',
      txtOwnerId: 'platform-prod',
      // The record type in the prefix keeps TXT names inside the zone, the apex's too. Escaped
      // for Terraform's templates (`%%{` reaches the chart as `%{`); the offline proof has
      // Terraform parse it (plan-offline.test.ts).
      txtPrefix: 'externaldns-%%{record_type}.',
      domainFilters: [prodEnv().dns.domain],
      env: expect.arrayContaining([{ name: 'AWS_REGION', value: 'eu-west-1' }]),
    });
    expect(v.extraArgs).toEqual({
      'aws-zone-type': 'public',
      'zone-id-filter': fromEksInfra,
    });
    expect(v.replicaCount).toBeUndefined();
  });

  it('runs the Vertical Pod Autoscaler in recommendation mode only, and metrics-server for the HPAs', () => {
    expect(prod.values('vpa')).toMatchObject({
      recommender: { enabled: true },
      updater: { enabled: false },
      admissionController: { enabled: false },
    });
    expect(prod.values('metrics-server').replicas).toBe(2);
  });
});

describe('EksK8sStack: Karpenter nodes', () => {
  it("builds nodes from eks-infra's node role, discovered subnets and security group, a pinned AMI, IMDSv2 with hop limit 1 and encrypted gp3", () => {
    const nodeClass = prod.object('EC2NodeClass', 'default');
    const discovery = [{ tags: { 'karpenter.sh/discovery': fromEksInfra } }];
    expect(nodeClass.spec).toMatchObject({
      role: fromEksInfra,
      amiSelectorTerms: [{ alias: prodEnv().k8s.karpenter.amiAlias }],
      subnetSelectorTerms: discovery,
      securityGroupSelectorTerms: discovery,
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [
        { deviceName: '/dev/xvda', ebs: { volumeType: 'gp3', encrypted: true } },
      ],
    });
  });

  it('keeps prod on-demand across every zone, and test spot first', () => {
    const requirement = (env: typeof prod, key: string) =>
      (
        env.object('NodePool', 'general').spec.template.spec.requirements as {
          key: string;
          values: string[];
        }[]
      ).find((r) => r.key === key)?.values;
    expect(requirement(prod, 'karpenter.sh/capacity-type')).toEqual(['on-demand']);
    expect(requirement(prod, 'topology.kubernetes.io/zone')).toEqual(prodEnv().availabilityZones);
    expect(requirement(test, 'karpenter.sh/capacity-type')).toEqual(['spot', 'on-demand']);
  });

  it('consolidates, expires nodes and bounds the pool from config, with a disruption budget', () => {
    const pool = prodEnv().k8s.karpenter.nodePools.general;
    expect(prod.object('NodePool', 'general').spec).toMatchObject({
      template: { spec: { expireAfter: pool.expireAfter } },
      disruption: {
        consolidationPolicy: 'WhenEmptyOrUnderutilized',
        consolidateAfter: pool.consolidateAfter,
        budgets: [{ nodes: pool.disruptionBudget }],
      },
      limits: { cpu: pool.limits.cpu, memory: pool.limits.memory },
    });
  });
});

describe('EksK8sStack: ingress', () => {
  const ids = (json: SynthJson, type: string) => resourcesOf(json, type).map(([id]) => id);

  it("creates one shared internet-facing ALB group with this stack's certificate and web ACL, a modern TLS policy and access logs", () => {
    const [certificate] = ids(prod.json, 'aws_acm_certificate_validation');
    const [acl] = ids(prod.json, 'aws_wafv2_web_acl');
    const params = prod.object('IngressClassParams', 'alb');
    expect(params.spec).toMatchObject({
      group: { name: 'prod-shared' },
      scheme: 'internet-facing',
      certificateArn: [`\${aws_acm_certificate_validation.${certificate}.certificate_arn}`],
      wafv2AclArn: `\${aws_wafv2_web_acl.${acl}.arn}`,
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09',
      sslRedirectPort: '443',
    });
    const attributes = Object.fromEntries(
      (params.spec.loadBalancerAttributes as { key: string; value: string }[]).map((a) => [
        a.key,
        a.value,
      ]),
    );
    expect(attributes).toMatchObject({
      'access_logs.s3.enabled': 'true',
      'access_logs.s3.bucket': expect.stringMatching(/cross-stack-reference-input-prod-tfstate/),
      'access_logs.s3.prefix': 'prod',
      'deletion_protection.enabled': 'true',
      'routing.http.drop_invalid_header_fields.enabled': 'true',
    });
    const testAttributes = test.object('IngressClassParams', 'alb').spec.loadBalancerAttributes;
    expect(testAttributes).toContainEqual({ key: 'deletion_protection.enabled', value: 'false' });
    expect(prod.object('IngressClass', 'alb').spec).toEqual({
      controller: 'ingress.k8s.aws/alb',
      parameters: { apiGroup: 'elbv2.k8s.aws', kind: 'IngressClassParams', name: 'alb' },
    });
  });

  it("validates the certificate of the domain and its wildcard in the config's hosted zone", () => {
    const [, cert] = resourcesOf(prod.json, 'aws_acm_certificate')[0];
    expect(cert).toMatchObject({
      domain_name: prodEnv().dns.domain,
      subject_alternative_names: [`*.${prodEnv().dns.domain}`],
      validation_method: 'DNS',
    });
    const [, record] = resourcesOf(prod.json, 'aws_route53_record')[0];
    expect(record.zone_id).toEqual(fromEksInfra);
  });

  it('puts AWS managed rule groups and a rate limit from config in the web ACL', () => {
    const [, acl] = resourcesOf(test.json, 'aws_wafv2_web_acl')[0];
    const rules = JSON.stringify(acl.rule);
    for (const group of [
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesAmazonIpReputationList',
    ]) {
      expect(rules).toContain(group);
    }
    expect(rules).toContain(`"limit":${testEnv().k8s.ingress.wafRateLimitPer5Minutes}`);
    expect(acl.scope).toBe('REGIONAL');
  });

  it('exports what the service stacks need as outputs', () => {
    expect(Object.keys(prod.json.output ?? {})).toEqual(
      expect.arrayContaining([
        'ingress_class_name',
        'certificate_arn',
        'web_acl_arn',
        'service_namespaces',
      ]),
    );
    expect(prod.stacks.eksK8s.serviceNamespaces).toEqual({
      backend: 'backend',
      frontend: 'frontend',
    });
    expect(prod.stacks.eksK8s.ingressClassName).toBe('alb');
  });
});

describe('EksK8sStack: namespaces and storage', () => {
  it('gives each configured service a restricted namespace, default-deny policies with DNS egress, a LimitRange and its quota', () => {
    for (const [name, service] of Object.entries(prodEnv().services)) {
      const ns = service.namespace;
      const inNs = prod.objects.filter(
        (o) => o.metadata.namespace === ns || o.metadata.name === ns,
      );
      expect(inNs.map((o) => o.kind).sort(), name).toEqual([
        'LimitRange',
        'Namespace',
        'NetworkPolicy',
        'NetworkPolicy',
        'ResourceQuota',
      ]);
      expect(prod.object('Namespace', ns).metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled',
      });
      const deny = inNs.find((o) => o.metadata.name === 'default-deny') as Loose;
      expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      const dns = inNs.find((o) => o.metadata.name === 'allow-dns-egress') as Loose;
      expect(dns.spec.egress[0].ports).toEqual([
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ]);
      expect(dns.spec.ingress).toBeUndefined();
      const quota = inNs.find((o) => o.kind === 'ResourceQuota') as Loose;
      expect(quota.spec.hard).toEqual({
        'requests.cpu': service.quota.requestsCpu,
        'requests.memory': service.quota.requestsMemory,
        'limits.memory': service.quota.limitsMemory,
        pods: String(service.quota.pods),
      });
    }
  });

  it('makes encrypted gp3 the default StorageClass, and gp2 no longer default', () => {
    expect(prod.object('StorageClass', 'gp3')).toMatchObject({
      metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    const [, gp2] = resourcesOf(prod.json, 'kubernetes_annotations')[0];
    expect(gp2).toMatchObject({
      kind: 'StorageClass',
      metadata: { name: 'gp2' },
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' },
      force: true,
    });
  });

  it('gives the monitoring namespace and each service its own secret store, reading under its own prefix only', () => {
    const stores = prod.objects.filter((o) => o.kind === 'ClusterSecretStore');
    expect(stores.map((s) => s.metadata.name).sort()).toEqual([
      'secrets-backend',
      'secrets-frontend',
      'secrets-monitoring',
    ]);
    expect(prod.object('ClusterSecretStore', 'secrets-backend').spec).toEqual({
      provider: {
        aws: { service: 'SecretsManager', region: 'eu-west-1', prefix: 'platform/prod/backend/' },
      },
      conditions: [{ namespaces: ['backend'] }],
    });
    expect(prod.stacks.eksK8s.secretStores).toEqual({
      backend: 'secrets-backend',
      frontend: 'secrets-frontend',
    });
    expect(Object.keys(prod.json.output ?? {})).toContain('secret_stores');
  });
});

describe('EksK8sStack: observability', () => {
  it('keeps Prometheus on gp3 volumes with retention from config, two replicas in prod, one per zone', () => {
    const spec = prod.values('kube-prometheus-stack').prometheus.prometheusSpec;
    const monitoring = prodEnv().k8s.monitoring;
    expect(spec).toMatchObject({
      replicas: 2,
      retention: `${monitoring.prometheusRetentionDays}d`,
      podAntiAffinity: 'hard',
      podAntiAffinityTopologyKey: 'topology.kubernetes.io/zone',
      storageSpec: {
        volumeClaimTemplate: {
          spec: {
            storageClassName: 'gp3',
            resources: { requests: { storage: `${monitoring.prometheusStorageGiB}Gi` } },
          },
        },
      },
      ruleSelectorNilUsesHelmValues: false,
      serviceMonitorSelectorNilUsesHelmValues: false,
    });
    expect(test.values('kube-prometheus-stack').prometheus.prometheusSpec.replicas).toBe(1);
  });

  it("takes Grafana's admin login from Secrets Manager through an ExternalSecret, never from code", () => {
    const grafana = prod.values('kube-prometheus-stack').grafana;
    expect(grafana.admin).toEqual({
      existingSecret: 'grafana-admin',
      userKey: 'admin-user',
      passwordKey: 'admin-password',
    });
    expect(grafana.adminPassword).toBeUndefined();
    // The key is read under the monitoring store's prefix: platform/prod/monitoring/grafana-admin.
    expect(prodEnv().k8s.monitoring.grafanaAdminSecret).toBe(
      'platform/prod/monitoring/grafana-admin',
    );
    expect(prod.object('ExternalSecret', 'grafana-admin').spec).toMatchObject({
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'secrets-monitoring' },
      dataFrom: [{ extract: { key: 'grafana-admin' } }],
    });
  });

  it("sends alerts to eks-infra's SNS topic, and turns off scrapes EKS does not expose", () => {
    const values = prod.values('kube-prometheus-stack');
    expect(values.alertmanager.config.receivers).toContainEqual({
      name: 'platform-alerts',
      sns_configs: [
        { topic_arn: fromEksInfra, sigv4: { region: 'eu-west-1' }, send_resolved: true },
      ],
    });
    for (const component of ['kubeControllerManager', 'kubeScheduler', 'kubeEtcd', 'kubeProxy']) {
      expect(values[component]).toEqual({ enabled: false });
    }
  });

  it("ships container logs to eks-infra's workload log group, never creating it", () => {
    const outputs = prod.values('fluent-bit').config.outputs as string;
    expect(outputs).toContain('Name cloudwatch_logs');
    expect(outputs).toMatch(
      /log_group_name \$\{data\.terraform_remote_state\.cross-stack-reference-input-prod-eks-infra/,
    );
    expect(outputs).toContain('auto_create_group false');
    expect(prod.values('fluent-bit').tolerations).toEqual([{ operator: 'Exists' }]);
  });

  it('defines the platform alerts: nodes, crash loops, volumes, Karpenter and controllers, certificates', () => {
    const rule = prod.object('PrometheusRule', 'platform-alerts');
    const alerts = (rule.spec.groups[0].rules as { alert: string }[]).map((r) => r.alert);
    expect(alerts).toEqual(PLATFORM_ALERTS.map((a) => a.alert));
    expect(alerts).toEqual(
      expect.arrayContaining([
        'NodeNotReady',
        'PodCrashLooping',
        'PersistentVolumeFillingUp',
        'KarpenterCloudProviderErrors',
        'ControllerReconcileErrors',
        'CertificateExpiresSoon',
      ]),
    );
  });
});
