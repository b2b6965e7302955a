import type { Pool } from 'pg';

export interface CartItem {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly unitPriceCents: number;
  readonly quantity: number;
  readonly lineTotalCents: number;
}

export interface Cart {
  readonly id: string;
  readonly items: readonly CartItem[];
  readonly totals: { readonly itemCount: number; readonly subtotalCents: number };
}

export interface NewItem {
  readonly sku: string;
  readonly name: string;
  readonly unitPriceCents: number;
  readonly quantity: number;
}

/** The cart's queries; `undefined` where the cart or item does not exist. */
export class CartStore {
  constructor(private readonly pool: Pool) {}

  async create(): Promise<Cart> {
    const { rows } = await this.pool.query<{ id: string }>(
      'INSERT INTO carts DEFAULT VALUES RETURNING id',
    );
    return { id: rows[0].id, items: [], totals: { itemCount: 0, subtotalCents: 0 } };
  }

  async get(id: string): Promise<Cart | undefined> {
    const { rows } = await this.pool.query<{
      cart: string;
      id: string | null;
      sku: string;
      name: string;
      unit_price_cents: number;
      quantity: number;
    }>(
      `SELECT c.id AS cart, i.id::text AS id, i.sku, i.name, i.unit_price_cents, i.quantity
         FROM carts c LEFT JOIN cart_items i ON i.cart_id = c.id
        WHERE c.id = $1
        ORDER BY i.added_at, i.id`,
      [id],
    );
    if (rows.length === 0) return undefined;
    const items = rows
      .filter((row) => row.id !== null)
      .map((row) => ({
        id: row.id as string,
        sku: row.sku,
        name: row.name,
        unitPriceCents: row.unit_price_cents,
        quantity: row.quantity,
        lineTotalCents: row.unit_price_cents * row.quantity,
      }));
    const totals = {
      itemCount: items.reduce((sum, item) => sum + item.quantity, 0),
      subtotalCents: items.reduce((sum, item) => sum + item.lineTotalCents, 0),
    };
    return { id, items, totals };
  }

  /** Adds an item, or raises the quantity of the cart's item with the same SKU. */
  async addItem(cartId: string, item: NewItem): Promise<Cart | undefined> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO cart_items (cart_id, sku, name, unit_price_cents, quantity)
       SELECT id, $2, $3, $4, $5 FROM carts WHERE id = $1
       ON CONFLICT (cart_id, sku) DO UPDATE
         SET quantity = cart_items.quantity + EXCLUDED.quantity,
             name = EXCLUDED.name, unit_price_cents = EXCLUDED.unit_price_cents`,
      [cartId, item.sku, item.name, item.unitPriceCents, item.quantity],
    );
    return rowCount === 0 ? undefined : this.get(cartId);
  }

  /** Removes an item; `undefined` if the cart has no such item. */
  async removeItem(cartId: string, itemId: string): Promise<Cart | undefined> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM cart_items WHERE cart_id = $1 AND id = $2',
      [cartId, itemId],
    );
    return rowCount === 0 ? undefined : this.get(cartId);
  }
}
