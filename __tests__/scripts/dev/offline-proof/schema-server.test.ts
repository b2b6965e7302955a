import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SchemaServer,
  startSchemaServer,
} from '../../../../scripts/dev/offline-proof/schema-server';
import { SERVED_PROVIDERS } from '../../../../scripts/dev/offline-proof/served-providers';
import { ROOT } from '../../../helpers/paths';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

/** A client of the plugin protocol, as Terraform's plugin client speaks it. */
function clients(socket: string): { provider: Loose; health: Loose } {
  const protocol = join(ROOT, 'scripts/dev/offline-proof/protocol');
  const loaded = grpc.loadPackageDefinition(
    protoLoader.loadSync([join(protocol, 'tfplugin6.proto'), join(protocol, 'health.proto')], {
      keepCase: true,
      longs: Number,
      enums: String,
      defaults: true,
    }),
  ) as Loose;
  const credentials = grpc.credentials.createInsecure();
  return {
    provider: new loaded.tfplugin6.Provider(`unix:${socket}`, credentials),
    health: new loaded.grpc.health.v1.Health(`unix:${socket}`, credentials),
  };
}

const call = (client: Loose, method: string, request: unknown = {}): Promise<Loose> =>
  new Promise((resolve, reject) =>
    client[method](request, (error: Error | null, response: unknown) =>
      error ? reject(error) : resolve(response),
    ),
  );

describe('the schema server (plugin protocol 6 over a Unix socket)', () => {
  let server: SchemaServer;
  let client: { provider: Loose; health: Loose };

  beforeAll(async () => {
    const schema = SERVED_PROVIDERS.helm?.schema();
    if (!schema) throw new Error('no helm schema');
    server = await startSchemaServer(schema);
    client = clients(server.reattach.Addr.String);
  });
  afterAll(async () => {
    client.provider.close();
    client.health.close();
    await server.stop();
  });

  it('gives Terraform the reattach entry it needs: protocol 6, this process, Test so it is never killed', () => {
    expect(server.address).toBe('registry.terraform.io/hashicorp/helm');
    expect(server.reattach).toMatchObject({
      Protocol: 'grpc',
      ProtocolVersion: 6,
      Pid: process.pid,
      Test: true,
      Addr: { Network: 'unix', String: expect.stringMatching(/\/helm\.sock$/) },
    });
  });

  it('serves the schema in the protocol: types as JSON, nested attributes, flags', async () => {
    const response = await call(client.provider, 'GetProviderSchema');
    expect(Object.keys(response.resource_schemas)).toEqual(['helm_release']);
    const attributes: Loose[] = response.resource_schemas.helm_release.block.attributes;
    const byName = Object.fromEntries(attributes.map((a) => [a.name, a]));
    expect(JSON.parse(byName.chart.type.toString())).toBe('string');
    expect(byName.chart).toMatchObject({ required: true, optional: false, computed: false });
    expect(JSON.parse(byName.values.type.toString())).toEqual(['list', 'string']);
    expect(byName.repository_password.sensitive).toBe(true);
    expect(byName.set.type.length).toBe(0);
    expect(byName.set.nested_type.nesting).toBe('LIST');
    expect(byName.set.nested_type.attributes.map((a: Loose) => a.name)).toEqual([
      'name',
      'type',
      'value',
    ]);
    const provider = response.provider.block.attributes.find((a: Loose) => a.name === 'kubernetes');
    expect(provider.nested_type.nesting).toBe('SINGLE');
  });

  it('answers metadata, validation, configuration and health, and counts the calls', async () => {
    const metadata = await call(client.provider, 'GetMetadata');
    expect(metadata.resources).toEqual([{ type_name: 'helm_release' }]);
    expect(metadata.data_sources).toEqual([{ type_name: 'helm_template' }]);
    const validated = await call(client.provider, 'ValidateResourceConfig', {
      type_name: 'helm_release',
    });
    expect(validated.diagnostics).toEqual([]);
    expect((await call(client.provider, 'ConfigureProvider')).diagnostics).toEqual([]);
    expect((await call(client.health, 'Check')).status).toBe('SERVING');
    expect(server.calls.get('ValidateResourceConfig')).toBe(1);
    expect(server.calls.get('Check')).toBe(1);
  });

  it('removes its socket when stopped', async () => {
    const other = await startSchemaServer({
      address: 'registry.terraform.io/hashicorp/x',
      version: '1.0.0',
      provider: { attributes: {}, block_types: {} },
      resources: {},
      dataSources: {},
    });
    const socket = other.reattach.Addr.String;
    expect(existsSync(socket)).toBe(true);
    await other.stop();
    expect(existsSync(dirname(socket))).toBe(false);
  });
});
