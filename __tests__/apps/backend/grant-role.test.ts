import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { grantRole, readGrantSettings } from '../../../apps/backend/src/grant-role';
import { ROOT, tempDir, TSX } from '../../helpers/paths';
import { runCommand } from '../../helpers/process';

const pg = inject('postgres');
const DATABASE = 'grant_role_runner';

/** The master user's settings as the Job has them: the stand-in master is the test superuser. */
const settings = (overrides: Record<string, string> = {}) =>
  readGrantSettings({
    DATABASE_HOST: 'localhost', // the test server's certificate names localhost
    DATABASE_PORT: String(pg.port),
    DATABASE_NAME: DATABASE,
    DATABASE_USER: pg.superuser.user,
    DATABASE_PASSWORD: pg.superuser.password,
    DATABASE_CA_FILE: pg.caFile,
    ...overrides,
  });

const SCRIPT = `BEGIN;
DO $$ BEGIN RAISE NOTICE 'backend-role: role created'; END $$;
CREATE TABLE IF NOT EXISTS grant_marker (id int);
COMMIT;`;
const FAILING = `BEGIN;
CREATE TABLE half_done (id int);
SELECT no_such_function();
COMMIT;`;

const admin = () =>
  new Client({
    host: pg.host,
    port: pg.port,
    user: pg.superuser.user,
    password: pg.superuser.password,
    database: DATABASE,
  });
const tableExists = async (name: string) => {
  const client = admin();
  await client.connect();
  try {
    const { rows } = await client.query('SELECT to_regclass($1) AS t', [name]);
    return rows[0].t !== null;
  } finally {
    await client.end();
  }
};

describe('grant-role (the database-access Job)', () => {
  const dir = tempDir('grant-role');
  beforeAll(async () => {
    const client = new Client({
      host: pg.host,
      port: pg.port,
      user: pg.superuser.user,
      password: pg.superuser.password,
      database: 'postgres',
    });
    await client.connect();
    await client.query(`CREATE DATABASE ${DATABASE}`);
    await client.end();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies the script over a verified TLS connection and returns its notices', async () => {
    expect(await grantRole(settings(), SCRIPT)).toEqual(['backend-role: role created']);
    expect(await tableExists('grant_marker')).toBe(true);
  });

  it('refuses a server whose certificate does not chain to the CA bundle, sending nothing', async () => {
    await expect(grantRole(settings({ DATABASE_CA_FILE: pg.otherCaFile }), SCRIPT)).rejects.toThrow(
      /self-signed certificate|unable to verify|certificate/,
    );
  });

  it('leaves nothing behind when the script fails: it is one transaction', async () => {
    await expect(grantRole(settings(), FAILING)).rejects.toThrow(/no_such_function/);
    expect(await tableExists('half_done')).toBe(false);
  });

  it('refuses to run without the master password or the CA bundle', () => {
    expect(() => settings({ DATABASE_PASSWORD: '' })).toThrow(/DATABASE_PASSWORD/);
    expect(() => settings({ DATABASE_CA_FILE: '' })).toThrow(/DATABASE_CA_FILE/);
  });

  it('exits 0 with the notices as a process, and 1 with one line on failure', async () => {
    const env = {
      ...process.env,
      DATABASE_HOST: 'localhost',
      DATABASE_PORT: String(pg.port),
      DATABASE_NAME: DATABASE,
      DATABASE_USER: pg.superuser.user,
      DATABASE_PASSWORD: pg.superuser.password,
      DATABASE_CA_FILE: pg.caFile,
    };
    const ok = join(dir, 'ok.sql');
    const bad = join(dir, 'bad.sql');
    writeFileSync(ok, SCRIPT);
    writeFileSync(bad, FAILING);
    const run = (file: string) =>
      runCommand(TSX, ['apps/backend/src/grant-role.ts', file], {
        cwd: ROOT,
        env,
      });
    const applied = await run(ok);
    expect(applied.status, applied.stderr).toBe(0);
    // Each notice on a line of its own (the table exists by now: PostgreSQL says so too).
    expect(applied.stdout.split('\n')).toEqual([
      'backend-role: role created',
      'relation "grant_marker" already exists, skipping',
      `grant-role: ${ok} applied to ${DATABASE}`,
      '',
    ]);
    const failed = await run(bad);
    expect(failed.status).toBe(1);
    expect(failed.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^grant-role: .*bad\.sql was not applied: function no_such_function\(\) does not exist$/,
      ),
    ]);
  });
});
