import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Pool } from 'pg';
import { createBackend } from '../../../apps/backend/src/app';
import { migrate } from '../../../apps/backend/src/migrate';
import type { Service } from '../../../apps/shared/http-service';
import { createAppDatabase } from '../../support/postgres';
import { appPool, call, listen, quietLogger } from '../../helpers/services';

const pg = inject('postgres');
let pool: Pool;
let backend: Service;
let url: string;

beforeAll(async () => {
  pool = appPool(pg, await createAppDatabase(pg, 'cart_api'));
  await migrate(pool);
  backend = createBackend({ pool, logger: quietLogger(), drainSeconds: 0, timeoutSeconds: 5 });
  url = await listen(backend);
});

afterAll(async () => {
  backend.server.close();
  await pool.end().catch(() => undefined);
});

const coffee = { sku: 'coffee-1kg', name: 'Coffee beans, 1 kg', unitPriceCents: 1250, quantity: 2 };

describe('the cart API on PostgreSQL', () => {
  it('creates a cart, adds items, totals them and removes one', async () => {
    const created = await call(`${url}/api/carts`, { method: 'POST' });
    expect(created.status).toBe(201);
    const { id } = created.body as { id: string };
    expect(created.body).toEqual({ id, items: [], totals: { itemCount: 0, subtotalCents: 0 } });

    await call(`${url}/api/carts/${id}/items`, { method: 'POST', body: coffee });
    const tea = { sku: 'tea', name: 'Green tea', unitPriceCents: 450 };
    const added = await call(`${url}/api/carts/${id}/items`, { method: 'POST', body: tea });
    expect(added.status).toBe(201);
    const cart = added.body as { items: { id: string; sku: string }[]; totals: unknown };
    expect(cart.items.map((i) => i.sku)).toEqual(['coffee-1kg', 'tea']);
    expect(cart.totals).toEqual({ itemCount: 3, subtotalCents: 2 * 1250 + 450 });

    // The same SKU again raises its quantity.
    await call(`${url}/api/carts/${id}/items`, {
      method: 'POST',
      body: { ...coffee, quantity: 1 },
    });
    const read = await call(`${url}/api/carts/${id}`);
    expect((read.body as { totals: unknown }).totals).toEqual({
      itemCount: 4,
      subtotalCents: 3 * 1250 + 450,
    });

    const removed = await call(`${url}/api/carts/${id}/items/${cart.items[0].id}`, {
      method: 'DELETE',
    });
    expect(removed.status).toBe(200);
    expect((removed.body as { items: { sku: string }[] }).items.map((i) => i.sku)).toEqual(['tea']);
    expect((removed.body as { totals: unknown }).totals).toEqual({
      itemCount: 1,
      subtotalCents: 450,
    });
  });

  it.each([
    ['POST', '/api/carts/{cart}/items', '{"sku":', 400, 'the body is not valid JSON'],
    ['POST', '/api/carts/{cart}/items', { ...coffee, quantity: 0 }, 400, 'invalid item: quantity:'],
    ['POST', '/api/carts/{cart}/items', { ...coffee, unitPriceCents: 12.5 }, 400, 'unitPriceCents'],
    ['POST', '/api/carts/{cart}/items', { ...coffee, colour: 'red' }, 400, 'invalid item'],
    ['POST', '/api/carts/{cart}/items', { ...coffee, quantity: 1000 }, 201, undefined],
    ['POST', '/api/carts/{cart}/items', { ...coffee, quantity: 1 }, 422, 'at most 1000 of an item'],
    [
      'POST',
      '/api/carts/{cart}/items',
      { ...coffee, name: 'nul\u0000byte' },
      400,
      'control characters',
    ],
    ['GET', '/api/carts/%E0%A4%A', undefined, 400, 'the path is not valid'],
    ['GET', '/api/carts/not-a-uuid', undefined, 404, 'no such cart'],
    ['GET', '/api/carts/00000000-0000-4000-8000-000000000000', undefined, 404, 'no such cart'],
    ['DELETE', '/api/carts/{cart}/items/99999', undefined, 404, 'no such item'],
    ['DELETE', '/api/carts/{cart}/items/x%27%3B--', undefined, 404, 'no such item'],
    ['PUT', '/api/carts', undefined, 405, 'use POST'],
    ['GET', '/nowhere', undefined, 404, 'no such resource'],
  ])(
    'answers %s %s with %s → %i and a JSON error, never a 500',
    async (method, path, body, status, error) => {
      const cart = ((await call(`${url}/api/carts`, { method: 'POST' })).body as { id: string }).id;
      if (status === 422) {
        await call(`${url}/api/carts/${cart}/items`, {
          method: 'POST',
          body: { ...coffee, quantity: 1000 },
        });
      }
      const response = await call(`${url}${path.replace('{cart}', cart)}`, { method, body });
      expect(response.status).toBe(status);
      if (error) expect((response.body as { error: string }).error).toContain(error);
      expect(JSON.stringify(response.body)).not.toMatch(/\\n\\s+at |\.[jt]s:\d/);
    },
  );

  it('refuses a body that is not JSON or is too large, before reading all of it', async () => {
    const cart = ((await call(`${url}/api/carts`, { method: 'POST' })).body as { id: string }).id;
    const text = await call(`${url}/api/carts/${cart}/items`, {
      method: 'POST',
      body: 'sku=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text).toMatchObject({ status: 415, body: { error: expect.stringContaining('JSON') } });
    const large = await call(`${url}/api/carts/${cart}/items`, {
      method: 'POST',
      body: JSON.stringify({ ...coffee, name: 'x'.repeat(20_000) }),
    });
    expect(large).toMatchObject({
      status: 413,
      body: { error: 'the body must be at most 16384 bytes' },
    });
  });

  it('sends the allowed methods with a 405', async () => {
    const response = await call(`${url}/api/carts`, { method: 'DELETE' });
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('the backend probes', () => {
  it('is live, and ready while its database answers', async () => {
    expect(await call(`${url}/healthz`)).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await call(`${url}/readyz`)).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('is live but not ready until its schema is migrated, then ready', async () => {
    let migrated = false;
    const starting = createBackend({
      pool,
      logger: quietLogger(),
      drainSeconds: 0,
      timeoutSeconds: 5,
      migrated: () => migrated,
    });
    const startingUrl = await listen(starting);
    try {
      // The startup and liveness probes pass while it migrates; readiness holds traffic back.
      expect((await call(`${startingUrl}/healthz`)).status).toBe(200);
      expect(await call(`${startingUrl}/readyz`)).toMatchObject({
        status: 503,
        body: { status: 'not ready' },
      });
      migrated = true;
      expect(await call(`${startingUrl}/readyz`)).toMatchObject({
        status: 200,
        body: { status: 'ready' },
      });
    } finally {
      starting.server.close();
    }
  });

  it('is live but not ready when its database does not answer', async () => {
    const { Pool } = await import('pg');
    const nowhere = new Pool({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 500 });
    const cut = createBackend({
      pool: nowhere,
      logger: quietLogger(),
      drainSeconds: 0,
      timeoutSeconds: 5,
    });
    const cutUrl = await listen(cut);
    try {
      expect((await call(`${cutUrl}/healthz`)).status).toBe(200);
      expect(await call(`${cutUrl}/readyz`)).toMatchObject({
        status: 503,
        body: { status: 'not ready' },
      });
      // The API says so, and when to try again: not a 500, a hang or a stack trace.
      const down = await call(`${cutUrl}/api/carts`, { method: 'POST' });
      expect(down).toMatchObject({
        status: 503,
        body: { error: 'the database is unavailable; try again' },
      });
      expect(down.headers.get('retry-after')).toBe('5');
    } finally {
      await cut.shutdown('test');
    }
  });
});
