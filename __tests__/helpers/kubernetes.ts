import { ValidatingAdmissionPolicy } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy';
import { ValidatingAdmissionPolicyBinding } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding';
/**
 * Schema checks of the Kubernetes objects the stacks create: each object is validated with the
 * `validate()` of its model from `kubernetes-models` / `@kubernetes-models/*` (the Kubernetes
 * OpenAPI schema, or the CRD's), IngressClassParams against the schema transcribed from its CRD.
 * A kind with no schema here fails the test: every object is checked, none skipped.
 */
import { EC2NodeClass } from '@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass';
import { NodePool } from '@kubernetes-models/karpenter/karpenter.sh/v1/NodePool';
import { ClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { IngressClass } from 'kubernetes-models/networking.k8s.io/v1/IngressClass';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import type { KubernetesObject } from '../../constructs/kubernetes/helm-release';
import { INGRESS_CLASS_PARAMS_SPEC } from '../../constructs/kubernetes/ingress-class';
import type { SynthJson } from './synth';

/** An object as read back from synthesized JSON: any further field is the test's to assert. */
export type Manifest = KubernetesObject & {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly [k: string]: unknown;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly [field: string]: any;
};

type Validator = (object: Manifest) => void;
const model =
  (Model: new (data: never) => { validate(): void }): Validator =>
  (object) =>
    new Model(object as never).validate();

/** Every kind the stacks create, by `apiVersion/kind`, with its schema check. */
export const SCHEMAS: Readonly<Record<string, Validator>> = {
  'v1/Namespace': model(Namespace),
  'v1/ServiceAccount': model(ServiceAccount),
  'v1/ConfigMap': model(ConfigMap),
  'batch/v1/Job': model(Job),
  'v1/Service': model(Service),
  'apps/v1/Deployment': model(Deployment),
  'autoscaling/v2/HorizontalPodAutoscaler': model(HorizontalPodAutoscaler),
  'policy/v1/PodDisruptionBudget': model(PodDisruptionBudget),
  'networking.k8s.io/v1/Ingress': model(Ingress),
  'monitoring.coreos.com/v1/ServiceMonitor': model(ServiceMonitor),
  'v1/LimitRange': model(LimitRange),
  'v1/ResourceQuota': model(ResourceQuota),
  'networking.k8s.io/v1/NetworkPolicy': model(NetworkPolicy),
  'networking.k8s.io/v1/IngressClass': model(IngressClass),
  'storage.k8s.io/v1/StorageClass': model(StorageClass),
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': model(ValidatingAdmissionPolicy),
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': model(
    ValidatingAdmissionPolicyBinding,
  ),
  'karpenter.k8s.aws/v1/EC2NodeClass': model(EC2NodeClass),
  'karpenter.sh/v1/NodePool': model(NodePool),
  'external-secrets.io/v1/ClusterSecretStore': model(ClusterSecretStore),
  'external-secrets.io/v1/ExternalSecret': model(ExternalSecret),
  'monitoring.coreos.com/v1/PrometheusRule': model(PrometheusRule),
  'elbv2.k8s.aws/v1beta1/IngressClassParams': (object) => {
    INGRESS_CLASS_PARAMS_SPEC.parse(object.spec);
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(object.metadata.name ?? '')) {
      throw new Error(`metadata.name ${object.metadata.name} is not a DNS-1123 subdomain`);
    }
  },
};

/** Validates an object against its schema; throws naming the object when it breaks it. */
export function validateObject(built: KubernetesObject): void {
  const object = built as Manifest;
  const kind = `${object.apiVersion}/${object.kind}`;
  const check = SCHEMAS[kind];
  if (!check) throw new Error(`no schema for ${kind}: add its model to SCHEMAS`);
  try {
    check(object);
  } catch (error) {
    throw new Error(`${kind} ${object.metadata.name}: ${(error as Error).message}`);
  }
}

/** A release of the in-repository chart: its name, values and objects. */
export interface ManifestReleaseJson {
  readonly id: string;
  readonly release: Record<string, unknown>;
  readonly objects: Manifest[];
}

/** The releases of a synthesized stack that install the in-repository chart (an asset path). */
export function manifestReleases(json: SynthJson): ManifestReleaseJson[] {
  return Object.entries(json.resource?.helm_release ?? {})
    .filter(([, r]) => String(r.chart).startsWith('assets/'))
    .map(([id, release]) => ({
      id,
      release,
      objects: (JSON.parse(String((release.values as string[])[0])) as { manifests: Manifest[] })
        .manifests,
    }));
}
