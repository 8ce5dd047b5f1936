//! The statements that write a record: the row lock, `INSERT` and `UPDATE`, each field's
//! columns and parameters.

use chrono::{DateTime, Utc};
use takt_domain::master_data::{EntitySpec, FieldValue, MasterField};
use takt_domain::text::fold;

use super::resolve::Given;
use crate::sql::catalog::column_type;
use crate::sql::{DbError, Param, Query, Tx};
use crate::{StoreError, TenantId};

/// Makes concurrent writes of one record take turns, so that the rules are checked against the
/// state the write replaces (a schedule's status must not move back because two moves raced).
/// On PostgreSQL this no-op update takes the row's lock, which does not block the foreign-key
/// checks of records that reference it; SQLite's writes take turns already.
pub(super) async fn lock<T: Tx>(tx: &mut T, tenant: TenantId, spec: &EntitySpec, id: i64) -> Result<(), StoreError> {
    let q = Query::new(format!("UPDATE {} SET updated_at = updated_at WHERE tenant_id = $1 AND id = $2", spec.table))
        .arg(tenant.0)
        .arg(id);
    tx.execute(&q).await?;
    Ok(())
}

/// Writes the given fields of a stored record.
pub(super) async fn update<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    id: i64,
    given: &Given,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut q = Query::new(format!("UPDATE {} SET updated_at = ", spec.table));
    q.bind(at);
    for (index, value) in given {
        for (column, param) in field_columns(spec, &spec.fields[*index], value.as_ref()) {
            q.push(&format!(", {column} = ")).bind(param);
        }
    }
    q.push(" WHERE tenant_id = ").bind(tenant.0).push(" AND id = ").bind(id);
    tx.execute(&q).await.map_err(|e| write_conflict(spec, e))?;
    Ok(())
}

/// Inserts a new record with every field's value; returns its id.
pub(super) async fn insert<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    values: &[Option<FieldValue>],
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let id = tx.next_id().await?;
    let mut columns: Vec<(String, Param)> = vec![
        ("id".into(), Param::Int(id)),
        ("tenant_id".into(), tenant.0.into()),
        ("created_at".into(), at.into()),
        ("updated_at".into(), at.into()),
    ];
    if !spec.built_in.is_empty() {
        columns.push(("built_in".into(), Param::Bool(false)));
    }
    for (field, value) in spec.fields.iter().zip(values) {
        columns.extend(field_columns(spec, field, value.as_ref()));
    }
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    let mut q = Query::new(format!("INSERT INTO {} ({}) VALUES (", spec.table, names.join(", ")));
    q.bind_list(columns.iter().map(|(_, p)| p.clone())).push(")");
    tx.execute(&q).await.map_err(|e| write_conflict(spec, e))?;
    Ok(id)
}

/// A field's value as a parameter; `NULL` typed as its column.
pub(super) fn param(field: &MasterField, value: Option<&FieldValue>) -> Param {
    match value {
        None => Param::Null(column_type(field.field.kind, field.reference.is_some()).sql_type()),
        Some(FieldValue::Text(t)) => Param::Text(t.clone()),
        Some(FieldValue::Integer(i)) => Param::Int(*i),
        Some(FieldValue::Decimal(d)) => Param::Decimal(*d),
        Some(FieldValue::Bool(b)) => Param::Bool(*b),
        Some(FieldValue::Timestamp(t)) => Param::Timestamp(*t),
        Some(FieldValue::Ref { id, .. }) => Param::Int(*id),
    }
}

/// The columns (and their parameters) that store one field: the value, and its folded twin.
fn field_columns(spec: &EntitySpec, field: &MasterField, value: Option<&FieldValue>) -> Vec<(String, Param)> {
    let mut columns = vec![(field.column.to_owned(), param(field, value))];
    if field.folded(spec) {
        let folded = value.and_then(FieldValue::as_text).map(fold);
        columns.push((format!("{}_folded", field.column), Param::from(folded)));
    }
    columns
}

fn write_conflict(spec: &EntitySpec, error: DbError) -> StoreError {
    match error {
        DbError::Unique { .. } => StoreError::Raced { entity: spec.kind },
        other => StoreError::from(other),
    }
}
