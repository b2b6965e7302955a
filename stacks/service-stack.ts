/**
 * service-<name>: one service of the apps, deployed. Owns its ECR repository, its Pod Identity
 * role (when it needs AWS), and its objects in the cluster (constructs/service/workload.ts),
 * released through the in-repository chart as eks-k8s does. One class for every service: a
 * third service is an entry in environments/services.ts and in each environment's `services`.
 *
 * Reads (cross-stack references): the cluster and the Pod Identity binding from eks-infra; the
 * namespace, IngressClass and secret stores from eks-k8s; the subnets' CIDRs from network; and,
 * for a service with a database, the endpoint and resource id from rds.
 * Read by nothing: bumping one service's image changes this stack alone.
 */
import { DataAwsEcrImage } from '@cdktf/provider-aws/lib/data-aws-ecr-image';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { backendRoleSql } from '../constructs/database/backend-role';
import { POSTGRES_PORT } from '../constructs/database/postgres-database';
import { PodIdentityRole } from '../constructs/eks/pod-identity-role';
import { policyDocument } from '../constructs/iam/policy-document';
import { clusterProviders } from '../constructs/kubernetes/cluster-providers';
import { ManifestChart, ManifestRelease } from '../constructs/kubernetes/helm-release';
import type { PlatformNetwork } from '../constructs/network/platform-network';
import {
  databaseAccessInputsHash,
  databaseAccessObjects,
} from '../constructs/service/database-access';
import { ImageRepository } from '../constructs/service/image-repository';
import { serviceObjects } from '../constructs/service/workload';
import { isProduction } from '../environments';
import { SERVICES } from '../environments/services';
import type { EksInfraStack } from './eks-infra-stack';
import type { EksK8sStack } from './eks-k8s-stack';
import { PLATFORM_NAMESPACES, repositoryUrl } from './eks-k8s-stack';
import { PlatformStack, type PlatformStackProps } from './platform-stack';
import type { RdsStack } from './rds-stack';

export type ServiceName = keyof typeof SERVICES;

/** The backend's connection pool size (DATABASE_POOL_MAX, apps/backend/src/settings.ts default). */
export const DATABASE_POOL_MAX = 10;

export interface ServiceStackProps extends PlatformStackProps {
  readonly service: ServiceName;
  readonly network: PlatformNetwork;
  readonly eksInfra: EksInfraStack;
  readonly eksK8s: EksK8sStack;
  /** For a service whose contract names a database. */
  readonly rds?: RdsStack;
}

/** `repository:tag`, or `repository@sha256:…` for a digest. */
export const imageReference = (repositoryUrl: string, image: string): string =>
  image.startsWith('sha256:') ? `${repositoryUrl}@${image}` : `${repositoryUrl}:${image}`;

export class ServiceStack extends PlatformStack {
  public readonly repositoryUrl: string;
  public readonly workload: ManifestRelease;
  /** The release that creates the service's database role, before the workload (docs/database-access.md). */
  public readonly databaseAccess?: ManifestRelease;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const env = this.environment;
    const name = props.service;
    const contract = SERVICES[name];
    const config = env.services[name];
    const namespace = props.eksK8s.serviceNamespaces[name];
    clusterProviders(this, props.eksInfra.clusterAccess);
    // Its namespace, IngressClass, CRDs and controllers are eks-k8s's: deploy after it, destroy
    // before it (the names are plain strings, so no reference would order them).
    this.addDependency(props.eksK8s);

    // prod keeps its images through anything; a test environment's go with it at teardown.
    const prod = isProduction(env.name);
    const repository = new ImageRepository(this, 'image-repository', {
      repositoryName: contract.repository,
      accountId: env.accountId,
      preventDestroy: prod,
      forceDelete: !prod,
    });
    this.repositoryUrl = repository.repositoryUrl;

    const environment: Record<string, string> = { AWS_REGION: env.region };
    const called: { namespace: string; podLabels: Record<string, string>; port: number }[] = [];
    const outside: { cidr: string; port: number }[] = [];
    for (const call of contract.calls) {
      const calledNamespace = env.services[call.service].namespace;
      environment[call.urlVariable] = `http://${call.service}.${calledNamespace}.svc.cluster.local`;
      called.push({
        namespace: calledNamespace,
        podLabels: { 'app.kubernetes.io/name': call.service },
        port: SERVICES[call.service].port,
      });
    }
    // Who calls this one: the namespaces of the services whose contract names it.
    const callers = (Object.keys(SERVICES) as ServiceName[])
      .filter((other) => SERVICES[other].calls.some((c) => c.service === name))
      // Every pod of the caller, its canary's too.
      .map((other) => ({
        namespace: env.services[other].namespace,
        podLabels: { 'app.kubernetes.io/name': other },
      }));

    let identity: PodIdentityRole | undefined;
    if (contract.database) {
      if (!props.rds)
        throw new Error(`${this.node.path}: ${name} needs a database: pass the rds stack`);
      const rds = props.rds;
      Object.assign(environment, {
        DATABASE_HOST: rds.endpoint,
        // The instance's port is fixed (POSTGRES_PORT): a literal, not a number token, in the values.
        DATABASE_PORT: String(POSTGRES_PORT),
        DATABASE_NAME: rds.databaseName,
        DATABASE_USER: contract.database.role,
        DATABASE_SCHEMA: contract.database.schema,
        DATABASE_AUTH: 'iam',
        // The image holds RDS's CA bundle and names it (DATABASE_CA_FILE, apps/backend/Dockerfile).
        DATABASE_SSLMODE: 'verify-full',
      });
      outside.push(
        ...props.network.databaseSubnets.cidrs.map((cidr) => ({ cidr, port: POSTGRES_PORT })),
      );
      // IAM database authentication: this user of this instance, nothing else.
      identity = new PodIdentityRole(this, 'pod-identity', {
        clusterName: props.eksInfra.clusterName,
        clusterArn: props.eksInfra.cluster.clusterArn,
        accountId: env.accountId,
        roleName: `${env.eks.clusterName}-${name}`,
        serviceAccount: { namespace, name },
        policy: policyDocument({
          Sid: 'ConnectAsItsOwnDatabaseUser',
          Effect: 'Allow',
          Action: 'rds-db:connect',
          Resource: `arn:aws:rds-db:${env.region}:${env.accountId}:dbuser:${rds.resourceId}/${contract.database.role}`,
        }),
      });
    }

    const chart = new ManifestChart(this, 'manifest-chart');
    // A missing image fails here, in seconds, rather than as a rollout that times out; and the
    // pods run the digest it resolves to, so what runs is what was checked, whatever the tag
    // later points at.
    const configured = (id: string, reference: string) =>
      new DataAwsEcrImage(this, id, {
        repositoryName: repository.repositoryName,
        ...(reference.startsWith('sha256:') ? { imageDigest: reference } : { imageTag: reference }),
      });
    const configuredImage = configured('configured-image', config.image);
    const pinned = `${repository.repositoryUrl}@${configuredImage.imageDigest}`;
    const canaryImage = config.canary && configured('canary-image', config.canary.image);
    if (contract.database && props.rds) {
      // The role, its schema and grants, applied by a Job as the master user in a namespace of
      // its own, before the pods that log in as the role start.
      const adminNamespace = `${namespace}-db-admin`;
      const image = pinned;
      const database = {
        host: props.rds.endpoint,
        port: POSTGRES_PORT,
        name: env.rds.databaseName,
      };
      const surge =
        Math.ceil(config.replicas.max * 0.25) + (config.canary ? config.replicas.min : 0);
      this.databaseAccess = new ManifestRelease(this, 'database-access', {
        name: `${name}-database-access`,
        // The release's record: the namespace it creates does not exist before it.
        namespace: 'kube-system',
        chart,
        objects: databaseAccessObjects({
          service: name,
          namespace: adminNamespace,
          image,
          masterSecretArn: props.rds.masterSecretArn,
          region: env.region,
          database,
          inputsHash: databaseAccessInputsHash(this, {
            imageParts: [repository.repositoryUrl, configuredImage.imageDigest],
            masterSecretArn: props.rds.masterSecretArn,
            database,
          }),
          databaseCidrs: props.network.databaseSubnets.cidrs,
          revision: config.image,
          sql: backendRoleSql({
            database: env.rds.databaseName,
            role: contract.database.role,
            schema: contract.database.schema,
            // Every pod at once, during a rollout too: its pool, its probe and its migration
            // connection each (apps/backend/src/db.ts).
            connectionLimit: (config.replicas.max + surge) * (DATABASE_POOL_MAX + 2),
          }),
        }),
      });
    }

    this.workload = new ManifestRelease(this, 'workload', {
      name,
      namespace,
      chart,
      // Pods start with their credentials and their database role in place, from an image that exists.
      dependsOn: [
        configuredImage,
        ...(this.databaseAccess ? [this.databaseAccess.release] : []),
        ...(identity?.ready ?? []),
      ],
      objects: serviceObjects({
        name,
        namespace,
        image: pinned,
        port: contract.port,
        probes: contract.probes,
        resources: contract.resources,
        terminationGracePeriodSeconds: contract.terminationGracePeriodSeconds,
        replicas: config.replicas,
        autoscaling: {
          ...config.autoscaling,
          cpuPercent: contract.autoscaling.targetCpuUtilizationPercent,
        },
        env: { ...environment, PORT: String(contract.port) },
        metrics: contract.metrics,
        alerts: config.alerts,
        ingressFrom: callers,
        egress: { services: called, cidrs: outside },
        ...(config.route
          ? {
              route: {
                className: props.eksK8s.ingressClassName,
                host: `${config.route.host}.${env.dns.domain}`,
                path: config.route.path,
                healthCheckPath: config.route.healthCheckPath,
                loadBalancerCidrs: props.network.publicSubnets.cidrs,
              },
            }
          : {}),
        ...(config.canary
          ? {
              canary: {
                image: `${repository.repositoryUrl}@${canaryImage?.imageDigest}`,
                weight: config.canary.weight,
              },
            }
          : {}),
        monitoringNamespace: PLATFORM_NAMESPACES.monitoring,
        podIdentity: Boolean(identity),
        runbookUrl: repositoryUrl(env.tags.repository, 'docs/monitoring.md'),
      }),
    });

    new TerraformOutput(this, 'repository_url', { value: this.repositoryUrl });
    new TerraformOutput(this, 'image', { value: imageReference(this.repositoryUrl, config.image) });
    if (config.route) {
      new TerraformOutput(this, 'url', {
        value: `https://${config.route.host}.${env.dns.domain}${config.route.path}`,
      });
    }
  }
}
