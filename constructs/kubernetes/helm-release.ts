import { join } from 'node:path';
import { Release } from '@cdktf/provider-helm/lib/release';
import { AssetType, type ITerraformDependable, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';

/** Where a chart comes from: its project's own repository (an HTTPS index or an OCI registry). */
export interface ChartSource {
  readonly repository: string;
  readonly chart: string;
}

/** Settings every release of the platform shares. */
export interface ReleaseOptions {
  /**
   * Seconds Helm waits for the release's resources to be ready before it rolls back.
   * @default 600
   */
  readonly timeoutSeconds?: number;
  /** @default - none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** The release settings that make a failed install or upgrade leave nothing half done. */
function safeRelease(options: ReleaseOptions) {
  return {
    // A failed install or upgrade rolls back (and a first install is removed) instead of leaving
    // a release in `failed` that blocks the next apply.
    atomic: true,
    cleanupOnFail: true,
    wait: true,
    waitForJobs: true,
    timeout: options.timeoutSeconds ?? 600,
    // Enough revisions to roll back a few upgrades, without growing release secrets forever.
    maxHistory: 5,
    createNamespace: false,
    lint: true,
    ...(options.dependsOn ? { dependsOn: [...options.dependsOn] } : {}),
  };
}

export interface ChartReleaseProps extends ReleaseOptions {
  /** Release name, at most 53 characters. */
  readonly name: string;
  readonly namespace: string;
  readonly source: ChartSource;
  /** The exact chart version, from the environment's config. */
  readonly version: string;
  /** The chart's values, built by the typed function beside the chart's construct. */
  readonly values: object;
  /**
   * Leave the chart's `crds/` alone, for a chart whose CRDs another release owns.
   * @default false
   */
  readonly skipCrds?: boolean;
}

/** An upstream chart at a pinned version, released safely (atomic, waited for, bounded history). */
export class ChartRelease extends Construct {
  public readonly release: Release;

  constructor(scope: Construct, id: string, props: ChartReleaseProps) {
    super(scope, id);
    if (props.name.length > 53) {
      throw new Error(
        `${this.node.path}: release name "${props.name}" is ${props.name.length} characters, and Helm allows 53. Fix: shorten it`,
      );
    }
    this.release = new Release(this, 'release', {
      name: props.name,
      namespace: props.namespace,
      repository: props.source.repository,
      chart: props.source.chart,
      version: props.version,
      values: [JSON.stringify(props.values, null, 2)],
      ...(props.skipCrds ? { skipCrds: true } : {}),
      ...safeRelease(props),
    });
  }
}

/**
 * A Kubernetes object as this project builds it: an object literal checked against its type from
 * `kubernetes-models` or `@kubernetes-models/*` (`satisfies INamespace`), and validated against
 * its schema with those packages' `validate()` in the tests (__tests__/helpers/kubernetes.ts).
 * The models are not instantiated at synth: the packages are ES modules that tsx's CommonJS
 * `require` cannot load, and their types are all the synth needs.
 */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}

/** The in-repository chart (manifest-chart/) that renders typed objects: one asset per stack. */
export class ManifestChart extends Construct {
  public readonly path: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.path = new TerraformAsset(this, 'chart', {
      path: join(__dirname, 'manifest-chart'),
      type: AssetType.DIRECTORY,
    }).path;
  }
}

export interface ManifestReleaseProps extends ReleaseOptions {
  readonly name: string;
  /** Where Helm keeps the release's record; each object keeps its own namespace. */
  readonly namespace: string;
  readonly chart: ManifestChart;
  readonly objects: readonly KubernetesObject[];
}

/**
 * Typed Kubernetes objects applied through the in-repository chart, after the releases in
 * `dependsOn`. Custom resources go in this way, never as `kubernetes_manifest`: Terraform plans a
 * manifest against the cluster's CRDs, which do not exist on a fresh cluster until the chart
 * that owns them is installed (docs/eks-k8s.md).
 */
export class ManifestRelease extends Construct {
  public readonly release: Release;
  public readonly objects: readonly KubernetesObject[];

  constructor(scope: Construct, id: string, props: ManifestReleaseProps) {
    super(scope, id);
    if (props.objects.length === 0) {
      throw new Error(`${this.node.path}: a manifest release needs at least one object`);
    }
    const seen = new Set<string>();
    for (const object of props.objects) {
      const name = `${object.apiVersion} ${object.kind} ${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
      if (!object.metadata?.name) {
        throw new Error(`${this.node.path}: ${name} has no metadata.name. Fix: name it`);
      }
      if (seen.has(name)) {
        throw new Error(`${this.node.path}: ${name} is listed twice. Fix: build each object once`);
      }
      seen.add(name);
    }
    this.objects = props.objects;
    this.release = new Release(this, 'release', {
      name: props.name,
      namespace: props.namespace,
      chart: props.chart.path,
      values: [JSON.stringify({ manifests: props.objects }, null, 2)],
      ...safeRelease(props),
    });
  }
}
