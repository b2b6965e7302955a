import { readFileSync } from 'node:fs';
import { Pool, type PoolConfig } from 'pg';
import type { Settings } from './settings';

/**
 * The connection pool. With `verify-full` the server must present a certificate that chains to
 * the CA bundle and names the host, as libpq's `sslmode=verify-full` checks; every query runs
 * with `search_path` set to the backend's own schema.
 */
export function createPool(settings: Settings, purpose: 'requests' | 'probes' = 'requests'): Pool {
  const ssl: PoolConfig['ssl'] =
    settings.DATABASE_SSLMODE === 'verify-full'
      ? {
          ca: readFileSync(settings.DATABASE_CA_FILE ?? '', 'utf8'),
          rejectUnauthorized: true,
          servername: settings.DATABASE_HOST,
        }
      : false;
  return new Pool({
    host: settings.DATABASE_HOST,
    port: settings.DATABASE_PORT,
    database: settings.DATABASE_NAME,
    user: settings.DATABASE_USER,
    password: settings.DATABASE_PASSWORD,
    ssl,
    // Probes get one connection of their own: a pool busy with requests does not fail them.
    max: purpose === 'probes' ? 1 : settings.DATABASE_POOL_MAX,
    options: `-c search_path=${settings.DATABASE_SCHEMA}`,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A runaway query is cut off by the server, and the client stops waiting shortly after.
    statement_timeout: 10_000,
    query_timeout: 12_000,
    application_name: `platform-backend-${purpose}`,
  });
}
