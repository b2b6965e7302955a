/**
 * A stand-in for the EKS Pod Identity agent on 127.0.0.1: it answers the container credentials
 * request, as the agent at 169.254.170.23 does, only when it carries the pod's token from the
 * token file. The AWS SDK accepts a loopback address for `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakePodIdentity {
  /**
   * The variables EKS sets in a pod whose service account has a Pod Identity association, and
   * empty AWS config files so a developer's own `~/.aws` is not found first.
   */
  readonly env: Readonly<Record<string, string>>;
  /** What the agent hands out. */
  readonly credentials: { readonly accessKeyId: string; readonly sessionToken: string };
  /** The requests the agent got. */
  readonly requests: readonly { path?: string; authorization?: string }[];
  /** Stops the agent and removes its token file. */
  close(): Promise<void>;
}

/** The SDK's default credential chain looks here before the agent: none may be set. */
export const OTHER_CREDENTIAL_SOURCES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
] as const;

export async function startFakePodIdentity(): Promise<FakePodIdentity> {
  const dir = mkdtempSync(join(tmpdir(), 'pod-identity-'));
  const podToken = 'eks-pod-identity-token-of-the-backend';
  const tokenFile = join(dir, 'eks-pod-identity-token');
  writeFileSync(tokenFile, podToken);
  const credentials = {
    accessKeyId: 'ASIAPODIDENTITYEXAMPLE',
    sessionToken: 'session/token+from=pod-identity',
  };
  const requests: { path?: string; authorization?: string }[] = [];
  const server = createServer((request, response) => {
    requests.push({ path: request.url, authorization: request.headers.authorization });
    if (request.headers.authorization !== podToken) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end('{"Code":"AccessDeniedException","Message":"no valid pod token"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: 'pod-identity-secret-access-key',
        Token: credentials.sessionToken,
        Expiration: new Date(Date.now() + 6 * 3_600_000).toISOString(),
      }),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    env: {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${port}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    },
    credentials,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
