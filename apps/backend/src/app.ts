import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  createService,
  HttpError,
  readJson,
  type Route,
  type Service,
} from '../../shared/http-service';
import { CartStore } from './cart';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const newItem = z.strictObject({
  sku: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  unitPriceCents: z.number().int().min(0).max(100_000_000),
  quantity: z.number().int().min(1).max(1000).default(1),
});

function cartId(id: string): string {
  if (!UUID.test(id)) throw new HttpError(404, 'no such cart');
  return id;
}

function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new HttpError(404, `no such ${what}`);
  return value;
}

/** The cart API's routes. */
export function cartRoutes(store: CartStore): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/carts',
      handler: async () => ({ status: 201, body: await store.create() }),
    },
    {
      method: 'GET',
      path: '/api/carts/:id',
      handler: async (_, { id }) => ({
        status: 200,
        body: found(await store.get(cartId(id)), 'cart'),
      }),
    },
    {
      method: 'POST',
      path: '/api/carts/:id/items',
      handler: async (request, { id }) => {
        const parsed = newItem.safeParse(await readJson(request));
        if (!parsed.success) {
          const problems = parsed.error.issues.map(
            (i) => `${i.path.join('.') || 'body'}: ${i.message}`,
          );
          throw new HttpError(400, `invalid item: ${problems.join('; ')}`);
        }
        try {
          return { status: 201, body: found(await store.addItem(cartId(id), parsed.data), 'cart') };
        } catch (error) {
          // The quantity check of cart_items: the added quantity would pass 1000.
          if ((error as { code?: string }).code === '23514') {
            throw new HttpError(422, 'a cart holds at most 1000 of an item');
          }
          throw error;
        }
      },
    },
    {
      method: 'DELETE',
      path: '/api/carts/:id/items/:item',
      handler: async (_, { id, item }) => {
        if (!/^\d{1,18}$/.test(item)) throw new HttpError(404, 'no such item');
        return { status: 200, body: found(await store.removeItem(cartId(id), item), 'item') };
      },
    },
  ];
}

export interface BackendOptions {
  readonly pool: Pool;
  readonly logger: Logger;
  readonly drainSeconds: number;
  readonly timeoutSeconds: number;
}

/** The backend: the cart API, ready while the database answers. */
export function createBackend({
  pool,
  logger,
  drainSeconds,
  timeoutSeconds,
}: BackendOptions): Service {
  return createService({
    name: 'backend',
    routes: cartRoutes(new CartStore(pool)),
    logger,
    drainSeconds,
    timeoutSeconds,
    ready: async () => {
      await pool.query('SELECT 1');
      return true;
    },
    close: () => pool.end(),
  });
}
