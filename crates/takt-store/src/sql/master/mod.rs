//! The master-data API in SQL: one generic mechanism for all sixteen entities, driven by their
//! descriptions ([`EntitySpec`]). The entry points are here; each step of a read, a write or a
//! delete has a file of its own.

mod delete;
mod list;
mod merge;
mod properties;
mod resolve;
mod select;
mod state;
mod unique;
mod write;

use chrono::{DateTime, Utc};
use takt_domain::error::Invalid;
use takt_domain::master_data::{EntitySpec, ListQuery, Record, UpsertInput, rules};

use super::{Query, Tx};
use crate::error::{Entity, Lookup};
use crate::{StoreError, TenantId};

fn not_found(spec: &EntitySpec, id: i64) -> StoreError {
    StoreError::missing(Entity::Master(spec.kind), Lookup::Id(id), None)
}

/// Loads one record of this tenant by id.
pub async fn load<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    id: i64,
) -> Result<Option<Record>, StoreError> {
    let q =
        Query::new(format!("{} WHERE t.tenant_id = $1 AND t.id = $2", select::select_sql(spec))).arg(tenant.0).arg(id);
    Ok(select::fetch_records(tx, tenant, spec, &q).await?.pop())
}

pub async fn list<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    query: &ListQuery,
) -> Result<Vec<Record>, StoreError> {
    select::fetch_records(tx, tenant, spec, &list::query(tenant, spec, query)).await
}

/// Creates or updates a record, with every rule checked before anything is written.
pub async fn upsert<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &'static EntitySpec,
    input: &UpsertInput,
    at: DateTime<Utc>,
) -> Result<(bool, Record), StoreError> {
    let existing = match input.id {
        Some(id) => {
            write::lock(tx, tenant, spec, id).await?;
            Some(load(tx, tenant, spec, id).await?.ok_or_else(|| not_found(spec, id))?)
        }
        None => None,
    };
    let source = merge::source(tx, tenant, input).await?;
    let given = resolve::given(tx, tenant, spec, &input.values).await?;
    let values = merge::values(spec, existing.as_ref(), source.as_ref(), &given);

    let mut errors = if existing.is_none() { rules::missing_required(spec, &values) } else { Vec::new() };
    errors.extend(rules::check_record(spec, &values));
    if !errors.is_empty() {
        return Err(StoreError::Invalid(Invalid(errors)));
    }
    state::check(tx, tenant, spec, existing.as_ref(), &values, &given).await?;
    unique::check(tx, tenant, spec, existing.as_ref().map(|r| r.id), &values).await?;

    let id = match &existing {
        Some(record) => {
            write::update(tx, tenant, spec, record.id, &given, at).await?;
            record.id
        }
        None => write::insert(tx, tenant, spec, &values, at).await?,
    };
    if let Some(properties) = merge::properties(input, source.as_ref(), existing.as_ref()) {
        properties::write(tx, tenant, spec, id, properties).await?;
    }
    let record =
        load(tx, tenant, spec, id).await?.ok_or_else(|| StoreError::Internal("a written record vanished".into()))?;
    Ok((existing.is_none(), record))
}

/// Deletes a record that nothing uses.
pub async fn delete<T: Tx>(tx: &mut T, tenant: TenantId, spec: &EntitySpec, id: i64) -> Result<Record, StoreError> {
    write::lock(tx, tenant, spec, id).await?;
    let record = load(tx, tenant, spec, id).await?.ok_or_else(|| not_found(spec, id))?;
    delete::check(tx, tenant, spec, &record).await?;
    delete::remove(tx, tenant, spec, &record).await?;
    Ok(record)
}
