import { describe, expect, it, inject } from 'vitest';
import { Pool } from 'pg';
import { migrate, MIGRATIONS_DIR } from '../../../apps/backend/src/migrate';
import { createAppDatabase } from '../../../scripts/lib/postgres';
import { appPool } from '../../helpers/services';

const pg = inject('postgres');

describe('migrate', () => {
  it('migrates once when replicas start together, under the advisory lock', async () => {
    const app = await createAppDatabase(pg, 'together');
    const replicas = [appPool(pg, app), appPool(pg, app), appPool(pg, app)];
    try {
      const applied = await Promise.all(replicas.map((pool) => migrate(pool)));
      expect(applied.flat()).toEqual(['001']);
      const { rows } = await replicas[0].query('SELECT version FROM schema_migrations');
      expect(rows).toEqual([{ version: '001' }]);
      // And again later: nothing to do.
      expect(await migrate(replicas[1])).toEqual([]);
    } finally {
      await Promise.all(replicas.map((pool) => pool.end()));
    }
  });

  it("creates everything in the backend's own schema, as its own least-privileged role", async () => {
    const app = await createAppDatabase(pg, 'owned');
    const pool = appPool(pg, app);
    try {
      await migrate(pool);
      const { rows } = await pool.query<{ name: string; schema: string; owner: string }>(
        `SELECT c.relname AS name, n.nspname AS schema, pg_get_userbyid(c.relowner) AS owner
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          ORDER BY 1`,
      );
      expect(rows).toEqual(
        ['cart_items', 'carts', 'schema_migrations'].map((name) => ({
          name,
          schema: 'cart',
          owner: app.user,
        })),
      );
      // The role can do nothing outside its schema.
      await expect(pool.query('CREATE TABLE public.intruder (id int)')).rejects.toThrow(
        'permission denied for schema public',
      );
      await expect(pool.query('CREATE SCHEMA other')).rejects.toThrow(
        'permission denied for database',
      );
    } finally {
      await pool.end();
    }
  });

  it("throws when the backend's schema does not exist, saying how to create it", async () => {
    const app = await createAppDatabase(pg, 'noschema');
    const pool = new Pool({
      host: pg.host,
      port: pg.port,
      database: app.database,
      user: app.user,
      password: app.password,
      options: '-c search_path=missing',
    });
    try {
      await expect(migrate(pool)).rejects.toThrow(
        "the backend's schema does not exist or its role may not use it: create it with CREATE SCHEMA",
      );
    } finally {
      await pool.end();
    }
  });

  it('rolls a failed migration back, names it, and releases the lock', async () => {
    const app = await createAppDatabase(pg, 'broken');
    const pool = appPool(pg, app);
    const { mkdtempSync, writeFileSync, copyFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    try {
      copyFileSync(join(MIGRATIONS_DIR, '001_carts.sql'), join(dir, '001_carts.sql'));
      writeFileSync(
        join(dir, '002_broken.sql'),
        'CREATE TABLE half (id int);\nSELECT * FROM nowhere;',
      );
      await expect(migrate(pool, dir)).rejects.toThrow(
        'migration 002_broken.sql failed: relation "nowhere" does not exist',
      );
      const { rows } = await pool.query(
        "SELECT to_regclass('half') AS half, (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory')::int AS locks",
      );
      expect(rows).toEqual([{ half: null, locks: 0 }]);
      expect((await pool.query('SELECT version FROM schema_migrations')).rows).toEqual([
        { version: '001' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await pool.end();
    }
  });
});
