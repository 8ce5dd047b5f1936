-- Webhooks (SPEC section 6). A webhook's `cursor_seq` is the last event of its tenant the
-- dispatcher has looked at for it: events after it become deliveries, one per matching event.
-- A delivery is attempted until it succeeds or its retry schedule runs out; `locked_until` is
-- the lease of the instance attempting it (a crash lets the lease run out, and another attempt
-- follows). Every attempt is a row of `webhook_attempts`, the delivery log.

CREATE TABLE webhooks (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    description TEXT,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until TIMESTAMPTZ,
    disabled_reason TEXT,
    failing_since TIMESTAMPTZ,
    cursor_seq BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, id);

CREATE TABLE webhook_deliveries (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    webhook_id UUID NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_seq BIGINT NOT NULL,
    event_id UUID NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, status);

CREATE TABLE webhook_attempts (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    webhook_id UUID NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    delivery_id UUID NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    event_id UUID NOT NULL,
    event_seq BIGINT NOT NULL,
    attempt BIGINT NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL,
    http_status BIGINT,
    duration_ms BIGINT NOT NULL,
    response_body TEXT,
    error TEXT
);
CREATE INDEX webhook_attempts_webhook ON webhook_attempts (tenant_id, webhook_id, attempted_at);
