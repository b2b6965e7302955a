import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
let api: Server;
let apiUrl: string;

beforeAll(async () => {
  image = await buildImage(join(ROOT, 'apps/frontend/Dockerfile'));
  api = createServer((_, response) => {
    response.writeHead(201, { 'content-type': 'application/json' });
    response.end('{"id":"stub"}');
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
}, 300_000);

afterEach(stopStarted);

afterAll(() => {
  image?.remove();
  api?.close();
});

describe('the frontend image (its Dockerfile carried out without Docker)', () => {
  it('builds on digest-pinned bases, runs distroless as non-root, with runtime dependencies only', () => {
    expectHardened(image, ['pino', 'prom-client', 'zod'], ['pg']);
    expect(image.skipped).toEqual([]);
    expect(listFiles(image, '.').sort()).toEqual([
      'dist',
      'node_modules',
      'package.json',
      'public',
    ]);
  });

  it('runs under its entrypoint: serves the page, passes /api on, drains on SIGTERM', async () => {
    // The 503 below is only seen during the drain: 3 s is thirty polls of waitFor, room for a
    // busy machine to ask at least once.
    const running = await start(image, { API_URL: apiUrl, SHUTDOWN_DRAIN_SECONDS: '3' });
    await waitFor(`${running.url}/readyz`, 200, running);
    expect(await (await fetch(`${running.url}/`)).text()).toContain('<h1>Your cart</h1>');
    expect((await fetch(`${running.url}/api/carts`, { method: 'POST' })).status).toBe(201);
    running.stop('SIGTERM');
    await waitFor(`${running.url}/readyz`, 503, running);
    expect(await running.exited).toBe(0);
    expect(running.output()).toContain('"msg":"stopped"');
  });

  it('refuses to start without the backend URL, saying so and exiting 1', async () => {
    const running = await start(image, {});
    expect(await running.exited).toBe(1);
    expect(running.output()).toContain('API_URL must be the http(s) URL of the backend, got null');
  });
});
