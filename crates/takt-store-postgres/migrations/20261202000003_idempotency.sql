-- Idempotency keys (SPEC section 10). A key is claimed when its first request starts
-- (`claim` names that attempt, `lease_until` is how long it may run before a retry takes over)
-- and answered when it ends (`status`, `headers`, `body`). Kept until `expires_at`, 24 hours
-- after the claim; the server prunes older ones.

CREATE TABLE idempotency_keys (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    claim UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    lease_until TIMESTAMPTZ,
    status BIGINT,
    headers TEXT,
    body BYTEA,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
