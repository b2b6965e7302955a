import { describe, expect, it, inject, vi } from 'vitest';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { MIGRATION_LOCK, migrate, MIGRATIONS_DIR } from '../../../apps/backend/src/migrate';
import { createAppDatabase } from '../../support/postgres';
import { tempDir } from '../../helpers/paths';
import { appPool } from '../../helpers/services';

const pg = inject('postgres');
/**
 * Counts the advisory locks in the connection's own database that match `filter`: pg_locks
 * shows the whole server's, and other files migrate their own databases side by side.
 */
const advisoryLocks = (filter = 'true') =>
  `(SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND ${filter}
     AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))`;

const superuser = {
  host: pg.host,
  port: pg.port,
  user: pg.superuser.user,
  password: pg.superuser.password,
};

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

  it("is not cut short by the role's default statement timeout, which bounds request sessions", async () => {
    const app = await createAppDatabase(pg, 'slowmigration');
    const admin = new Client({ ...superuser, database: 'postgres' });
    await admin.connect();
    await admin.query(`ALTER ROLE ${app.user} SET statement_timeout = '100ms'`);
    await admin.end();
    const dir = tempDir('slow-migration');
    copyFileSync(join(MIGRATIONS_DIR, '001_carts.sql'), join(dir, '001_carts.sql'));
    writeFileSync(join(dir, '002_slow.sql'), 'SELECT pg_sleep(0.3);');
    const pool = appPool(pg, app);
    try {
      // A request session of the role is cut at 100 ms; the migration is not.
      await expect(pool.query('SELECT pg_sleep(0.3)')).rejects.toThrow(/statement timeout/);
      expect(await migrate(pool, { dir })).toEqual(['001', '002']);
    } finally {
      await pool.end();
      rmSync(dir, { recursive: true, force: true });
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

  it("waits for the lock without the pool's timeouts, and gives up after its bounded wait", async () => {
    const app = await createAppDatabase(pg, 'waiting');
    const connection = {
      host: pg.host,
      port: pg.port,
      database: app.database,
      user: app.user,
      password: app.password,
      options: `-c search_path=${app.schema}`,
    };
    // The pool cuts any statement at 200 ms; migrations and the wait for the lock are not cut.
    const pool = new Pool({ ...connection, statement_timeout: 200, query_timeout: 300 });
    const other = new Client(connection); // another replica, holding the lock
    await other.connect();
    const dir = tempDir('migrations');
    try {
      writeFileSync(join(dir, '001_slow.sql'), 'SELECT pg_sleep(0.5); CREATE TABLE slow (id int);');
      await other.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      const migrated = migrate(pool, { dir });
      // Released once the migration is seen waiting for it, and has waited past the pool's
      // 300 ms query timeout: however slow the machine, the wait outlasts the pool's timeouts.
      await vi.waitFor(
        async () => {
          const { rows } = await other.query(`SELECT ${advisoryLocks('NOT granted')} AS waiting`);
          expect(rows).toEqual([{ waiting: 1 }]);
        },
        { timeout: 30_000, interval: 50 },
      );
      await new Promise((resolve) => setTimeout(resolve, 600));
      await other.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      expect(await migrated).toEqual(['001']);

      await other.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      writeFileSync(join(dir, '002_more.sql'), 'CREATE TABLE more (id int);');
      await expect(migrate(pool, { dir, lockWaitSeconds: 0.3 })).rejects.toThrow(
        'another replica held the migration lock for over 0.3 s',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await Promise.all([pool.end(), other.end()]);
    }
  });

  it('throws when two migrations share a version, rather than skip one', async () => {
    const dir = tempDir('migrations');
    const pool = appPool(pg, await createAppDatabase(pg, 'twice'));
    try {
      writeFileSync(join(dir, '001_a.sql'), 'SELECT 1;');
      writeFileSync(join(dir, '001_b.sql'), 'SELECT 1;');
      await expect(migrate(pool, { dir })).rejects.toThrow('two migrations share version 001');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await pool.end();
    }
  });

  it('rolls a failed migration back, names it, and releases the lock', async () => {
    const app = await createAppDatabase(pg, 'broken');
    const pool = appPool(pg, app);
    const dir = tempDir('migrations');
    try {
      copyFileSync(join(MIGRATIONS_DIR, '001_carts.sql'), join(dir, '001_carts.sql'));
      writeFileSync(
        join(dir, '002_broken.sql'),
        'CREATE TABLE half (id int);\nSELECT * FROM nowhere;',
      );
      await expect(migrate(pool, { dir })).rejects.toThrow(
        'migration 002_broken.sql failed: relation "nowhere" does not exist',
      );
      const { rows } = await pool.query(
        `SELECT to_regclass('half') AS half, ${advisoryLocks()} AS locks`,
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
