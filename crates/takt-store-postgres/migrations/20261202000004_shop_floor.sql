-- The shop floor (SPEC section 7). Parts and operations get their own status; an operation
-- carries the totals of its quantity ledger, the union of its time entries in whole seconds and,
-- while a standstill issue holds it, the status it had before (`held_from`) and since when
-- (`held_at`). A cell may enforce its routing order and cap its work in progress.
-- A deleted job, part, operation, cell or resource keeps its row and history with `deleted_at`
-- set, and a later sync of its sync key brings it back. The fields the reference's clients send:
-- a job's `metadata` (a JSON object, as text), a part's rush flag and drawing, an operation's
-- planning fields.
-- Time entries are open while `end_time` is NULL. The quantity ledger is append-only: a
-- correction is a new row whose `reverses_id` names the row it cancels.

ALTER TABLE cells ADD COLUMN wip_limit BIGINT;
ALTER TABLE cells ADD COLUMN enforce_sequence BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cells ADD COLUMN capacity_hours_per_day NUMERIC;

ALTER TABLE parts ADD COLUMN status TEXT NOT NULL DEFAULT 'not_started';

ALTER TABLE operations ADD COLUMN status TEXT NOT NULL DEFAULT 'not_started';
ALTER TABLE operations ADD COLUMN quantity_good BIGINT NOT NULL DEFAULT 0;
ALTER TABLE operations ADD COLUMN quantity_scrap BIGINT NOT NULL DEFAULT 0;
ALTER TABLE operations ADD COLUMN quantity_rework BIGINT NOT NULL DEFAULT 0;
ALTER TABLE operations ADD COLUMN actual_time_seconds BIGINT NOT NULL DEFAULT 0;
ALTER TABLE operations ADD COLUMN held_from TEXT;
ALTER TABLE operations ADD COLUMN held_at TIMESTAMPTZ;
CREATE INDEX operations_cell_status ON operations (cell_id, status);

ALTER TABLE cells ADD COLUMN deleted_at TIMESTAMPTZ;
ALTER TABLE resources ADD COLUMN deleted_at TIMESTAMPTZ;

ALTER TABLE jobs ADD COLUMN metadata TEXT;
ALTER TABLE jobs ADD COLUMN deleted_at TIMESTAMPTZ;

ALTER TABLE parts ADD COLUMN is_bullet_card BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE parts ADD COLUMN drawing_no TEXT;
ALTER TABLE parts ADD COLUMN cnc_program_name TEXT;
ALTER TABLE parts ADD COLUMN deleted_at TIMESTAMPTZ;

ALTER TABLE operations ADD COLUMN completion_percentage BIGINT;
ALTER TABLE operations ADD COLUMN assigned_operator_id UUID;
ALTER TABLE operations ADD COLUMN planned_start TIMESTAMPTZ;
ALTER TABLE operations ADD COLUMN planned_end TIMESTAMPTZ;
ALTER TABLE operations ADD COLUMN deleted_at TIMESTAMPTZ;

-- An operation may have no cell yet (made without an ERP).
ALTER TABLE operations ALTER COLUMN cell_id DROP NOT NULL;

CREATE TABLE operators (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    external_source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    employee_number TEXT NOT NULL,
    employee_number_folded TEXT NOT NULL,
    pin_hash TEXT,
    active BOOLEAN NOT NULL,
    deleted_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT operators_sync_key UNIQUE (tenant_id, external_source, external_id),
    CONSTRAINT operators_employee_number UNIQUE (tenant_id, employee_number_folded)
);
CREATE INDEX operators_tenant_order ON operators (tenant_id, id);

CREATE TABLE time_entries (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    operation_id UUID NOT NULL REFERENCES operations (id),
    operator_id UUID REFERENCES operators (id),
    time_type TEXT NOT NULL,
    start_time TIMESTAMPTZ NOT NULL,
    end_time TIMESTAMPTZ,
    notes TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX time_entries_tenant_order ON time_entries (tenant_id, id);
CREATE INDEX time_entries_operation ON time_entries (operation_id, start_time);
CREATE INDEX time_entries_operator ON time_entries (operator_id, start_time);
CREATE INDEX time_entries_open ON time_entries (operation_id) WHERE end_time IS NULL;

CREATE TABLE scrap_reasons (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    external_source TEXT,
    external_id TEXT,
    code TEXT NOT NULL,
    code_folded TEXT NOT NULL,
    description TEXT,
    category TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT scrap_reasons_sync_key UNIQUE (tenant_id, external_source, external_id),
    CONSTRAINT scrap_reasons_code UNIQUE (tenant_id, code_folded)
);
CREATE INDEX scrap_reasons_tenant_order ON scrap_reasons (tenant_id, id);

CREATE TABLE operation_quantities (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    operation_id UUID NOT NULL REFERENCES operations (id),
    good BIGINT NOT NULL,
    scrap BIGINT NOT NULL,
    rework BIGINT NOT NULL,
    scrap_reason TEXT,
    operator_id UUID REFERENCES operators (id),
    material_lot TEXT,
    notes TEXT,
    reverses_id UUID REFERENCES operation_quantities (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX operation_quantities_tenant_order ON operation_quantities (tenant_id, id);
CREATE INDEX operation_quantities_operation ON operation_quantities (operation_id, created_at);
CREATE UNIQUE INDEX operation_quantities_reversed ON operation_quantities (reverses_id);

CREATE TABLE issues (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    operation_id UUID NOT NULL REFERENCES operations (id),
    title TEXT NOT NULL,
    description TEXT,
    severity TEXT NOT NULL,
    issue_type TEXT NOT NULL,
    ncr_category TEXT,
    disposition TEXT,
    status TEXT NOT NULL,
    causes_standstill BOOLEAN NOT NULL,
    reported_by TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX issues_tenant_order ON issues (tenant_id, id);
CREATE INDEX issues_operation ON issues (operation_id, status);

CREATE TABLE substeps (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    operation_id UUID NOT NULL REFERENCES operations (id),
    description TEXT NOT NULL,
    sequence BIGINT,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX substeps_tenant_order ON substeps (tenant_id, id);
CREATE INDEX substeps_operation ON substeps (operation_id, sequence);
