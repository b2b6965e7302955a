import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a synthesized `cdk.tf.json` the harness reads and rewrites. */
export interface TerraformJson {
  '//'?: unknown;
  terraform?: {
    backend?: Record<string, Record<string, unknown>>;
    required_providers?: Record<string, { source?: string; version?: string }>;
    [key: string]: unknown;
  };
  provider?: Record<string, Record<string, unknown>[]>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, Record<string, unknown>>;
  locals?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface RemoteStateRead {
  /** Name of the `terraform_remote_state` data source in the consumer. */
  readonly name: string;
  /** The stack whose state it reads. */
  readonly upstream: string;
}

export interface SynthesizedStack {
  readonly name: string;
  readonly json: TerraformJson;
  readonly remoteStates: readonly RemoteStateRead[];
  /** Stacks this one reads, by name. */
  readonly dependsOn: readonly string[];
}

function backendKey(json: TerraformJson): string | undefined {
  const key = json.terraform?.backend?.s3?.key;
  return typeof key === 'string' ? key : undefined;
}

/**
 * Loads every stack of a CDKTF output directory and resolves which stack each
 * `terraform_remote_state` reads, by matching its S3 key to the stacks' backend keys.
 */
export function loadStacks(outdir: string, only?: (name: string) => boolean): SynthesizedStack[] {
  const stacksDir = join(outdir, 'stacks');
  const all = readdirSync(stacksDir)
    .sort()
    .map((name) => ({
      name,
      json: JSON.parse(readFileSync(join(stacksDir, name, 'cdk.tf.json'), 'utf8')) as TerraformJson,
    }));
  const byKey = new Map<string, string>();
  for (const stack of all) {
    const key = backendKey(stack.json);
    if (key) byKey.set(key, stack.name);
  }
  return all
    .filter((stack) => !only || only(stack.name))
    .map(({ name, json }) => {
      const remoteStates = Object.entries(json.data?.terraform_remote_state ?? {}).map(
        ([rsName, config]) => {
          const key = (config.config as Record<string, unknown> | undefined)?.key;
          const upstream = typeof key === 'string' ? byKey.get(key) : undefined;
          if (!upstream) {
            throw new Error(
              `${name}: data.terraform_remote_state.${rsName} reads ${JSON.stringify(key)}, which no synthesized stack writes`,
            );
          }
          return { name: rsName, upstream };
        },
      );
      return {
        name,
        json,
        remoteStates,
        dependsOn: [...new Set(remoteStates.map((r) => r.upstream))].sort(),
      };
    });
}

/** Orders stacks so every stack comes after the stacks it reads; throws on a cycle. */
export function dependencyOrder(stacks: readonly SynthesizedStack[]): SynthesizedStack[] {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const ordered: SynthesizedStack[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (stack: SynthesizedStack, path: string[]): void => {
    if (state.get(stack.name) === 'done') return;
    if (state.get(stack.name) === 'visiting') {
      throw new Error(`dependency cycle: ${[...path, stack.name].join(' -> ')}`);
    }
    state.set(stack.name, 'visiting');
    for (const dep of stack.dependsOn) {
      const upstream = byName.get(dep);
      if (upstream) visit(upstream, [...path, stack.name]);
    }
    state.set(stack.name, 'done');
    ordered.push(stack);
  };
  stacks.forEach((s) => visit(s, []));
  return ordered;
}
