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

// PostgreSQL text holds no NUL, and no label needs a control character.
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(
      (value) => ![...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
      'must not contain control characters',
    );

const newItem = z.strictObject({
  sku: text(64),
  name: text(200),
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

/** PostgreSQL's error classes: connection (08), resources (53), operator intervention (57). */
const UNAVAILABLE = /^(08|53|57)/;
const CONNECTION = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

/**
 * A database that cannot be reached is a 503 the client may retry; a value PostgreSQL refuses
 * (class 22, data exception) is the client's 400. Anything else stays a 500.
 */
function databaseErrors(route: Route): Route {
  return {
    ...route,
    handler: async (request, params) => {
      try {
        return await route.handler(request, params);
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? '');
        const message = (error as Error).message ?? '';
        if (CONNECTION.has(code) || UNAVAILABLE.test(code) || /timeout|terminated/i.test(message)) {
          throw new HttpError(503, 'the database is unavailable; try again', {
            'Retry-After': '5',
          });
        }
        if (code.startsWith('22')) throw new HttpError(400, 'a value was refused by the database');
        throw error;
      }
    },
  };
}

/** The cart API's routes. */
export function cartRoutes(store: CartStore): Route[] {
  return (
    [
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
            return {
              status: 201,
              body: found(await store.addItem(cartId(id), parsed.data), 'cart'),
            };
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
    ] satisfies Route[]
  ).map(databaseErrors);
}

export interface BackendOptions {
  readonly pool: Pool;
  /**
   * The pool readiness checks use, apart from the requests' so a busy pool does not make every
   * pod unready at once. @default pool
   */
  readonly probePool?: Pool;
  readonly logger: Logger;
  readonly drainSeconds: number;
  readonly timeoutSeconds: number;
  /**
   * Whether the schema is migrated: until it is, the backend listens (the kubelet's startup and
   * liveness probes pass) but is not ready, so no request reaches it.
   * @default - always
   */
  readonly migrated?: () => boolean;
}

/** The backend: the cart API, ready once migrated and while the database answers. */
export function createBackend({
  pool,
  probePool = pool,
  logger,
  drainSeconds,
  timeoutSeconds,
  migrated = () => true,
}: BackendOptions): Service {
  return createService({
    name: 'backend',
    routes: cartRoutes(new CartStore(pool)),
    logger,
    drainSeconds,
    timeoutSeconds,
    ready: async () => {
      if (!migrated()) return false;
      await probePool.query('SELECT 1');
      return true;
    },
    close: async () => {
      await pool.end();
      if (probePool !== pool) await probePool.end();
    },
  });
}
