import { beforeAll, describe, expect, it, inject } from 'vitest';
import { createPool } from '../../../apps/backend/src/db';
import { readSettings } from '../../../apps/backend/src/settings';
import {
  type AppDatabase,
  backendDatabaseEnv,
  createAppDatabase,
} from '../../../scripts/lib/postgres';

const pg = inject('postgres');
let app: AppDatabase;
beforeAll(async () => {
  app = await createAppDatabase(pg, 'tls');
});

function pool(overrides: Record<string, string>) {
  return createPool(readSettings({ ...backendDatabaseEnv(pg, app), ...overrides }));
}

async function query(overrides: Record<string, string>): Promise<unknown> {
  const p = pool(overrides);
  try {
    return (
      await p.query(
        'SELECT ssl, current_schema() AS schema FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      )
    ).rows[0];
  } finally {
    await p.end();
  }
}

describe('createPool', () => {
  it('connects over TLS when the certificate chains to the CA and names the host (verify-full)', async () => {
    expect(await query({})).toEqual({ ssl: true, schema: 'cart' });
  });

  it('refuses a server whose certificate does not chain to the CA bundle', async () => {
    await expect(query({ DATABASE_CA_FILE: pg.otherCaFile })).rejects.toThrow(
      /self[- ]signed certificate|unable to verify/,
    );
  });

  it('refuses a server whose certificate names another host', async () => {
    await expect(query({ DATABASE_HOST: '127.0.0.1' })).rejects.toThrow(
      /IP: 127\.0\.0\.1 is not in the cert's list/,
    );
  });

  it('connects without TLS only when told to (a local database)', async () => {
    expect(await query({ DATABASE_SSLMODE: 'disable', DATABASE_HOST: '127.0.0.1' })).toEqual({
      ssl: false,
      schema: 'cart',
    });
  });
});
