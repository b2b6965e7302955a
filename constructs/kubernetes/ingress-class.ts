import type { IIngressClass } from 'kubernetes-models/networking.k8s.io/v1/IngressClass';
import { z } from 'zod';
import type { ChartSource, KubernetesObject } from './helm-release';
import { controllerPlacement } from './placement';
import { SERVICE_ACCOUNTS } from '../eks/service-accounts';

export const LOAD_BALANCER_CONTROLLER_CHART: ChartSource = {
  repository: 'https://aws.github.io/eks-charts',
  chart: 'aws-load-balancer-controller',
};

const keyValue = z.strictObject({ key: z.string().min(1), value: z.string() });

/**
 * `IngressClassParams.spec` of the AWS Load Balancer Controller v2.17.1, transcribed field for
 * field from its CRD (kubernetes-sigs/aws-load-balancer-controller, tag v2.17.1,
 * `config/crd/bases/elbv2.k8s.aws_ingressclassparams.yaml`): no typed model of this CRD is
 * published, so its schema is kept here, and the tests validate the objects against it as they
 * do the others. Unknown fields are refused: the API server would prune them silently.
 */
export const INGRESS_CLASS_PARAMS_SPEC = z.strictObject({
  loadBalancerName: z.string().optional(),
  certificateArn: z.array(z.string()).optional(),
  namespaceSelector: z.record(z.string(), z.unknown()).optional(),
  group: z.strictObject({ name: z.string().min(1) }).optional(),
  scheme: z.enum(['internal', 'internet-facing']).optional(),
  inboundCIDRs: z.array(z.string()).optional(),
  sslPolicy: z.string().optional(),
  sslRedirectPort: z.string().optional(),
  ipAddressType: z.enum(['ipv4', 'dualstack', 'dualstack-without-public-ipv4']).optional(),
  tags: z.array(keyValue).optional(),
  targetType: z.enum(['instance', 'ip']).optional(),
  loadBalancerAttributes: z.array(keyValue).optional(),
  wafv2AclArn: z.string().optional(),
});

/** An `elbv2.k8s.aws/v1beta1` IngressClassParams (cluster-scoped). */
export type IIngressClassParams = {
  readonly apiVersion: 'elbv2.k8s.aws/v1beta1';
  readonly kind: 'IngressClassParams';
  readonly metadata: { readonly name: string };
  readonly spec: z.infer<typeof INGRESS_CLASS_PARAMS_SPEC>;
};

export interface LoadBalancerControllerValuesProps {
  readonly clusterName: string;
  readonly region: string;
  readonly vpcId: string;
  readonly replicas: number;
  /** Tags on every load balancer, target group and security group the controller creates. */
  readonly defaultTags: Readonly<Record<string, string>>;
}

/**
 * The controller's chart values. Region and VPC are given: the controller would otherwise ask
 * the instance metadata service, which pods on Karpenter's nodes cannot reach (hop limit 1), and
 * which a controller should not depend on wherever it runs.
 */
export function loadBalancerControllerValues(props: LoadBalancerControllerValuesProps) {
  const placement = controllerPlacement(props.replicas, {
    'app.kubernetes.io/name': 'aws-load-balancer-controller',
    'app.kubernetes.io/instance': 'aws-load-balancer-controller',
  });
  return {
    clusterName: props.clusterName,
    region: props.region,
    vpcId: props.vpcId,
    serviceAccount: { create: true, name: SERVICE_ACCOUNTS.loadBalancerController.name },
    replicaCount: placement.replicas,
    nodeSelector: placement.nodeSelector,
    tolerations: placement.tolerations,
    topologySpreadConstraints: placement.topologySpreadConstraints,
    podDisruptionBudget: placement.podDisruptionBudget ?? {},
    // This stack creates the class and its parameters itself (ingressClass()).
    createIngressClassResource: false,
    // Off: it would intercept every Service the cluster creates, and refuse them while the
    // controller is not ready, charts installed beside it included. The platform's load balancers
    // are the Ingresses' ALB; a Service that wants an NLB names the class itself.
    enableServiceMutatorWebhook: false,
    ingressClassParams: { create: false },
    defaultTags: props.defaultTags,
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '256Mi' } },
    serviceMonitor: { enabled: true },
  };
}

/** Current TLS 1.3 and strong TLS 1.2 ciphers, with post-quantum key exchange (AWS's default). */
export const ALB_TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09';

export interface IngressClassProps {
  /** The IngressClass name services use (`ingressClassName`). */
  readonly name: string;
  /** The ALB group every Ingress of the class joins: one shared load balancer. */
  readonly groupName: string;
  readonly certificateArn: string;
  readonly webAclArn: string;
  readonly accessLogBucket: string;
  readonly accessLogPrefix: string;
  /** Refuse deletion of the load balancer (prod). */
  readonly deletionProtection: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The environment's IngressClass and its parameters: one internet-facing ALB shared by every
 * Ingress of the class, HTTPS with the environment's certificate and a modern TLS policy, the
 * WAF in front, access logs to S3, malformed headers dropped, pods targeted directly.
 */
export function ingressClass(props: IngressClassProps): KubernetesObject[] {
  const params: IIngressClassParams = {
    apiVersion: 'elbv2.k8s.aws/v1beta1',
    kind: 'IngressClassParams',
    metadata: { name: props.name },
    spec: {
      group: { name: props.groupName },
      scheme: 'internet-facing',
      ipAddressType: 'ipv4',
      targetType: 'ip',
      certificateArn: [props.certificateArn],
      sslPolicy: ALB_TLS_POLICY,
      sslRedirectPort: '443',
      wafv2AclArn: props.webAclArn,
      loadBalancerAttributes: [
        { key: 'access_logs.s3.enabled', value: 'true' },
        { key: 'access_logs.s3.bucket', value: props.accessLogBucket },
        { key: 'access_logs.s3.prefix', value: props.accessLogPrefix },
        { key: 'deletion_protection.enabled', value: String(props.deletionProtection) },
        { key: 'routing.http.drop_invalid_header_fields.enabled', value: 'true' },
        { key: 'routing.http.desync_mitigation_mode', value: 'strictest' },
      ],
      tags: Object.entries(props.tags).map(([key, value]) => ({ key, value })),
    },
  };
  const cls = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: props.name },
    spec: {
      controller: 'ingress.k8s.aws/alb',
      parameters: { apiGroup: 'elbv2.k8s.aws', kind: 'IngressClassParams', name: props.name },
    },
  } satisfies IIngressClass;
  return [params, cls];
}
