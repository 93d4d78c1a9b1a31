-- Up Migration
-- Idempotency-Key records for POST /orders (IETF httpapi Idempotency-Key draft). They live
-- here, not in process memory, so a retry reaching another replica still finds its record.
CREATE TABLE idempotency_keys (
  key             text        PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 255),
  -- sha256 of the validated request body: the same key with another body is refused (422).
  request_hash    text        NOT NULL,
  -- Set while a request holds the key; a holder that crashed loses it once this has passed.
  claimed_until   timestamptz,
  order_id        uuid        REFERENCES orders (id) ON DELETE SET NULL,
  response_status smallint    CHECK (response_status BETWEEN 100 AND 599),
  response_body   jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  CHECK (claimed_until IS NOT NULL OR response_status IS NOT NULL)
);

CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);

-- Down Migration
DROP TABLE idempotency_keys;
