/**
 * The objects that give a service its own PostgreSQL role (docs/database-access.md): a namespace
 * of their own, where the RDS-managed master secret is synced and a Job applies the role's SQL
 * (constructs/database/backend-role.ts) as the master user. The service's pods run elsewhere and
 * never see the master credentials; they log in as their role with IAM authentication.
 */
import { createHash } from 'node:crypto';
import { Fn, TerraformLocal } from 'cdktf';
import type { Construct } from 'constructs';
import type { IClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore';
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { KubernetesObject } from '../kubernetes/helm-release';
import { DNS_EGRESS, namespace as restrictedNamespace } from '../kubernetes/namespaces';
import { RESTRICTED_CONTAINER } from '../kubernetes/placement';

export interface DatabaseAccessProps {
  /** The service, e.g. `backend`: its role's name, and the prefix of every object here. */
  readonly service: string;
  /** The namespace of the Job and the master secret, e.g. `backend-db-admin`. */
  readonly namespace: string;
  /** The service's image: it carries the runner (`dist/backend/src/grant-role.js`) and the RDS CA. */
  readonly image: string;
  /** The RDS-managed master secret (rds stack): only this namespace's store may read it. */
  readonly masterSecretArn: string;
  readonly region: string;
  readonly database: { readonly host: string; readonly port: number; readonly name: string };
  /** The database subnets' CIDRs: the Job's one way out besides DNS. */
  readonly databaseCidrs: readonly string[];
  /** The script the Job runs (backendRoleSql). */
  readonly sql: string;
  /**
   * What else makes the Job run again when it changes: the configured image tag or digest (the
   * `image` above holds Terraform references, which are not stable text to hash).
   */
  readonly revision: string;
  /**
   * Terraform's hash of the inputs that are references (the database's address, the master
   * secret, the image): `databaseAccessInputsHash`. A reference to a local, so the objects stay
   * JSON until Terraform fills it in.
   */
  readonly inputsHash: string;
}

/**
 * A local holding the first 8 hex digits of the SHA-256 of the Job's referenced inputs, computed
 * by Terraform as it applies (their values are not known at synth).
 */
export function databaseAccessInputsHash(
  scope: Construct,
  props: Pick<DatabaseAccessProps, 'database' | 'masterSecretArn'> & {
    /**
     * The image as its references, each whole (`repository_url`, `image_digest`): a string that
     * joins references cannot go into a Terraform function call.
     */
    readonly imageParts: readonly string[];
  },
): string {
  const parts = [
    props.database.host,
    String(props.database.port),
    props.database.name,
    props.masterSecretArn,
    ...props.imageParts,
  ];
  return new TerraformLocal(
    scope,
    'database-access-inputs-hash',
    Fn.substr(Fn.sha256(Fn.join('|', parts)), 0, 8),
  ).asString;
}

/** The runner in the service's image, as the image's entrypoint (node) takes it. */
export const GRANT_ROLE_ENTRYPOINT = 'dist/backend/src/grant-role.js';

/**
 * The namespace, its policies, the master secret's store and sync, the script, and the Job. The
 * Job's name carries a hash of everything in its spec, so a change runs it again (a Job is
 * immutable: a new spec under the old name would be refused, and the release rolled back) and an
 * unchanged deploy leaves the finished one alone: the script and the configured revision, hashed
 * here; the database's address, the master secret and the image, which are Terraform references,
 * hashed by Terraform as it applies (`databaseAccessInputsHash`).
 */
export function databaseAccessObjects(props: DatabaseAccessProps): KubernetesObject[] {
  const ns = props.namespace;
  const secret = `${props.service}-db-master`;
  const script = `${props.service}-db-role`;
  const hash = createHash('sha256')
    .update(props.sql)
    .update(props.revision)
    .digest('hex')
    .slice(0, 10);
  const applied = props.inputsHash;
  const store: IClusterSecretStore = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: `secrets-${ns}` },
    spec: {
      // No prefix: the master secret's name is RDS's (`rds!db-…`), which the operator's role
      // may read; only this namespace may use the store.
      provider: { aws: { service: 'SecretsManager', region: props.region } },
      conditions: [{ namespaces: [ns] }],
    },
  };
  const master: IExternalSecret = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: secret, namespace: ns },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: `secrets-${ns}` },
      target: { name: secret, creationPolicy: 'Owner' },
      // RDS's secret is JSON {"username", "password"}; RDS rotates it, the sync follows.
      dataFrom: [{ extract: { key: props.masterSecretArn } }],
    },
  };
  const sql: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: script, namespace: ns },
    data: { 'role.sql': props.sql },
  };
  const policy = (name: string, spec: INetworkPolicy['spec']): INetworkPolicy => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns },
    spec,
  });
  const job: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${props.service}-db-role-${hash}-${applied}`, namespace: ns },
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: 600,
      // Kept a week for its logs, then removed.
      ttlSecondsAfterFinished: 604_800,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': script } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'grant',
              image: props.image,
              args: [GRANT_ROLE_ENTRYPOINT, '/sql/role.sql'],
              env: [
                { name: 'DATABASE_HOST', value: props.database.host },
                { name: 'DATABASE_PORT', value: String(props.database.port) },
                { name: 'DATABASE_NAME', value: props.database.name },
                {
                  name: 'DATABASE_USER',
                  valueFrom: { secretKeyRef: { name: secret, key: 'username' } },
                },
                {
                  name: 'DATABASE_PASSWORD',
                  valueFrom: { secretKeyRef: { name: secret, key: 'password' } },
                },
              ],
              volumeMounts: [{ name: 'sql', mountPath: '/sql', readOnly: true }],
              resources: {
                requests: { cpu: '50m', memory: '64Mi' },
                limits: { memory: '128Mi' },
              },
              securityContext: { ...RESTRICTED_CONTAINER, capabilities: { drop: ['ALL'] } },
            },
          ],
          volumes: [{ name: 'sql', configMap: { name: script } }],
        },
      },
    },
  };
  return [
    restrictedNamespace(ns, 'restricted'),
    policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy('allow-dns-and-database', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        DNS_EGRESS,
        {
          to: props.databaseCidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ports: [{ protocol: 'TCP', port: props.database.port }],
        },
      ],
    }),
    store,
    master,
    sql,
    job,
  ];
}
