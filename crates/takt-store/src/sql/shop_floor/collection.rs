//! The storage of any shop-floor [`Collection`]: its rows read, listed, inserted, changed and
//! deleted along the collection's columns, each in the caller's transaction. A column `x` is
//! the table's column `x`; a unique one has its folded twin `x_folded`.

use chrono::{DateTime, Utc};
use takt_domain::erp::ErpEntity;
use takt_domain::json::Scalar;
use takt_domain::schema::Kind;
use takt_domain::shop_floor::collection::{Collection, Condition, ListQuery, Record};
use takt_domain::text::fold;
use uuid::Uuid;

use crate::error::{At, Entity, Lookup};
use crate::sql::{DbError, Param, Query, Row, RowExt, SqlType, Tx};
use crate::{Page, StoreError, TenantId};

/// Column values by name, as a write gives them (`None` is `NULL`).
pub type Values = [(&'static str, Option<Scalar>)];

fn sql_type(kind: Kind) -> SqlType {
    match kind {
        Kind::Integer { .. } => SqlType::Int,
        Kind::Decimal(_) => SqlType::Decimal,
        Kind::Bool => SqlType::Bool,
        Kind::Date => SqlType::Date,
        Kind::Timestamp => SqlType::Timestamp,
        Kind::Uuid => SqlType::Uuid,
        Kind::Text { .. } | Kind::Color | Kind::Enum(_) | Kind::Objects { .. } | Kind::JsonObject { .. } => {
            SqlType::Text
        }
    }
}

/// A column's value as a parameter; `NULL` typed by the column's kind.
fn param(kind: Kind, value: &Option<Scalar>) -> Param {
    value.as_ref().map_or(Param::Null(sql_type(kind)), scalar_param)
}

fn scalar_param(value: &Scalar) -> Param {
    match value {
        Scalar::Text(text) => Param::Text(text.clone()),
        Scalar::Integer(i) => Param::Int(*i),
        Scalar::Decimal(d) => Param::Decimal(*d),
        Scalar::Bool(b) => Param::Bool(*b),
        Scalar::Date(d) => Param::Date(*d),
        Scalar::Timestamp(t) => Param::Timestamp(*t),
        Scalar::Uuid(id) => Param::Uuid(*id),
    }
}

fn scalar(row: &impl Row, index: usize, kind: Kind) -> Result<Option<Scalar>, DbError> {
    Ok(match sql_type(kind) {
        SqlType::Int => row.opt(index)?.map(Scalar::Integer),
        SqlType::Decimal => row.opt(index)?.map(Scalar::Decimal),
        SqlType::Bool => row.opt(index)?.map(Scalar::Bool),
        SqlType::Date => row.opt(index)?.map(Scalar::Date),
        SqlType::Timestamp => row.opt(index)?.map(Scalar::Timestamp),
        SqlType::Uuid => row.opt(index)?.map(Scalar::Uuid),
        SqlType::Text | SqlType::Float | SqlType::Bytes => row.opt(index)?.map(Scalar::Text),
    })
}

/// `id, <columns>, created_at, updated_at FROM <table>`
fn select(collection: &Collection) -> String {
    let names: Vec<&str> = collection.columns.iter().map(|c| c.name()).collect();
    format!("id, {}, created_at, updated_at FROM {}", names.join(", "), collection.table)
}

fn read(collection: &'static Collection, row: &impl Row) -> Result<Record, DbError> {
    let mut values = Vec::with_capacity(collection.columns.len());
    for (i, column) in collection.columns.iter().enumerate() {
        values.push((column.name(), scalar(row, i + 1, column.field.kind)?));
    }
    let after = collection.columns.len() + 1;
    Ok(Record { collection, id: row.get(0)?, values, created_at: row.get(after)?, updated_at: row.get(after + 1)? })
}

pub async fn get<T: Tx>(
    tx: &mut T,
    collection: &'static Collection,
    tenant: TenantId,
    id: Uuid,
) -> Result<Option<Record>, StoreError> {
    let q = Query::new(format!("SELECT {} WHERE tenant_id = $1 AND id = $2", select(collection))).arg(tenant.0).arg(id);
    Ok(tx.fetch_optional(&q).await?.map(|row| read(collection, &row)).transpose()?)
}

/// A page of the tenant's records that pass every filter, in the collection's order.
pub async fn list<T: Tx>(
    tx: &mut T,
    collection: &'static Collection,
    tenant: TenantId,
    query: &ListQuery,
) -> Result<Page<Record>, StoreError> {
    let filtered = |head: String| {
        let mut q = Query::new(head);
        q.push(" WHERE tenant_id = ").bind(tenant.0);
        for (name, condition) in &query.filters {
            let (operator, value) = match condition {
                Condition::Is(value) => (" = ", value),
                Condition::IsNot(value) => (" <> ", value),
                Condition::From(value) => (" >= ", value),
                Condition::Before(value) => (" < ", value),
            };
            q.push(" AND ").push(name).push(operator).bind(scalar_param(value));
        }
        q
    };
    let count = filtered(format!("SELECT COUNT(*) FROM {}", collection.table));
    let total: i64 = tx.fetch_optional(&count).await?.map(|r| r.get(0)).transpose()?.unwrap_or(0);
    let mut q = filtered(format!("SELECT {}", select(collection)));
    q.push(&format!(" ORDER BY {} LIMIT ", collection.order_by)).bind(query.limit);
    q.push(" OFFSET ").bind(query.offset);
    let items = tx.fetch_all(&q).await?.iter().map(|row| read(collection, row)).collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, total })
}

/// Inserts a new record of `values` (the columns left out are `NULL`).
pub async fn insert<T: Tx>(
    tx: &mut T,
    collection: &'static Collection,
    tenant: TenantId,
    values: &Values,
    at: DateTime<Utc>,
) -> Result<Record, StoreError> {
    check(tx, collection, tenant, values, None).await?;
    let id = Uuid::now_v7();
    let mut names = vec!["id".to_owned(), "tenant_id".to_owned(), "created_at".to_owned(), "updated_at".to_owned()];
    let mut params: Vec<Param> = vec![id.into(), tenant.0.into(), at.into(), at.into()];
    for column in collection.columns {
        let value = values.iter().find(|(n, _)| *n == column.name()).and_then(|(_, v)| v.clone());
        names.push(column.name().to_owned());
        params.push(param(column.field.kind, &value));
        if column.unique {
            names.push(format!("{}_folded", column.name()));
            params.push(folded_param(&value));
        }
    }
    let mut q = Query::new(format!("INSERT INTO {} ({}) VALUES (", collection.table, names.join(", ")));
    q.bind_list(params).push(")");
    tx.execute(&q).await?;
    get(tx, collection, tenant, id).await?.ok_or_else(|| StoreError::Internal("an inserted record is gone".into()))
}

fn folded_param(value: &Option<Scalar>) -> Param {
    match value {
        Some(Scalar::Text(text)) => Param::Text(fold(text)),
        _ => Param::Null(SqlType::Text),
    }
}

/// Writes the `values` that differ from `stored`; answers the record as it now is (`stored`
/// itself when nothing differs).
pub async fn update<T: Tx>(
    tx: &mut T,
    collection: &'static Collection,
    tenant: TenantId,
    stored: &Record,
    values: &Values,
    at: DateTime<Utc>,
) -> Result<Record, StoreError> {
    let changed: Vec<_> = values.iter().filter(|(name, value)| stored.value(name) != value.as_ref()).collect();
    if changed.is_empty() {
        return Ok(stored.clone());
    }
    let changed_values: Vec<_> = changed.iter().map(|(n, v)| (*n, v.clone())).collect();
    check(tx, collection, tenant, &changed_values, Some(stored.id)).await?;
    let mut q = Query::new(format!("UPDATE {} SET updated_at = ", collection.table));
    q.bind(at);
    for (name, value) in changed {
        let Some(column) = collection.column(name) else { continue };
        q.push(", ").push(name).push(" = ").bind(param(column.field.kind, value));
        if column.unique {
            q.push(&format!(", {name}_folded = ")).bind(folded_param(value));
        }
    }
    q.push(" WHERE tenant_id = ").bind(tenant.0).push(" AND id = ").bind(stored.id);
    tx.execute(&q).await?;
    get(tx, collection, tenant, stored.id).await?.ok_or_else(|| StoreError::Internal("a changed record is gone".into()))
}

/// Deletes a record; whether it existed.
pub async fn delete<T: Tx>(
    tx: &mut T,
    collection: &Collection,
    tenant: TenantId,
    id: Uuid,
) -> Result<bool, StoreError> {
    let q =
        Query::new(format!("DELETE FROM {} WHERE tenant_id = $1 AND id = $2", collection.table)).arg(tenant.0).arg(id);
    Ok(tx.execute(&q).await? > 0)
}

/// The record synced under `(external_source, external_id)`, if there is one.
pub async fn find_synced<T: Tx>(
    tx: &mut T,
    collection: &'static Collection,
    tenant: TenantId,
    external_source: &str,
    external_id: &str,
) -> Result<Option<Record>, StoreError> {
    let q = Query::new(format!(
        "SELECT {} WHERE tenant_id = $1 AND external_source = $2 AND external_id = $3",
        select(collection)
    ))
    .arg(tenant.0)
    .arg(external_source)
    .arg(external_id);
    Ok(tx.fetch_optional(&q).await?.map(|row| read(collection, &row)).transpose()?)
}

/// Refuses a parent operation that is not the tenant's, and a unique value another record holds.
async fn check<T: Tx>(
    tx: &mut T,
    collection: &'static Collection,
    tenant: TenantId,
    values: &Values,
    own: Option<Uuid>,
) -> Result<(), StoreError> {
    for (name, value) in values {
        let Some(column) = collection.column(name) else { continue };
        match value {
            Some(Scalar::Uuid(operation)) if collection.parent == Some(column.name()) => {
                let q = Query::new("SELECT id FROM operations WHERE tenant_id = $1 AND id = $2")
                    .arg(tenant.0)
                    .arg(*operation);
                if tx.fetch_optional(&q).await?.is_none() {
                    let at = Some(At::field(column.name()));
                    return Err(StoreError::missing(Entity::Erp(ErpEntity::Operation), Lookup::Uuid(*operation), at));
                }
            }
            Some(Scalar::Uuid(id)) if let Some(entity) = column.refers => {
                let table = entity.plural();
                let q = Query::new(format!(
                    "SELECT id FROM {table} WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL"
                ))
                .arg(tenant.0)
                .arg(*id);
                if tx.fetch_optional(&q).await?.is_none() {
                    let at = Some(At::field(column.name()));
                    return Err(StoreError::missing(Entity::Erp(entity), Lookup::Uuid(*id), at));
                }
            }
            Some(Scalar::Text(text)) if column.unique => {
                let mut q = Query::new(format!("SELECT id FROM {} WHERE tenant_id = ", collection.table));
                q.bind(tenant.0).push(&format!(" AND {name}_folded = ")).bind(fold(text));
                if let Some(own) = own {
                    q.push(" AND id <> ").bind(own);
                }
                if tx.fetch_optional(&q).await?.is_some() {
                    let entity = Entity::Collection(collection.kind);
                    return Err(StoreError::Taken { entity, field: Some(column.name()), value: Some(text.clone()) });
                }
            }
            _ => {}
        }
    }
    Ok(())
}
