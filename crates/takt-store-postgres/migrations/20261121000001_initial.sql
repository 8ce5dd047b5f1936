-- Takt's schema on PostgreSQL: the same tables, columns and constraints as the SQLite schema
-- (takt-store-sqlite/migrations), in PostgreSQL's own types. Ids and timestamps are made in
-- Rust (no DEFAULTs, no serial columns); `*_folded` columns hold Unicode case-folded text written
-- by Rust, for case-insensitive uniqueness and matching. Nothing here needs more than what
-- CockroachDB and YugabyteDB also offer (no triggers, no extensions, no advisory locks).

CREATE TABLE tenants (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_keys (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    lookup_prefix TEXT NOT NULL UNIQUE,
    key_hash BYTEA NOT NULL,
    name TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE rate_buckets (
    key_id UUID PRIMARY KEY REFERENCES api_keys (id),
    tokens DOUBLE PRECISION NOT NULL,
    updated_at_micros BIGINT NOT NULL,
    version BIGINT NOT NULL
);

-- Integer ids of master-data records: Rust asks for the next one with nextval() before it inserts.
CREATE SEQUENCE master_data_ids;

-- ERP sync API -------------------------------------------------------------------------------

CREATE TABLE cells (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    external_source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    color TEXT,
    sequence BIGINT,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT cells_sync_key UNIQUE (tenant_id, external_source, external_id),
    CONSTRAINT cells_name UNIQUE (tenant_id, name_folded)
);
CREATE INDEX cells_tenant_order ON cells (tenant_id, id);

CREATE TABLE resources (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
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
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT resources_sync_key UNIQUE (tenant_id, external_source, external_id)
);
CREATE INDEX resources_tenant_order ON resources (tenant_id, id);

CREATE TABLE jobs (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    external_source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    job_number TEXT NOT NULL,
    job_number_folded TEXT NOT NULL,
    customer TEXT,
    customer_folded TEXT,
    due_date DATE,
    priority BIGINT,
    notes TEXT,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT jobs_sync_key UNIQUE (tenant_id, external_source, external_id),
    CONSTRAINT jobs_job_number UNIQUE (tenant_id, job_number)
);
CREATE INDEX jobs_tenant_order ON jobs (tenant_id, id);

CREATE TABLE parts (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    job_id UUID NOT NULL REFERENCES jobs (id),
    external_source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    part_number TEXT NOT NULL,
    part_number_folded TEXT NOT NULL,
    material TEXT,
    quantity BIGINT NOT NULL,
    notes TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT parts_sync_key UNIQUE (tenant_id, external_source, external_id)
);
CREATE INDEX parts_tenant_order ON parts (tenant_id, id);
CREATE INDEX parts_job ON parts (job_id);

CREATE TABLE operations (
    id UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    part_id UUID NOT NULL REFERENCES parts (id),
    cell_id UUID NOT NULL REFERENCES cells (id),
    external_source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    operation_name TEXT NOT NULL,
    operation_name_folded TEXT NOT NULL,
    sequence BIGINT,
    estimated_time_minutes NUMERIC,
    notes TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT operations_sync_key UNIQUE (tenant_id, external_source, external_id)
);
CREATE INDEX operations_tenant_order ON operations (tenant_id, id);
CREATE INDEX operations_part ON operations (part_id);
CREATE INDEX operations_cell ON operations (cell_id);

-- Master-data API ----------------------------------------------------------------------------

CREATE TABLE product_types (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT product_types_name UNIQUE (tenant_id, name_folded)
);

CREATE TABLE currencies (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT currencies_name UNIQUE (tenant_id, name_folded)
);

CREATE TABLE units_of_measure (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT units_of_measure_name UNIQUE (tenant_id, name_folded)
);

CREATE TABLE locations (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT locations_name UNIQUE (tenant_id, name_folded)
);

CREATE TABLE receipt_profiles (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT receipt_profiles_name UNIQUE (tenant_id, name_folded)
);

CREATE TABLE serial_ranges (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT serial_ranges_name UNIQUE (tenant_id, name_folded)
);

CREATE TABLE ownership_types (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    built_in BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT ownership_types_name UNIQUE (tenant_id, name_folded)
);

CREATE TABLE approval_statuses (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    built_in BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT approval_statuses_name UNIQUE (tenant_id, name_folded)
);

CREATE TABLE property_definitions (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    table_name TEXT NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT property_definitions_name UNIQUE (tenant_id, table_name, name_folded)
);

CREATE TABLE bom_types (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    is_controlled BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT bom_types_name UNIQUE (tenant_id, name_folded)
);

CREATE TABLE products (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    product_type_id BIGINT NOT NULL REFERENCES product_types (id),
    suid TEXT,
    suid_folded TEXT,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    description TEXT,
    version TEXT NOT NULL,
    version_folded TEXT NOT NULL,
    default_ownership_id BIGINT NOT NULL REFERENCES ownership_types (id),
    default_cost_per_unit NUMERIC NOT NULL,
    default_currency_id BIGINT NOT NULL REFERENCES currencies (id),
    base_unit_id BIGINT NOT NULL REFERENCES units_of_measure (id),
    receipt_profile_id BIGINT NOT NULL REFERENCES receipt_profiles (id),
    receipt_recipe_id BIGINT, -- REFERENCES recipes (id), added once recipes exists
    serial_range_id BIGINT REFERENCES serial_ranges (id),
    default_batch_size NUMERIC NOT NULL,
    min_schedule_batch_size NUMERIC,
    schedule_batch_increment NUMERIC,
    max_schedule_batch_size NUMERIC,
    pegging_expiry_days BIGINT,
    shelf_life_days BIGINT,
    inventory_decimal_places BIGINT NOT NULL,
    location_id BIGINT NOT NULL REFERENCES locations (id),
    is_active BOOLEAN NOT NULL,
    is_planning_constraint BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT products_name UNIQUE (tenant_id, name_folded),
    CONSTRAINT products_suid UNIQUE (tenant_id, suid_folded)
);
CREATE INDEX products_product_type ON products (product_type_id);
CREATE INDEX products_default_ownership ON products (default_ownership_id);
CREATE INDEX products_default_currency ON products (default_currency_id);
CREATE INDEX products_base_unit ON products (base_unit_id);
CREATE INDEX products_receipt_profile ON products (receipt_profile_id);
CREATE INDEX products_receipt_recipe ON products (receipt_recipe_id);
CREATE INDEX products_serial_range ON products (serial_range_id);
CREATE INDEX products_location ON products (location_id);

CREATE TABLE product_properties (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    property_definition_id BIGINT NOT NULL REFERENCES property_definitions (id),
    value TEXT NOT NULL,
    PRIMARY KEY (product_id, property_definition_id)
);
CREATE INDEX product_properties_definition ON product_properties (property_definition_id);

CREATE TABLE boms (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    bom_type_id BIGINT REFERENCES bom_types (id),
    suid TEXT,
    suid_folded TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT boms_name UNIQUE (tenant_id, name_folded),
    CONSTRAINT boms_suid UNIQUE (tenant_id, suid_folded)
);
CREATE INDEX boms_product ON boms (product_id);
CREATE INDEX boms_bom_type ON boms (bom_type_id);

CREATE TABLE bom_versions (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    bom_id BIGINT NOT NULL REFERENCES boms (id),
    major_version BIGINT NOT NULL,
    minor_version BIGINT NOT NULL,
    approval_status_id BIGINT NOT NULL REFERENCES approval_statuses (id),
    change_reference TEXT,
    suid TEXT,
    suid_folded TEXT,
    schedule_id BIGINT, -- REFERENCES schedules (id), added once schedules exists
    description TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT bom_versions_version UNIQUE (tenant_id, bom_id, major_version, minor_version),
    CONSTRAINT bom_versions_suid UNIQUE (tenant_id, suid_folded)
);
CREATE INDEX bom_versions_approval_status ON bom_versions (approval_status_id);
CREATE INDEX bom_versions_schedule ON bom_versions (schedule_id);

CREATE TABLE bom_slots (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    bom_version_id BIGINT NOT NULL REFERENCES bom_versions (id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products (id),
    quantity NUMERIC NOT NULL,
    unit_of_measure_id BIGINT REFERENCES units_of_measure (id),
    slot_type TEXT,
    slot_type_folded TEXT,
    is_required BOOLEAN NOT NULL,
    is_active BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX bom_slots_bom_version ON bom_slots (bom_version_id);
CREATE INDEX bom_slots_product ON bom_slots (product_id);
CREATE INDEX bom_slots_unit_of_measure ON bom_slots (unit_of_measure_id);

CREATE TABLE recipes (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    suid TEXT,
    suid_folded TEXT,
    product_id BIGINT NOT NULL REFERENCES products (id),
    bom_version_id BIGINT REFERENCES bom_versions (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT recipes_name UNIQUE (tenant_id, name_folded),
    CONSTRAINT recipes_suid UNIQUE (tenant_id, suid_folded)
);
CREATE INDEX recipes_product ON recipes (product_id);
CREATE INDEX recipes_bom_version ON recipes (bom_version_id);

CREATE TABLE schedules (
    id BIGINT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    recipe_id BIGINT NOT NULL REFERENCES recipes (id),
    quantity NUMERIC NOT NULL,
    planned_start TIMESTAMPTZ,
    planned_end TIMESTAMPTZ,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT schedules_name UNIQUE (tenant_id, name_folded)
);
CREATE INDEX schedules_recipe ON schedules (recipe_id);

-- References that close a cycle (products -> recipes -> products, bom_versions -> schedules ->
-- recipes -> bom_versions), added once both ends exist.
ALTER TABLE products ADD CONSTRAINT products_receipt_recipe_fkey FOREIGN KEY (receipt_recipe_id) REFERENCES recipes (id);
ALTER TABLE bom_versions ADD CONSTRAINT bom_versions_schedule_fkey FOREIGN KEY (schedule_id) REFERENCES schedules (id);
