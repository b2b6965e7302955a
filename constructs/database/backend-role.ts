/**
 * The backend's own PostgreSQL role, schema and grants, as one idempotent SQL script that a
 * Kubernetes Job applies as the RDS master user whenever it or the backend's image changes, with
 * the backend image's runner (apps/backend/src/grant-role.ts; docs/database-access.md).
 *
 * The role logs in with IAM database authentication only: it has no password and is a member of
 * `rds_iam`, so RDS refuses a password for it and accepts only a token signed by the backend's
 * Pod Identity role (which holds `rds-db:connect` for this user alone). The backend's pods never
 * see the master credentials; the Job's namespace does.
 *
 * The script is the contract: the tests run exactly the text `backendRoleSql` returns, through
 * psql with `BACKEND_ROLE_PSQL_ARGS` and through the Job's runner, as an RDS-like master user that
 * is not a superuser (__tests__/constructs/database/backend-role.test.ts).
 */

/** What the backend gets on the database server. */
export interface BackendRoleProps {
  /**
   * The database the role may connect to, and the only one: the RDS instance's database
   * (`rds.databaseName`, e.g. `app`). The script must run connected to it.
   */
  readonly database: string;
  /**
   * The login role, e.g. `backend`: the database user that the Pod Identity role's
   * `rds-db:connect` resource names (`…:dbuser:<DbiResourceId>/backend`).
   */
  readonly role: string;
  /** The schema the role owns and uses as its `search_path`, e.g. `cart` (DATABASE_SCHEMA). */
  readonly schema: string;
  /**
   * Most sessions the role may hold at once (`CONNECTION LIMIT`): the backend's maximum replicas
   * × (its pool size + its probe connection + its migration connection). A login past it fails
   * with `too many connections for role`. Always bounded: -1 (no limit) is refused.
   */
  readonly connectionLimit: number;
  /**
   * The role's default `statement_timeout`, in ms: a backstop for any session that does not set
   * its own (the backend's pool sets 10 s; its migration connection must set 0 itself).
   * @default 30000
   */
  readonly statementTimeoutMs?: number;
  /**
   * The role's `idle_in_transaction_session_timeout`, in ms: a session left idle inside a
   * transaction (holding locks, holding back vacuum) is ended.
   * @default 60000
   */
  readonly idleInTransactionSessionTimeoutMs?: number;
  /**
   * Whether the server is Amazon RDS: the role is granted `rds_iam`, and the script fails if that
   * role does not exist. `false` for plain PostgreSQL (a developer's server), where the role gets
   * no way to log in at all until whoever runs that server gives it a password.
   * @default true
   */
  readonly rds?: boolean;
}

/**
 * How the Job runs the script: no `~/.psqlrc`, quiet, and stop at the first error (without
 * ON_ERROR_STOP, psql would go on after a failed statement and exit 0). Add `--file=<script>`;
 * the connection comes from the PG* environment (`PGSSLMODE=verify-full`).
 */
export const BACKEND_ROLE_PSQL_ARGS: readonly string[] = [
  '--no-psqlrc',
  '--quiet',
  '--set=ON_ERROR_STOP=1',
];

/** The transaction-level advisory lock that serializes two runs (two Jobs started together). */
export const BACKEND_ROLE_LOCK = 7_240_318_612;

/** A PostgreSQL identifier as the platform writes them: lowercase, at most 63 bytes. */
export const PG_IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;

const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;
/** PostgreSQL's ceiling for max_connections. */
const MAX_CONNECTION_LIMIT = 262_143;
const DAY_MS = 86_400_000;

function identifierProblems(
  field: keyof BackendRoleProps,
  value: unknown,
  example: string,
  reserved: (name: string) => string | undefined,
): string[] {
  if (typeof value !== 'string' || !PG_IDENTIFIER.test(value)) {
    return [
      `${field} must be a lowercase PostgreSQL identifier (${PG_IDENTIFIER.source}), got ${JSON.stringify(value)}. Fix: use e.g. ${example}`,
    ];
  }
  const why = reserved(value);
  return why
    ? [`${field} must not be ${JSON.stringify(value)}: ${why}. Fix: use e.g. ${example}`]
    : [];
}

function wholeProblems(
  field: keyof BackendRoleProps,
  value: number,
  min: number,
  max: number,
  fix: string,
): string[] {
  return Number.isInteger(value) && value >= min && value <= max
    ? []
    : [`${field} must be a whole number from ${min} to ${max}, got ${value}. Fix: ${fix}`];
}

/** Every problem with the props, one line each naming the field, the value and the fix. */
function problems(props: BackendRoleProps, statementMs: number, idleMs: number): string[] {
  return [
    ...identifierProblems('role', props.role, 'backend', (name) => {
      if (name.startsWith('pg_')) return 'names starting with pg_ are reserved by PostgreSQL';
      if (name.startsWith('rds')) return 'names starting with rds are reserved by Amazon RDS';
      if (['public', 'none', 'current_user', 'current_role', 'session_user'].includes(name))
        return 'PostgreSQL reads it as a keyword where a role is expected';
      return undefined;
    }),
    ...identifierProblems('schema', props.schema, 'cart', (name) => {
      if (name.startsWith('pg_')) return 'names starting with pg_ are reserved by PostgreSQL';
      if (name === 'public') return 'the role gets a schema of its own, and public is closed';
      if (name === 'information_schema') return 'it is the SQL standard catalog';
      return undefined;
    }),
    ...identifierProblems('database', props.database, 'app', (name) =>
      ['postgres', 'template0', 'template1', 'rdsadmin'].includes(name)
        ? 'the role gets the application database, never a system one'
        : undefined,
    ),
    ...wholeProblems(
      'connectionLimit',
      props.connectionLimit,
      1,
      MAX_CONNECTION_LIMIT,
      'use max replicas × (pool size + 2)',
    ),
    ...wholeProblems('statementTimeoutMs', statementMs, 1_000, DAY_MS, 'use e.g. 30000'),
    ...wholeProblems('idleInTransactionSessionTimeoutMs', idleMs, 1_000, DAY_MS, 'use e.g. 60000'),
  ];
}

/**
 * The SQL that gives the backend its role, schema and grants, and nothing else. Run it with
 * psql (`BACKEND_ROLE_PSQL_ARGS`) connected to `props.database` as the RDS master user: a
 * member of `rds_superuser` with CREATEDB and CREATEROLE, not a superuser. It is one
 * transaction; a second run changes nothing; a role, schema or grant that drifted is put back.
 *
 * In order, it:
 * 1. checks it is connected to the database, as its owner (or a member of the owner), and that
 *    `rds_iam` exists (on RDS);
 * 2. creates the role LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
 *    INHERIT with the connection limit and no password, or puts an existing one back to exactly
 *    that (it clears any password);
 * 3. sets the role's settings to exactly `search_path`, `statement_timeout` and
 *    `idle_in_transaction_session_timeout`;
 * 4. grants it `rds_iam` (on RDS) and revokes any other role it is a member of;
 * 5. creates the schema owned by the role (or gives an existing one to it);
 * 6. closes the database to PUBLIC and grants the role CONNECT on it (no TEMPORARY, no CREATE);
 *    closes schema `public` to PUBLIC;
 * 7. closes every other database that admits connections to PUBLIC and to the role
 *    (`postgres`, `template1`, and any other);
 * 8. verifies the result: the role's attributes, that it is a member of `rds_iam` alone, that it
 *    holds no privilege this script did not grant, and that the master user does not inherit it
 *    (it would inherit `rds_iam`, and RDS would refuse the master's password).
 *
 * Each step logs one NOTICE saying what it did. A failure rolls everything back and says why.
 *
 * @throws Error naming each invalid field, its value and the fix.
 */
export function backendRoleSql(props: BackendRoleProps): string {
  const statementMs = props.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const idleMs = props.idleInTransactionSessionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS;
  const rds = props.rds ?? true;
  const found = problems(props, statementMs, idleMs);
  if (found.length > 0) {
    throw new Error(`Invalid backend role:\n${found.map((line) => `  - ${line}`).join('\n')}`);
  }
  // The names are validated identifiers (no quote, no dollar sign), so they go into the text as
  // they are: quoted as identifiers in statements, as literals inside the DO blocks.
  const { database, role, schema, connectionLimit } = props;
  const db = `"${database}"`;
  const r = `"${role}"`;
  const s = `"${schema}"`;
  const dbLit = `'${database}'`;
  const rLit = `'${role}'`;
  const sLit = `'${schema}'`;
  const settings = [
    `search_path = ${s}`,
    `statement_timeout = '${statementMs}ms'`,
    `idle_in_transaction_session_timeout = '${idleMs}ms'`,
  ];
  // How pg_db_role_setting stores the settings above (search_path through quote_ident, as
  // ALTER ROLE … SET does), to set them only when they differ.
  const storedSettings = `ARRAY['search_path=' || quote_ident(${sLit}), 'statement_timeout=${statementMs}ms', 'idle_in_transaction_session_timeout=${idleMs}ms']`;
  const memberships = rds
    ? 'is a member of rds_iam and of no other role'
    : 'is a member of no role';

  return `-- The backend's database role ${role}, its schema ${schema} and its grants in database ${database}.
-- Generated by constructs/database/backend-role.ts; see docs/database-access.md.
-- Run as the RDS master user, connected to ${database}:
--   psql ${BACKEND_ROLE_PSQL_ARGS.join(' ')} --file=<this file>
-- One transaction, idempotent: a second run changes nothing.
BEGIN;
SET LOCAL search_path = pg_catalog, pg_temp;
SET LOCAL lock_timeout = '10s';

-- 1. Where and as whom it runs.
DO $check$
DECLARE
  owner_name name;
BEGIN
  -- Two runs at once would both try CREATE ROLE: the second waits here, then finds the role.
  PERFORM pg_advisory_xact_lock(${BACKEND_ROLE_LOCK});
  IF current_database() <> ${dbLit} THEN
    RAISE EXCEPTION 'connected to database %, but this script sets up database ${database}', current_database()
      USING HINT = 'Connect to ${database} (PGDATABASE=${database}).';
  END IF;
  IF current_user = ${rLit} THEN
    RAISE EXCEPTION 'running as role ${role}, the role this script sets up'
      USING HINT = 'Run it as the RDS master user.';
  END IF;
  SELECT pg_get_userbyid(datdba) INTO owner_name FROM pg_database WHERE datname = current_database();
  IF NOT pg_has_role(owner_name, 'MEMBER') THEN
    RAISE EXCEPTION 'database ${database} is owned by %, and % is not a member of that role: it cannot close the database to PUBLIC', owner_name, current_user
      USING HINT = 'Run it as the RDS master user, which owns the database RDS created.';
  END IF;
  -- PostgreSQL 16+: a CREATEROLE user may be set to become a member of each role it creates;
  -- inheriting this one would mean inheriting rds_iam. Its ADMIN option alone is harmless.
  IF current_setting('server_version_num')::int >= 160000 THEN
    PERFORM set_config('createrole_self_grant', '', true);
  END IF;
${
  rds
    ? `  IF to_regrole('rds_iam') IS NULL THEN
    RAISE EXCEPTION 'role rds_iam does not exist: this server is not Amazon RDS for PostgreSQL, so role ${role} could not log in with IAM database authentication'
      USING HINT = 'Run it on the RDS instance; for a plain PostgreSQL server, generate the script with rds: false.';
  END IF;
`
    : ''
}  RAISE NOTICE 'backend-role: running as % in database %', current_user, current_database();
END
$check$;

-- 2. The role: LOGIN and nothing more, a bounded number of sessions, no password.
DO $role$
DECLARE
  r pg_roles%ROWTYPE;
  changed text[] := '{}';
BEGIN
  SELECT * INTO r FROM pg_roles WHERE rolname = ${rLit};
  IF NOT FOUND THEN
    CREATE ROLE ${r} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT
      CONNECTION LIMIT ${connectionLimit};
    RAISE NOTICE 'backend-role: role ${role} created';
    RETURN;
  END IF;
  -- Only a superuser may change these three, and the RDS master user is not one (on
  -- PostgreSQL 15 naming them at all in ALTER ROLE needs a superuser: hence one ALTER per
  -- attribute that differs, never a blanket ALTER ROLE … NOSUPERUSER).
  IF r.rolsuper OR r.rolreplication OR r.rolbypassrls THEN
    RAISE EXCEPTION 'role ${role} exists with SUPERUSER, REPLICATION or BYPASSRLS, which only a superuser can remove'
      USING HINT = 'Drop the role (DROP OWNED BY ${role}; DROP ROLE ${role}) and run this again.';
  END IF;
  IF NOT r.rolcanlogin THEN ALTER ROLE ${r} LOGIN; changed := changed || 'login'::text; END IF;
  IF r.rolcreatedb THEN ALTER ROLE ${r} NOCREATEDB; changed := changed || 'createdb'::text; END IF;
  IF r.rolcreaterole THEN ALTER ROLE ${r} NOCREATEROLE; changed := changed || 'createrole'::text; END IF;
  IF NOT r.rolinherit THEN ALTER ROLE ${r} INHERIT; changed := changed || 'inherit'::text; END IF;
  IF r.rolconnlimit <> ${connectionLimit} THEN
    ALTER ROLE ${r} CONNECTION LIMIT ${connectionLimit};
    changed := changed || 'connection limit'::text;
  END IF;
  -- The master user cannot read pg_authid, so it cannot tell whether a password is set: clear
  -- it every time (writing the same null when there is none).
  ALTER ROLE ${r} PASSWORD NULL;
  IF cardinality(changed) = 0 THEN
    RAISE NOTICE 'backend-role: role ${role} unchanged';
  ELSE
    RAISE NOTICE 'backend-role: role ${role} reset: %', array_to_string(changed, ', ');
  END IF;
END
$role$;

-- 3. Its settings, exactly these, for every session (per-database settings would override them).
DO $settings$
DECLARE
  role_oid oid := to_regrole(${rLit});
  other record;
  changed boolean := false;
BEGIN
  IF (SELECT setconfig FROM pg_db_role_setting WHERE setrole = role_oid AND setdatabase = 0)
     IS DISTINCT FROM ${storedSettings} THEN
    ALTER ROLE ${r} RESET ALL;
${settings.map((setting) => `    ALTER ROLE ${r} SET ${setting};`).join('\n')}
    changed := true;
  END IF;
  FOR other IN
    SELECT d.datname FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
     WHERE s.setrole = role_oid
  LOOP
    EXECUTE format('ALTER ROLE %I IN DATABASE %I RESET ALL', ${rLit}, other.datname);
    changed := true;
  END LOOP;
  RAISE NOTICE 'backend-role: settings %', CASE WHEN changed THEN 'set' ELSE 'unchanged' END;
END
$settings$;

-- 4. Its memberships: ${rds ? 'rds_iam (IAM database authentication only), and no other' : 'none'}.
DO $memberships$
DECLARE
  role_oid oid := to_regrole(${rLit});
  other record;
  changed text[] := '{}';
BEGIN
${
  rds
    ? `  IF NOT EXISTS (SELECT FROM pg_auth_members WHERE roleid = to_regrole('rds_iam') AND member = role_oid) THEN
    GRANT rds_iam TO ${r};
    changed := changed || 'granted rds_iam'::text;
  END IF;
`
    : ''
}  FOR other IN
    SELECT DISTINCT pg_get_userbyid(roleid) AS name FROM pg_auth_members
     WHERE member = role_oid${rds ? ` AND roleid <> to_regrole('rds_iam')` : ''}
  LOOP
    EXECUTE format('REVOKE %I FROM %I', other.name, ${rLit});
    changed := changed || ('revoked ' || other.name);
  END LOOP;
  RAISE NOTICE 'backend-role: memberships %',
    CASE WHEN cardinality(changed) = 0 THEN 'unchanged' ELSE array_to_string(changed, ', ') END;
END
$memberships$;

-- 5. Its schema, owned by it.
DO $schema$
DECLARE
  owner_oid oid;
BEGIN
  SELECT nspowner INTO owner_oid FROM pg_namespace WHERE nspname = ${sLit};
  IF owner_oid = to_regrole(${rLit}) THEN
    RAISE NOTICE 'backend-role: schema ${schema} unchanged';
    RETURN;
  END IF;
  -- Giving a schema to a role needs membership in it (SET on PostgreSQL 16+), which the master
  -- user does not keep: a member that inherits the role would inherit rds_iam, and RDS would
  -- then refuse the master's password. So for this transaction only.
  GRANT ${r} TO CURRENT_USER;
  IF owner_oid IS NULL THEN
    CREATE SCHEMA ${s} AUTHORIZATION ${r};
    RAISE NOTICE 'backend-role: schema ${schema} created';
  ELSE
    ALTER SCHEMA ${s} OWNER TO ${r};
    RAISE NOTICE 'backend-role: schema ${schema} given to ${role} (was %)', pg_get_userbyid(owner_oid);
  END IF;
  REVOKE ${r} FROM CURRENT_USER;
END
$schema$;

-- 6. The database: only CONNECT, for this role alone. No TEMPORARY: the backend makes no
-- temporary tables (sorts that spill use temporary files, which need no privilege).
REVOKE ALL ON DATABASE ${db} FROM PUBLIC;
REVOKE CREATE, TEMPORARY ON DATABASE ${db} FROM ${r};
GRANT CONNECT ON DATABASE ${db} TO ${r};
-- Schema public: PostgreSQL 15+ already gives PUBLIC no CREATE there; take USAGE too, as the
-- role has nothing to do outside its schema (and a database upgraded from 14 still had CREATE).
DO $public$
BEGIN
  IF EXISTS (SELECT FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
              WHERE n.nspname = 'public' AND a.grantee = 0) THEN
    REVOKE ALL ON SCHEMA public FROM PUBLIC;
    RAISE NOTICE 'backend-role: schema public closed to PUBLIC';
  ELSE
    RAISE NOTICE 'backend-role: schema public unchanged';
  END IF;
END
$public$;

-- 7. Every other database the role could reach: PostgreSQL has no way to keep one role out of a
-- database that PUBLIC may connect to (and RDS gives no pg_hba.conf), so no database admits
-- PUBLIC. On RDS: postgres (PUBLIC may connect and make temporary tables) and template1
-- (PUBLIC may connect), both owned by the master user; rdsadmin admits only rdsadmin already,
-- and template0 admits no connections.
DO $others$
DECLARE
  d record;
  closed text[] := '{}';
BEGIN
  FOR d IN
    SELECT db.datname, db.datdba FROM pg_database db
     WHERE db.datname <> current_database() AND db.datallowconn
       AND EXISTS (SELECT FROM aclexplode(coalesce(db.datacl, acldefault('d', db.datdba))) a
                    WHERE a.grantee IN (0, to_regrole(${rLit})))
     ORDER BY db.datname
  LOOP
    IF NOT pg_has_role(d.datdba, 'MEMBER') THEN
      RAISE EXCEPTION 'database % admits PUBLIC or role ${role}, and % cannot change that: it is owned by %', d.datname, current_user, pg_get_userbyid(d.datdba)
        USING HINT = format('As its owner: REVOKE ALL ON DATABASE %I FROM PUBLIC, %I; then run this again.', d.datname, ${rLit});
    END IF;
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC, %I', d.datname, ${rLit});
    closed := closed || d.datname;
  END LOOP;
  RAISE NOTICE 'backend-role: other databases %',
    CASE WHEN cardinality(closed) = 0 THEN 'unchanged' ELSE 'closed: ' || array_to_string(closed, ', ') END;
END
$others$;

-- 8. The result, checked: what the role is, what it is a member of, what it holds.
DO $verify$
DECLARE
  role_oid oid := to_regrole(${rLit});
  found text;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE oid = role_oid AND rolcanlogin AND rolinherit
                   AND NOT (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls)
                   AND rolconnlimit = ${connectionLimit}) THEN
    RAISE EXCEPTION 'role ${role} does not have the attributes this script sets';
  END IF;
  SELECT string_agg(DISTINCT pg_get_userbyid(roleid) || ' (granted by ' || pg_get_userbyid(grantor) || ')', ', ')
    INTO found FROM pg_auth_members WHERE member = role_oid${rds ? ` AND roleid <> to_regrole('rds_iam')` : ''};
  IF found IS NOT NULL THEN
    RAISE EXCEPTION 'role ${role} is still a member of %, and % could not revoke it', found, current_user
      USING HINT = 'Revoke it as the role that granted it (REVOKE <role> FROM ${role} GRANTED BY <grantor>).';
  END IF;
${
  rds
    ? `  IF NOT EXISTS (SELECT FROM pg_auth_members WHERE roleid = to_regrole('rds_iam') AND member = role_oid) THEN
    RAISE EXCEPTION 'role ${role} is not a member of rds_iam';
  END IF;
`
    : ''
}  -- Privileges on objects (tables, schemas, functions, other databases…) name the role in
  -- pg_shdepend; the only one it should hold is CONNECT on its database.
  SELECT string_agg(CASE WHEN dep.dbid IN (0, db.oid)
                         THEN pg_describe_object(dep.classid, dep.objid, dep.objsubid)
                         ELSE 'an object in database ' || coalesce(other.datname, dep.dbid::text) END, ', ')
    INTO found
    FROM pg_shdepend dep
    JOIN pg_database db ON db.datname = current_database()
    LEFT JOIN pg_database other ON other.oid = dep.dbid
   WHERE dep.refclassid = 'pg_authid'::regclass AND dep.refobjid = role_oid AND dep.deptype = 'a'
     AND NOT (dep.classid = 'pg_database'::regclass AND dep.objid = db.oid);
  IF found IS NOT NULL THEN
    RAISE EXCEPTION 'role ${role} holds privileges this script does not grant, on: %', found
      USING HINT = 'Revoke them (REVOKE ALL ON <object> FROM ${role}) and run this again; the backend owns what it needs in schema ${schema}.';
  END IF;
  -- A superuser is a member of every role; the check is for the RDS master user, which is not.
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
     AND pg_has_role(current_user, role_oid, 'USAGE') THEN
    RAISE EXCEPTION '% inherits role ${role}, and so would inherit rds_iam: RDS would then refuse its password', current_user
      USING HINT = 'Revoke the membership that makes it inherit ${role} (see pg_auth_members).';
  END IF;
  RAISE NOTICE 'backend-role: role ${role} can log in to ${database}, owns schema ${schema}, and ${memberships}';
END
$verify$;

COMMIT;
`;
}
