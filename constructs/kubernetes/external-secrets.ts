import type { IValidatingAdmissionPolicy } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy';
import type { IValidatingAdmissionPolicyBinding } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding';
import type { IClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore';
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { SERVICE_ACCOUNTS } from '../eks/service-accounts';
import type { ChartSource } from './helm-release';
import { controllerPlacement, RESTRICTED_CONTAINER, resources } from './placement';

export const EXTERNAL_SECRETS_CHART: ChartSource = {
  repository: 'https://charts.external-secrets.io',
  chart: 'external-secrets',
};

export interface ExternalSecretsValuesProps {
  readonly replicas: number;
}

/** The operator, its webhook and its certificate controller, each highly available. */
export function externalSecretsValues(props: ExternalSecretsValuesProps) {
  const component = (name: string) => {
    const placement = controllerPlacement(props.replicas, {
      'app.kubernetes.io/name': name,
      'app.kubernetes.io/instance': 'external-secrets',
    });
    return {
      replicaCount: placement.replicas,
      nodeSelector: placement.nodeSelector,
      tolerations: placement.tolerations,
      topologySpreadConstraints: placement.topologySpreadConstraints,
      podDisruptionBudget: { enabled: props.replicas > 1, maxUnavailable: 1 },
      securityContext: RESTRICTED_CONTAINER,
      resources: resources('50m', '128Mi'),
    };
  };
  return {
    installCRDs: true,
    // Namespaced stores are not reconciled; `noNamespacedSecretStores` refuses them at admission
    // (the chart's crds.createSecretStore does not remove the CRD in 2.9.0: hack/helm.generate.sh
    // gates only Cluster* and PushSecret kinds).
    processSecretStore: false,
    // More than one replica of the operator needs leader election.
    leaderElect: props.replicas > 1,
    serviceAccount: { create: true, name: SERVICE_ACCOUNTS.externalSecrets.name },
    ...component('external-secrets'),
    // The chart renders its monitors only if the API server lists the ServiceMonitor kind at
    // render time; the CRD is installed before this release, so render them regardless.
    serviceMonitor: { enabled: true, renderMode: 'alwaysRender' },
    webhook: component('external-secrets-webhook'),
    certController: component('external-secrets-cert-controller'),
  };
}

/**
 * No namespaced SecretStore may be created or changed: a store without `auth` reads with the
 * operator's own Pod Identity role (ESO 2.9 providers/v1/aws/auth/auth.go: no auth, default
 * credentials), which reaches every secret of the environment, and the chart lets any namespace
 * editor create one (its aggregate-to-edit role). Turning the store reconciler off alone would not
 * do: its flood gate lets a store of unknown status through. Every store here is a
 * ClusterSecretStore bound to one namespace (`secretStore`).
 */
export function noNamespacedSecretStores(): [
  IValidatingAdmissionPolicy,
  IValidatingAdmissionPolicyBinding,
] {
  const name = 'no-namespaced-secret-stores';
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['external-secrets.io'],
              apiVersions: ['*'],
              operations: ['CREATE', 'UPDATE'],
              resources: ['secretstores'],
            },
          ],
        },
        validations: [
          {
            expression: 'false',
            reason: 'Forbidden',
            message:
              "namespaced SecretStores are refused on this cluster: one without auth would read with the External Secrets operator's role. Use your namespace's ClusterSecretStore secrets-<namespace> (docs/eks-k8s.md, Secrets).",
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name },
      spec: { policyName: name, validationActions: ['Deny'] },
    },
  ];
}

/** The store a namespace reads its secrets through. */
export const secretStoreName = (namespace: string): string => `secrets-${namespace}`;

export interface SecretStoreProps {
  readonly region: string;
  /** The one namespace that may use the store. */
  readonly namespace: string;
  /**
   * Prepended to every key the namespace asks for (`platform/test/backend/`): the namespace reads
   * under it and nowhere else.
   */
  readonly prefix: string;
}

/**
 * A namespace's store for AWS Secrets Manager: usable from that namespace only, and reading only
 * names under its prefix (External Secrets prepends the prefix to every key it fetches; listing
 * secrets, which `find` would need, is not granted). No credentials in it: the operator reads
 * with its Pod Identity role, which reaches the environment's prefix and nothing else.
 */
export function secretStore(props: SecretStoreProps): IClusterSecretStore {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: secretStoreName(props.namespace) },
    spec: {
      provider: {
        aws: { service: 'SecretsManager', region: props.region, prefix: props.prefix },
      },
      conditions: [{ namespaces: [props.namespace] }],
    },
  } satisfies IClusterSecretStore;
}

export interface SyncedSecretProps {
  /** The Kubernetes Secret's name and namespace. */
  readonly name: string;
  readonly namespace: string;
  /**
   * The Secrets Manager secret, under the namespace store's prefix and without it: a JSON object
   * whose keys become the Secret's keys.
   */
  readonly key: string;
}

/** A Kubernetes Secret kept in step with a Secrets Manager secret, re-read hourly. */
export function syncedSecret(props: SyncedSecretProps): IExternalSecret {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: props.name, namespace: props.namespace },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: secretStoreName(props.namespace) },
      target: { name: props.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      dataFrom: [{ extract: { key: props.key } }],
    },
  } satisfies IExternalSecret;
}
