import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from 'vitest';
import { backendDatabaseEnv, createAppDatabase } from '../../../scripts/lib/postgres';
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

let image: BuiltImage;
const pg = inject('postgres');

beforeAll(() => {
  image = buildImage(join(ROOT, 'apps/backend/Dockerfile'));
}, 120_000);

afterEach(stopStarted);

afterAll(() => {
  image?.remove();
});

describe('the backend image (its Dockerfile carried out without Docker)', () => {
  it('builds on digest-pinned bases, runs distroless as non-root, with runtime dependencies only', () => {
    expectHardened(image, ['pg', 'pino', 'prom-client', 'zod'], ['@types/pg', 'cdktf']);
    expect(image.skipped).toEqual([
      expect.stringMatching(/^ADD --checksum=sha256:[0-9a-f]{64} .*global-bundle\.pem/),
    ]);
    expect(listFiles(image, '.').sort()).toEqual([
      'dist',
      'migrations',
      'node_modules',
      'package.json',
    ]);
  });

  it('runs under its entrypoint: verifies the database certificate, migrates, serves, drains on SIGTERM', async () => {
    const app = await createAppDatabase(pg, 'image_backend');
    // The image's ADD of RDS's bundle is skipped here: the test server's CA stands in for it.
    const running = await start(image, {
      ...backendDatabaseEnv(pg, app),
      SHUTDOWN_DRAIN_SECONDS: '1',
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
    expect(log.map((l) => l.msg)).toEqual([
      'migrated',
      'listening',
      'request',
      'draining',
      'stopped',
    ]);
    expect(log[0]).toMatchObject({ level: 30, service: 'backend', applied: ['001'] });
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
});
