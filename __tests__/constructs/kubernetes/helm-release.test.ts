import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, inject, it } from 'vitest';
import {
  ChartRelease,
  type KubernetesObject,
  ManifestChart,
  ManifestRelease,
} from '../../../constructs/kubernetes/helm-release';
import { namespace } from '../../../constructs/kubernetes/namespaces';
import { findHelm, HELM_MISSING } from '../../../scripts/dev/helm';
import { environments } from '../../../environments';
import { type Manifest, manifestReleases } from '../../helpers/kubernetes';
import { ROOT, tempDir } from '../../helpers/paths';
import { runCommand } from '../../helpers/process';
import { onlyResource, readStackJson, synthConstruct } from '../../helpers/synth';

const byKindAndName = (a: Manifest, b: Manifest) =>
  `${a.kind}/${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
    `${b.kind}/${b.metadata.namespace}/${b.metadata.name}`,
  );

const source = { repository: 'https://charts.example.org', chart: 'example' };

describe('ChartRelease', () => {
  it('releases a pinned upstream chart atomically, waited for, with a bounded history', () => {
    const json = synthConstruct(
      (scope) =>
        new ChartRelease(scope, 'example', {
          name: 'example',
          namespace: 'kube-system',
          source,
          version: '1.2.3',
          values: { replicas: 2 },
        }),
    );
    expect(onlyResource(json, 'helm_release')).toMatchObject({
      name: 'example',
      repository: source.repository,
      chart: 'example',
      version: '1.2.3',
      atomic: true,
      wait: true,
      cleanup_on_fail: true,
      max_history: 5,
      timeout: 600,
      values: [JSON.stringify({ replicas: 2 }, null, 2)],
    });
  });

  it('throws when the release name is longer than Helm allows', () => {
    expect(() =>
      synthConstruct(
        (scope) =>
          new ChartRelease(scope, 'long', {
            name: 'x'.repeat(54),
            namespace: 'default',
            source,
            version: '1.0.0',
            values: {},
          }),
      ),
    ).toThrow(/is 54 characters, and Helm allows 53/);
  });
});

describe('ManifestRelease', () => {
  const release = (objects: KubernetesObject[]) =>
    synthConstruct(
      (scope) =>
        new ManifestRelease(scope, 'objects', {
          name: 'objects',
          namespace: 'default',
          chart: new ManifestChart(scope, 'chart'),
          objects,
        }),
    );

  it('ships the in-repository chart with the stack and passes the objects as its values', () => {
    const json = release([namespace('a', 'restricted')]);
    const r = onlyResource(json, 'helm_release');
    expect(r.chart).toMatch(/^assets\/chart_[0-9A-F]+\/[0-9A-F]+$/);
    expect(JSON.parse((r.values as string[])[0])).toEqual({
      manifests: [namespace('a', 'restricted')],
    });
  });

  it('throws when an object is listed twice, has no name, or there is none', () => {
    expect(() => release([namespace('a', 'restricted'), namespace('a', 'baseline')])).toThrow(
      /v1 Namespace \/a is listed twice/,
    );
    const unnamed = { apiVersion: 'v1', kind: 'Namespace', metadata: {} };
    expect(() => release([unnamed])).toThrow(/has no metadata.name/);
    expect(() => release([])).toThrow(/needs at least one object/);
  });
});

describe('the in-repository chart, rendered by Helm', () => {
  const helm = findHelm();
  const run = async (args: string[]) => {
    if (!helm) throw new Error(HELM_MISSING);
    const result = await runCommand(helm, args);
    expect(result.status, result.stderr).toBe(0);
    return result.stdout;
  };
  // The app as `npm run synth` wrote it for this run (setup/app-synth.ts).
  const { outdir } = inject('app');

  it('passes helm lint', async () => {
    await run(['lint', '--strict', join(ROOT, 'constructs/kubernetes/manifest-chart')]);
  });

  for (const environment of environments) {
    it(`renders exactly the objects of every release of ${environment.name}-eks-k8s, from the asset shipped with the stack`, async () => {
      const stack = `${environment.name}-eks-k8s`;
      const stackDir = join(outdir, 'stacks', stack);
      const work = tempDir('manifest-chart');
      const releases = manifestReleases(readStackJson(outdir, stack));
      expect(releases.length).toBe(5);
      for (const { id, release, objects } of releases) {
        const values = join(work, `${id}.json`);
        writeFileSync(values, (release.values as string[])[0]);
        const rendered = await run([
          'template',
          String(release.name),
          join(stackDir, String(release.chart)),
          '--namespace',
          String(release.namespace),
          '-f',
          values,
        ]);
        const documents = parseAllDocuments(rendered)
          .map((d) => d.toJS() as Manifest | null)
          .filter((d) => d !== null);
        // Helm applies in its own kind order (IngressClass before IngressClassParams, say):
        // the same objects, whatever the order.
        expect(documents.sort(byKindAndName), id).toEqual([...objects].sort(byKindAndName));
      }
      rmSync(work, { recursive: true, force: true });
    });
  }
});
