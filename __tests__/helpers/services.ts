import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { createLogger, type Service } from '../../apps/shared/http-service';
import type { AppDatabase, PostgresConnection } from '../support/postgres';

/** A pool for the service's own role and schema, without TLS (TLS has its own tests). */
export function appPool(server: PostgresConnection, app: AppDatabase): Pool {
  return new Pool({
    host: server.host,
    port: server.port,
    database: app.database,
    user: app.user,
    password: app.password,
    options: `-c search_path=${app.schema}`,
    max: 5,
  });
}

/** A logger that writes nothing, for services under test. */
export const quietLogger = () => createLogger('silent', 'test');

/** Starts the service on a free loopback port; returns its base URL. */
export async function listen(service: Service): Promise<string> {
  await new Promise<void>((resolve) => service.server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
}

/** A JSON request; the response's status and parsed body (or text). */
export async function call(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const body =
    init.body === undefined || typeof init.body === 'string'
      ? init.body
      : JSON.stringify(init.body);
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: body as string | undefined,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the text itself
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
