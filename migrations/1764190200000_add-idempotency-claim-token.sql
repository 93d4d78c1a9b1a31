-- Up Migration
-- Each claim on a key gets its own token. Completing, releasing or linking an order is done
-- only by the request that still holds the claim: one whose claim expired and was taken over
-- by a retry has lost it, and must not overwrite what the retry does.
ALTER TABLE idempotency_keys ADD COLUMN claim_token uuid;

-- Down Migration
ALTER TABLE idempotency_keys DROP COLUMN claim_token;
