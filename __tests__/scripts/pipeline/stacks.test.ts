import { appendFileSync, cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { environments } from '../../../environments';
import {
  changedStacks,
  dependencyOrder,
  type ManifestStack,
  orderStacks,
  sameTree,
} from '../../../scripts/pipeline/stacks';
import { COMPONENTS } from '../../helpers/environments';
import { tempDir } from '../../helpers/paths';
import { runScript } from '../../helpers/process';

/** The real app, as `npm run synth` wrote it for this run (setup/app-synth.ts); read only. */
const { outdir } = inject('app');

const run = (...args: string[]) => runScript('pipeline/stacks.ts', ...args);

/** A copy of the synthesized app, to change. */
function copyOut(): string {
  const copy = join(tempDir('stacks-head'), 'out');
  cpSync(outdir, copy, { recursive: true });
  return copy;
}

const position = (order: readonly string[], stack: string) => {
  expect(order).toContain(stack);
  return order.indexOf(stack);
};

describe('stacks:order', () => {
  it('orders every stack of an environment after the stacks it reads, tfstate left out', () => {
    for (const { name } of environments) {
      const order = orderStacks(outdir, { env: name }).map((s) => s.stack);
      const at = (component: string) => position(order, `${name}-${component}`);
      expect(order).toHaveLength(COMPONENTS.length - 1);
      expect(order).not.toContain(`${name}-tfstate`);
      expect(at('network')).toBeLessThan(at('eks-infra'));
      expect(at('eks-infra')).toBeLessThan(at('eks-k8s'));
      expect(at('eks-infra')).toBeLessThan(at('rds'));
      expect(at('rds')).toBeLessThan(at('service-backend'));
      expect(at('eks-k8s')).toBeLessThan(at('service-backend'));
      expect(at('eks-k8s')).toBeLessThan(at('service-frontend'));
    }
  });

  it('puts every AWS-only stack before the cluster stacks, as the deploy jobs run them', () => {
    for (const { name } of environments) {
      const flags = orderStacks(outdir, { env: name, includeTfstate: true }).map((s) => s.cluster);
      // false…false, true…true: the check deploy.yml and deploy-prod.yml make before deploying.
      expect(flags.indexOf(true)).toBeGreaterThan(0);
      expect(flags.slice(flags.indexOf(true)).every(Boolean), name).toBe(true);
    }
    const stack = (name: string, ...dependencies: string[]): ManifestStack => ({
      name,
      dependencies,
      workingDirectory: `stacks/${name}`,
    });
    // Manifest order (alphabetical) would put `c-rds` after `b-k8s`; preferring AWS-only ones does not.
    const order = dependencyOrder(
      [
        stack('a-infra'),
        stack('b-k8s', 'a-infra'),
        stack('c-rds', 'a-infra'),
        stack('d-svc', 'b-k8s', 'c-rds'),
      ],
      (s) => !s.name.endsWith('k8s') && !s.name.endsWith('svc'),
    ).map((s) => s.name);
    expect(order).toEqual(['a-infra', 'c-rds', 'b-k8s', 'd-svc']);
  });

  it('includes tfstate, before eks-k8s which reads it, only when asked', () => {
    const order = orderStacks(outdir, { env: 'test', includeTfstate: true }).map((s) => s.stack);
    expect(order).toHaveLength(COMPONENTS.length);
    expect(position(order, 'test-tfstate')).toBeLessThan(position(order, 'test-eks-k8s'));
  });

  it('marks the stacks that use the kubernetes or helm provider as cluster stacks', () => {
    const entries = orderStacks(outdir, { env: 'prod' });
    expect(Object.fromEntries(entries.map((e) => [e.stack, e.cluster]))).toEqual({
      'prod-network': false,
      'prod-eks-infra': false,
      'prod-rds': false,
      'prod-eks-k8s': true,
      'prod-service-backend': true,
      'prod-service-frontend': true,
    });
    expect(new Set(entries.map((e) => e.env))).toEqual(new Set(['prod']));
  });

  it('keeps the manifest order among stacks that are ready together, and refuses a cycle', () => {
    const stack = (name: string, ...dependencies: string[]): ManifestStack => ({
      name,
      dependencies,
      workingDirectory: `stacks/${name}`,
    });
    const names = (stacks: ManifestStack[]) => dependencyOrder(stacks).map((s) => s.name);
    expect(names([stack('c', 'a'), stack('b'), stack('a')])).toEqual(['b', 'a', 'c']);
    expect(names([stack('b'), stack('a'), stack('c', 'b', 'a')])).toEqual(['b', 'a', 'c']);
    expect(() => names([stack('a', 'b'), stack('b', 'a')])).toThrow(/cycle among: a, b/);
  });

  it('prints names one a line, or JSON, as a process', async () => {
    const lines = await run('order', '--outdir', outdir, '--env', 'test');
    expect(lines.status, lines.stderr).toBe(0);
    expect(lines.stdout.trim().split('\n')).toEqual(
      orderStacks(outdir, { env: 'test' }).map((s) => s.stack),
    );
    const json = await run('order', '--outdir', outdir, '--env', 'test', '--json');
    expect(JSON.parse(json.stdout)).toEqual(orderStacks(outdir, { env: 'test' }));
  });

  it('refuses an unknown flag with the usage (exit 2), and an unknown environment (exit 1)', async () => {
    const flag = await run('order', '--outdir', outdir, '--environment', 'test');
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--environment'");
    expect(flag.stderr).toContain('usage: npm run -s stacks:order');
    const env = await run('order', '--outdir', outdir, '--env', 'staging');
    expect(env.status).toBe(1);
    expect(env.stderr).toContain(
      '--env names no environment of the synthesized stacks, got "staging". Fix: use one of prod, test',
    );
    const missing = await run('order', '--outdir', join(outdir, 'nowhere'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/manifest\.json does not exist.*Fix: run npm run synth/);
  });
});

describe('stacks:changed', () => {
  it('finds nothing between two identical synths', () => {
    expect(changedStacks(outdir, copyOut())).toEqual([]);
  });

  it('finds exactly the stacks whose cdk.tf.json or an asset changed, in dependency order', () => {
    const head = copyOut();
    // An asset: the in-repository Helm chart the service stack releases.
    const assets = join(head, 'stacks', 'test-service-frontend', 'assets');
    const chart = join(assets, readdirSync(assets)[0]);
    const hash = readdirSync(chart)[0];
    appendFileSync(join(chart, hash, 'values.yaml'), '# changed\n');
    const json = join(head, 'stacks', 'test-network', 'cdk.tf.json');
    appendFileSync(json, '\n');

    expect(changedStacks(outdir, head)).toEqual([
      { stack: 'test-network', env: 'test', cluster: false, change: 'modified' },
      { stack: 'test-service-frontend', env: 'test', cluster: true, change: 'modified' },
    ]);
    expect(changedStacks(outdir, head, { env: 'prod' })).toEqual([]);
    // Terraform's own files in a stack directory are not the stack's.
    const [before, after] = [outdir, head].map((dir) => join(dir, 'stacks', 'prod-rds'));
    writeFileSync(join(after, '.terraform.lock.hcl'), '# lock\n');
    writeFileSync(join(after, 'tfplan'), 'plan');
    expect(sameTree(before, after)).toBe(true);
  });

  it('counts a stack removed or added, and a file added to a stack', () => {
    const head = copyOut();
    rmSync(join(head, 'stacks', 'prod-rds'), { recursive: true });
    const manifestPath = join(head, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      stacks: Record<string, { dependencies: string[] }>;
    };
    delete manifest.stacks['prod-rds'];
    const backend = manifest.stacks['prod-service-backend'];
    backend.dependencies = backend.dependencies.filter((d) => d !== 'prod-rds');
    writeFileSync(manifestPath, JSON.stringify(manifest));
    writeFileSync(join(head, 'stacks', 'prod-eks-k8s', 'extra.json'), '{}');

    // Where the whole app's order puts them.
    const expected = (change: 'added' | 'removed') =>
      orderStacks(outdir, { env: 'prod' })
        .filter((s) => ['prod-rds', 'prod-eks-k8s'].includes(s.stack))
        .map((s) => ({ ...s, change: s.stack === 'prod-rds' ? change : 'modified' }));
    expect(changedStacks(outdir, head, { env: 'prod' })).toEqual(expected('removed'));
    // The other way round, the stack is added.
    expect(changedStacks(head, outdir, { env: 'prod' })).toEqual(expected('added'));
  });

  it('prints the changed stacks as a process, and refuses --outdir', async () => {
    const head = copyOut();
    appendFileSync(join(head, 'stacks', 'test-tfstate', 'cdk.tf.json'), '\n');
    appendFileSync(join(head, 'stacks', 'test-rds', 'cdk.tf.json'), '\n');
    const plain = await run('changed', '--base', outdir, '--head', head);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toBe('test-rds\n');
    const all = await run(
      'changed',
      '--base',
      outdir,
      '--head',
      head,
      '--include-tfstate',
      '--json',
    );
    // In the order of the whole app, whichever of the two it puts first.
    const changed = ['test-rds', 'test-tfstate'];
    expect(JSON.parse(all.stdout).map((s: { stack: string }) => s.stack)).toEqual(
      orderStacks(head, { includeTfstate: true })
        .map((s) => s.stack)
        .filter((s) => changed.includes(s)),
    );
    const wrong = await run('changed', '--outdir', outdir, '--head', head);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('--outdir does not apply to stacks:changed');
  });
});
