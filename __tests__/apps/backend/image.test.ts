import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from 'vitest';
import { backendDatabaseEnv, createAppDatabase } from '../../support/postgres';
import {
  type BuiltImage,
  buildImage,
  expectHardened,
  listFiles,
  start,
  stopStarted,
  waitFor,
} from '../../helpers/image';
import { ROOT } from '../../helpers/paths';
import { type FakePodIdentity, startFakePodIdentity } from './fake-pod-identity';

let image: BuiltImage;
let agent: FakePodIdentity | undefined;
const pg = inject('postgres');

beforeAll(async () => {
  image = await buildImage(join(ROOT, 'apps/backend/Dockerfile'));
}, 300_000);

afterEach(async () => {
  await stopStarted();
  await agent?.close();
  agent = undefined;
});

afterAll(() => {
  image?.remove();
});

describe('the backend image (its Dockerfile carried out without Docker)', () => {
  it('builds on digest-pinned bases, runs distroless as non-root, with runtime dependencies only', () => {
    expectHardened(
      image,
      ['pg', 'pino', 'prom-client', 'zod', '@aws-sdk/rds-signer'],
      ['@types/pg', 'cdktf'],
    );
    expect(image.skipped).toEqual([
      expect.stringMatching(/^ADD --checksum=sha256:[0-9a-f]{64} .*global-bundle\.pem/),
    ]);
    expect(listFiles(image, '.').sort()).toEqual([
      'dist',
      'migrations',
      'node_modules',
      'package.json',
    ]);
    // The database-access Job runs this from the same image (constructs/service/database-access.ts).
    expect(listFiles(image, 'dist/backend/src')).toContain('dist/backend/src/grant-role.js');
  });

  it('runs under its entrypoint: verifies the database certificate, migrates, serves, drains on SIGTERM', async () => {
    const app = await createAppDatabase(pg, 'image_backend');
    // The image's ADD of RDS's bundle is skipped here: the test server's CA stands in for it.
    // The 503 below is only seen during the drain: 3 s is thirty polls of waitFor, room for a
    // busy machine to ask at least once.
    const running = await start(image, {
      ...backendDatabaseEnv(pg, app),
      SHUTDOWN_DRAIN_SECONDS: '3',
    });
    await waitFor(`${running.url}/readyz`, 200, running);
    expect(image.env.DATABASE_SSLMODE).toBe('verify-full');
    expect((await fetch(`${running.url}/api/carts`, { method: 'POST' })).status).toBe(201);

    running.stop('SIGTERM');
    await waitFor(`${running.url}/readyz`, 503, running);
    expect(await running.exited).toBe(0);
    const log = running
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // Listening first (live, not ready), then migrated (ready): a long migration or a wait for
    // another pod's lock stays within the probes.
    expect(log.map((l) => l.msg)).toEqual([
      'listening',
      'migrated',
      'request',
      'draining',
      'stopped',
    ]);
    expect(log[1]).toMatchObject({ level: 30, service: 'backend', applied: ['001'] });
    expect(log[2]).toMatchObject({ method: 'POST', route: '/api/carts', status: 201 });
  });

  it('refuses to start with bad settings, saying which and exiting 1', async () => {
    const running = await start(image, { DATABASE_NAME: 'app', DATABASE_SSLMODE: 'prefer' });
    expect(await running.exited).toBe(1);
    const line = JSON.parse(running.output().trim()) as { level: string; msg: string };
    expect(line.level).toBe('fatal');
    expect(line.msg).toMatch(/^invalid settings; the backend did not start:\n {2}- DATABASE_HOST/);
    expect(line.msg).toContain('DATABASE_SSLMODE');
  });

  it('with DATABASE_AUTH=iam, gets credentials from EKS Pod Identity and logs in with a signed token', async () => {
    const app = await createAppDatabase(pg, 'image_iam');
    agent = await startFakePodIdentity();
    const { DATABASE_PASSWORD: _, ...env } = backendDatabaseEnv(pg, app);
    const running = await start(image, {
      ...env,
      ...agent.env,
      DATABASE_AUTH: 'iam',
      AWS_REGION: 'eu-west-1',
    });
    // The token cannot be known beforehand, so no role here has it as its password: the server
    // refusing it shows the token reached it (db.test.ts shows a known token logging in). It
    // listened first, then its migration failed.
    expect(await running.exited).toBe(1);
    const lines = running.output().trim().split('\n');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ msg: 'listening' });
    const line = JSON.parse(lines.at(-1) ?? '{}') as { level: string; msg: string };
    expect(line).toEqual({
      level: 'fatal',
      service: 'backend',
      msg: `password authentication failed for user "${app.user}"`,
    });
    expect(agent.requests).toEqual([
      { path: '/v1/credentials', authorization: 'eks-pod-identity-token-of-the-backend' },
    ]);
  });
});
