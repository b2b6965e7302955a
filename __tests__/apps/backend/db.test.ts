import { Client } from 'pg';
import { afterEach, beforeAll, describe, expect, it, inject, vi } from 'vitest';
import { createPool, rdsAuthToken, type TokenProvider } from '../../../apps/backend/src/db';
import { migrate } from '../../../apps/backend/src/migrate';
import { readSettings } from '../../../apps/backend/src/settings';
import { type AppDatabase, backendDatabaseEnv, createAppDatabase } from '../../support/postgres';
import {
  type FakePodIdentity,
  OTHER_CREDENTIAL_SOURCES,
  startFakePodIdentity,
} from './fake-pod-identity';

const pg = inject('postgres');
let app: AppDatabase;
/** A role that logs in with IAM auth tokens: its password is the token the fake provider makes. */
let iamApp: AppDatabase;
const FAKE_TOKEN = 'localhost:5432/?Action=connect&DBUser=iam_login_app&X-Amz-Signature=fake';

beforeAll(async () => {
  app = await createAppDatabase(pg, 'tls');
  iamApp = await createAppDatabase(pg, 'iam_login');
  const admin = new Client({
    host: pg.host,
    port: pg.port,
    user: pg.superuser.user,
    password: pg.superuser.password,
    database: 'postgres',
  });
  await admin.connect();
  try {
    await admin.query(`ALTER ROLE ${iamApp.user} PASSWORD ${admin.escapeLiteral(FAKE_TOKEN)}`);
  } finally {
    await admin.end();
  }
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

/** What the service stack sets on AWS, here for the test server's `iam_login` database. */
function iamSettings(overrides: Record<string, string> = {}) {
  const { DATABASE_PASSWORD: _, ...env } = backendDatabaseEnv(pg, iamApp);
  return readSettings({ ...env, DATABASE_AUTH: 'iam', AWS_REGION: 'eu-west-1', ...overrides });
}

const RDS_HOST = 'platform-prod.c0ffee.eu-west-1.rds.amazonaws.com';
/** The settings the service stack gives the backend on AWS (no connection is made with them). */
const rdsSettings = () =>
  iamSettings({ DATABASE_HOST: RDS_HOST, DATABASE_PORT: '5432', DATABASE_USER: 'backend' });

/** The parts of an RDS IAM auth token for the backend's user at RDS_HOST, signed just now. */
function expectToken(token: string, accessKeyId: string, sessionToken?: string): void {
  const escape = (text: string) => text.replace(/[.+?]/g, '\\$&');
  const security = sessionToken
    ? `&X-Amz-Security-Token=${escape(encodeURIComponent(sessionToken))}`
    : '';
  expect(token).toMatch(
    new RegExp(
      `^${escape(RDS_HOST)}:5432/\\?Action=connect&DBUser=backend` +
        '&X-Amz-Algorithm=AWS4-HMAC-SHA256' +
        `&X-Amz-Credential=${accessKeyId}%2F(\\d{8})%2Feu-west-1%2Frds-db%2Faws4_request` +
        `&X-Amz-Date=\\1T\\d{6}Z&X-Amz-Expires=900${security}` +
        '&X-Amz-Signature=[0-9a-f]{64}&X-Amz-SignedHeaders=host$',
    ),
  );
  const signedAt = token.replace(
    /^.*X-Amz-Date=(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z.*$/,
    '$1-$2-$3T$4:$5:$6Z',
  );
  expect(Math.abs(Date.now() - Date.parse(signedAt))).toBeLessThan(60_000);
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

describe('IAM database authentication', () => {
  it('signs an RDS auth token for the backend user, host, port and region, valid 15 minutes', async () => {
    const token = rdsAuthToken(rdsSettings(), {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    });
    expectToken(await token(), 'AKIAIOSFODNN7EXAMPLE');
  });

  it('logs each new connection in with a token of its own, which the server gets as the password', async () => {
    const tokens = vi.fn<TokenProvider>(async () => FAKE_TOKEN);
    const p = createPool(iamSettings(), 'requests', tokens);
    try {
      const clients = await Promise.all([p.connect(), p.connect(), p.connect()]);
      expect(tokens).toHaveBeenCalledTimes(3);
      const { rows } = await clients[0].query(
        'SELECT current_user AS user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      );
      expect(rows).toEqual([{ user: iamApp.user, ssl: true }]);
      for (const client of clients) client.release();
      // Connections the pool keeps do not log in again.
      await Promise.all([p.query('SELECT 1'), p.query('SELECT 1'), p.query('SELECT 1')]);
      expect(tokens).toHaveBeenCalledTimes(3);
    } finally {
      await p.end();
    }
  });

  it('is refused when the token is not the password the server knows', async () => {
    const p = createPool(iamSettings(), 'requests', async () => `${FAKE_TOKEN}0`);
    try {
      await expect(p.query('SELECT 1')).rejects.toThrow(
        `password authentication failed for user "${iamApp.user}"`,
      );
    } finally {
      await p.end();
    }
  });

  it('migrates with a token too (migrate opens a connection of its own)', async () => {
    const tokens = vi.fn<TokenProvider>(async () => FAKE_TOKEN);
    const p = createPool(iamSettings(), 'requests', tokens);
    try {
      expect(await migrate(p)).toEqual(['001']);
      expect(tokens).toHaveBeenCalledTimes(1);
    } finally {
      await p.end();
    }
  });

  it('throws when no token can be made, naming the database user', async () => {
    const p = createPool(iamSettings(), 'requests', async () => {
      throw new Error('Could not load credentials from any providers');
    });
    try {
      await expect(p.query('SELECT 1')).rejects.toThrow(
        `no IAM auth token for database user ${iamApp.user} (the pod's AWS credentials come from EKS Pod Identity): Could not load credentials from any providers`,
      );
    } finally {
      await p.end();
    }
  });

  describe("with the SDK's default credentials, as in the pod", () => {
    let agent: FakePodIdentity | undefined;

    afterEach(async () => {
      vi.unstubAllEnvs();
      await agent?.close();
      agent = undefined;
    });

    it("signs with the EKS Pod Identity agent's credentials, asked once with the pod's token", async () => {
      agent = await startFakePodIdentity();
      for (const name of OTHER_CREDENTIAL_SOURCES) vi.stubEnv(name, undefined);
      for (const [name, value] of Object.entries(agent.env)) vi.stubEnv(name, value);
      const p = createPool(rdsSettings());
      try {
        const password = p.options.password;
        if (typeof password !== 'function') throw new Error('the pool has no token function');
        const tokens = [await password(), await password()];
        for (const token of tokens) {
          expectToken(token, agent.credentials.accessKeyId, agent.credentials.sessionToken);
        }
        // The credentials are kept until shortly before they expire, not asked per connection.
        expect(agent.requests).toEqual([
          { path: '/v1/credentials', authorization: 'eks-pod-identity-token-of-the-backend' },
        ]);
      } finally {
        await p.end();
      }
    });
  });
});
