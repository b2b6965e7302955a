import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { SERVICES } from '../../environments/services';
import { buildEnvironment, synthesizePlatform } from '../../stacks/platform';
import { backendRoleSql } from '../../constructs/database/backend-role';
import { imageReference } from '../../stacks/service-stack';
import type { EnvironmentConfig } from '../../environments';
import { prodEnv, testEnv } from '../helpers/environments';
import { tempDir } from '../helpers/paths';
import { manifestReleases, validateObject } from '../helpers/kubernetes';
import { policyOf, readStackJson, resourcesOf } from '../helpers/synth';

/** Every stack of an environment, its service stacks among them, synthesized once. */
function synth(environment: EnvironmentConfig) {
  const app = Testing.app();
  const stacks = buildEnvironment(app, environment);
  app.synth();
  const read = (component: string) => readStackJson(app.outdir, `${environment.name}-${component}`);
  return { stacks, services: stacks.services, read };
}

const prod = synth(prodEnv());
const objectsOf = (component: string) =>
  manifestReleases(prod.read(component)).flatMap((r) => r.objects);

describe('ServiceStack', () => {
  it('keeps each service in a stack of its own, named <env>-service-<name>', () => {
    expect(prod.services.backend.node.id).toBe('prod-service-backend');
    expect(prod.services.frontend.node.id).toBe('prod-service-frontend');
  });

  it('gives each service an ECR repository: immutable tags, scanned on push, its own KMS key, kept in prod', () => {
    for (const name of ['frontend', 'backend'] as const) {
      const [, repo] = resourcesOf(prod.read(`service-${name}`), 'aws_ecr_repository')[0];
      expect(repo).toMatchObject({
        name: SERVICES[name].repository,
        image_tag_mutability: 'IMMUTABLE',
        image_scanning_configuration: { scan_on_push: true },
        encryption_configuration: [{ encryption_type: 'KMS' }],
        force_delete: false,
        lifecycle: { prevent_destroy: true },
      });
    }
  });

  it('runs the configured image by the digest its tag resolved to, never latest', () => {
    const deployment = objectsOf('service-frontend').find((o) => o.kind === 'Deployment')!;
    const image = deployment.spec.template.spec.containers[0].image as string;
    // The tag is checked (the data source fails on a missing image) and pinned: what runs is the
    // digest that was checked, whatever the tag later points at.
    const [lookupName, lookup] = Object.entries(
      (
        prod.read('service-frontend').data as Record<
          string,
          Record<string, Record<string, unknown>>
        >
      ).aws_ecr_image,
    )[0]!;
    expect(lookup.image_tag).toBe('sha-0000000');
    expect(image).toBe(
      `\${aws_ecr_repository.${image.match(/aws_ecr_repository\.([^.]+)\./)?.[1]}.repository_url}@\${data.aws_ecr_image.${lookupName}.image_digest}`,
    );
    expect(imageReference('repo', 'sha256:' + 'a'.repeat(64))).toBe(
      `repo@sha256:${'a'.repeat(64)}`,
    );
  });

  it("runs a canary by its own tag's digest too", () => {
    const canary = synth(
      testEnv({ services: { frontend: { canary: { image: 'sha-1234567', weight: 10 } } } }),
    );
    const lookups = canary.read('service-frontend').data as Record<
      string,
      Record<string, Record<string, unknown>>
    >;
    const byTag = Object.fromEntries(
      Object.entries(lookups.aws_ecr_image).map(([name, l]) => [String(l.image_tag), name]),
    );
    expect(Object.keys(byTag).sort()).toEqual(['sha-0000000', 'sha-1234567']);
    const objects = manifestReleases(canary.read('service-frontend')).flatMap((r) => r.objects);
    const deployment = objects.find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'frontend-canary',
    )!;
    expect(deployment.spec.template.spec.containers[0].image).toMatch(
      new RegExp(`@\\$\\{data\\.aws_ecr_image\\.${byTag['sha-1234567']}\\.image_digest\\}$`),
    );
  });

  it('validates every object of both services against its schema', () => {
    for (const name of ['frontend', 'backend']) {
      const objects = objectsOf(`service-${name}`);
      expect(objects.length).toBeGreaterThan(8);
      for (const object of objects) validateObject(object);
    }
  });

  it("runs in eks-k8s's namespace, exposed on the shared ALB under the environment's domain (the frontend), internal (the backend)", () => {
    const frontend = objectsOf('service-frontend');
    const ingress = frontend.find((o) => o.kind === 'Ingress')!;
    expect(ingress.metadata.namespace).toBe('frontend');
    expect(ingress.spec.ingressClassName).toBe('alb');
    expect(ingress.spec.rules[0].host).toBe(`shop.${prodEnv().dns.domain}`);
    expect(objectsOf('service-backend').find((o) => o.kind === 'Ingress')).toBeUndefined();
  });

  it('lets the frontend reach the backend, the backend admit the frontend and reach PostgreSQL only', () => {
    const frontend = objectsOf('service-frontend');
    const env = frontend.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({
      name: 'API_URL',
      value: 'http://backend.backend.svc.cluster.local',
    });
    const backend = objectsOf('service-backend');
    const from = backend.find((o) => o.metadata.name === 'backend-from-frontend')!;
    expect(from.spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({
      'kubernetes.io/metadata.name': 'frontend',
    });
    const egress = backend.find((o) => o.metadata.name === 'backend-egress')!.spec.egress;
    // PostgreSQL in each database subnet, and Pod Identity's agent for its credentials.
    expect(egress).toEqual([
      ...prod.stacks.network.network.databaseSubnets.cidrs.map((cidr) => ({
        to: [{ ipBlock: { cidr } }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      })),
      { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] },
    ]);
    // The frontend has no AWS identity: no path to the agent.
    const frontendEgress = frontend.find((o) => o.metadata.name === 'frontend-egress')!.spec.egress;
    expect(JSON.stringify(frontendEgress)).not.toContain('169.254.170.23');
    // Any pod of the frontend may call, its canary's too (no track in the selector).
    expect(from.spec.ingress[0].from[0].podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'frontend',
    });
  });

  it('logs the backend in to PostgreSQL with IAM authentication, as its own user only', () => {
    const json = prod.read('service-backend');
    const env = Object.fromEntries(
      objectsOf('service-backend')
        .find((o) => o.kind === 'Deployment')!
        .spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [
          e.name,
          e.value,
        ]),
    );
    expect(env).toMatchObject({
      DATABASE_AUTH: 'iam',
      DATABASE_USER: 'backend',
      DATABASE_SCHEMA: 'cart',
      DATABASE_SSLMODE: 'verify-full',
      AWS_REGION: 'eu-west-1',
    });
    expect(env.DATABASE_PASSWORD).toBeUndefined();
    const [, policy] = resourcesOf(json, 'aws_iam_role_policy')[0];
    expect(policyOf(policy).Statement).toEqual([
      expect.objectContaining({
        Action: 'rds-db:connect',
        Resource: expect.stringMatching(
          /^arn:aws:rds-db:eu-west-1:222222222222:dbuser:\$\{data\.terraform_remote_state\..+\}\/backend$/,
        ),
      }),
    ]);
    const [, association] = resourcesOf(json, 'aws_eks_pod_identity_association')[0];
    expect(association).toMatchObject({ namespace: 'backend', service_account: 'backend' });
    // The frontend needs no AWS: no role at all.
    expect(resourcesOf(prod.read('service-frontend'), 'aws_iam_role')).toEqual([]);
  });

  it("creates the backend's role with a Job in a namespace of its own, as the master user, before the workload", () => {
    const json = prod.read('service-backend');
    const releases: Record<string, Record<string, unknown>> = Object.fromEntries(
      resourcesOf(json, 'helm_release').map(([id, r]) => [String(r.name), { id, ...r }]),
    );
    // After the role exists, the image was found, and the pods' credentials are in place.
    expect(releases.backend.depends_on).toEqual([
      'data.aws_ecr_image.configured-image',
      `helm_release.${String(releases['backend-database-access'].id)}`,
      expect.stringMatching(/^aws_iam_role_policy\.pod-identity_policy_/),
      expect.stringMatching(/^aws_eks_pod_identity_association\.pod-identity_association_/),
    ]);
    // The release's record lives where a namespace already is; it creates its own.
    expect(releases['backend-database-access'].namespace).toBe('kube-system');
    const access = manifestReleases(json).find(
      (r) => r.release.name === 'backend-database-access',
    )!;
    const byKind = (kind: string) => access.objects.filter((o) => o.kind === kind);
    expect(byKind('Namespace').map((o) => o.metadata.name)).toEqual(['backend-db-admin']);
    // The master secret is synced into that namespace only, through a store only it may use.
    const [store] = byKind('ClusterSecretStore');
    expect(store.spec.conditions).toEqual([{ namespaces: ['backend-db-admin'] }]);
    const [master] = byKind('ExternalSecret');
    expect(master.metadata.namespace).toBe('backend-db-admin');
    expect(master.spec.dataFrom[0].extract.key).toMatch(/cross-stack-reference-input-prod-rds/);
    // The script is exactly what the tests prove against PostgreSQL.
    const [sql] = byKind('ConfigMap');
    expect(sql.data['role.sql']).toBe(
      backendRoleSql({
        database: 'app',
        role: 'backend',
        schema: 'cart',
        connectionLimit: 25 * 12,
      }),
    );
    const [job] = byKind('Job');
    // A hash of the script and revision, then Terraform's of the address, secret and image: a new
    // endpoint is a new Job, never a changed one (a Job's spec is immutable).
    expect(job.metadata.name).toMatch(
      /^backend-db-role-[0-9a-f]{10}-\$\{local\.database-access-inputs-hash\}$/,
    );
    const hash = String(
      (json as { locals?: Record<string, unknown> }).locals?.['database-access-inputs-hash'],
    );
    expect(hash).toMatch(/^\$\{substr\(sha256\(join\("\|", \[.*\]\)\), 0, 8\)\}$/);
    expect(hash).toMatch(/cross-stack-output-[^,]*address, "5432", "app", /);
    expect(hash).toMatch(/cross-stack-output-[^,]*master_user_secret0secret_arn, /);
    expect(hash).toMatch(
      /aws_ecr_repository\.[^,]*repository_url, data\.aws_ecr_image\.[^,\]]*image_digest\]/,
    );
    const container = job.spec.template.spec.containers[0];
    expect(container.args).toEqual(['dist/backend/src/grant-role.js', '/sql/role.sql']);
    expect(
      container.env.find((e: { name: string }) => e.name === 'DATABASE_PASSWORD').valueFrom,
    ).toEqual({
      secretKeyRef: { name: 'backend-db-master', key: 'password' },
    });
    // The backend's own pods never get the master secret.
    const workload = objectsOf('service-backend').filter((o) => o.metadata.namespace === 'backend');
    expect(JSON.stringify(workload)).not.toContain('db-master');
  });

  it("changes only that service's stack when one service's image is bumped in one environment", () => {
    const outdirs = ['before', 'after'].map((name) =>
      join(tempDir(`service-blast-${name}`), 'out'),
    );
    const bumped = testEnv({ services: { backend: { image: 'sha-1234567' } } });
    synthesizePlatform([testEnv(), prodEnv()], { outdir: outdirs[0] });
    synthesizePlatform([bumped, prodEnv()], { outdir: outdirs[1] });
    const files = (dir: string) =>
      readdirSync(join(dir, 'stacks'), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(dir.length));
    const changed = files(outdirs[0]).filter(
      (file) => !readFileSync(join(outdirs[1], file)).equals(readFileSync(join(outdirs[0], file))),
    );
    expect(files(outdirs[1]).sort()).toEqual(files(outdirs[0]).sort());
    expect(changed).toEqual(['/stacks/test-service-backend/cdk.tf.json']);
    for (const dir of outdirs) rmSync(dirname(dir), { recursive: true, force: true });
  });

  it('is deployed after eks-k8s and destroyed before it, whose namespace, class and CRDs it uses', () => {
    for (const name of ['frontend', 'backend'] as const) {
      const deps = prod.services[name].dependencies.map((d) => d.node.id);
      expect(deps).toContain('prod-eks-k8s');
    }
  });

  it('checks that the configured image exists in its repository before anything rolls', () => {
    const json = prod.read('service-frontend');
    const [, lookup] = Object.entries(json.data?.aws_ecr_image ?? {})[0];
    expect(lookup).toMatchObject({
      repository_name: expect.stringMatching(
        /aws_ecr_repository\.image-repository_[0-9A-F]+\.name/,
      ),
      image_tag: 'sha-0000000',
    });
  });
});
