//! The ERP tables, each described once: its columns with their types, folded twins,
//! joins and defaults, and how a row becomes a record. The select lists, the row readers, the
//! write columns and the export catalog are derived from these descriptions.

use takt_domain::erp::ErpEntity;
use takt_domain::erp::records::{Cell, ErpRecord, Job, Operation, Operator, Part, Resource};

use crate::sql::catalog::ColumnType::{self, Bool, Date, Decimal, Int, Text, Timestamp, Uuid};
use crate::sql::{Column, DbError, Param, Row};

/// A value a column holds when a request does not give one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Text(&'static str),
}

/// Who sets a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    /// Every request gives it.
    Given,
    /// A request may give it, clear it or leave it out; cleared or left out on create, it
    /// holds this value.
    Optional(Value),
    /// Set to this value when the row is created; no request writes it.
    OnCreate(Value),
    /// Selected from a joined table (`j.external_id`); never written.
    Joined(&'static str),
    /// Set when the record is deleted; every sync or update clears it (a sync brings a deleted
    /// record back). Not part of the record.
    Deleted,
}

/// One column of an ERP table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    /// The column's name; for a joined column, the name it is selected as.
    pub name: &'static str,
    pub ty: ColumnType,
    /// The case-folded twin kept for search and uniqueness.
    pub folded: Option<&'static str>,
    pub write: Write,
}

const fn given(name: &'static str, ty: ColumnType) -> Col {
    Col { name, ty, folded: None, write: Write::Given }
}

const fn optional(name: &'static str, ty: ColumnType, default: Value) -> Col {
    Col { name, ty, folded: None, write: Write::Optional(default) }
}

/// A column only Takt writes (the shop floor's statuses and totals); a new row holds `value`.
const fn on_create(name: &'static str, ty: ColumnType, value: Value) -> Col {
    Col { name, ty, folded: None, write: Write::OnCreate(value) }
}

/// The execution status of a job, part or operation: `not_started` when synced, moved only by
/// the lifecycle.
const STATUS: Col = on_create("status", Text, Value::Text("not_started"));

/// When the record was deleted (soft delete); `NULL` while it lives.
const DELETED_AT: Col = Col { name: "deleted_at", ty: Timestamp, folded: None, write: Write::Deleted };

const fn joined(name: &'static str, source: &'static str) -> Col {
    Col { name, ty: Text, folded: None, write: Write::Joined(source) }
}

impl Col {
    const fn folded(self, twin: &'static str) -> Col {
        Col { folded: Some(twin), ..self }
    }

    /// The value of `default` as a parameter of this column's type.
    pub(crate) fn param(&self, default: Value) -> Param {
        match default {
            Value::Null => Param::Null(self.ty.sql_type()),
            Value::Bool(b) => Param::Bool(b),
            Value::Int(i) => Param::Int(i),
            Value::Text(t) => Param::Text(t.to_owned()),
        }
    }
}

/// One ERP table: besides its columns, every table has `id`, `tenant_id`, the sync key
/// (`external_source`, `external_id`) and `created_at`, `updated_at`.
pub(crate) struct Table {
    pub entity: ErpEntity,
    pub name: &'static str,
    pub alias: &'static str,
    /// The joins after `FROM <name> <alias>`, for the joined columns.
    pub joins: &'static str,
    pub columns: &'static [Col],
    /// The folded columns a list's `search` matches.
    pub search: &'static [&'static str],
    /// Whether a list filters by `status`.
    pub status: bool,
    pub parent_column: Option<&'static str>,
    pub cell_column: Option<&'static str>,
    /// The record in a row, its columns read by name.
    pub record: fn(&Named<'_>) -> Result<ErpRecord, DbError>,
}

/// The tables, in import order (referenced tables first).
pub(crate) const TABLES: [&Table; 6] = [&CELLS, &RESOURCES, &JOBS, &PARTS, &OPERATIONS, &OPERATORS];

/// The table of an entity.
pub(crate) fn table(entity: ErpEntity) -> &'static Table {
    TABLES.into_iter().find(|t| t.entity == entity).expect("every ERP entity has a table")
}

const CELLS: Table = Table {
    entity: ErpEntity::Cell,
    name: "cells",
    alias: "c",
    joins: "",
    columns: &[
        given("name", Text).folded("name_folded"),
        optional("color", Text, Value::Null),
        optional("sequence", Int, Value::Null),
        optional("active", Bool, Value::Bool(true)),
        optional("wip_limit", Int, Value::Null),
        optional("enforce_sequence", Bool, Value::Bool(false)),
        optional("capacity_hours_per_day", Decimal, Value::Null),
        DELETED_AT,
    ],
    search: &["name_folded"],
    status: false,
    parent_column: None,
    cell_column: None,
    record: |r| {
        Ok(ErpRecord::Cell(Cell {
            id: r.get("id")?,
            external_id: r.get("external_id")?,
            external_source: r.get("external_source")?,
            name: r.get("name")?,
            color: r.get("color")?,
            sequence: r.get("sequence")?,
            active: r.get("active")?,
            wip_limit: r.get("wip_limit")?,
            enforce_sequence: r.get("enforce_sequence")?,
            capacity_hours_per_day: r.get("capacity_hours_per_day")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
        }))
    },
};

const RESOURCES: Table = Table {
    entity: ErpEntity::Resource,
    name: "resources",
    alias: "r",
    joins: "",
    columns: &[
        given("name", Text).folded("name_folded"),
        optional("type", Text, Value::Null),
        optional("description", Text, Value::Null),
        optional("identifier", Text, Value::Null).folded("identifier_folded"),
        optional("location", Text, Value::Null),
        optional("status", Text, Value::Null),
        DELETED_AT,
    ],
    search: &["name_folded", "identifier_folded"],
    status: true,
    parent_column: None,
    cell_column: None,
    record: |r| {
        Ok(ErpRecord::Resource(Resource {
            id: r.get("id")?,
            external_id: r.get("external_id")?,
            external_source: r.get("external_source")?,
            name: r.get("name")?,
            resource_type: r.get("type")?,
            description: r.get("description")?,
            identifier: r.get("identifier")?,
            location: r.get("location")?,
            status: r.get("status")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
        }))
    },
};

const JOBS: Table = Table {
    entity: ErpEntity::Job,
    name: "jobs",
    alias: "j",
    joins: "",
    columns: &[
        given("job_number", Text).folded("job_number_folded"),
        optional("customer", Text, Value::Null).folded("customer_folded"),
        optional("due_date", Date, Value::Null),
        optional("priority", Int, Value::Null),
        optional("notes", Text, Value::Null),
        optional("metadata", Text, Value::Null),
        STATUS,
        DELETED_AT,
    ],
    search: &["job_number_folded", "customer_folded"],
    status: true,
    parent_column: None,
    cell_column: None,
    record: |r| {
        Ok(ErpRecord::Job(Job {
            id: r.get("id")?,
            external_id: r.get("external_id")?,
            external_source: r.get("external_source")?,
            job_number: r.get("job_number")?,
            customer: r.get("customer")?,
            due_date: r.get("due_date")?,
            priority: r.get("priority")?,
            notes: r.get("notes")?,
            metadata: r.json("metadata")?,
            status: r.get("status")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
            parts: None,
        }))
    },
};

const PARTS: Table = Table {
    entity: ErpEntity::Part,
    name: "parts",
    alias: "p",
    joins: " JOIN jobs j ON j.id = p.job_id",
    columns: &[
        given("job_id", Uuid),
        joined("job_external_id", "j.external_id"),
        given("part_number", Text).folded("part_number_folded"),
        optional("material", Text, Value::Null),
        optional("quantity", Int, Value::Int(1)),
        optional("notes", Text, Value::Null),
        optional("is_bullet_card", Bool, Value::Bool(false)),
        optional("drawing_no", Text, Value::Null),
        optional("cnc_program_name", Text, Value::Null),
        STATUS,
        DELETED_AT,
    ],
    search: &["part_number_folded"],
    status: true,
    parent_column: Some("p.job_id"),
    cell_column: None,
    record: |r| {
        Ok(ErpRecord::Part(Part {
            id: r.get("id")?,
            job_id: r.get("job_id")?,
            job_external_id: r.get("job_external_id")?,
            external_id: r.get("external_id")?,
            external_source: r.get("external_source")?,
            part_number: r.get("part_number")?,
            material: r.get("material")?,
            quantity: r.get("quantity")?,
            notes: r.get("notes")?,
            is_bullet_card: r.get("is_bullet_card")?,
            drawing_no: r.get("drawing_no")?,
            cnc_program_name: r.get("cnc_program_name")?,
            status: r.get("status")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
            operations: None,
        }))
    },
};

const OPERATIONS: Table = Table {
    entity: ErpEntity::Operation,
    name: "operations",
    alias: "o",
    joins: " JOIN parts p ON p.id = o.part_id LEFT JOIN cells c ON c.id = o.cell_id",
    columns: &[
        given("part_id", Uuid),
        joined("part_external_id", "p.external_id"),
        given("cell_id", Uuid),
        joined("cell_name", "c.name"),
        given("operation_name", Text).folded("operation_name_folded"),
        optional("sequence", Int, Value::Null),
        optional("estimated_time_minutes", Decimal, Value::Null),
        optional("notes", Text, Value::Null),
        optional("completion_percentage", Int, Value::Null),
        optional("assigned_operator_id", Uuid, Value::Null),
        optional("planned_start", Timestamp, Value::Null),
        optional("planned_end", Timestamp, Value::Null),
        STATUS,
        on_create("quantity_good", Int, Value::Int(0)),
        on_create("quantity_scrap", Int, Value::Int(0)),
        on_create("quantity_rework", Int, Value::Int(0)),
        on_create("actual_time_seconds", Int, Value::Int(0)),
        on_create("held_from", Text, Value::Null),
        on_create("held_at", Timestamp, Value::Null),
        DELETED_AT,
    ],
    search: &["operation_name_folded"],
    status: true,
    parent_column: Some("o.part_id"),
    cell_column: Some("o.cell_id"),
    record: |r| {
        Ok(ErpRecord::Operation(Operation {
            id: r.get("id")?,
            part_id: r.get("part_id")?,
            part_external_id: r.get("part_external_id")?,
            cell_id: r.get("cell_id")?,
            cell_name: r.get("cell_name")?,
            external_id: r.get("external_id")?,
            external_source: r.get("external_source")?,
            operation_name: r.get("operation_name")?,
            sequence: r.get("sequence")?,
            estimated_time_minutes: r.get("estimated_time_minutes")?,
            estimated_time: r.get("estimated_time_minutes")?,
            notes: r.get("notes")?,
            completion_percentage: r.get("completion_percentage")?,
            assigned_operator_id: r.get("assigned_operator_id")?,
            planned_start: r.get("planned_start")?,
            planned_end: r.get("planned_end")?,
            status: r.get("status")?,
            quantity_good: r.get("quantity_good")?,
            quantity_scrap: r.get("quantity_scrap")?,
            quantity_rework: r.get("quantity_rework")?,
            actual_time_seconds: r.get("actual_time_seconds")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
        }))
    },
};

const OPERATORS: Table = Table {
    entity: ErpEntity::Operator,
    name: "operators",
    alias: "w",
    joins: "",
    columns: &[
        given("name", Text).folded("name_folded"),
        given("employee_number", Text).folded("employee_number_folded"),
        optional("pin_hash", Text, Value::Null),
        optional("active", Bool, Value::Bool(true)),
        DELETED_AT,
    ],
    search: &["name_folded", "employee_number_folded"],
    status: false,
    parent_column: None,
    cell_column: None,
    record: |r| {
        Ok(ErpRecord::Operator(Operator {
            id: r.get("id")?,
            external_id: r.get("external_id")?,
            external_source: r.get("external_source")?,
            name: r.get("name")?,
            employee_number: r.get("employee_number")?,
            has_pin: r.get::<Option<String>>("pin_hash")?.is_some(),
            active: r.get("active")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
        }))
    },
};

/// The columns every table selects before its own, and after.
const LEADING: [&str; 3] = ["id", "external_id", "external_source"];
const TRAILING: [&str; 2] = ["created_at", "updated_at"];

impl Table {
    /// Whether the table's records are deleted softly (all but operators').
    pub(crate) fn soft_deletes(&self) -> bool {
        self.columns.iter().any(|c| c.write == Write::Deleted)
    }

    /// The names a row of [`Table::select`] holds, in order.
    fn selected(&self) -> impl Iterator<Item = &'static str> + '_ {
        LEADING.into_iter().chain(self.columns.iter().map(|c| c.name)).chain(TRAILING)
    }

    /// How many columns a row of [`Table::select`] holds: what a query selects after them starts
    /// at this index.
    pub(crate) fn width(&self) -> usize {
        self.selected().count()
    }

    /// The `SELECT` list and `FROM` clause of a record's row.
    pub(crate) fn select(&self) -> String {
        let a = self.alias;
        let own = |name: &str| format!("{a}.{name}");
        let columns = self.columns.iter().map(|c| match c.write {
            Write::Joined(source) => format!("{source} AS {}", c.name),
            _ => own(c.name),
        });
        let list: Vec<String> =
            LEADING.into_iter().map(own).chain(columns).chain(TRAILING.into_iter().map(own)).collect();
        format!("{} FROM {}", list.join(", "), self.from())
    }

    /// The `FROM` clause alone.
    pub(crate) fn from(&self) -> String {
        format!("{} {}{}", self.name, self.alias, self.joins)
    }

    /// The column of this table named `name`.
    pub(crate) fn column(&self, name: &str) -> &'static Col {
        self.columns.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{} has no column {name}", self.name))
    }

    /// The record in a row of [`Table::select`].
    pub(crate) fn read(&'static self, row: &dyn Row) -> Result<ErpRecord, DbError> {
        (self.record)(&Named { table: self, row })
    }
}

/// A row of a table's select, read by column name.
pub(crate) struct Named<'r> {
    table: &'static Table,
    row: &'r dyn Row,
}

/// A value read from a row: a column's type, or `Option` of it for a column that may be NULL.
pub(crate) trait Read: Sized {
    fn read(row: &dyn Row, index: usize) -> Result<Self, DbError>;
}

impl<T: Column> Read for T {
    fn read(row: &dyn Row, index: usize) -> Result<T, DbError> {
        <T as Column>::read(row, index)?.ok_or_else(|| DbError::Decode(format!("column {index} is NULL")))
    }
}

impl<T: Column> Read for Option<T> {
    fn read(row: &dyn Row, index: usize) -> Result<Option<T>, DbError> {
        <T as Column>::read(row, index)
    }
}

impl Named<'_> {
    /// The column named `name`.
    pub(crate) fn get<T: Read>(&self, name: &str) -> Result<T, DbError> {
        let index = self
            .table
            .selected()
            .position(|n| n == name)
            .ok_or_else(|| DbError::Decode(format!("{} selects no column {name}", self.table.name)))?;
        T::read(self.row, index)
    }

    /// A text column holding JSON (a job's `metadata`), parsed.
    pub(crate) fn json(&self, name: &str) -> Result<Option<serde_json::Value>, DbError> {
        self.get::<Option<String>>(name)?
            .map(|text| serde_json::from_str(&text).map_err(|e| DbError::Decode(format!("{name}: {e}"))))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_own_and_joined_columns() {
        assert_eq!(
            table(ErpEntity::Part).select(),
            "p.id, p.external_id, p.external_source, p.job_id, j.external_id AS job_external_id, p.part_number, \
             p.material, p.quantity, p.notes, p.is_bullet_card, p.drawing_no, p.cnc_program_name, p.status, \
             p.deleted_at, p.created_at, p.updated_at FROM parts p JOIN jobs j ON j.id = p.job_id"
        );
    }
}
