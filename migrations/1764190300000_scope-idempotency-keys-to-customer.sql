-- Up Migration
-- Idempotency-Keys belong to the caller who sent them: two customers may use the same key
-- string and get two orders, and nobody can squat on, or probe, another caller's key.
ALTER TABLE idempotency_keys ADD COLUMN customer_id text;

UPDATE idempotency_keys k SET customer_id = o.customer_id FROM orders o WHERE o.id = k.order_id;
-- Records from before callers were authenticated that name no order (a stored 4xx answer, a
-- claim in flight) cannot be given an owner. '' is nobody's id (ids are 1..128 characters):
-- they are kept, match no caller, and expire with their TTL.
UPDATE idempotency_keys SET customer_id = '' WHERE customer_id IS NULL;

ALTER TABLE idempotency_keys
  ALTER COLUMN customer_id SET NOT NULL,
  DROP CONSTRAINT idempotency_keys_pkey,
  ADD PRIMARY KEY (customer_id, key);

-- Down Migration
-- One record per key string again: where customers shared a key, only the first one's is kept.
DELETE FROM idempotency_keys a
  USING idempotency_keys b
  WHERE a.key = b.key AND a.customer_id > b.customer_id;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey, ADD PRIMARY KEY (key);
ALTER TABLE idempotency_keys DROP COLUMN customer_id;
