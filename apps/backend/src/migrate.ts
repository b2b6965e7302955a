import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, type Pool } from 'pg';
import { appRoot } from '../../shared/app-root';

/** Every replica takes this lock before migrating, so replicas starting together migrate once. */
export const MIGRATION_LOCK = 7_240_318_611;

/** The migrations beside the service's package.json. */
export const MIGRATIONS_DIR = join(appRoot(__dirname), 'migrations');

export interface MigrateOptions {
  /** @default MIGRATIONS_DIR */
  readonly dir?: string;
  /**
   * How long to wait for another replica's migrations before giving up (the pod restarts and
   * waits again). @default 300
   */
  readonly lockWaitSeconds?: number;
}

/** The migration files, in order; two sharing a version number are an error, never skipped. */
function migrationFiles(dir: string): string[] {
  const files = readdirSync(dir)
    .filter((file) => /^\d{3}_[\w-]+\.sql$/.test(file))
    .sort();
  const twice = files.filter((file, i) => i > 0 && file.slice(0, 3) === files[i - 1].slice(0, 3));
  if (twice.length > 0)
    throw new Error(`two migrations share version ${twice[0].slice(0, 3)} in ${dir}`);
  return files;
}

/**
 * Applies the `NNN_name.sql` files not yet recorded in `schema_migrations`, in order, each in
 * its own transaction, under a session advisory lock. Returns the versions it applied.
 *
 * It connects on its own, with the pool's settings but none of its timeouts: a migration may
 * take as long as it takes (an index on a large table), and only the wait for the lock is bounded.
 */
export async function migrate(pool: Pool, options: MigrateOptions = {}): Promise<string[]> {
  const { dir = MIGRATIONS_DIR, lockWaitSeconds = 300 } = options;
  const files = migrationFiles(dir);
  const { statement_timeout: _s, query_timeout: _q, ...settings } = pool.options;
  // pg-pool keeps the password out of `options`' enumerable keys.
  const client = new Client({ ...settings, password: pool.options.password });
  await client.connect();
  try {
    // The role's default statement timeout (docs/database-access.md) is for request sessions:
    // a migration takes as long as it takes, and the wait for the lock has its own bound below.
    await client.query('SET statement_timeout = 0');
    const { rows } = await client.query<{ schema: string | null }>(
      'SELECT current_schema() AS schema',
    );
    if (rows[0].schema === null) {
      throw new Error(
        "the backend's schema does not exist or its role may not use it: create it with CREATE SCHEMA <schema> AUTHORIZATION <role> (docs/services.md)",
      );
    }
    await client.query(`SET lock_timeout = '${Math.round(lockWaitSeconds * 1000)}ms'`);
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    } catch (error) {
      throw new Error(
        `another replica held the migration lock for over ${lockWaitSeconds} s: ${(error as Error).message}`,
      );
    }
    await client.query('SET lock_timeout = 0');
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const done = new Set(
        (await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map(
          (row) => row.version,
        ),
      );
      const applied: string[] = [];
      for (const file of files) {
        const version = file.slice(0, 3);
        if (done.has(version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(readFileSync(join(dir, file), 'utf8'));
          await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined); // the connection may be gone
          throw new Error(`migration ${file} failed: ${(error as Error).message}`);
        }
        applied.push(version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}
