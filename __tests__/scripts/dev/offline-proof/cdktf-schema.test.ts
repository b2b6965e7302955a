import { describe, expect, it } from 'vitest';
import { readInterfaces } from '../../../../scripts/dev/offline-proof/cdktf-schema';
import {
  applyFacts,
  SERVED_PROVIDERS,
} from '../../../../scripts/dev/offline-proof/served-providers';

// Built once per worker (served-providers keeps them): the kubernetes one loads 113 modules.
const helm = SERVED_PROVIDERS.helm?.schema();
const kubernetes = SERVED_PROVIDERS.kubernetes?.schema();

describe('the schemas served for helm and kubernetes, rebuilt from their bindings', () => {
  it('names the providers and versions the bindings were generated from', () => {
    expect([helm?.address, helm?.version]).toEqual([
      'registry.terraform.io/hashicorp/helm',
      '3.1.1',
    ]);
    expect([kubernetes?.address, kubernetes?.version]).toEqual([
      'registry.terraform.io/hashicorp/kubernetes',
      '2.38.0',
    ]);
  });

  it('holds every resource and data source of each provider (counted in their sources)', () => {
    // helm 3.1.1: helm_release and helm_template. kubernetes 2.38.0: 81 SDKv2 resources and
    // kubernetes_manifest; 24 SDKv2 data sources, kubernetes_resource and kubernetes_resources.
    expect(Object.keys(helm?.resources ?? {})).toEqual(['helm_release']);
    expect(Object.keys(helm?.dataSources ?? {})).toEqual(['helm_template']);
    expect(Object.keys(kubernetes?.resources ?? {})).toHaveLength(82);
    expect(Object.keys(kubernetes?.dataSources ?? {})).toHaveLength(26);
    expect(kubernetes?.resources).toHaveProperty('kubernetes_manifest');
    expect(kubernetes?.dataSources).toHaveProperty('kubernetes_resources');
  });

  it('gives helm_release its required arguments, nested attributes, read-only ones and facts', () => {
    const release = helm?.resources.helm_release;
    expect(release?.block_types).toEqual({});
    expect(release?.attributes).toMatchObject({
      chart: { type: 'string', required: true },
      name: { type: 'string', required: true },
      values: { type: ['list', 'string'], optional: true },
      timeout: { type: 'number', optional: true, computed: true },
      devel: { type: 'bool', optional: true },
      id: { type: 'string', computed: true },
      status: { type: 'string', computed: true },
      repository_password: { type: 'string', optional: true, sensitive: true },
      set: {
        optional: true,
        nested_type: {
          nesting_mode: 'list',
          attributes: {
            name: { type: 'string', required: true },
            value: { type: 'string', optional: true },
            type: { type: 'string', optional: true, computed: true },
          },
        },
      },
      timeouts: { optional: true, nested_type: { nesting_mode: 'single' } },
      set_wo: { optional: true, write_only: true },
    });
    expect(release?.attributes.devel?.computed).toBeUndefined();
    expect(release?.attributes.metadata).toEqual({
      type: [
        'object',
        expect.objectContaining({ revision: 'number', app_version: 'string', values: 'string' }),
      ],
      computed: true,
    });
  });

  it('gives the helm provider `kubernetes` and its `exec` as nested attributes, nothing sensitive', () => {
    const kube = helm?.provider.attributes.kubernetes;
    expect(kube?.nested_type?.nesting_mode).toBe('single');
    expect(kube?.nested_type?.attributes.exec).toMatchObject({
      nested_type: {
        nesting_mode: 'single',
        attributes: {
          api_version: { type: 'string', required: true },
          command: { type: 'string', required: true },
        },
      },
    });
    expect(JSON.stringify(helm?.provider)).not.toContain('sensitive');
    expect(helm?.provider.attributes).not.toHaveProperty('alias');
  });

  it('gives kubernetes its blocks: exec in the provider, one required metadata block', () => {
    expect(kubernetes?.provider.block_types.exec).toMatchObject({
      nesting_mode: 'list',
      block: { attributes: { command: { type: 'string', required: true } } },
    });
    expect(kubernetes?.resources.kubernetes_annotations).toEqual({
      attributes: {
        annotations: { type: ['map', 'string'], optional: true },
        api_version: { type: 'string', required: true },
        field_manager: { type: 'string', optional: true },
        force: { type: 'bool', optional: true },
        id: { type: 'string', optional: true, computed: true },
        kind: { type: 'string', required: true },
        template_annotations: { type: ['map', 'string'], optional: true },
      },
      block_types: {
        metadata: {
          nesting_mode: 'list',
          min_items: 1,
          max_items: 1,
          block: {
            attributes: {
              name: { type: 'string', required: true },
              namespace: { type: 'string', optional: true },
            },
            block_types: {},
          },
        },
      },
    });
    // A resource with SDK timeouts: the SDK's single block.
    expect(kubernetes?.resources.kubernetes_deployment_v1?.block_types.timeouts?.nesting_mode).toBe(
      'single',
    );
    // Read-only attributes inside a block: the object metadata Kubernetes fills in.
    expect(
      kubernetes?.resources.kubernetes_deployment_v1?.block_types.metadata?.block.attributes,
    ).toMatchObject({ uid: { type: 'string', computed: true } });
  });

  it('reads the big resources whose structs live in index-structs/: required, one-item blocks, nesting', () => {
    const spec = kubernetes?.resources.kubernetes_deployment_v1?.block_types.spec;
    expect(spec).toMatchObject({ nesting_mode: 'list', min_items: 1, max_items: 1 });
    const template = spec?.block.block_types.template;
    expect(template).toMatchObject({ min_items: 1, max_items: 1 });
    expect(spec?.block.block_types.selector).toMatchObject({ nesting_mode: 'list', max_items: 1 });
    const container = template?.block.block_types.spec?.block.block_types.container;
    expect(container?.block.attributes.name).toEqual({ type: 'string', required: true });
    // Made through the structs' module (`new index_structs_1.X(this, "spec")`): read-only.
    expect(kubernetes?.dataSources.kubernetes_pod_v1?.attributes.spec).toMatchObject({
      type: ['list', ['object', expect.objectContaining({ node_name: 'string' })]],
      computed: true,
    });
  });

  it("shapes the manifest server's resource as it does: a list timeouts block, an object wait_for", () => {
    const manifest = kubernetes?.resources.kubernetes_manifest;
    expect(manifest?.block_types.timeouts).toMatchObject({ nesting_mode: 'list', max_items: 1 });
    expect(manifest?.attributes.wait_for).toEqual({
      type: ['object', { fields: ['map', 'string'] }],
      optional: true,
    });
    expect(manifest?.attributes.object).toEqual({
      type: 'dynamic',
      optional: true,
      computed: true,
    });
  });

  it("marks kubernetes' secrets sensitive or write-only, and generated names computed", () => {
    expect(kubernetes?.resources.kubernetes_secret_v1?.attributes).toMatchObject({
      data: { sensitive: true, computed: true },
      binary_data: { sensitive: true },
      data_wo: { write_only: true },
    });
    expect(kubernetes?.dataSources.kubernetes_secret?.attributes.data?.sensitive).toBe(true);
    expect(
      kubernetes?.resources.kubernetes_namespace_v1?.block_types.metadata?.block.attributes.name,
    ).toEqual({ type: 'string', optional: true, computed: true });
  });

  it('refuses a fact that names no attribute (the bindings moved on)', () => {
    const schema = {
      address: 'registry.terraform.io/hashicorp/x',
      version: '1.0.0',
      provider: { attributes: {}, block_types: {} },
      resources: {
        x_thing: { attributes: { a: { type: 'string', optional: true } }, block_types: {} },
      },
      dataSources: {},
    };
    expect(() =>
      applyFacts(schema, [
        { in: 'resource x_thing', attribute: 'b', set: { computed: true }, source: 'x.go' },
      ]),
    ).toThrow(
      'registry.terraform.io/hashicorp/x 1.0.0: no attribute b in resource x_thing for the fact from x.go',
    );
    applyFacts(schema, [
      { in: 'resource x_thing', attribute: 'a', set: { computed: true }, source: 'x.go' },
    ]);
    expect(schema.resources.x_thing.attributes.a).toEqual({
      type: 'string',
      optional: true,
      computed: true,
    });
  });
});

describe('readInterfaces', () => {
  it('reads each property by its Terraform name: optional or not, one struct or an array', () => {
    const dts = [
      'export interface ThingConfig extends cdktf.TerraformMetaArguments {',
      '    /**',
      '    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/hashicorp/x/1.0.0/docs/resources/thing#api_version Thing#api_version}',
      '    */',
      '    readonly apiVersion: string;',
      '    /**',
      '    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/hashicorp/x/1.0.0/docs/resources/thing#rule Thing#rule}',
      '    */',
      '    readonly rule?: ThingRule[] | cdktf.IResolvable;',
      '    /**',
      '    * metadata block',
      '    *',
      '    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/hashicorp/x/1.0.0/docs/resources/thing#metadata Thing#metadata}',
      '    */',
      '    readonly metadata: ThingMetadata;',
      '}',
    ].join('\n');
    expect(Object.fromEntries(readInterfaces(dts).get('ThingConfig') ?? [])).toEqual({
      api_version: { optional: false, single: true },
      rule: { optional: true, single: false },
      metadata: { optional: false, single: true },
    });
  });
});
