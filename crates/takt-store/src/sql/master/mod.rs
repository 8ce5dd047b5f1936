//! The master-data API in SQL: one generic mechanism for all sixteen entities, driven by their
//! descriptions ([`EntitySpec`]). Reads, writes, reference resolution, uniqueness, delete
//! checks and the stateful integrity rules all live here, once.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use takt_domain::error::{FieldError, Invalid};
use takt_domain::json::{Patch, Scalar};
use takt_domain::master_data::entities::PRODUCT;
use takt_domain::master_data::rules;
use takt_domain::master_data::{
    DefaultValue, EntityKind, EntitySpec, FieldValue, FilterTarget, FilterValue, ListQuery, MasterField, OnDelete,
    Property, Record, RefBy, Reference, UpsertInput,
};
use takt_domain::schema::Kind;
use takt_domain::text::{capitalize, fold};

use super::catalog::{ColumnType, column_type, properties_table};
use super::query::like_pattern;
use super::{Param, Query, Row, RowExt, SqlType, Tx};
use crate::{StoreError, TenantId};

/// `SELECT ... FROM {table} t`: id, stamps, built-in flag, then each field (a reference by name
/// brings the target's name along).
fn select_sql(spec: &EntitySpec) -> String {
    let mut sql = String::from("SELECT t.id, t.created_at, t.updated_at, ");
    sql.push_str(if spec.built_in.is_empty() { "FALSE" } else { "t.built_in" });
    for field in spec.fields {
        sql.push_str(", t.");
        sql.push_str(field.column);
        if let Some(Reference { target, by: RefBy::Name { .. }, .. }) = field.reference {
            sql.push_str(&format!(", (SELECT r.name FROM {} r WHERE r.id = t.{})", target.spec().table, field.column));
        }
    }
    sql.push_str(&format!(" FROM {} t", spec.table));
    sql
}

fn read_record(spec: &EntitySpec, row: &impl Row) -> Result<Record, StoreError> {
    let mut values = Vec::with_capacity(spec.fields.len());
    let mut column = 4;
    for field in spec.fields {
        let value = match field.reference {
            Some(reference) => {
                let id: Option<i64> = row.opt(column)?;
                let name = if let RefBy::Name { .. } = reference.by {
                    column += 1;
                    row.opt::<String>(column)?
                } else {
                    None
                };
                id.map(|id| FieldValue::Ref { id, name })
            }
            None => match field.field.kind {
                Kind::Text { .. } | Kind::Enum(_) | Kind::Color => row.opt(column)?.map(FieldValue::Text),
                Kind::Integer { .. } => row.opt(column)?.map(FieldValue::Integer),
                Kind::Decimal(_) => row.opt(column)?.map(FieldValue::Decimal),
                Kind::Bool => row.opt(column)?.map(FieldValue::Bool),
                Kind::Timestamp => row.opt(column)?.map(FieldValue::Timestamp),
                kind => unreachable!("master data does not store {kind:?}"),
            },
        };
        values.push(value);
        column += 1;
    }
    Ok(Record {
        kind: spec.kind,
        id: row.get(0)?,
        values,
        properties: Vec::new(),
        built_in: row.get(3)?,
        created_at: row.get(1)?,
        updated_at: row.get(2)?,
    })
}

async fn fetch_records<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    query: &Query,
) -> Result<Vec<Record>, StoreError> {
    let rows = tx.fetch_all(query).await?;
    let mut records = rows.iter().map(|row| read_record(spec, row)).collect::<Result<Vec<_>, _>>()?;
    attach_properties(tx, tenant, spec, &mut records).await?;
    Ok(records)
}

/// Loads one record of this tenant by id.
pub(crate) async fn load<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    id: i64,
) -> Result<Option<Record>, StoreError> {
    let q = Query::new(format!("{} WHERE t.tenant_id = $1 AND t.id = $2", select_sql(spec))).arg(tenant.0).arg(id);
    Ok(fetch_records(tx, tenant, spec, &q).await?.pop())
}

async fn load_by_name<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    name: &str,
) -> Result<Option<Record>, StoreError> {
    let q = Query::new(format!("{} WHERE t.tenant_id = $1 AND t.name_folded = $2", select_sql(spec)))
        .arg(tenant.0)
        .arg(fold(name));
    Ok(fetch_records(tx, tenant, spec, &q).await?.pop())
}

async fn attach_properties<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    records: &mut [Record],
) -> Result<(), StoreError> {
    let Some(table) = properties_table(spec) else { return Ok(()) };
    let positions: HashMap<i64, usize> = records.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    for chunk in ids.chunks(500) {
        let mut q = Query::new(format!(
            "SELECT pp.{rec}, d.name, pp.value FROM {t} pp JOIN property_definitions d ON d.id = pp.property_definition_id \
             WHERE pp.tenant_id = ",
            rec = table.record_column,
            t = table.table
        ));
        q.bind(tenant.0).push(&format!(" AND pp.{} IN (", table.record_column));
        q.bind_list(chunk.iter().map(|id| Param::Int(*id)))
            .push(&format!(") ORDER BY pp.{}, d.name_folded", table.record_column));
        for row in tx.fetch_all(&q).await? {
            let id: i64 = row.get(0)?;
            records[positions[&id]].properties.push(Property { name: row.get(1)?, value: row.get(2)? });
        }
    }
    Ok(())
}

/// Makes concurrent writes of one record take turns, so that the rules are checked against the
/// state the write replaces (a schedule's status must not move back because two moves raced).
/// On PostgreSQL this no-op update takes the row's lock, which does not block the foreign-key
/// checks of records that reference it; SQLite's writes take turns already.
async fn lock<T: Tx>(tx: &mut T, tenant: TenantId, spec: &EntitySpec, id: i64) -> Result<(), StoreError> {
    let q = Query::new(format!("UPDATE {} SET updated_at = updated_at WHERE tenant_id = $1 AND id = $2", spec.table))
        .arg(tenant.0)
        .arg(id);
    tx.execute(&q).await?;
    Ok(())
}

fn not_found(spec: &EntitySpec, id: i64) -> StoreError {
    StoreError::not_found(format!("{} with id {id} does not exist", capitalize(spec.label)))
}

pub(crate) async fn list<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    query: &ListQuery,
) -> Result<Vec<Record>, StoreError> {
    let mut q = Query::new(select_sql(spec));
    q.push(" WHERE t.tenant_id = ").bind(tenant.0);
    for filter in &query.filters {
        let field = match filter.target {
            FilterTarget::Id => {
                if let FilterValue::Integer(id) = filter.value {
                    q.push(" AND t.id = ").bind(id);
                }
                continue;
            }
            FilterTarget::Field(index) => &spec.fields[index],
        };
        let column = field.column;
        match (&filter.value, field.reference) {
            (FilterValue::Null, _) => {
                q.push(&format!(" AND t.{column} IS NULL"));
            }
            (FilterValue::Text(name), Some(reference)) => {
                q.push(&format!(
                    " AND t.{column} IN (SELECT r.id FROM {} r WHERE r.tenant_id = ",
                    reference.target.spec().table
                ));
                q.bind(tenant.0).push(" AND r.name_folded = ").bind(name.as_str()).push(")");
            }
            (FilterValue::Text(text), None) if field.folded(spec) => {
                q.push(&format!(" AND t.{column}_folded = ")).bind(text.as_str());
            }
            (FilterValue::Text(text), None) => {
                q.push(&format!(" AND t.{column} = ")).bind(text.as_str());
            }
            (FilterValue::Integer(i), _) => {
                q.push(&format!(" AND t.{column} = ")).bind(*i);
            }
            (FilterValue::Bool(b), _) => {
                q.push(&format!(" AND t.{column} = ")).bind(*b);
            }
        }
    }
    q.push(" ORDER BY t.id");
    if query.limit.is_some() || query.offset > 0 {
        q.push(" LIMIT ").bind(query.limit.unwrap_or(i64::MAX)).push(" OFFSET ").bind(query.offset);
    }
    fetch_records(tx, tenant, spec, &q).await
}

fn scalar_value(scalar: &Scalar) -> FieldValue {
    match scalar {
        Scalar::Text(t) => FieldValue::Text(t.clone()),
        Scalar::Integer(i) => FieldValue::Integer(*i),
        Scalar::Decimal(d) => FieldValue::Decimal(*d),
        Scalar::Bool(b) => FieldValue::Bool(*b),
        Scalar::Timestamp(t) => FieldValue::Timestamp(*t),
        other => unreachable!("master data does not take {other:?}"),
    }
}

fn default_value(field: &MasterField) -> Option<FieldValue> {
    field.default.map(|d| match d {
        DefaultValue::Bool(b) => FieldValue::Bool(b),
        DefaultValue::Text(t) => FieldValue::Text(t.to_owned()),
    })
}

/// Finds the record a reference names: `Ok(Err(message))` when there is none.
async fn resolve_reference<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    field: &MasterField,
    reference: Reference,
    given: &Scalar,
) -> Result<Result<FieldValue, String>, StoreError> {
    let target = reference.target.spec();
    match (reference.by, given) {
        (RefBy::Id, Scalar::Integer(id)) => {
            let q = Query::new(format!("SELECT id FROM {} WHERE tenant_id = $1 AND id = $2", target.table))
                .arg(tenant.0)
                .arg(*id);
            Ok(match tx.fetch_optional(&q).await? {
                Some(_) => Ok(FieldValue::Ref { id: *id, name: None }),
                None => Err(format!("no {} with id {id}", target.label)),
            })
        }
        (RefBy::Name { like }, Scalar::Text(name)) => {
            let by_name = |pattern: bool| {
                let mut q = Query::new(format!("SELECT id, name FROM {} WHERE tenant_id = ", target.table));
                q.bind(tenant.0);
                if pattern {
                    q.push(" AND name_folded LIKE ").bind(like_pattern(&fold(name))).push(" ESCAPE '\\'");
                } else {
                    q.push(" AND name_folded = ").bind(fold(name));
                }
                q.push(" ORDER BY id LIMIT 6");
                q
            };
            // A name that matches exactly wins, so that "50% Steel" stays reachable beside
            // "500 Steel"; only then is `%` a wildcard.
            let mut rows = tx.fetch_all(&by_name(false)).await?;
            let pattern = rows.is_empty() && like && name.contains('%');
            if pattern {
                rows = tx.fetch_all(&by_name(true)).await?;
            }
            match rows.as_slice() {
                [] if pattern => Ok(Err(format!("no {} matches '{name}'", target.label))),
                [] => Ok(Err(format!("no {} named '{name}'", target.label))),
                [row] => Ok(Ok(FieldValue::Ref { id: row.get(0)?, name: Some(row.get(1)?) })),
                many => {
                    let mut names = many
                        .iter()
                        .map(|r| r.get::<String>(1).map(|n| format!("'{n}'")))
                        .collect::<Result<Vec<_>, _>>()?;
                    names.sort();
                    let count = if many.len() == 6 { "6 or more".to_owned() } else { many.len().to_string() };
                    Err(StoreError::invalid(
                        field.name(),
                        format!(
                            "'{name}' matches {count} {} ({}); it must match exactly one",
                            target.plural,
                            names.join(", ")
                        ),
                    ))
                }
            }
        }
        (by, value) => {
            Err(StoreError::Internal(format!("{} is referenced {by:?} but was given {value:?}", target.name)))
        }
    }
}

/// Resolves the fields a request gave; every reference that names nothing is reported at once.
async fn resolve_given<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    given: &[(usize, Patch<Scalar>)],
) -> Result<Vec<(usize, Option<FieldValue>)>, StoreError> {
    let mut resolved = Vec::with_capacity(given.len());
    let mut missing = Vec::new();
    for (index, patch) in given {
        let field = &spec.fields[*index];
        let value = match patch {
            Patch::Absent => continue,
            Patch::Null => None,
            Patch::Set(scalar) => match field.reference {
                None => Some(scalar_value(scalar)),
                Some(reference) => match resolve_reference(tx, tenant, field, reference, scalar).await? {
                    Ok(value) => Some(value),
                    Err(message) => {
                        missing.push(FieldError::new(field.name(), message));
                        continue;
                    }
                },
            },
        };
        resolved.push((*index, value));
    }
    if missing.is_empty() {
        return Ok(resolved);
    }
    Err(StoreError::missing(missing, "references name records that do not exist"))
}

fn param(field: &MasterField, value: Option<&FieldValue>) -> Param {
    match value {
        None => Param::Null(match column_type(field.field.kind, field.reference.is_some()) {
            ColumnType::Text => SqlType::Text,
            ColumnType::Int => SqlType::Int,
            ColumnType::Decimal => SqlType::Decimal,
            ColumnType::Bool => SqlType::Bool,
            ColumnType::Timestamp => SqlType::Timestamp,
            other => unreachable!("master data does not store {other:?}"),
        }),
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

/// Creates or updates a record, with every rule checked before anything is written.
pub(crate) async fn upsert<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &'static EntitySpec,
    input: &UpsertInput,
    at: DateTime<Utc>,
) -> Result<(bool, Record), StoreError> {
    let existing = match input.id {
        Some(id) => {
            lock(tx, tenant, spec, id).await?;
            Some(load(tx, tenant, spec, id).await?.ok_or_else(|| not_found(spec, id))?)
        }
        None => None,
    };
    let source =
        match &input.source {
            Some(name) => Some(load_by_name(tx, tenant, &PRODUCT, name).await?.ok_or_else(|| {
                StoreError::missing_reference("sourceProductName", format!("no product named '{name}'"))
            })?),
            None => None,
        };
    let given = resolve_given(tx, tenant, spec, &input.values).await?;

    let mut values: Vec<Option<FieldValue>> = match (&existing, &source) {
        (Some(record), _) => record.values.clone(),
        (None, Some(source)) => spec
            .fields
            .iter()
            .zip(&source.values)
            .map(|(field, value)| if spec.identified_by(field.name()) { None } else { value.clone() })
            .collect(),
        (None, None) => spec.fields.iter().map(default_value).collect(),
    };
    for (index, value) in &given {
        values[*index] = value.clone();
    }

    let mut errors = if existing.is_none() { rules::missing_required(spec, &values) } else { Vec::new() };
    errors.extend(rules::check_record(spec, &values));
    if !errors.is_empty() {
        return Err(StoreError::Invalid(Invalid(errors)));
    }
    check_state(tx, tenant, spec, existing.as_ref(), &values, &given).await?;
    check_unique(tx, tenant, spec, existing.as_ref().map(|r| r.id), &values).await?;

    let id = match &existing {
        Some(record) => {
            let mut q = Query::new(format!("UPDATE {} SET updated_at = ", spec.table));
            q.bind(at);
            for (index, value) in &given {
                for (column, param) in field_columns(spec, &spec.fields[*index], value.as_ref()) {
                    q.push(&format!(", {column} = ")).bind(param);
                }
            }
            q.push(" WHERE tenant_id = ").bind(tenant.0).push(" AND id = ").bind(record.id);
            tx.execute(&q).await.map_err(|e| write_conflict(spec, e))?;
            record.id
        }
        None => {
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
            for (field, value) in spec.fields.iter().zip(&values) {
                columns.extend(field_columns(spec, field, value.as_ref()));
            }
            let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
            let mut q = Query::new(format!("INSERT INTO {} ({}) VALUES (", spec.table, names.join(", ")));
            q.bind_list(columns.iter().map(|(_, p)| p.clone())).push(")");
            tx.execute(&q).await.map_err(|e| write_conflict(spec, e))?;
            id
        }
    };

    let properties = match (&input.properties, &source, &existing) {
        (Some(given), _, _) => Some(given.clone()),
        (None, Some(source), None) => Some(source.properties.clone()),
        _ => None,
    };
    if let Some(properties) = properties {
        write_properties(tx, tenant, spec, id, &properties).await?;
    }
    let record =
        load(tx, tenant, spec, id).await?.ok_or_else(|| StoreError::Internal("a written record vanished".into()))?;
    Ok((existing.is_none(), record))
}

fn write_conflict(spec: &EntitySpec, error: super::DbError) -> StoreError {
    match error {
        super::DbError::Unique { .. } => StoreError::conflict(format!(
            "another {} with the same unique values was written at the same time; retry",
            spec.label
        )),
        other => StoreError::from(other),
    }
}

async fn write_properties<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    record_id: i64,
    properties: &[Property],
) -> Result<(), StoreError> {
    let table = properties_table(spec).expect("only entities with properties are given properties");
    let mut definitions = Vec::with_capacity(properties.len());
    let mut missing = Vec::new();
    for (index, property) in properties.iter().enumerate() {
        let q = Query::new(
            "SELECT id FROM property_definitions WHERE tenant_id = $1 AND table_name = $2 AND name_folded = $3",
        )
        .arg(tenant.0)
        .arg(spec.name)
        .arg(fold(&property.name));
        match tx.fetch_optional(&q).await? {
            Some(row) => definitions.push(row.get::<i64>(0)?),
            None => missing.push(FieldError::new(
                format!("properties[{index}].name"),
                format!("no property definition named '{}' for {}", property.name, spec.name),
            )),
        }
    }
    if !missing.is_empty() {
        return Err(StoreError::missing(missing, "properties have no definition"));
    }
    tx.execute(
        &Query::new(format!("DELETE FROM {} WHERE tenant_id = $1 AND {} = $2", table.table, table.record_column))
            .arg(tenant.0)
            .arg(record_id),
    )
    .await?;
    for (property, definition) in properties.iter().zip(definitions) {
        tx.execute(
            &Query::new(format!(
                "INSERT INTO {} (tenant_id, {}, property_definition_id, value) VALUES ($1, $2, $3, $4)",
                table.table, table.record_column
            ))
            .arg(tenant.0)
            .arg(record_id)
            .arg(definition)
            .arg(property.value.as_str()),
        )
        .await?;
    }
    Ok(())
}

fn value_of<'a>(spec: &EntitySpec, values: &'a [Option<FieldValue>], name: &str) -> Option<&'a FieldValue> {
    values[spec.field_index(name)?.0].as_ref()
}

fn ref_id(value: Option<&FieldValue>) -> Option<i64> {
    match value {
        Some(FieldValue::Ref { id, .. }) => Some(*id),
        _ => None,
    }
}

/// A BoM version as the integrity rules need to see it.
struct VersionInfo {
    title: String,
    status: String,
    product_id: i64,
    bom: String,
    next: String,
}

async fn version_info<T: Tx>(tx: &mut T, tenant: TenantId, id: i64) -> Result<Option<VersionInfo>, StoreError> {
    let q = Query::new(
        "SELECT b.name, v.major_version, v.minor_version, s.name, b.product_id, \
         (SELECT MAX(o.minor_version) FROM bom_versions o WHERE o.bom_id = v.bom_id AND o.major_version = v.major_version) \
         FROM bom_versions v JOIN boms b ON b.id = v.bom_id JOIN approval_statuses s ON s.id = v.approval_status_id \
         WHERE v.tenant_id = $1 AND v.id = $2",
    )
    .arg(tenant.0)
    .arg(id);
    let Some(row) = tx.fetch_optional(&q).await? else { return Ok(None) };
    let bom: String = row.get(0)?;
    let (major, minor, last_minor): (i64, i64, i64) = (row.get(1)?, row.get(2)?, row.get(5)?);
    Ok(Some(VersionInfo {
        title: format!("{bom} {}", rules::format_version(major, minor)),
        status: row.get(3)?,
        product_id: row.get(4)?,
        bom,
        // One past the highest minor version of this major one, so a number still free.
        next: rules::format_version(major, last_minor + 1),
    }))
}

fn frozen(info: &VersionInfo, what: &str) -> StoreError {
    StoreError::conflict(format!(
        "BoM version '{}' is {} and frozen: {what} cannot change; create a new version ({}) instead",
        info.title, info.status, info.next
    ))
}

/// The rules that depend on stored state: built-in records, frozen BoM versions, recipes that
/// must match their BoM's product, schedules that only move forward and run approved BoMs.
async fn check_state<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    existing: Option<&Record>,
    values: &[Option<FieldValue>],
    given: &[(usize, Option<FieldValue>)],
) -> Result<(), StoreError> {
    match spec.kind {
        EntityKind::OwnershipType | EntityKind::ApprovalStatus => {
            if let Some(record) = existing.filter(|r| r.built_in)
                && value_of(spec, values, "name") != record.get("name")
            {
                return Err(StoreError::conflict(format!(
                    "{} {} is built in and cannot be renamed",
                    capitalize(spec.label),
                    record.title()
                )));
            }
        }
        EntityKind::BomVersion => {
            let Some(record) = existing else { return Ok(()) };
            let old_status = record.get("approvalStatus").and_then(FieldValue::as_text).unwrap_or_default();
            if !rules::approval_frozen(old_status) {
                return Ok(());
            }
            let info = version_info(tx, tenant, record.id).await?.ok_or_else(|| not_found(spec, record.id))?;
            for (index, value) in given {
                let field = &spec.fields[*index];
                let unchanged = match (&record.values[*index], value) {
                    (Some(a), Some(b)) => a.same(b),
                    (a, b) => a.is_none() && b.is_none(),
                };
                if field.name() != "approvalStatus" && !unchanged {
                    let what = match field.name() {
                        "majorVersion" | "minorVersion" => "version",
                        name => name,
                    };
                    return Err(frozen(&info, &format!("its {what}")));
                }
            }
            let new_status = value_of(spec, values, "approvalStatus").and_then(FieldValue::as_text).unwrap_or_default();
            if !rules::approval_move_allowed(old_status, new_status) {
                return Err(StoreError::conflict(format!(
                    "BoM version '{}' is {old_status} and frozen: it cannot go back to {new_status}; create a new version ({}) instead",
                    info.title, info.next
                )));
            }
        }
        EntityKind::BomSlot => {
            let mut versions = vec![ref_id(value_of(spec, values, "bomVersionId"))];
            versions.push(existing.and_then(|r| ref_id(r.get("bomVersionId"))));
            versions.dedup();
            for id in versions.into_iter().flatten() {
                if let Some(info) = version_info(tx, tenant, id).await?
                    && rules::approval_frozen(&info.status)
                {
                    return Err(frozen(&info, "its slots"));
                }
            }
        }
        EntityKind::Recipe => {
            let version = ref_id(value_of(spec, values, "bomVersionId"));
            let product = ref_id(value_of(spec, values, "product"));
            if let (Some(version), Some(product)) = (version, product)
                && let Some(info) = version_info(tx, tenant, version).await?
                && info.product_id != product
            {
                return Err(StoreError::invalid(
                    "bomVersionId",
                    format!("is a version of BoM '{}', which builds another product than this recipe's", info.bom),
                ));
            }
        }
        EntityKind::Schedule => {
            let status = value_of(spec, values, "status").and_then(FieldValue::as_text).unwrap_or_default();
            if let Some(record) = existing {
                let old = record.get("status").and_then(FieldValue::as_text).unwrap_or_default();
                if !rules::schedule_move_allowed(old, status) {
                    return Err(StoreError::conflict(format!(
                        "Schedule {} is {old}: its status only moves forward (scheduled, started, completed)",
                        record.title()
                    )));
                }
            }
            let recipe = ref_id(value_of(spec, values, "recipe"));
            let recipe_changed = existing.is_none_or(|r| ref_id(r.get("recipe")) != recipe);
            if let (true, Some(recipe)) = (recipe_changed, recipe) {
                check_recipe_schedulable(tx, tenant, recipe).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

async fn check_recipe_schedulable<T: Tx>(tx: &mut T, tenant: TenantId, recipe: i64) -> Result<(), StoreError> {
    let q = Query::new("SELECT name, bom_version_id FROM recipes WHERE tenant_id = $1 AND id = $2")
        .arg(tenant.0)
        .arg(recipe);
    let Some(row) = tx.fetch_optional(&q).await? else { return Ok(()) };
    let name: String = row.get(0)?;
    let Some(version) = row.opt::<i64>(1)? else { return Ok(()) };
    if let Some(info) = version_info(tx, tenant, version).await?
        && fold(&info.status) != "approved"
    {
        return Err(StoreError::conflict(format!(
            "recipe '{name}' uses BoM version '{}', which is {}: approve it before scheduling",
            info.title, info.status
        )));
    }
    Ok(())
}

/// Refuses a write that would take a unique value another record of the tenant has.
async fn check_unique<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    own_id: Option<i64>,
    values: &[Option<FieldValue>],
) -> Result<(), StoreError> {
    'sets: for set in spec.unique {
        let mut q = Query::new(format!("SELECT t.id FROM {} t WHERE t.tenant_id = ", spec.table));
        q.bind(tenant.0);
        for name in *set {
            let (index, field) = spec.field_index(name).expect("unique fields exist");
            let Some(value) = &values[index] else { continue 'sets };
            if field.folded(spec) {
                q.push(&format!(" AND t.{}_folded = ", field.column)).bind(fold(value.as_text().unwrap_or_default()));
            } else {
                q.push(&format!(" AND t.{} = ", field.column)).bind(param(field, Some(value)));
            }
        }
        if let Some(id) = own_id {
            q.push(" AND t.id <> ").bind(id);
        }
        if tx.fetch_optional(&q).await?.is_some() {
            let label = capitalize(spec.label);
            let text =
                |name: &str| value_of(spec, values, name).and_then(FieldValue::as_text).unwrap_or_default().to_owned();
            let message = match *set {
                ["name"] => format!("{label} '{}' already exists", text("name")),
                ["suid"] => format!("{label} with suid '{}' already exists", text("suid")),
                _ => {
                    let draft = Record {
                        kind: spec.kind,
                        id: own_id.unwrap_or_default(),
                        values: values.to_vec(),
                        properties: Vec::new(),
                        built_in: false,
                        created_at: DateTime::<Utc>::MIN_UTC,
                        updated_at: DateTime::<Utc>::MIN_UTC,
                    };
                    format!("{label} {} already exists", draft.title())
                }
            };
            return Err(StoreError::Conflict(message));
        }
    }
    Ok(())
}

/// Deletes a record that nothing uses.
pub(crate) async fn delete<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    id: i64,
) -> Result<Record, StoreError> {
    lock(tx, tenant, spec, id).await?;
    let record = load(tx, tenant, spec, id).await?.ok_or_else(|| not_found(spec, id))?;
    let label = capitalize(spec.label);
    if record.built_in {
        return Err(StoreError::conflict(format!("{label} {} is built in and cannot be deleted", record.title())));
    }
    match spec.kind {
        EntityKind::Schedule => {
            let status = record.get("status").and_then(FieldValue::as_text).unwrap_or_default();
            if !rules::schedule_deletable(status) {
                return Err(StoreError::conflict(format!(
                    "Schedule {} is {status}: only a schedule that has not started can be deleted",
                    record.title()
                )));
            }
        }
        EntityKind::BomSlot => {
            if let Some(version) = ref_id(record.get("bomVersionId"))
                && let Some(info) = version_info(tx, tenant, version).await?
                && rules::approval_frozen(&info.status)
            {
                return Err(frozen(&info, "its slots"));
            }
        }
        _ => {}
    }
    let users = users_of(tx, tenant, spec, id).await?;
    if !users.is_empty() {
        return Err(StoreError::conflict(format!("{label} {} is used by {}", record.title(), join_and(&users))));
    }
    tx.execute(
        &Query::new(format!("DELETE FROM {} WHERE tenant_id = $1 AND id = $2", spec.table)).arg(tenant.0).arg(id),
    )
    .await
    .map_err(|e| match e {
        super::DbError::ForeignKey(_) => StoreError::conflict(format!("{label} {} is in use", record.title())),
        other => StoreError::from(other),
    })?;
    Ok(record)
}

/// Who references a record, for a delete's `409`: `BoM 'BRK-A'`, `2 recipes`.
async fn users_of<T: Tx>(tx: &mut T, tenant: TenantId, spec: &EntitySpec, id: i64) -> Result<Vec<String>, StoreError> {
    let mut users = Vec::new();
    for other in takt_domain::master_data::ALL.iter() {
        for field in other.fields {
            let Some(reference) = field.reference else { continue };
            if reference.target != spec.kind || reference.on_delete != OnDelete::Restrict {
                continue;
            }
            let q = Query::new(format!(
                "SELECT COUNT(*), MIN(id) FROM {} WHERE tenant_id = $1 AND {} = $2",
                other.table, field.column
            ))
            .arg(tenant.0)
            .arg(id);
            users.extend(describe_users(tx, tenant, other, &q).await?);
        }
    }
    if spec.kind == EntityKind::PropertyDefinition {
        for other in takt_domain::master_data::ALL.iter() {
            let Some(table) = properties_table(other) else { continue };
            let q = Query::new(format!(
                "SELECT COUNT(DISTINCT {rec}), MIN({rec}) FROM {t} WHERE tenant_id = $1 AND property_definition_id = $2",
                rec = table.record_column,
                t = table.table
            ))
            .arg(tenant.0)
            .arg(id);
            users.extend(describe_users(tx, tenant, other, &q).await?);
        }
    }
    Ok(users)
}

/// Runs a `SELECT COUNT(*), MIN(id)` and names the users: one by title, several by count.
async fn describe_users<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    users: &EntitySpec,
    count: &Query,
) -> Result<Option<String>, StoreError> {
    let Some(row) = tx.fetch_optional(count).await? else { return Ok(None) };
    let n: i64 = row.get(0)?;
    Ok(match n {
        0 => None,
        1 => {
            let first: i64 = row.get(1)?;
            let title = load(tx, tenant, users, first).await?.map(|r| r.title()).unwrap_or_else(|| format!("#{first}"));
            Some(format!("{} {title}", users.label))
        }
        n => Some(format!("{n} {}", users.plural)),
    })
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
