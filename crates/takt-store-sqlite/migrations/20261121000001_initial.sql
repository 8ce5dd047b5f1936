-- Takt's schema on SQLite. The PostgreSQL schema (takt-store-postgres/migrations) has the same
-- tables, columns and constraints; only the types differ:
--   UUID -> BLOB (16 bytes), TIMESTAMPTZ -> TEXT (RFC 3339, UTC, microseconds, 'Z'),
--   NUMERIC -> TEXT (exact decimal, scale kept), DATE -> TEXT (YYYY-MM-DD), BOOLEAN -> INTEGER.
-- Ids and timestamps are made in Rust; `*_folded` columns hold Unicode case-folded text written
-- by Rust, for case-insensitive uniqueness and matching.

CREATE TABLE tenants (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE api_keys (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    lookup_prefix TEXT NOT NULL UNIQUE,
    key_hash BLOB NOT NULL,
    name TEXT,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
) STRICT;
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE rate_buckets (
    key_id BLOB PRIMARY KEY REFERENCES api_keys (id),
    tokens REAL NOT NULL,
    updated_at_micros INTEGER NOT NULL,
    version INTEGER NOT NULL
) STRICT;

CREATE TABLE id_counters (
    name TEXT PRIMARY KEY,
    next_value INTEGER NOT NULL
) STRICT;
INSERT INTO id_counters (name, next_value) VALUES ('master_data', 1);

-- ERP sync API -------------------------------------------------------------------------------

CREATE TABLE cells (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    external_source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    color TEXT,
    sequence INTEGER,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT cells_sync_key UNIQUE (tenant_id, external_source, external_id),
    CONSTRAINT cells_name UNIQUE (tenant_id, name_folded)
) STRICT;
CREATE INDEX cells_tenant_order ON cells (tenant_id, id);

CREATE TABLE resources (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    external_source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    type TEXT,
    description TEXT,
    identifier TEXT,
    identifier_folded TEXT,
    location TEXT,
    status TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT resources_sync_key UNIQUE (tenant_id, external_source, external_id)
) STRICT;
CREATE INDEX resources_tenant_order ON resources (tenant_id, id);

CREATE TABLE jobs (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    external_source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    job_number TEXT NOT NULL,
    job_number_folded TEXT NOT NULL,
    customer TEXT,
    customer_folded TEXT,
    due_date TEXT,
    priority INTEGER,
    notes TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT jobs_sync_key UNIQUE (tenant_id, external_source, external_id),
    CONSTRAINT jobs_job_number UNIQUE (tenant_id, job_number)
) STRICT;
CREATE INDEX jobs_tenant_order ON jobs (tenant_id, id);

CREATE TABLE parts (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    job_id BLOB NOT NULL REFERENCES jobs (id),
    external_source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    part_number TEXT NOT NULL,
    part_number_folded TEXT NOT NULL,
    material TEXT,
    quantity INTEGER NOT NULL,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT parts_sync_key UNIQUE (tenant_id, external_source, external_id)
) STRICT;
CREATE INDEX parts_tenant_order ON parts (tenant_id, id);
CREATE INDEX parts_job ON parts (job_id);

CREATE TABLE operations (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    part_id BLOB NOT NULL REFERENCES parts (id),
    cell_id BLOB NOT NULL REFERENCES cells (id),
    external_source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    operation_name TEXT NOT NULL,
    operation_name_folded TEXT NOT NULL,
    sequence INTEGER,
    estimated_time_minutes TEXT,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT operations_sync_key UNIQUE (tenant_id, external_source, external_id)
) STRICT;
CREATE INDEX operations_tenant_order ON operations (tenant_id, id);
CREATE INDEX operations_part ON operations (part_id);
CREATE INDEX operations_cell ON operations (cell_id);

-- Master-data API ----------------------------------------------------------------------------

CREATE TABLE product_types (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT product_types_name UNIQUE (tenant_id, name_folded)
) STRICT;

CREATE TABLE currencies (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT currencies_name UNIQUE (tenant_id, name_folded)
) STRICT;

CREATE TABLE units_of_measure (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT units_of_measure_name UNIQUE (tenant_id, name_folded)
) STRICT;

CREATE TABLE locations (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT locations_name UNIQUE (tenant_id, name_folded)
) STRICT;

CREATE TABLE receipt_profiles (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT receipt_profiles_name UNIQUE (tenant_id, name_folded)
) STRICT;

CREATE TABLE serial_ranges (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT serial_ranges_name UNIQUE (tenant_id, name_folded)
) STRICT;

CREATE TABLE ownership_types (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    built_in INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT ownership_types_name UNIQUE (tenant_id, name_folded)
) STRICT;

CREATE TABLE approval_statuses (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    built_in INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT approval_statuses_name UNIQUE (tenant_id, name_folded)
) STRICT;

CREATE TABLE property_definitions (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    table_name TEXT NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT property_definitions_name UNIQUE (tenant_id, table_name, name_folded)
) STRICT;

CREATE TABLE bom_types (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    is_controlled INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT bom_types_name UNIQUE (tenant_id, name_folded)
) STRICT;

CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    product_type_id INTEGER NOT NULL REFERENCES product_types (id),
    suid TEXT,
    suid_folded TEXT,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    version TEXT NOT NULL,
    version_folded TEXT NOT NULL,
    default_ownership_id INTEGER NOT NULL REFERENCES ownership_types (id),
    default_cost_per_unit TEXT NOT NULL,
    default_currency_id INTEGER NOT NULL REFERENCES currencies (id),
    base_unit_id INTEGER NOT NULL REFERENCES units_of_measure (id),
    receipt_profile_id INTEGER NOT NULL REFERENCES receipt_profiles (id),
    receipt_recipe_id INTEGER REFERENCES recipes (id),
    serial_range_id INTEGER REFERENCES serial_ranges (id),
    default_batch_size TEXT NOT NULL,
    min_schedule_batch_size TEXT,
    schedule_batch_increment TEXT,
    max_schedule_batch_size TEXT,
    pegging_expiry_days INTEGER,
    shelf_life_days INTEGER,
    inventory_decimal_places INTEGER NOT NULL,
    location_id INTEGER NOT NULL REFERENCES locations (id),
    is_active INTEGER NOT NULL,
    is_planning_constraint INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT products_name UNIQUE (tenant_id, name_folded),
    CONSTRAINT products_suid UNIQUE (tenant_id, suid_folded)
) STRICT;
CREATE INDEX products_product_type ON products (product_type_id);
CREATE INDEX products_default_ownership ON products (default_ownership_id);
CREATE INDEX products_default_currency ON products (default_currency_id);
CREATE INDEX products_base_unit ON products (base_unit_id);
CREATE INDEX products_receipt_profile ON products (receipt_profile_id);
CREATE INDEX products_receipt_recipe ON products (receipt_recipe_id);
CREATE INDEX products_serial_range ON products (serial_range_id);
CREATE INDEX products_location ON products (location_id);

CREATE TABLE product_properties (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    property_definition_id INTEGER NOT NULL REFERENCES property_definitions (id),
    value TEXT NOT NULL,
    PRIMARY KEY (product_id, property_definition_id)
) STRICT;
CREATE INDEX product_properties_definition ON product_properties (property_definition_id);

CREATE TABLE boms (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products (id),
    bom_type_id INTEGER REFERENCES bom_types (id),
    suid TEXT,
    suid_folded TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT boms_name UNIQUE (tenant_id, name_folded),
    CONSTRAINT boms_suid UNIQUE (tenant_id, suid_folded)
) STRICT;
CREATE INDEX boms_product ON boms (product_id);
CREATE INDEX boms_bom_type ON boms (bom_type_id);

CREATE TABLE bom_versions (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    bom_id INTEGER NOT NULL REFERENCES boms (id),
    major_version INTEGER NOT NULL,
    minor_version INTEGER NOT NULL,
    approval_status_id INTEGER NOT NULL REFERENCES approval_statuses (id),
    change_reference TEXT,
    suid TEXT,
    suid_folded TEXT,
    schedule_id INTEGER REFERENCES schedules (id),
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT bom_versions_version UNIQUE (tenant_id, bom_id, major_version, minor_version),
    CONSTRAINT bom_versions_suid UNIQUE (tenant_id, suid_folded)
) STRICT;
CREATE INDEX bom_versions_approval_status ON bom_versions (approval_status_id);
CREATE INDEX bom_versions_schedule ON bom_versions (schedule_id);

CREATE TABLE bom_slots (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    bom_version_id INTEGER NOT NULL REFERENCES bom_versions (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products (id),
    quantity TEXT NOT NULL,
    unit_of_measure_id INTEGER REFERENCES units_of_measure (id),
    slot_type TEXT,
    slot_type_folded TEXT,
    is_required INTEGER NOT NULL,
    is_active INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX bom_slots_bom_version ON bom_slots (bom_version_id);
CREATE INDEX bom_slots_product ON bom_slots (product_id);
CREATE INDEX bom_slots_unit_of_measure ON bom_slots (unit_of_measure_id);

CREATE TABLE recipes (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    suid TEXT,
    suid_folded TEXT,
    product_id INTEGER NOT NULL REFERENCES products (id),
    bom_version_id INTEGER REFERENCES bom_versions (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT recipes_name UNIQUE (tenant_id, name_folded),
    CONSTRAINT recipes_suid UNIQUE (tenant_id, suid_folded)
) STRICT;
CREATE INDEX recipes_product ON recipes (product_id);
CREATE INDEX recipes_bom_version ON recipes (bom_version_id);

CREATE TABLE schedules (
    id INTEGER PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    recipe_id INTEGER NOT NULL REFERENCES recipes (id),
    quantity TEXT NOT NULL,
    planned_start TEXT,
    planned_end TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT schedules_name UNIQUE (tenant_id, name_folded)
) STRICT;
CREATE INDEX schedules_recipe ON schedules (recipe_id);
