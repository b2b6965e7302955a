import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BuiltImage,
  buildImage,
  listFiles,
  packagesIn,
  runImage,
  waitFor,
} from '../../helpers/image';
import { ROOT } from '../../helpers/paths';

let image: BuiltImage;
let api: Server;
let apiUrl: string;

beforeAll(async () => {
  image = buildImage(join(ROOT, 'apps/frontend/Dockerfile'));
  api = createServer((_, response) => {
    response.writeHead(201, { 'content-type': 'application/json' });
    response.end('{"id":"stub"}');
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
}, 120_000);

afterAll(() => {
  image?.remove();
  api?.close();
});

describe('the frontend image (its Dockerfile carried out without Docker)', () => {
  it('builds on digest-pinned bases and runs distroless as a non-root user', () => {
    expect(image.baseImages).toHaveLength(2);
    for (const base of image.baseImages) expect(base).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(image.baseImages[1]).toMatch(/^gcr\.io\/distroless\/nodejs\d+-debian\d+:nonroot@/);
    expect(image.user).toBe('65532:65532');
    expect(image.skipped).toEqual([]);
  });

  it('holds the built code, the page and runtime dependencies only', () => {
    expect(listFiles(image, '.').sort()).toEqual([
      'dist',
      'node_modules',
      'package.json',
      'public',
    ]);
    const packages = packagesIn(image);
    expect(packages).toEqual(expect.arrayContaining(['pino', 'prom-client', 'zod']));
    for (const dev of ['pg', 'typescript', '@types/node', 'vitest', 'playwright-core'])
      expect(packages).not.toContain(dev);
    // Nor the workspace's own links, which would point outside the image.
    expect(listFiles(image, 'node_modules')).not.toContain('node_modules/@platform');
  });

  it('runs under its entrypoint: serves the page, passes /api on, drains on SIGTERM', async () => {
    const running = await runImage(image, { API_URL: apiUrl, SHUTDOWN_DRAIN_SECONDS: '1' });
    await waitFor(`${running.url}/readyz`, 200, running);
    expect(await (await fetch(`${running.url}/`)).text()).toContain('<h1>Your cart</h1>');
    expect((await fetch(`${running.url}/api/carts`, { method: 'POST' })).status).toBe(201);
    running.stop('SIGTERM');
    await waitFor(`${running.url}/readyz`, 503, running);
    expect(await running.exited).toBe(0);
    expect(running.output()).toContain('"msg":"stopped"');
  });

  it('refuses to start without the backend URL, saying so and exiting 1', async () => {
    const running = await runImage(image, {});
    expect(await running.exited).toBe(1);
    expect(running.output()).toContain('API_URL must be the http(s) URL of the backend, got null');
  });
});
