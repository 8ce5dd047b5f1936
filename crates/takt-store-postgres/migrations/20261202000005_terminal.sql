-- The operator terminal (SPEC section 8). A signed-in session is found by the SHA-256 of its
-- token (the token itself lives only in the operator's cookie) and carries the CSRF token its
-- forms must send back; it ends at `expires_at` or at sign-out. An operator's run of wrong PINs
-- is counted until a right one; the fifth locks the operator until `locked_until`.

CREATE TABLE terminal_sessions (
    token_hash BYTEA PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    operator_id UUID NOT NULL REFERENCES operators (id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX terminal_sessions_expiry ON terminal_sessions (expires_at);

CREATE TABLE terminal_pin_failures (
    operator_id UUID PRIMARY KEY REFERENCES operators (id),
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    failures BIGINT NOT NULL,
    last_failed_at TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ
);
