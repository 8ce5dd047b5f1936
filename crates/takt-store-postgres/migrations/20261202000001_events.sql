-- The event log (SPEC section 6): one row per changed record, appended in the change's own
-- transaction. `seq` counts per tenant from 1 without gaps: `event_sequences` holds the last one
-- given out (and the last one pruned), and its row is what makes a tenant's appends take turns,
-- so that `seq` order is commit order. `actor`, `data` and `changes` are JSON text, as on SQLite.

CREATE TABLE event_sequences (
    tenant_id UUID PRIMARY KEY REFERENCES tenants (id),
    last_seq BIGINT NOT NULL,
    pruned_through BIGINT NOT NULL
);

CREATE TABLE events (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    seq BIGINT NOT NULL,
    id UUID NOT NULL UNIQUE,
    type TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    external_source TEXT,
    external_id TEXT,
    actor TEXT NOT NULL,
    data TEXT NOT NULL,
    changes TEXT,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX events_entity ON events (tenant_id, entity_id, seq);
CREATE INDEX events_occurred ON events (occurred_at);
