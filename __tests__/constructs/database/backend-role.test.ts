/**
 * The backend's role script against a real PostgreSQL laid out the way RDS lays one out: the
 * script runs through psql (as the Job runs it) as a master user that is NOT a superuser, only
 * CREATEDB and CREATEROLE and a member of `rds_superuser`; the superuser `postgres` plays
 * RDS's `rdsadmin`.
 *
 * This file starts a server of its own rather than use the run's shared one: the script changes
 * cluster-wide state (roles, the ACLs and owners of `postgres` and `template1`), and one test
 * needs a server without `rds_iam`; the other files must see none of that. It costs ~1.5 s.
 */
import { spawn } from 'node:child_process';
import { grantRole } from '../../../apps/backend/src/grant-role';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKEND_ROLE_PSQL_ARGS,
  type BackendRoleProps,
  backendRoleSql,
} from '../../../constructs/database/backend-role';
import { findPostgresBin, type PostgresServer, startPostgres } from '../../support/postgres';

const props: BackendRoleProps = {
  database: 'app',
  role: 'backend',
  schema: 'cart',
  connectionLimit: 3,
};

describe('backendRoleSql', () => {
  it.each([
    [{ role: 'Backend' }, 'role must be a lowercase PostgreSQL identifier'],
    [{ role: 'a'.repeat(64) }, 'role must be a lowercase PostgreSQL identifier'],
    [
      { role: `x'; DROP ROLE platform_admin; --` },
      'role must be a lowercase PostgreSQL identifier',
    ],
    [{ role: 'pg_backend' }, 'role must not be "pg_backend": names starting with pg_ are reserved'],
    [{ role: 'rds_iam' }, 'role must not be "rds_iam": names starting with rds are reserved'],
    [{ role: 'public' }, 'role must not be "public": PostgreSQL reads it as a keyword'],
    [{ schema: 'cart-items' }, 'schema must be a lowercase PostgreSQL identifier'],
    [{ schema: 'public' }, 'schema must not be "public": the role gets a schema of its own'],
    [{ schema: 'pg_temp' }, 'schema must not be "pg_temp"'],
    [{ database: '1app' }, 'database must be a lowercase PostgreSQL identifier'],
    [
      { database: '' },
      'database must be a lowercase PostgreSQL identifier (^[a-z][a-z0-9_]{0,62}$), got "". Fix: use e.g. app',
    ],
    [
      { database: 'postgres' },
      'database must not be "postgres": the role gets the application database',
    ],
    [{ connectionLimit: -1 }, 'connectionLimit must be a whole number from 1 to 262143, got -1'],
    [{ connectionLimit: 2.5 }, 'connectionLimit must be a whole number from 1 to 262143, got 2.5'],
    [
      { statementTimeoutMs: 0 },
      'statementTimeoutMs must be a whole number from 1000 to 86400000, got 0',
    ],
    [
      { idleInTransactionSessionTimeoutMs: 10 },
      'idleInTransactionSessionTimeoutMs must be a whole',
    ],
  ] as const)('throws when given %o', (overrides, message) => {
    expect(() => backendRoleSql({ ...props, ...overrides })).toThrow(message);
  });

  it('names every invalid field at once', () => {
    expect(() =>
      backendRoleSql({ ...props, role: 'Backend', schema: 'x-y', database: 'A' }),
    ).toThrow(/Invalid backend role:\n {2}- role .*\n {2}- schema .*\n {2}- database /);
  });

  it('accepts names of 63 characters, the most PostgreSQL keeps', () => {
    const name = `b${'x'.repeat(62)}`;
    expect(backendRoleSql({ ...props, role: name, schema: name })).toContain(
      `CREATE ROLE "${name}"`,
    );
  });
});

interface Login {
  readonly user: string;
  readonly password: string;
}

const MASTER: Login = { user: 'platform_admin', password: 'master-secret' };

/** What a run that finds everything in place says, step by step. */
const UNCHANGED = [
  'running as platform_admin in database app',
  'role backend unchanged',
  'settings unchanged',
  'memberships unchanged',
  'schema cart unchanged',
  'schema public unchanged',
  'other databases unchanged',
  'role backend can log in to app, owns schema cart, and is a member of rds_iam and of no other role',
];
/** Only the tests give the role a password, to log in as it: on RDS it has none and uses IAM. */
const TEST_ONLY_PASSWORD: Login = { user: 'backend', password: 'test-only-password' };

interface Run {
  readonly code: number | null;
  readonly stderr: string;
  /** The script's own progress lines, without psql's `psql:<stdin>:N: NOTICE:` prefix. */
  readonly notices: string[];
}

describe('on an RDS-like server, as the master user (CREATEDB CREATEROLE, not a superuser)', () => {
  let server: PostgresServer;
  let psql: string;
  let serverVersion: number;

  async function withClient<T>(
    login: Login,
    database: string,
    use: (client: Client) => Promise<T>,
  ): Promise<T> {
    const client = new Client({ host: server.host, port: server.port, database, ...login });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  }

  const asSuperuser = <T>(database: string, use: (client: Client) => Promise<T>) =>
    withClient(server.superuser, database, use);

  async function superuserRuns(database: string, statements: string[]): Promise<void> {
    await asSuperuser(database, async (client) => {
      for (const statement of statements) await client.query(statement);
    });
  }

  /** The script, through psql with the Job's arguments, as the master user. */
  function runScript(sql: string, database = 'app'): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(psql, [...BACKEND_ROLE_PSQL_ARGS, '--file=-'], {
        env: {
          PATH: process.env.PATH,
          PGHOST: server.host,
          PGPORT: String(server.port),
          PGDATABASE: database,
          PGUSER: MASTER.user,
          PGPASSWORD: MASTER.password,
          PGSSLMODE: 'disable',
        },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        resolve({
          code,
          stderr,
          notices: [...stderr.matchAll(/NOTICE: {2}backend-role: (.*)$/gm)].map((m) => m[1]),
        }),
      );
      child.stdin.end(sql);
    });
  }

  /**
   * What the script may change, read as the superuser (pg_authid is not readable otherwise):
   * the role's attributes and password, its settings, the memberships it is part of, every
   * database's owner and ACL, and the schemas of `app` with their owners and ACLs.
   */
  const snapshot = (role = 'backend') =>
    asSuperuser('app', async (client) => {
      const { rows } = await client.query<{ snapshot: unknown }>(
        `SELECT json_build_object(
           'role', (SELECT row_to_json(a) FROM (
                      SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,
                             rolreplication, rolbypassrls, rolconnlimit, rolpassword, rolvaliduntil
                        FROM pg_authid WHERE rolname = $1) a),
           'settings', (SELECT json_agg(json_build_object('database', d.datname, 'config', s.setconfig)
                                        ORDER BY d.datname NULLS FIRST)
                          FROM pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase
                         WHERE s.setrole = to_regrole($1)),
           'memberships', (SELECT json_agg(json_build_object('role', pg_get_userbyid(roleid),
                                                             'member', pg_get_userbyid(member),
                                                             'grantor', pg_get_userbyid(grantor),
                                                             'admin', admin_option)
                                           ORDER BY pg_get_userbyid(roleid), pg_get_userbyid(member))
                             FROM pg_auth_members
                            WHERE to_regrole($1) IN (roleid, member)),
           'databases', (SELECT json_agg(json_build_object('name', datname,
                                                           'owner', pg_get_userbyid(datdba),
                                                           'acl', datacl::text[]) ORDER BY datname)
                           FROM pg_database),
           'schemas', (SELECT json_agg(json_build_object('name', nspname,
                                                         'owner', pg_get_userbyid(nspowner),
                                                         'acl', nspacl::text[]) ORDER BY nspname)
                         FROM pg_namespace
                        WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema')
         ) AS snapshot`,
        [role],
      );
      return rows[0].snapshot;
    });

  beforeAll(async () => {
    server = await startPostgres();
    const bin = join(findPostgresBin(), 'psql');
    psql = existsSync(bin) ? bin : 'psql';
    // RDS's layout: the master user owns the database RDS created and also postgres and
    // template1 (template1 admits PUBLIC to CONNECT only); rdsadmin admits rdsadmin alone.
    // rds_iam comes later: the first test needs a server without it.
    await superuserRuns('postgres', [
      'CREATE ROLE rds_superuser NOLOGIN',
      `CREATE ROLE ${MASTER.user} LOGIN CREATEDB CREATEROLE PASSWORD '${MASTER.password}' IN ROLE rds_superuser`,
      `CREATE DATABASE app OWNER ${MASTER.user}`,
      `ALTER DATABASE postgres OWNER TO ${MASTER.user}`,
      `ALTER DATABASE template1 OWNER TO ${MASTER.user}`,
      'REVOKE TEMPORARY ON DATABASE template1 FROM PUBLIC',
      'CREATE DATABASE rdsadmin',
      'REVOKE ALL ON DATABASE rdsadmin FROM PUBLIC',
      // Another database, created by the master user with PostgreSQL's defaults.
      `CREATE DATABASE other OWNER ${MASTER.user}`,
      `CREATE DATABASE devdb OWNER ${MASTER.user}`,
    ]);
    serverVersion = await asSuperuser('postgres', async (client) =>
      Number((await client.query('SHOW server_version_num')).rows[0].server_version_num),
    );
  }, 60_000);

  afterAll(() => server?.stop());

  it('throws when rds_iam does not exist (not RDS), and leaves nothing behind', async () => {
    const run = await runScript(backendRoleSql(props));

    expect(run.code).toBe(3); // psql: the script failed (ON_ERROR_STOP)
    expect(run.stderr).toContain(
      'ERROR:  role rds_iam does not exist: this server is not Amazon RDS for PostgreSQL, so role backend could not log in with IAM database authentication',
    );
    expect(run.stderr).toContain('generate the script with rds: false');
    const left = await asSuperuser('app', async (client) => {
      const { rows } = await client.query(
        "SELECT to_regrole('backend') AS role, to_regnamespace('cart') AS schema, (SELECT datacl FROM pg_database WHERE datname = 'app') AS acl",
      );
      return rows[0];
    });
    expect(left).toEqual({ role: null, schema: null, acl: null });
  });

  describe('with rds_iam, as RDS has it', () => {
    let firstRun: unknown;

    beforeAll(async () => {
      await superuserRuns('postgres', [
        'CREATE ROLE rds_iam NOLOGIN',
        // PostgreSQL 16+ lets only a role with ADMIN on rds_iam grant it; RDS gives the master
        // user that through rds_superuser, without making it inherit rds_iam.
        ...(serverVersion >= 160000
          ? ['GRANT rds_iam TO rds_superuser WITH ADMIN TRUE, INHERIT FALSE, SET FALSE']
          : []),
      ]);
    });

    it('creates the role, its schema and its grants; a second run changes nothing', async () => {
      const first = await runScript(backendRoleSql(props));
      expect(first.stderr).not.toContain('ERROR');
      expect(first.code).toBe(0);
      expect(first.notices).toEqual([
        'running as platform_admin in database app',
        'role backend created',
        'settings set',
        'memberships granted rds_iam',
        'schema cart created',
        'schema public closed to PUBLIC',
        'other databases closed: devdb, other, postgres, template1',
        'role backend can log in to app, owns schema cart, and is a member of rds_iam and of no other role',
      ]);
      firstRun = await snapshot();

      const second = await runScript(backendRoleSql(props));
      expect(second.code).toBe(0);
      expect(second.notices).toEqual(UNCHANGED);
      expect(await snapshot()).toEqual(firstRun);
    });

    it("gives the same result through the Job's runner (grant-role, node and pg) as through psql", async () => {
      const notices = await grantRole(
        {
          DATABASE_HOST: server.host,
          DATABASE_PORT: server.port,
          DATABASE_NAME: 'app',
          DATABASE_USER: MASTER.user,
          DATABASE_PASSWORD: MASTER.password,
          DATABASE_SSLMODE: 'disable',
        },
        backendRoleSql(props),
      );
      expect(notices.map((n) => n.replace(/^backend-role: /, ''))).toEqual(UNCHANGED);
      expect(await snapshot()).toEqual(firstRun);
    });

    it('leaves the role LOGIN and nothing more, without a password, a member of rds_iam alone', async () => {
      expect(firstRun).toMatchObject({
        role: {
          rolname: 'backend',
          rolcanlogin: true,
          rolsuper: false,
          rolcreatedb: false,
          rolcreaterole: false,
          rolreplication: false,
          rolbypassrls: false,
          rolinherit: true,
          rolconnlimit: 3,
          rolpassword: null,
        },
        settings: [
          {
            database: null,
            config: [
              'search_path=cart',
              'statement_timeout=30000ms',
              'idle_in_transaction_session_timeout=60000ms',
            ],
          },
        ],
      });
      // Of the role's memberships, rds_iam is its only one; PostgreSQL 16+ also records the
      // master user's ADMIN option on the role it created, which does not inherit it.
      const memberships = (firstRun as { memberships: { role: string; member: string }[] })
        .memberships;
      expect(memberships.filter((m) => m.member === 'backend').map((m) => m.role)).toEqual([
        'rds_iam',
      ]);
      const master = await withClient(MASTER, 'app', async (client) => {
        const { rows } = await client.query(
          "SELECT pg_has_role('backend', 'USAGE') AS inherits, pg_has_role('rds_iam', 'USAGE') AS inherits_rds_iam",
        );
        return rows[0];
      });
      expect(master).toEqual({ inherits: false, inherits_rds_iam: false });
    });

    it('closes every database but its own to PUBLIC, and gives the role CONNECT alone', async () => {
      const { databases, schemas } = firstRun as {
        databases: { name: string; owner: string; acl: string[] | null }[];
        schemas: { name: string; owner: string; acl: string[] | null }[];
      };
      const own = `${MASTER.user}=CTc/${MASTER.user}`;
      expect(databases).toEqual([
        { name: 'app', owner: MASTER.user, acl: [own, `backend=c/${MASTER.user}`] },
        { name: 'devdb', owner: MASTER.user, acl: [own] },
        { name: 'other', owner: MASTER.user, acl: [own] },
        { name: 'postgres', owner: MASTER.user, acl: [own] },
        { name: 'rdsadmin', owner: 'postgres', acl: ['postgres=CTc/postgres'] },
        // template0 admits no connections at all (datallowconn): left as it is.
        { name: 'template0', owner: 'postgres', acl: ['=c/postgres', 'postgres=CTc/postgres'] },
        { name: 'template1', owner: MASTER.user, acl: [own] },
      ]);
      expect(schemas).toEqual([
        { name: 'cart', owner: 'backend', acl: null },
        {
          name: 'public',
          owner: 'pg_database_owner',
          acl: ['pg_database_owner=UC/pg_database_owner'],
        },
      ]);
    });

    describe('as the role', () => {
      const asRole = <T>(use: (client: Client) => Promise<T>, database = 'app') =>
        withClient(TEST_ONLY_PASSWORD, database, use);

      beforeAll(async () => {
        // Test-only: locally there is no IAM authentication, so the tests give the role a
        // password to log in as it. On RDS, rds_iam makes RDS refuse any password for it.
        await superuserRuns('app', [
          `ALTER ROLE backend PASSWORD '${TEST_ONLY_PASSWORD.password}'`,
          // Someone else's schema and table, and the master user's table in public.
          'CREATE ROLE reports NOLOGIN',
          'CREATE SCHEMA finance AUTHORIZATION reports',
          'CREATE TABLE finance.ledger (amount int)',
          'ALTER TABLE finance.ledger OWNER TO reports',
          'CREATE TABLE public.secrets (value text)',
          `ALTER TABLE public.secrets OWNER TO ${MASTER.user}`,
        ]);
      });

      afterAll(async () => {
        await superuserRuns('app', [
          'ALTER ROLE backend PASSWORD NULL',
          'DROP SCHEMA finance CASCADE',
          'DROP ROLE reports',
          'DROP TABLE public.secrets',
        ]);
      });

      it('logs in and uses its schema through search_path, with its timeouts', async () => {
        const seen = await asRole(async (client) => {
          await client.query('CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)');
          await client.query("INSERT INTO items VALUES (1, 'tea'), (2, 'coffee')");
          const { rows } = await client.query('SELECT name FROM items ORDER BY id');
          const { rows: where } = await client.query(
            `SELECT current_schema() AS schema, current_setting('statement_timeout') AS statement_timeout,
                    current_setting('idle_in_transaction_session_timeout') AS idle,
                    (SELECT relnamespace::regnamespace::text FROM pg_class WHERE relname = 'items') AS table_schema`,
          );
          await client.query('DROP TABLE items');
          return { rows, where: where[0] };
        });
        expect(seen).toEqual({
          rows: [{ name: 'tea' }, { name: 'coffee' }],
          where: { schema: 'cart', statement_timeout: '30s', idle: '1min', table_schema: 'cart' },
        });
      });

      it.each([
        ['create a database', 'CREATE DATABASE mine', 'permission denied to create database'],
        ['create a role', 'CREATE ROLE mine', 'permission denied to create role'],
        ['create a schema', 'CREATE SCHEMA mine', 'permission denied for database app'],
        [
          'create a table in public',
          'CREATE TABLE public.mine (id int)',
          'permission denied for schema public',
        ],
        [
          'create a temporary table',
          'CREATE TEMPORARY TABLE mine (id int)',
          'permission denied to create temporary tables in database "app"',
        ],
        [
          'read a table of the master user in public',
          'SELECT * FROM public.secrets',
          'permission denied for schema public',
        ],
        [
          "read another role's table in its schema",
          'SELECT * FROM finance.ledger',
          'permission denied for schema finance',
        ],
        [
          'make itself a superuser',
          'ALTER ROLE backend SUPERUSER',
          /permission denied|must be superuser/,
        ],
        [
          'lift its connection limit',
          'ALTER ROLE backend CONNECTION LIMIT -1',
          'permission denied',
        ],
        [
          'leave rds_iam',
          'REVOKE rds_iam FROM backend',
          /permission denied|must have admin option/,
        ],
        ['become the master user', `SET ROLE ${MASTER.user}`, 'permission denied to set role'],
      ])('cannot %s', async (_what, statement, message) => {
        await expect(asRole((client) => client.query(statement))).rejects.toThrow(message);
      });

      it.each(['other', 'devdb', 'postgres', 'template1', 'rdsadmin'])(
        'cannot connect to database %s',
        async (database) => {
          await expect(asRole(async () => undefined, database)).rejects.toThrow(
            `permission denied for database "${database}"`,
          );
        },
      );

      it('cannot hold more sessions than its connection limit', async () => {
        const clients = [1, 2, 3].map(
          () =>
            new Client({
              host: server.host,
              port: server.port,
              database: 'app',
              ...TEST_ONLY_PASSWORD,
            }),
        );
        try {
          await Promise.all(clients.map((client) => client.connect()));
          await expect(asRole(async () => undefined)).rejects.toThrow(
            'too many connections for role "backend"',
          );
        } finally {
          await Promise.all(clients.map((client) => client.end()));
        }
      });
    });

    it('puts back a role that drifted: attributes, password, settings, memberships, grants, schema', async () => {
      const before = await snapshot();
      await withClient(MASTER, 'app', async (client) => {
        for (const statement of [
          'ALTER ROLE backend NOLOGIN CREATEDB CONNECTION LIMIT 50',
          "ALTER ROLE backend SET work_mem = '64MB'",
          'ALTER ROLE backend IN DATABASE app SET statement_timeout = 0',
          'CREATE ROLE extra NOLOGIN',
          'GRANT extra TO backend',
          'GRANT CREATE, TEMPORARY ON DATABASE app TO backend',
          'GRANT CONNECT ON DATABASE other TO backend',
          'GRANT CONNECT, TEMPORARY ON DATABASE postgres TO PUBLIC',
        ])
          await client.query(statement);
      });
      await superuserRuns('app', [
        "ALTER ROLE backend PASSWORD 'set-by-hand'",
        `ALTER SCHEMA cart OWNER TO ${MASTER.user}`,
      ]);

      const run = await runScript(backendRoleSql(props));

      expect(run.code).toBe(0);
      expect(run.notices).toEqual([
        'running as platform_admin in database app',
        'role backend reset: login, createdb, connection limit',
        'settings set',
        'memberships revoked extra',
        `schema cart given to backend (was ${MASTER.user})`,
        'schema public unchanged',
        'other databases closed: other, postgres',
        'role backend can log in to app, owns schema cart, and is a member of rds_iam and of no other role',
      ]);
      expect(await snapshot()).toEqual(before);
      await superuserRuns('app', ['DROP ROLE extra']);
    });

    it('throws when the role holds a privilege the script does not grant, and changes nothing', async () => {
      await withClient(MASTER, 'app', async (client) => {
        await client.query('CREATE TABLE public.audit (id int)');
        await client.query('GRANT SELECT ON public.audit TO backend');
      });
      const before = await snapshot();
      try {
        const run = await runScript(backendRoleSql(props));

        expect(run.code).toBe(3);
        expect(run.stderr).toContain(
          'ERROR:  role backend holds privileges this script does not grant, on: table public.audit',
        );
        expect(await snapshot()).toEqual(before);
      } finally {
        await withClient(MASTER, 'app', (client) => client.query('DROP TABLE public.audit'));
      }
    });

    it('throws when the master user inherits the role, which would cost it its password login', async () => {
      await superuserRuns('app', [
        'CREATE ROLE ops NOLOGIN',
        'GRANT backend TO ops',
        `GRANT ops TO ${MASTER.user}`,
      ]);
      try {
        const run = await runScript(backendRoleSql(props));

        expect(run.code).toBe(3);
        expect(run.stderr).toContain(
          `ERROR:  ${MASTER.user} inherits role backend, and so would inherit rds_iam: RDS would then refuse its password`,
        );
      } finally {
        await superuserRuns('app', ['DROP ROLE ops']);
      }
    });

    it('throws when connected to another database than its own', async () => {
      const run = await runScript(backendRoleSql(props), 'postgres');

      expect(run.code).toBe(3);
      expect(run.stderr).toContain(
        'ERROR:  connected to database postgres, but this script sets up database app',
      );
    });

    it('runs on plain PostgreSQL with rds: false; two runs started together both succeed', async () => {
      const sql = backendRoleSql({
        database: 'devdb',
        role: 'dev_app',
        schema: 'dev',
        connectionLimit: 5,
        rds: false,
      });

      const runs = await Promise.all([runScript(sql, 'devdb'), runScript(sql, 'devdb')]);

      expect(runs.map((run) => run.code)).toEqual([0, 0]);
      expect(runs.map((run) => run.notices[1]).sort()).toEqual([
        'role dev_app created',
        'role dev_app unchanged',
      ]);
      expect(runs[0].notices.at(-1)).toBe(
        'role dev_app can log in to devdb, owns schema dev, and is a member of no role',
      );
      const dev = (await snapshot('dev_app')) as {
        role: unknown;
        memberships: { member: string }[] | null;
      };
      expect(dev.role).toMatchObject({
        rolcanlogin: true,
        rolsuper: false,
        rolpassword: null,
        rolconnlimit: 5,
      });
      expect((dev.memberships ?? []).filter((m) => m.member === 'dev_app')).toEqual([]);
    });
  });
});
