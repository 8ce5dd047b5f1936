-- Webhooks (SPEC section 6). A webhook's `cursor_seq` is the last event of its tenant the
-- dispatcher has looked at for it: events after it become deliveries, one per matching event.
-- A delivery is attempted until it succeeds or its retry schedule runs out; `locked_until` is
-- the lease of the instance attempting it (a crash lets the lease run out, and another attempt
-- follows). Every attempt is a row of `webhook_attempts`, the delivery log.

CREATE TABLE webhooks (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    active INTEGER NOT NULL,
    description TEXT,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until TEXT,
    disabled_reason TEXT,
    failing_since TEXT,
    cursor_seq INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, id);

CREATE TABLE webhook_deliveries (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    webhook_id BLOB NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_seq INTEGER NOT NULL,
    event_id BLOB NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, status);

CREATE TABLE webhook_attempts (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    webhook_id BLOB NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    delivery_id BLOB NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    event_id BLOB NOT NULL,
    event_seq INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    attempted_at TEXT NOT NULL,
    status TEXT NOT NULL,
    http_status INTEGER,
    duration_ms INTEGER NOT NULL,
    response_body TEXT,
    error TEXT
) STRICT;
CREATE INDEX webhook_attempts_webhook ON webhook_attempts (tenant_id, webhook_id, attempted_at);
