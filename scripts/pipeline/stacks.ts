/**
 * Which stacks a workflow runs, and in what order, read from synthesized CDKTF output:
 *
 * - `npm run -s stacks:order -- --outdir <dir> [--env <env>] [--json] [--include-tfstate]`: every
 *   stack in dependency order.
 * - `npm run -s stacks:changed -- --base <dir> --head <dir> [--env <env>] [--json]
 *   [--include-tfstate]`: the stacks whose synthesized directory differs between two synths
 *   (a file added, removed or changed, `cdk.tf.json` and assets alike; a stack added or removed
 *   counts), in dependency order.
 *
 * One stack name a line, or with `--json` an array of `{ stack, env, cluster }` (`cluster`: the
 * stack configures the kubernetes or helm provider, so it must run where the cluster API is
 * reachable); `changed` adds `change`: added, removed or modified. The `<env>-tfstate` stacks are
 * left out unless `--include-tfstate`: they hold the pipeline's own identity, which a person
 * applies (docs/delivery.md). Exit 2 on an unknown flag, 1 on an unknown environment or unreadable output.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommandLine, runCommand, ScriptError, UsageError } from './cli';

export const USAGE = [
  'usage: npm run -s stacks:order -- --outdir <dir> [--env <env>] [--json] [--include-tfstate]',
  '       npm run -s stacks:changed -- --base <dir> --head <dir> [--env <env>] [--json] [--include-tfstate]',
].join('\n');

/** One stack of a CDKTF manifest, in the manifest's order. */
export interface ManifestStack {
  readonly name: string;
  readonly dependencies: readonly string[];
  /** Its synthesized directory, relative to the outdir (`stacks/<name>`). */
  readonly workingDirectory: string;
}

export interface StackEntry {
  readonly stack: string;
  readonly env: string;
  /** Configures the kubernetes or helm provider: it talks to the cluster API. */
  readonly cluster: boolean;
}

export type Change = 'added' | 'removed' | 'modified';
export interface ChangedStack extends StackEntry {
  readonly change: Change;
}

export interface SelectOptions {
  /** Only this environment's stacks. @default - every environment's */
  readonly env?: string;
  /** Keep the `<env>-tfstate` stacks. @default false */
  readonly includeTfstate?: boolean;
}

/** The stacks of `<outdir>/manifest.json`, as `cdktf synth` (or `npm run synth`) wrote it. */
export function readManifest(outdir: string): ManifestStack[] {
  const path = join(outdir, 'manifest.json');
  if (!existsSync(path)) {
    throw new ScriptError(
      `${path} does not exist: ${outdir} is not a CDKTF output directory. Fix: run npm run synth (it writes cdktf.out) and pass that directory`,
    );
  }
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as {
    stacks?: Record<string, { name?: string; dependencies?: string[]; workingDirectory?: string }>;
  };
  return Object.entries(manifest.stacks ?? {}).map(([key, stack]) => ({
    name: stack.name ?? key,
    dependencies: stack.dependencies ?? [],
    workingDirectory: stack.workingDirectory ?? join('stacks', stack.name ?? key),
  }));
}

/**
 * The environment of a stack `<env>-<component>`: environment names have no hyphen
 * (environments/schema.ts `environmentName`), so it is everything before the first.
 */
export const environmentOf = (stack: string): string => stack.split('-')[0];
const isTfstate = (stack: string): boolean => stack === `${environmentOf(stack)}-tfstate`;

/** Whether the stack's `cdk.tf.json` configures the kubernetes or helm provider. */
export function usesCluster(stackDir: string): boolean {
  const json = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as {
    provider?: Record<string, unknown>;
  };
  return ['kubernetes', 'helm'].some((provider) => json.provider?.[provider] !== undefined);
}

/**
 * The stacks ordered so each comes after every stack it depends on; among the stacks ready at a
 * step, a `preferred` one goes first, then the first in the given order, so the result is stable.
 * A dependency outside the list is ignored. Throws on a cycle.
 */
export function dependencyOrder(
  stacks: readonly ManifestStack[],
  preferred: (stack: ManifestStack) => boolean = () => false,
): ManifestStack[] {
  const names = new Set(stacks.map((s) => s.name));
  const waiting = new Map(
    stacks.map((s) => [s.name, new Set(s.dependencies.filter((d) => names.has(d)))]),
  );
  const ordered: ManifestStack[] = [];
  while (ordered.length < stacks.length) {
    const ready = stacks.filter((s) => waiting.get(s.name)?.size === 0);
    const next = ready.find(preferred) ?? ready[0];
    if (!next) {
      const stuck = [...waiting.keys()].join(', ');
      throw new ScriptError(`the stacks' dependencies form a cycle among: ${stuck}`);
    }
    ordered.push(next);
    waiting.delete(next.name);
    waiting.forEach((deps) => deps.delete(next.name));
  }
  return ordered;
}

function checkEnvironment(env: string | undefined, stacks: readonly ManifestStack[]): void {
  const known = [...new Set(stacks.map((s) => environmentOf(s.name)))];
  if (env !== undefined && !known.includes(env)) {
    throw new ScriptError(
      `--env names no environment of the synthesized stacks, got ${JSON.stringify(env)}. Fix: use one of ${known.join(', ')}`,
    );
  }
}

const selected = (name: string, options: SelectOptions): boolean =>
  (options.env === undefined || environmentOf(name) === options.env) &&
  (options.includeTfstate === true || !isTfstate(name));

/**
 * Every stack of a synthesized app, in dependency order, the stacks that do not talk to the
 * cluster first wherever their dependencies allow: the workflows run those on GitHub's runners,
 * then the cluster stacks on the runner in the VPC (which eks-infra, an AWS-only stack, creates).
 */
export function orderStacks(outdir: string, options: SelectOptions = {}): StackEntry[] {
  const stacks = readManifest(outdir);
  checkEnvironment(options.env, stacks);
  const cluster = new Map(
    stacks.map((s) => [s.name, usesCluster(join(outdir, s.workingDirectory))]),
  );
  return dependencyOrder(stacks, (s) => !cluster.get(s.name))
    .filter((s) => selected(s.name, options))
    .map((s) => ({
      stack: s.name,
      env: environmentOf(s.name),
      cluster: cluster.get(s.name) === true,
    }));
}

/**
 * Terraform's own files in a stack directory, there once a workflow has run `terraform init` or
 * `plan` in it: not part of the synthesized stack.
 */
const TERRAFORM_WORK_FILES = new Set([
  '.terraform',
  '.terraform.lock.hcl',
  'tfplan',
  'terraform.tfstate',
  'terraform.tfstate.backup',
]);

/** Every file under `dir`, by path relative to it, as bytes (a symbolic link as its target). */
function filesOf(dir: string, prefix = ''): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(join(dir, prefix)).sort()) {
    if (prefix === '' && TERRAFORM_WORK_FILES.has(entry)) continue;
    const relative = join(prefix, entry);
    const stat = lstatSync(join(dir, relative));
    if (stat.isDirectory()) {
      filesOf(dir, relative).forEach((bytes, path) => files.set(path, bytes));
    } else if (stat.isSymbolicLink()) {
      files.set(relative, Buffer.from(`symlink:${readlinkSync(join(dir, relative))}`));
    } else {
      files.set(relative, readFileSync(join(dir, relative)));
    }
  }
  return files;
}

/** Whether two directories hold the same files with the same bytes. */
export function sameTree(a: string, b: string): boolean {
  const [left, right] = [filesOf(a), filesOf(b)];
  return (
    left.size === right.size &&
    [...left].every(([path, bytes]) => right.get(path)?.equals(bytes) === true)
  );
}

/**
 * The head's stacks with the removed ones put back where the base had them (after the same
 * stack), so that ties in the dependency order still follow the manifests' order.
 */
function withRemoved(
  before: readonly ManifestStack[],
  after: readonly ManifestStack[],
  removed: readonly ManifestStack[],
): ManifestStack[] {
  const merged = [...after];
  const gone = new Set(removed.map((s) => s.name));
  before.forEach((stack, i) => {
    if (!gone.has(stack.name)) return;
    const previous = before
      .slice(0, i)
      .reverse()
      .find((s) => merged.some((m) => m.name === s.name));
    merged.splice(previous ? merged.findIndex((m) => m.name === previous.name) + 1 : 0, 0, stack);
  });
  return merged;
}

/** The stacks whose synthesized directory differs between two synths, in dependency order. */
export function changedStacks(
  base: string,
  head: string,
  options: SelectOptions = {},
): ChangedStack[] {
  const [before, after] = [readManifest(base), readManifest(head)];
  checkEnvironment(options.env, [...before, ...after]);
  const beforeByName = new Map(before.map((s) => [s.name, s]));
  const afterNames = new Set(after.map((s) => s.name));
  const removed = before.filter((s) => !afterNames.has(s.name));
  const changes = new Map<string, { change: Change; dir: string }>();
  for (const stack of after) {
    const old = beforeByName.get(stack.name);
    const dir = join(head, stack.workingDirectory);
    if (!old) changes.set(stack.name, { change: 'added', dir });
    else if (!sameTree(join(base, old.workingDirectory), dir))
      changes.set(stack.name, { change: 'modified', dir });
  }
  for (const stack of removed) {
    changes.set(stack.name, { change: 'removed', dir: join(base, stack.workingDirectory) });
  }
  const all = withRemoved(before, after, removed);
  const dirOf = (s: ManifestStack) =>
    changes.get(s.name)?.dir ?? join(afterNames.has(s.name) ? head : base, s.workingDirectory);
  const cluster = new Map(all.map((s) => [s.name, usesCluster(dirOf(s))]));
  return dependencyOrder(all, (s) => !cluster.get(s.name))
    .filter((s) => changes.has(s.name) && selected(s.name, options))
    .map((s) => {
      const { change } = changes.get(s.name) as { change: Change; dir: string };
      return {
        stack: s.name,
        env: environmentOf(s.name),
        cluster: cluster.get(s.name) === true,
        change,
      };
    });
}

export function main(args: readonly string[]): void {
  const [command, ...rest] = args;
  const { values, positionals } = parseCommandLine(rest, {
    outdir: { type: 'string' },
    base: { type: 'string' },
    head: { type: 'string' },
    env: { type: 'string' },
    json: { type: 'boolean' },
    'include-tfstate': { type: 'boolean' },
  });
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  }
  const options = { env: values.env, includeTfstate: values['include-tfstate'] };
  const need = (flag: 'outdir' | 'base' | 'head'): string => {
    const value = values[flag];
    if (!value) throw new UsageError(`--${flag} <dir> is missing`);
    return value;
  };
  const refuse = (flags: readonly ('outdir' | 'base' | 'head')[]) =>
    flags.forEach((flag) => {
      if (values[flag] !== undefined) {
        throw new UsageError(`--${flag} does not apply to stacks:${command}`);
      }
    });
  let stacks: StackEntry[];
  if (command === 'order') {
    refuse(['base', 'head']);
    stacks = orderStacks(need('outdir'), options);
  } else if (command === 'changed') {
    refuse(['outdir']);
    stacks = changedStacks(need('base'), need('head'), options);
  } else {
    throw new UsageError(`unknown command ${JSON.stringify(command)}: use order or changed`);
  }
  if (values.json) console.log(JSON.stringify(stacks));
  else stacks.forEach((s) => console.log(s.stack));
}

if (require.main === module) runCommand(USAGE, () => main(process.argv.slice(2)));
