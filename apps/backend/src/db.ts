import { readFileSync } from 'node:fs';
import { Signer, type SignerConfig } from '@aws-sdk/rds-signer';
import { Pool, type PoolConfig } from 'pg';
import type { Settings } from './settings';

/** Gives the password of a new connection: pg calls it once for each connection it opens. */
export type TokenProvider = () => Promise<string>;

/**
 * RDS IAM auth tokens for the backend's user: each call signs a fresh one (valid 15 minutes,
 * enough to log in, which is all it is for). Signing is local; only the credentials come from
 * elsewhere: `credentials`, or the SDK's default chain (in the pod, EKS Pod Identity's agent,
 * `AWS_CONTAINER_CREDENTIALS_FULL_URI`). The chain keeps them until shortly before they expire,
 * so connections do not each ask the agent.
 */
export function rdsAuthToken(
  settings: Settings,
  credentials?: SignerConfig['credentials'],
): TokenProvider {
  const signer = new Signer({
    hostname: settings.DATABASE_HOST,
    port: settings.DATABASE_PORT,
    username: settings.DATABASE_USER,
    region: settings.AWS_REGION,
    credentials,
  });
  return () => signer.getAuthToken();
}

/**
 * The connection pool. With `verify-full` the server must present a certificate that chains to
 * the CA bundle and names the host, as libpq's `sslmode=verify-full` checks; every query runs
 * with `search_path` set to the backend's own schema. With `DATABASE_AUTH=iam` each new
 * connection logs in with a token from `tokenProvider`.
 */
export function createPool(
  settings: Settings,
  purpose: 'requests' | 'probes' = 'requests',
  /** With `DATABASE_AUTH=iam` only. @default rdsAuthToken(settings) */
  tokenProvider?: TokenProvider,
): Pool {
  const ssl: PoolConfig['ssl'] =
    settings.DATABASE_SSLMODE === 'verify-full'
      ? {
          ca: readFileSync(settings.DATABASE_CA_FILE ?? '', 'utf8'),
          rejectUnauthorized: true,
          servername: settings.DATABASE_HOST,
        }
      : false;
  return new Pool({
    host: settings.DATABASE_HOST,
    port: settings.DATABASE_PORT,
    database: settings.DATABASE_NAME,
    user: settings.DATABASE_USER,
    password:
      settings.DATABASE_AUTH === 'iam'
        ? iamPassword(settings, tokenProvider ?? rdsAuthToken(settings))
        : settings.DATABASE_PASSWORD,
    ssl,
    // Probes get one connection of their own: a pool busy with requests does not fail them.
    max: purpose === 'probes' ? 1 : settings.DATABASE_POOL_MAX,
    options: `-c search_path=${settings.DATABASE_SCHEMA}`,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A runaway query is cut off by the server, and the client stops waiting shortly after.
    statement_timeout: 10_000,
    query_timeout: 12_000,
    application_name: `platform-backend-${purpose}`,
  });
}

/** pg's password function; a token that cannot be made says what it was for. */
function iamPassword(settings: Settings, tokenProvider: TokenProvider): TokenProvider {
  return async () => {
    try {
      return await tokenProvider();
    } catch (error) {
      throw new Error(
        `no IAM auth token for database user ${settings.DATABASE_USER} (the pod's AWS credentials come from EKS Pod Identity): ${(error as Error).message}`,
        { cause: error },
      );
    }
  };
}
