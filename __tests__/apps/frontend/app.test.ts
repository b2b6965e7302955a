import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFrontend } from '../../../apps/frontend/src/app';
import type { Service } from '../../../apps/shared/http-service';
import { call, listen, quietLogger } from '../../helpers/services';

/** A stand-in backend that echoes what reached it: this file tests the frontend alone. */
const seen: { method?: string; url?: string; type?: string; body: string }[] = [];
const echo = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    seen.push({
      method: request.method,
      url: request.url,
      type: request.headers['content-type'],
      body,
    });
    if (request.url === '/api/slow') return; // never answers
    response.writeHead(request.url === '/api/missing' ? 404 : 200, {
      'content-type': 'application/json',
    });
    response.end(JSON.stringify({ echoed: request.url }));
  });
});

let frontend: Service;
let url: string;

/** A frontend in front of `apiUrl`, listening; the test shuts it down. */
async function frontendFor(apiUrl: string, apiTimeoutMs?: number) {
  const service = createFrontend({
    apiUrl,
    apiTimeoutMs,
    logger: quietLogger(),
    drainSeconds: 0,
    timeoutSeconds: 5,
  });
  return { service, url: await listen(service) };
}
beforeAll(async () => {
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  frontend = createFrontend({ apiUrl, logger: quietLogger(), drainSeconds: 0, timeoutSeconds: 5 });
  url = await listen(frontend);
});
afterAll(async () => {
  echo.closeAllConnections();
  echo.close();
  await frontend.shutdown('test');
});

describe('the frontend server', () => {
  it('serves the page with a strict content security policy, and its assets', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('strict-transport-security')).toBe(
      'max-age=31536000; includeSubDomains',
    );
    expect(await page.text()).toContain('<script src="/app.js" defer></script>');
    expect((await fetch(`${url}/app.js`)).headers.get('content-type')).toBe(
      'text/javascript; charset=utf-8',
    );
    expect((await fetch(`${url}/style.css`)).status).toBe(200);
  });

  it('serves nothing else of the disk', async () => {
    for (const path of ['/index.html', '/../package.json', '/%2e%2e/package.json', '/src/app.ts']) {
      expect((await fetch(`${url}${path}`)).status).toBe(404);
    }
  });

  it('passes /api requests to the backend: method, path, query, body and status', async () => {
    const response = await call(`${url}/api/carts/abc/items?x=1`, {
      method: 'POST',
      body: { sku: 'a' },
    });
    expect(response).toMatchObject({ status: 200, body: { echoed: '/api/carts/abc/items?x=1' } });
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      url: '/api/carts/abc/items?x=1',
      type: 'application/json',
      body: '{"sku":"a"}',
    });
    expect((await call(`${url}/api/missing`)).status).toBe(404);
  });

  it('refuses a path that would reach beyond /api on the backend, without passing it on', async () => {
    const { request } = await import('node:http');
    const { port } = new URL(url);
    // Raw requests: fetch would tidy the dot segments away before sending.
    const raw = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    const before = seen.length;
    for (const path of [
      '/api/../metrics',
      '/api/%2e%2e/readyz',
      '/api/carts/..%2f..%2fmetrics',
      '/api/.%2E/x',
    ]) {
      expect(await raw(path)).toBe(400);
    }
    expect(seen.length).toBe(before);
  });

  it('answers 502 when the backend is down, with a JSON error', async () => {
    const { service: down, url: downUrl } = await frontendFor('http://127.0.0.1:1');
    expect(await call(`${downUrl}/api/carts`, { method: 'POST' })).toMatchObject({
      status: 502,
      body: { error: 'the cart service is unavailable' },
    });
    await down.shutdown('test');
  });

  it('answers 504 when the backend does not answer in time', async () => {
    const apiUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
    const { service: slow, url: slowUrl } = await frontendFor(apiUrl, 200);
    expect(await call(`${slowUrl}/api/slow`)).toMatchObject({
      status: 504,
      body: { error: 'the cart service did not answer in time' },
    });
    await slow.shutdown('test');
  });

  it('stays ready while the backend is down: the page loads and says what went wrong', async () => {
    const { service: down, url: downUrl } = await frontendFor('http://127.0.0.1:1');
    expect((await call(`${downUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${downUrl}/`)).status).toBe(200);
    await down.shutdown('test');
  });
});
