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

ALTER TABLE cells ADD COLUMN wip_limit INTEGER;
ALTER TABLE cells ADD COLUMN enforce_sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cells ADD COLUMN capacity_hours_per_day TEXT;

ALTER TABLE parts ADD COLUMN status TEXT NOT NULL DEFAULT 'not_started';

ALTER TABLE operations ADD COLUMN status TEXT NOT NULL DEFAULT 'not_started';
ALTER TABLE operations ADD COLUMN quantity_good INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operations ADD COLUMN quantity_scrap INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operations ADD COLUMN quantity_rework INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operations ADD COLUMN actual_time_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operations ADD COLUMN held_from TEXT;
ALTER TABLE operations ADD COLUMN held_at TEXT;

ALTER TABLE cells ADD COLUMN deleted_at TEXT;
ALTER TABLE resources ADD COLUMN deleted_at TEXT;

ALTER TABLE jobs ADD COLUMN metadata TEXT;
ALTER TABLE jobs ADD COLUMN deleted_at TEXT;

ALTER TABLE parts ADD COLUMN is_bullet_card INTEGER NOT NULL DEFAULT 0;
ALTER TABLE parts ADD COLUMN drawing_no TEXT;
ALTER TABLE parts ADD COLUMN cnc_program_name TEXT;
ALTER TABLE parts ADD COLUMN deleted_at TEXT;

ALTER TABLE operations ADD COLUMN completion_percentage INTEGER;
ALTER TABLE operations ADD COLUMN assigned_operator_id BLOB;
ALTER TABLE operations ADD COLUMN planned_start TEXT;
ALTER TABLE operations ADD COLUMN planned_end TEXT;
ALTER TABLE operations ADD COLUMN deleted_at TEXT;

-- An operation may have no cell yet (made without an ERP): `cell_id` becomes nullable, which
-- SQLite does by rebuilding the table (before any other table references it).
CREATE TABLE operations_rebuilt (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    part_id BLOB NOT NULL REFERENCES parts (id),
    cell_id BLOB REFERENCES cells (id),
    external_source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    operation_name TEXT NOT NULL,
    operation_name_folded TEXT NOT NULL,
    sequence INTEGER,
    estimated_time_minutes TEXT,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'not_started',
    quantity_good INTEGER NOT NULL DEFAULT 0,
    quantity_scrap INTEGER NOT NULL DEFAULT 0,
    quantity_rework INTEGER NOT NULL DEFAULT 0,
    actual_time_seconds INTEGER NOT NULL DEFAULT 0,
    held_from TEXT,
    held_at TEXT,
    completion_percentage INTEGER,
    assigned_operator_id BLOB,
    planned_start TEXT,
    planned_end TEXT,
    deleted_at TEXT,
    CONSTRAINT operations_sync_key UNIQUE (tenant_id, external_source, external_id)
) STRICT;
INSERT INTO operations_rebuilt SELECT id, tenant_id, part_id, cell_id, external_source, external_id, operation_name,
    operation_name_folded, sequence, estimated_time_minutes, notes, created_at, updated_at, status, quantity_good,
    quantity_scrap, quantity_rework, actual_time_seconds, held_from, held_at, completion_percentage,
    assigned_operator_id, planned_start, planned_end, deleted_at FROM operations;
DROP TABLE operations;
ALTER TABLE operations_rebuilt RENAME TO operations;
CREATE INDEX operations_tenant_order ON operations (tenant_id, id);
CREATE INDEX operations_part ON operations (part_id);
CREATE INDEX operations_cell ON operations (cell_id);
CREATE INDEX operations_cell_status ON operations (cell_id, status);

CREATE TABLE operators (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    external_source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    employee_number TEXT NOT NULL,
    employee_number_folded TEXT NOT NULL,
    pin_hash TEXT,
    active INTEGER NOT NULL,
    deleted_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT operators_sync_key UNIQUE (tenant_id, external_source, external_id),
    CONSTRAINT operators_employee_number UNIQUE (tenant_id, employee_number_folded)
) STRICT;
CREATE INDEX operators_tenant_order ON operators (tenant_id, id);

CREATE TABLE time_entries (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    operation_id BLOB NOT NULL REFERENCES operations (id),
    operator_id BLOB REFERENCES operators (id),
    time_type TEXT NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX time_entries_tenant_order ON time_entries (tenant_id, id);
CREATE INDEX time_entries_operation ON time_entries (operation_id, start_time);
CREATE INDEX time_entries_operator ON time_entries (operator_id, start_time);
CREATE INDEX time_entries_open ON time_entries (operation_id) WHERE end_time IS NULL;

CREATE TABLE scrap_reasons (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    external_source TEXT,
    external_id TEXT,
    code TEXT NOT NULL,
    code_folded TEXT NOT NULL,
    description TEXT,
    category TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT scrap_reasons_sync_key UNIQUE (tenant_id, external_source, external_id),
    CONSTRAINT scrap_reasons_code UNIQUE (tenant_id, code_folded)
) STRICT;
CREATE INDEX scrap_reasons_tenant_order ON scrap_reasons (tenant_id, id);

CREATE TABLE operation_quantities (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    operation_id BLOB NOT NULL REFERENCES operations (id),
    good INTEGER NOT NULL,
    scrap INTEGER NOT NULL,
    rework INTEGER NOT NULL,
    scrap_reason TEXT,
    operator_id BLOB REFERENCES operators (id),
    material_lot TEXT,
    notes TEXT,
    reverses_id BLOB REFERENCES operation_quantities (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX operation_quantities_tenant_order ON operation_quantities (tenant_id, id);
CREATE INDEX operation_quantities_operation ON operation_quantities (operation_id, created_at);
CREATE UNIQUE INDEX operation_quantities_reversed ON operation_quantities (reverses_id);

CREATE TABLE issues (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    operation_id BLOB NOT NULL REFERENCES operations (id),
    title TEXT NOT NULL,
    description TEXT,
    severity TEXT NOT NULL,
    issue_type TEXT NOT NULL,
    ncr_category TEXT,
    disposition TEXT,
    status TEXT NOT NULL,
    causes_standstill INTEGER NOT NULL,
    reported_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX issues_tenant_order ON issues (tenant_id, id);
CREATE INDEX issues_operation ON issues (operation_id, status);

CREATE TABLE substeps (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    operation_id BLOB NOT NULL REFERENCES operations (id),
    description TEXT NOT NULL,
    sequence INTEGER,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX substeps_tenant_order ON substeps (tenant_id, id);
CREATE INDEX substeps_operation ON substeps (operation_id, sequence);
