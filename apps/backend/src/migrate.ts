import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { appRoot } from '../../shared/app-root';

/** Every replica takes this lock before migrating, so replicas starting together migrate once. */
export const MIGRATION_LOCK = 7_240_318_611;

/** The migrations beside the service's package.json. */
export const MIGRATIONS_DIR = join(appRoot(__dirname), 'migrations');

/**
 * Applies the `NNN_name.sql` files not yet recorded in `schema_migrations`, in order, each in
 * its own transaction, under a session advisory lock. Returns the versions it applied.
 */
export async function migrate(pool: Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((file) => /^\d{3}_[\w-]+\.sql$/.test(file))
    .sort();
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ schema: string | null }>(
      'SELECT current_schema() AS schema',
    );
    if (rows[0].schema === null) {
      throw new Error(
        "the backend's schema does not exist or its role may not use it: create it with CREATE SCHEMA <schema> AUTHORIZATION <role> (docs/services.md)",
      );
    }
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
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
          await client.query('ROLLBACK');
          throw new Error(`migration ${file} failed: ${(error as Error).message}`);
        }
        applied.push(version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
