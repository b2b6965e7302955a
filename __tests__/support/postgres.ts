/**
 * A real PostgreSQL server for tests and benchmarks: Debian's binaries (`initdb`, `pg_ctl`) run a
 * throwaway cluster in a temporary directory on a free loopback port, with TLS from a CA made for
 * it, and password (SCRAM) authentication. No mock database anywhere.
 *
 * As root (CI), the cluster runs as the `postgres` user: PostgreSQL refuses to run as root.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { Client } from 'pg';

/** Where a running server is, and how to reach it as its superuser. */
export interface PostgresConnection {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The CA the server's certificate (for `localhost` only) chains to. */
  readonly caFile: string;
  /** A CA the server's certificate does not chain to. */
  readonly otherCaFile: string;
  readonly superuser: { readonly user: 'postgres'; readonly password: string };
}

export interface PostgresServer extends PostgresConnection {
  /** Stops the server and removes its directory. */
  stop(): void;
}

/** What a service gets: its own role, owning its own schema, and nothing else. */
export interface AppDatabase {
  readonly database: string;
  readonly user: string;
  readonly password: string;
  readonly schema: string;
}

/**
 * Where `initdb` and `pg_ctl` are: `PG_BIN`, the `PATH`, or Debian's newest server package (under
 * `debianRoot`).
 */
export function findPostgresBin(
  env: NodeJS.ProcessEnv = process.env,
  debianRoot = '/usr/lib/postgresql',
): string {
  const candidates = [
    ...(env.PG_BIN ? [env.PG_BIN] : []),
    ...(env.PATH ?? '').split(delimiter),
    ...(existsSync(debianRoot)
      ? readdirSync(debianRoot)
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => join(debianRoot, version, 'bin'))
      : []),
  ];
  const bin = candidates.find(
    (dir) => dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')),
  );
  if (!bin) {
    throw new Error(
      "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's postgresql package (apt-get install postgresql; npm test does when it may) or set PG_BIN",
    );
  }
  return bin;
}

/** A TCP port free on loopback now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, and a server certificate for `localhost` signed by it; plus an unrelated CA. */
function makeCertificates(dir: string): void {
  for (const ca of ['ca', 'other-ca']) {
    openssl(
      dir,
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=test ${ca}`,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.crt`,
    );
  }
  openssl(
    dir,
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  );
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\n');
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server.crt',
  );
  chmodSync(join(dir, 'server.key'), 0o600);
}

/**
 * Where the server's directory goes: the temporary directory, unless (as root, the server runs as
 * the `postgres` user) one of its parents is closed to other users; then `/tmp`.
 */
export function serverParent(
  asRoot: boolean,
  temp = tmpdir(),
  mode = (path: string) => statSync(path).mode,
): string {
  if (!asRoot) return temp;
  for (let dir = resolve(temp); ; dir = dirname(dir)) {
    if ((mode(dir) & 0o001) === 0) return '/tmp';
    if (dir === dirname(dir)) return temp;
  }
}

/** Starts a server; `stop()` it (and so remove its directory) when done. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(serverParent(asRoot), 'pg-test-'));
  const postgresIds = asRoot ? execFileSync('id', ['-u', 'postgres']).toString().trim() : '';
  const run = (tool: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], {
          stdio: 'pipe',
        })
      : execFileSync(join(bin, tool), args, { stdio: 'pipe' });
  const password = randomBytes(24).toString('base64url');
  try {
    makeCertificates(dir);
    writeFileSync(join(dir, 'password'), password);
    if (asRoot) {
      const uid = Number(postgresIds);
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      for (const entry of ['', 'password', 'server.key', 'server.crt'])
        chownSync(join(dir, entry), uid, gid);
    }
    const data = join(dir, 'data');
    run('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'scram-sha-256',
      `--pwfile=${join(dir, 'password')}`,
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    const port = await freePort();
    const options = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-k ${dir}`,
      '-c ssl=on',
      `-c ssl_cert_file=${join(dir, 'server.crt')}`,
      `-c ssl_key_file=${join(dir, 'server.key')}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      options,
      'start',
    ]);
    const superuser = { user: 'postgres' as const, password };
    const stop = () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    return {
      host: '127.0.0.1',
      port,
      caFile: join(dir, 'ca.crt'),
      otherCaFile: join(dir, 'other-ca.crt'),
      superuser,
      stop,
    };
  } catch (error) {
    // pg_ctl may give up waiting on a server that did start: stop it before removing its files.
    if (existsSync(join(dir, 'data', 'postmaster.pid'))) {
      try {
        run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
      } catch {
        // it was not running after all
      }
    }
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A database owned by the superuser alone, and a role that may connect to it and owns its one
 * schema (`cart`): what a service gets, and nothing else.
 */
export async function createAppDatabase(
  server: PostgresConnection,
  name: string,
): Promise<AppDatabase> {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(name)) throw new Error(`not a database name: ${name}`);
  const app: AppDatabase = {
    database: name,
    user: `${name}_app`,
    password: `${name}-secret`,
    schema: 'cart',
  };
  const admin = (database: string) =>
    new Client({
      host: server.host,
      port: server.port,
      user: 'postgres',
      password: server.superuser.password,
      database,
    });
  const postgres = admin('postgres');
  await postgres.connect();
  try {
    await postgres.query(`CREATE ROLE ${app.user} LOGIN PASSWORD '${app.password}'`);
    await postgres.query(`CREATE DATABASE ${name}`);
    await postgres.query(`REVOKE ALL ON DATABASE ${name} FROM PUBLIC`);
    await postgres.query(`GRANT CONNECT ON DATABASE ${name} TO ${app.user}`);
  } finally {
    await postgres.end();
  }
  const db = admin(name);
  await db.connect();
  try {
    await db.query(`CREATE SCHEMA ${app.schema} AUTHORIZATION ${app.user}`);
    await db.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
  } finally {
    await db.end();
  }
  return app;
}

/**
 * The backend's database settings (apps/backend/src/settings.ts) for `app` on this server: TLS
 * `verify-full` to `localhost`, the name its certificate carries, against the server's CA.
 */
export function backendDatabaseEnv(
  server: PostgresConnection,
  app: AppDatabase,
): Record<string, string> {
  return {
    DATABASE_HOST: 'localhost',
    DATABASE_PORT: String(server.port),
    DATABASE_NAME: app.database,
    DATABASE_USER: app.user,
    DATABASE_PASSWORD: app.password,
    DATABASE_CA_FILE: server.caFile,
  };
}
