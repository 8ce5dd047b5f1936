//! Every table Takt keeps and the type of each column: what export and import move, in an
//! order where referenced rows come first. ERP and master-data tables are derived from their
//! descriptions (`erp/tables.rs`, the entity descriptions), so a new field cannot be forgotten here.

use std::sync::LazyLock;

use takt_domain::master_data::{self, EntitySpec};
use takt_domain::schema::Kind;

use super::SqlType;
use super::erp::tables as erp;

/// The portable type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Uuid,
    Text,
    Int,
    Float,
    Bool,
    Timestamp,
    Date,
    Decimal,
    Bytes,
}

impl ColumnType {
    /// The type a parameter of this column binds as.
    pub fn sql_type(self) -> SqlType {
        match self {
            ColumnType::Uuid => SqlType::Uuid,
            ColumnType::Text => SqlType::Text,
            ColumnType::Int => SqlType::Int,
            ColumnType::Float => SqlType::Float,
            ColumnType::Bool => SqlType::Bool,
            ColumnType::Timestamp => SqlType::Timestamp,
            ColumnType::Date => SqlType::Date,
            ColumnType::Decimal => SqlType::Decimal,
            ColumnType::Bytes => SqlType::Bytes,
        }
    }
}

/// One table as export and import see it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDef {
    pub name: String,
    pub columns: Vec<(String, ColumnType)>,
    /// The columns rows are ordered by.
    pub key: Vec<String>,
    /// Columns that reference a table imported later; import fills them in a second pass.
    pub late: Vec<String>,
}

impl TableDef {
    fn fixed(name: &str, columns: &[(&str, ColumnType)], key: &[&str]) -> TableDef {
        TableDef {
            name: name.to_owned(),
            columns: columns.iter().map(|(c, t)| ((*c).to_owned(), *t)).collect(),
            key: key.iter().map(|k| (*k).to_owned()).collect(),
            late: Vec::new(),
        }
    }

    /// Whether rows carry a `tenant_id` (every table but `tenants`).
    pub fn tenant_scoped(&self) -> bool {
        self.name != "tenants"
    }
}

use ColumnType::{Bool, Bytes, Date, Decimal, Int, Text, Timestamp, Uuid};

const SYNC_KEY: [(&str, ColumnType); 4] =
    [("id", Uuid), ("tenant_id", Uuid), ("external_source", Text), ("external_id", Text)];
const STAMPS: [(&str, ColumnType); 2] = [("created_at", Timestamp), ("updated_at", Timestamp)];

/// An ERP table's stored columns: the sync key, its own columns with their folded twins, the
/// timestamps.
fn erp_table(table: &erp::Table) -> TableDef {
    let own = table.columns.iter().filter(|c| !matches!(c.write, erp::Write::Joined(_)));
    let columns = own.flat_map(|c| std::iter::once((c.name, c.ty)).chain(c.folded.map(|twin| (twin, Text))));
    let all: Vec<_> = SYNC_KEY.iter().copied().chain(columns).chain(STAMPS.iter().copied()).collect();
    TableDef::fixed(table.name, &all, &["id"])
}

/// The column type of a master-data field.
pub fn column_type(kind: Kind, reference: bool) -> ColumnType {
    if reference {
        return Int;
    }
    match kind {
        Kind::Text { .. } | Kind::Enum(_) | Kind::Color => Text,
        Kind::Integer { .. } => Int,
        Kind::Decimal(_) => Decimal,
        Kind::Bool => Bool,
        Kind::Date => Date,
        Kind::Timestamp => Timestamp,
        Kind::Uuid => Uuid,
        Kind::Objects { .. } | Kind::JsonObject { .. } => unreachable!("master data has no nested objects"),
    }
}

fn master_table(spec: &EntitySpec, position: usize) -> TableDef {
    let mut columns = vec![("id".to_owned(), Int), ("tenant_id".to_owned(), Uuid)];
    let mut late = Vec::new();
    for field in spec.fields {
        columns.push((field.column.to_owned(), column_type(field.field.kind, field.reference.is_some())));
        if field.folded(spec) {
            columns.push((format!("{}_folded", field.column), Text));
        }
        if let Some(reference) = field.reference {
            let target = master_data::ALL.iter().position(|s| s.kind == reference.target).expect("known entity");
            if target > position {
                late.push(field.column.to_owned());
            }
        }
    }
    if !spec.built_in.is_empty() {
        columns.push(("built_in".to_owned(), Bool));
    }
    columns.extend(STAMPS.iter().map(|(c, t)| ((*c).to_owned(), *t)));
    TableDef { name: spec.table.to_owned(), columns, key: vec!["id".to_owned()], late }
}

/// Every table, in import order.
pub static TABLES: LazyLock<Vec<TableDef>> = LazyLock::new(|| {
    let mut tables = vec![
        TableDef::fixed(
            "tenants",
            &[("id", Uuid), ("name", Text), ("name_folded", Text), ("created_at", Timestamp)],
            &["id"],
        ),
        TableDef::fixed(
            "api_keys",
            &[
                ("id", Uuid),
                ("tenant_id", Uuid),
                ("lookup_prefix", Text),
                ("key_hash", Bytes),
                ("name", Text),
                ("created_at", Timestamp),
                ("last_used_at", Timestamp),
                ("revoked_at", Timestamp),
            ],
            &["id"],
        ),
    ];
    tables.extend(erp::TABLES.into_iter().map(erp_table));
    tables.extend(shop_floor_tables());
    tables.push(TableDef::fixed(
        "event_sequences",
        &[("tenant_id", Uuid), ("last_seq", Int), ("pruned_through", Int)],
        &["tenant_id"],
    ));
    tables.push(TableDef::fixed(
        "events",
        &[
            ("tenant_id", Uuid),
            ("seq", Int),
            ("id", Uuid),
            ("type", Text),
            ("occurred_at", Timestamp),
            ("entity", Text),
            ("entity_id", Text),
            ("external_source", Text),
            ("external_id", Text),
            ("actor", Text),
            ("data", Text),
            ("changes", Text),
        ],
        &["tenant_id", "seq"],
    ));
    tables.push(TableDef::fixed(
        "webhooks",
        &[
            ("id", Uuid),
            ("tenant_id", Uuid),
            ("url", Text),
            ("events", Text),
            ("active", Bool),
            ("description", Text),
            ("secret", Text),
            ("previous_secret", Text),
            ("previous_secret_until", Timestamp),
            ("disabled_reason", Text),
            ("failing_since", Timestamp),
            ("cursor_seq", Int),
            ("created_at", Timestamp),
            ("updated_at", Timestamp),
        ],
        &["id"],
    ));
    for (position, spec) in master_data::ALL.iter().enumerate() {
        tables.push(master_table(spec, position));
        if let Some(properties) = properties_table(spec) {
            tables.push(TableDef::fixed(
                properties.table,
                &[
                    ("tenant_id", Uuid),
                    (properties.record_column, Int),
                    ("property_definition_id", Int),
                    ("value", Text),
                ],
                &[properties.record_column, "property_definition_id"],
            ));
        }
    }
    tables
});

/// The shop floor's own tables (SPEC section 7), after the ERP tables they reference.
fn shop_floor_tables() -> Vec<TableDef> {
    let with_stamps = |name: &str, columns: &[(&str, ColumnType)]| {
        let all: Vec<(&str, ColumnType)> = columns.iter().copied().chain(STAMPS).collect();
        TableDef::fixed(name, &all, &["id"])
    };
    let mut quantities = TableDef::fixed(
        "operation_quantities",
        &[
            ("id", Uuid),
            ("tenant_id", Uuid),
            ("operation_id", Uuid),
            ("good", Int),
            ("scrap", Int),
            ("rework", Int),
            ("scrap_reason", Text),
            ("operator_id", Uuid),
            ("material_lot", Text),
            ("notes", Text),
            ("reverses_id", Uuid),
            ("created_at", Timestamp),
            ("updated_at", Timestamp),
        ],
        &["id"],
    );
    quantities.late.push("reverses_id".to_owned());
    vec![
        with_stamps(
            "scrap_reasons",
            &[
                ("id", Uuid),
                ("tenant_id", Uuid),
                ("external_source", Text),
                ("external_id", Text),
                ("code", Text),
                ("code_folded", Text),
                ("description", Text),
                ("category", Text),
                ("active", Bool),
            ],
        ),
        with_stamps(
            "time_entries",
            &[
                ("id", Uuid),
                ("tenant_id", Uuid),
                ("operation_id", Uuid),
                ("operator_id", Uuid),
                ("time_type", Text),
                ("start_time", Timestamp),
                ("end_time", Timestamp),
                ("notes", Text),
            ],
        ),
        quantities,
        with_stamps(
            "issues",
            &[
                ("id", Uuid),
                ("tenant_id", Uuid),
                ("operation_id", Uuid),
                ("title", Text),
                ("description", Text),
                ("severity", Text),
                ("issue_type", Text),
                ("ncr_category", Text),
                ("disposition", Text),
                ("status", Text),
                ("causes_standstill", Bool),
                ("reported_by", Text),
            ],
        ),
        with_stamps(
            "substeps",
            &[
                ("id", Uuid),
                ("tenant_id", Uuid),
                ("operation_id", Uuid),
                ("description", Text),
                ("sequence", Int),
                ("status", Text),
            ],
        ),
    ]
}

/// Where an entity's properties are kept.
#[derive(Debug, Clone, Copy)]
pub struct PropertiesTable {
    pub table: &'static str,
    pub record_column: &'static str,
}

/// The properties table of an entity that carries properties.
pub fn properties_table(spec: &EntitySpec) -> Option<PropertiesTable> {
    match spec.kind {
        master_data::EntityKind::Product => {
            Some(PropertiesTable { table: "product_properties", record_column: "product_id" })
        }
        _ if spec.properties => unreachable!("{} carries properties but has no properties table", spec.name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_are_broken_by_late_columns() {
        let products = TABLES.iter().find(|t| t.name == "products").unwrap();
        assert_eq!(products.late, ["receipt_recipe_id"]);
        let versions = TABLES.iter().find(|t| t.name == "bom_versions").unwrap();
        assert_eq!(versions.late, ["schedule_id"]);
        assert!(TABLES.iter().any(|t| t.name == "product_properties"));
    }

    #[test]
    fn erp_tables_keep_their_columns_in_order() {
        let jobs = TABLES.iter().find(|t| t.name == "jobs").unwrap();
        let names: Vec<&str> = jobs.columns.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(
            names,
            [
                "id",
                "tenant_id",
                "external_source",
                "external_id",
                "job_number",
                "job_number_folded",
                "customer",
                "customer_folded",
                "due_date",
                "priority",
                "notes",
                "metadata",
                "status",
                "deleted_at",
                "created_at",
                "updated_at"
            ]
        );
        let operations = TABLES.iter().find(|t| t.name == "operations").unwrap();
        assert!(!operations.columns.iter().any(|(c, _)| c == "cell_name"));
        let names: Vec<&str> = TABLES.iter().map(|t| t.name.as_str()).take(7).collect();
        assert_eq!(names, ["tenants", "api_keys", "cells", "resources", "jobs", "parts", "operations"]);
    }
}
