-- Carts and their items, in the backend's own schema (search_path).
CREATE TABLE carts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cart_items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cart_id uuid NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
  sku text NOT NULL CHECK (length(sku) BETWEEN 1 AND 64),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  unit_price_cents integer NOT NULL CHECK (unit_price_cents BETWEEN 0 AND 100000000),
  quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
  added_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (cart_id, sku)
);

CREATE INDEX cart_items_cart_id ON cart_items (cart_id);
