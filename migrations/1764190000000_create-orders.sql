-- Up Migration
CREATE TABLE orders (
  id            uuid        PRIMARY KEY,
  customer_id   text        NOT NULL CHECK (length(customer_id) BETWEEN 1 AND 255),
  status        text        NOT NULL CHECK (status IN ('pending', 'paid', 'payment_failed')),
  total_cents   bigint      NOT NULL CHECK (total_cents >= 0),
  currency      char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  -- Kept only while the order is pending, so reconcile can charge it; cleared once settled.
  payment_token text        CHECK (payment_token IS NULL OR status = 'pending'),
  payment_id    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Serves GET /orders?customerId= newest first (keyset pagination on created_at, id).
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at DESC, id DESC);
-- Serves reconcile's scan for old pending orders without reading settled ones.
CREATE INDEX orders_pending_created_idx ON orders (created_at) WHERE status = 'pending';

CREATE TABLE order_lines (
  order_id         uuid     NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  line_no          smallint NOT NULL CHECK (line_no >= 0),
  product_id       text     NOT NULL CHECK (length(product_id) BETWEEN 1 AND 255),
  quantity         integer  NOT NULL CHECK (quantity BETWEEN 1 AND 100),
  unit_price_cents integer  NOT NULL CHECK (unit_price_cents >= 0),
  PRIMARY KEY (order_id, line_no)
);

-- Down Migration
DROP TABLE order_lines;
DROP TABLE orders;
