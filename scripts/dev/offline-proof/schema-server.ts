/**
 * A provider that serves only its schema, over Terraform's plugin protocol 6, for Terraform to
 * attach to (`TF_REATTACH_PROVIDERS`) in place of a provider it cannot install here (hashicorp/helm
 * and hashicorp/kubernetes: no registry, no mirror). Terraform itself then parses and type-checks
 * every argument of those providers' resources against the schema (unknown arguments, types,
 * required arguments, blocks, template strings) and `terraform test` mock-applies them
 * (`mock_provider`): no code of ours looks at a configuration. The validation calls answer with
 * no diagnostic, so the provider's own validators (value ranges, conflicting arguments) are not
 * run: that is what a real plan adds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { NestingMode, ProviderSchema, SchemaAttribute, SchemaBlock } from './cdktf-schema';
import { socketParent } from './provider-server';

const PROTOCOL_DIR = join(__dirname, 'protocol');

/** Terraform's entry for this provider in `TF_REATTACH_PROVIDERS`. */
export interface ReattachConfig {
  readonly Protocol: 'grpc';
  readonly ProtocolVersion: 6;
  readonly Pid: number;
  readonly Test: true;
  readonly Addr: { readonly Network: 'unix'; readonly String: string };
}

export interface SchemaServer {
  /** `registry.terraform.io/hashicorp/helm` */
  readonly address: string;
  readonly reattach: ReattachConfig;
  /** How many times Terraform made each call (for the tests). */
  readonly calls: ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

interface ProtoAttribute {
  name: string;
  type: Buffer;
  nested_type?: { attributes: ProtoAttribute[]; nesting: string };
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
  write_only: boolean;
}

interface ProtoBlock {
  version: number;
  attributes: ProtoAttribute[];
  block_types: {
    type_name: string;
    block: ProtoBlock;
    nesting: string;
    min_items: number;
    max_items: number;
  }[];
}

const MODES: Record<NestingMode, string> = {
  single: 'SINGLE',
  list: 'LIST',
  set: 'SET',
  map: 'MAP',
};

function protoAttribute(name: string, attribute: SchemaAttribute): ProtoAttribute {
  const nested = attribute.nested_type;
  return {
    name,
    type: nested ? Buffer.alloc(0) : Buffer.from(JSON.stringify(attribute.type ?? 'dynamic')),
    ...(nested
      ? {
          nested_type: {
            attributes: Object.entries(nested.attributes).map(([n, a]) => protoAttribute(n, a)),
            nesting: MODES[nested.nesting_mode],
          },
        }
      : {}),
    required: attribute.required === true,
    optional: attribute.optional === true,
    computed: attribute.computed === true,
    sensitive: attribute.sensitive === true,
    write_only: attribute.write_only === true,
  };
}

/** A schema block in the protocol's terms. */
export function protoBlock(block: SchemaBlock): ProtoBlock {
  return {
    version: 0,
    attributes: Object.entries(block.attributes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, attribute]) => protoAttribute(name, attribute)),
    block_types: Object.entries(block.block_types)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, nested]) => ({
        type_name: name,
        block: protoBlock(nested.block),
        nesting: MODES[nested.nesting_mode],
        min_items: nested.min_items ?? 0,
        max_items: nested.max_items ?? 0,
      })),
  };
}

const loaded = () =>
  grpc.loadPackageDefinition(
    protoLoader.loadSync(
      [join(PROTOCOL_DIR, 'tfplugin6.proto'), join(PROTOCOL_DIR, 'health.proto')],
      { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true },
    ),
  ) as unknown as {
    tfplugin6: { Provider: { service: grpc.ServiceDefinition } };
    grpc: { health: { v1: { Health: { service: grpc.ServiceDefinition } } } };
  };

/**
 * Serves `schema` on a Unix socket in a directory of its own (removed on stop), in this process.
 * The schema is encoded once; each Terraform command that attaches reads it from memory.
 */
export async function startSchemaServer(schema: ProviderSchema): Promise<SchemaServer> {
  const definitions = loaded();
  const calls = new Map<string, number>();
  const count = (call: string) => calls.set(call, (calls.get(call) ?? 0) + 1);
  const capabilities = { plan_destroy: true, get_provider_schema_optional: false };
  const schemaOf = (block: SchemaBlock) => ({ version: 0, block: protoBlock(block) });
  const schemaResponse = {
    provider: schemaOf(schema.provider),
    resource_schemas: Object.fromEntries(
      Object.entries(schema.resources).map(([type, block]) => [type, schemaOf(block)]),
    ),
    data_source_schemas: Object.fromEntries(
      Object.entries(schema.dataSources).map(([type, block]) => [type, schemaOf(block)]),
    ),
    diagnostics: [],
    server_capabilities: capabilities,
  };
  const metadata = {
    server_capabilities: capabilities,
    diagnostics: [],
    resources: Object.keys(schema.resources).map((type_name) => ({ type_name })),
    data_sources: Object.keys(schema.dataSources).map((type_name) => ({ type_name })),
  };
  const answer =
    (call: string, response: unknown): grpc.handleUnaryCall<unknown, unknown> =>
    (_request, callback) => {
      count(call);
      callback(null, response);
    };

  const server = new grpc.Server();
  server.addService(definitions.tfplugin6.Provider.service, {
    GetMetadata: answer('GetMetadata', metadata),
    GetProviderSchema: answer('GetProviderSchema', schemaResponse),
    ValidateProviderConfig: answer('ValidateProviderConfig', { diagnostics: [] }),
    ValidateResourceConfig: answer('ValidateResourceConfig', { diagnostics: [] }),
    ValidateDataResourceConfig: answer('ValidateDataResourceConfig', { diagnostics: [] }),
    ConfigureProvider: answer('ConfigureProvider', { diagnostics: [] }),
    StopProvider: answer('StopProvider', { Error: '' }),
  });
  server.addService(definitions.grpc.health.v1.Health.service, {
    Check: answer('Check', { status: 'SERVING' }),
  });

  const provider = schema.address.split('/').pop() ?? 'provider';
  const dir = mkdtempSync(join(socketParent(), 'tfs-'));
  const socket = join(dir, `${provider}.sock`);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix:${socket}`, grpc.ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  return {
    address: schema.address,
    reattach: {
      Protocol: 'grpc',
      ProtocolVersion: 6,
      Pid: process.pid,
      Test: true,
      Addr: { Network: 'unix', String: socket },
    },
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
