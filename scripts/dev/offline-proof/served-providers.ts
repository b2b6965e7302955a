/**
 * The providers the proof serves from their schema (`schema-server.ts`) because they cannot be
 * installed here: hashicorp/helm and hashicorp/kubernetes at the versions our bindings were
 * generated from. Each schema is rebuilt from its bindings (`cdktf-schema.ts`), then corrected by
 * the facts below, each read from the provider's source at that version: what the bindings cannot
 * say (computed or not, sensitive, nested attributes or blocks).
 */
import {
  type NestingStyle,
  type ProviderSchema,
  type SchemaAttribute,
  type SchemaBlock,
  schemaFromBindings,
} from './cdktf-schema';

export interface ServedProvider {
  /** The schema served (built on first use, then kept: the kubernetes one takes seconds). */
  readonly schema: () => ProviderSchema;
}

/**
 * One correction: the flags of an attribute (`kubernetes.token`: a nested attribute's path) of
 * the provider block, a resource or a data source.
 */
export interface SchemaFact {
  readonly in: 'provider' | `resource ${string}` | `data ${string}`;
  readonly attribute: string;
  readonly set: Partial<
    Pick<SchemaAttribute, 'required' | 'optional' | 'computed' | 'sensitive' | 'write_only'>
  >;
  /** Where the provider's source says so (file at the version's tag). */
  readonly source: string;
}

/** The attribute at `path` (dotted, through nested attributes and blocks) of `block`. */
function attributeAt(block: SchemaBlock, path: string): SchemaAttribute | undefined {
  const [head = '', ...rest] = path.split('.');
  if (rest.length === 0) return block.attributes[head];
  const nested = block.attributes[head]?.nested_type;
  if (nested) {
    return attributeAt({ attributes: nested.attributes, block_types: {} }, rest.join('.'));
  }
  const inner = block.block_types[head]?.block;
  return inner ? attributeAt(inner, rest.join('.')) : undefined;
}

/** `schema` with `facts` applied; a fact that names nothing fails (the bindings moved on). */
export function applyFacts(schema: ProviderSchema, facts: readonly SchemaFact[]): ProviderSchema {
  for (const fact of facts) {
    const [kind, type = ''] = fact.in.split(' ');
    const block =
      kind === 'provider'
        ? schema.provider
        : kind === 'resource'
          ? schema.resources[type]
          : schema.dataSources[type];
    const attribute = block ? attributeAt(block, fact.attribute) : undefined;
    if (!attribute) {
      throw new Error(
        `${schema.address} ${schema.version}: no attribute ${fact.attribute} in ${fact.in} for the fact from ${fact.source}`,
      );
    }
    for (const flag of ['required', 'optional', 'computed', 'sensitive', 'write_only'] as const) {
      const value = fact.set[flag];
      if (value === undefined) continue;
      if (value) attribute[flag] = true;
      else delete attribute[flag];
    }
  }
  return schema;
}

function served(
  bindings: string,
  style: NestingStyle,
  facts: readonly SchemaFact[],
  rule: (schema: ProviderSchema) => ProviderSchema = (schema) => schema,
): ServedProvider {
  let built: ProviderSchema | undefined;
  return {
    schema: () => {
      built ??= rule(applyFacts(schemaFromBindings(bindings, style), facts));
      return built;
    },
  };
}

const HELM_RELEASE = 'helm/resource_helm_release.go';
const HELM_TEMPLATE = 'helm/data_helm_template.go';

const fact = (
  where: SchemaFact['in'],
  attribute: string,
  set: SchemaFact['set'],
  source: string,
): SchemaFact => ({ in: where, attribute, set, source });

/**
 * hashicorp/helm 3.1.1 (terraform-plugin-framework, protocol 6: every nested object a nested
 * attribute, `timeouts` too; nothing in the provider block is sensitive).
 */
export const HELM_FACTS: readonly SchemaFact[] = [
  // Optional with a static default (the wire shows optional and computed).
  ...[
    'atomic',
    'cleanup_on_fail',
    'create_namespace',
    'dependency_update',
    'description',
    'disable_crd_hooks',
    'disable_openapi_validation',
    'disable_webhooks',
    'force_update',
    'lint',
    'max_history',
    'namespace',
    'pass_credentials',
    'recreate_pods',
    'render_subchart_notes',
    'replace',
    'reset_values',
    'reuse_values',
    'skip_crds',
    'take_ownership',
    'timeout',
    'upgrade_install',
    'verify',
    'version',
    'wait',
    'wait_for_jobs',
    'set.type',
  ].map((attribute) => fact('resource helm_release', attribute, { computed: true }, HELM_RELEASE)),
  fact('resource helm_release', 'repository_password', { sensitive: true }, HELM_RELEASE),
  fact('resource helm_release', 'set_sensitive.value', { sensitive: true }, HELM_RELEASE),
  ...['set_wo', 'set_wo.name', 'set_wo.value', 'set_wo.type'].map((attribute) =>
    fact('resource helm_release', attribute, { write_only: true }, HELM_RELEASE),
  ),
  ...['crds', 'manifest', 'manifests', 'notes', 'version', 'set.type'].map((attribute) =>
    fact('data helm_template', attribute, { computed: true }, HELM_TEMPLATE),
  ),
  fact('data helm_template', 'repository_password', { sensitive: true }, HELM_TEMPLATE),
  fact('data helm_template', 'set_sensitive.value', { sensitive: true }, HELM_TEMPLATE),
  fact('data helm_template', 'set_list.name', { required: false, optional: true }, HELM_TEMPLATE),
];

const K8S_SECRET = 'kubernetes/resource_kubernetes_secret.go';
const K8S_SECRET_DATA = 'kubernetes/data_source_kubernetes_secret.go';

/**
 * hashicorp/kubernetes 2.38.0 (terraform-plugin-sdk v2 with the manifest server, muxed, protocol
 * 5: every nested object a block, a MaxItems 1 one a list block of at most one item; nothing in
 * the provider block is sensitive or computed). The bindings cannot tell optional from optional
 * and computed: the facts name those a configuration or a test is likely to read (about 70 more
 * in pod and service specs are left optional: a mocked apply leaves them null).
 */
export const KUBERNETES_FACTS: readonly SchemaFact[] = [
  ...['kubernetes_secret', 'kubernetes_secret_v1'].flatMap((type) => [
    fact(`resource ${type}`, 'data', { sensitive: true, computed: true }, K8S_SECRET),
    fact(`resource ${type}`, 'binary_data', { sensitive: true }, K8S_SECRET),
    fact(`resource ${type}`, 'data_wo', { write_only: true }, K8S_SECRET),
    fact(`resource ${type}`, 'binary_data_wo', { write_only: true }, K8S_SECRET),
    fact(`data ${type}`, 'data', { sensitive: true }, K8S_SECRET_DATA),
    fact(`data ${type}`, 'binary_data', { sensitive: true }, K8S_SECRET_DATA),
  ]),
  fact(
    'resource kubernetes_token_request_v1',
    'token',
    { sensitive: true },
    'kubernetes/resource_kubernetes_token_request_v1.go',
  ),
  fact(
    'resource kubernetes_manifest',
    'object',
    { computed: true },
    'manifest/provider/resource.go',
  ),
  fact('data kubernetes_resource', 'object', { computed: true }, 'manifest/provider/datasource.go'),
  fact(
    'data kubernetes_resources',
    'objects',
    { computed: true },
    'manifest/provider/datasource.go',
  ),
];

/**
 * Every SDKv2 resource's `metadata.name` that may be left out (`generate_name`) is computed too
 * (kubernetes/structures_metadata.go, `metadataSchema`): a rule over the whole schema, not a fact
 * per resource.
 */
export function metadataNamesComputed(schema: ProviderSchema): ProviderSchema {
  for (const block of Object.values(schema.resources)) {
    const name = block.block_types.metadata?.block.attributes.name;
    if (name?.optional) name.computed = true;
  }
  return schema;
}

/** By the local name the stacks use. */
export const SERVED_PROVIDERS: Readonly<Record<string, ServedProvider>> = {
  helm: served('@cdktf/provider-helm', { nested: 'attributes' }, HELM_FACTS),
  kubernetes: served(
    '@cdktf/provider-kubernetes',
    { nested: 'blocks' },
    KUBERNETES_FACTS,
    metadataNamesComputed,
  ),
};
