import type { TerraformJson } from './stacks';

export interface PruneResult {
  readonly json: TerraformJson;
  /** Addresses removed (resources, data sources, outputs), with the reason. */
  readonly removed: readonly { readonly address: string; readonly reason: string }[];
  /** Outputs removed: a consumer's reads of them must be pruned too. */
  readonly removedOutputs: readonly string[];
}

/** The provider local name a resource type belongs to: `aws_vpc` -> `aws`. */
export function providerOf(type: string, config: Record<string, unknown>): string {
  const explicit = config.provider;
  if (typeof explicit === 'string') return explicit.split('.')[0];
  return type.split('_')[0];
}

function referencePattern(address: string): RegExp {
  const escaped = address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_.-])${escaped}($|[^A-Za-z0-9_-])`);
}

/**
 * Removes from a stack everything the proof cannot check: the resources and data sources of
 * providers that are not installed, those providers' configuration, outputs of an upstream stack
 * that were themselves removed (`missingUpstreamOutputs`: `data.terraform_remote_state.<name>.outputs.<output>`),
 * and, transitively, everything that references a removed address.
 */
export function pruneUnavailable(
  original: TerraformJson,
  availableProviders: ReadonlySet<string>,
  missingUpstreamOutputs: readonly string[] = [],
): PruneResult {
  const json = JSON.parse(JSON.stringify(original)) as TerraformJson;
  const removed: { address: string; reason: string }[] = [];
  const removedAddresses: string[] = [...missingUpstreamOutputs];

  const missingProviders = Object.keys(json.terraform?.required_providers ?? {}).filter(
    (p) => !availableProviders.has(p),
  );
  for (const provider of missingProviders) {
    delete json.terraform?.required_providers?.[provider];
    delete json.provider?.[provider];
  }

  for (const kind of ['resource', 'data'] as const) {
    for (const [type, blocks] of Object.entries(json[kind] ?? {})) {
      for (const [name, config] of Object.entries(blocks)) {
        const provider = providerOf(type, config);
        if (type !== 'terraform_remote_state' && !availableProviders.has(provider)) {
          const address = kind === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
          removed.push({ address, reason: `provider ${provider} is not installed` });
          removedAddresses.push(address);
          delete blocks[name];
        }
      }
    }
  }

  // Everything that references something removed goes too, until nothing changes.
  let changed = removedAddresses.length > 0;
  while (changed) {
    changed = false;
    const patterns = removedAddresses.map((a) => ({ address: a, pattern: referencePattern(a) }));
    const culprit = (config: unknown): string | undefined => {
      const text = JSON.stringify(config);
      return patterns.find((p) => p.pattern.test(text))?.address;
    };
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, blocks] of Object.entries(json[kind] ?? {})) {
        for (const [name, config] of Object.entries(blocks)) {
          const cause = culprit(config);
          if (cause) {
            const address = kind === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
            removed.push({ address, reason: `depends on ${cause}` });
            removedAddresses.push(address);
            delete blocks[name];
            changed = true;
          }
        }
      }
    }
    for (const [name, config] of Object.entries(json.provider ?? {})) {
      if (culprit(config)) {
        delete json.provider?.[name];
        changed = true;
      }
    }
  }

  const removedOutputs: string[] = [];
  const patterns = removedAddresses.map((a) => ({ address: a, pattern: referencePattern(a) }));
  for (const [name, config] of Object.entries(json.output ?? {})) {
    const cause = patterns.find((p) => p.pattern.test(JSON.stringify(config)))?.address;
    if (cause) {
      removed.push({ address: `output.${name}`, reason: `depends on ${cause}` });
      removedOutputs.push(name);
      delete json.output?.[name];
    }
  }

  // Drop emptied type maps so Terraform sees no empty blocks.
  for (const kind of ['resource', 'data'] as const) {
    for (const [type, blocks] of Object.entries(json[kind] ?? {})) {
      if (Object.keys(blocks).length === 0) delete json[kind]?.[type];
    }
  }
  return { json, removed, removedOutputs };
}
