//! The quantity ledger: entries are only ever appended (a correction appends a reversal), and
//! the operation's totals move with each entry in the same transaction. Entries are records of
//! the [`QUANTITIES`] collection, stored by its code.

use chrono::{DateTime, Utc};
use takt_domain::json::Scalar;
use takt_domain::shop_floor::collection::Record;
use takt_domain::shop_floor::quantity::{QUANTITIES, Quantities, counts, reversal};
use uuid::Uuid;

use super::collection;
use crate::error::{Entity, Lookup};
use crate::sql::{Query, Tx};
use crate::{StoreError, TenantId};

/// Appends the entry of `values` (its `operation_id` among them) and adds it to the
/// operation's totals.
pub async fn append<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    values: &[(&'static str, Option<Scalar>)],
    at: DateTime<Utc>,
) -> Result<Record, StoreError> {
    let entry = collection::insert(tx, &QUANTITIES, tenant, values, at).await?;
    let operation =
        entry.uuid("operation_id").ok_or_else(|| StoreError::Internal("an entry without operation".into()))?;
    let (good, scrap, rework) = counts(&entry);
    let mut totals = Query::new("UPDATE operations SET quantity_good = quantity_good + ");
    totals.bind(good).push(", quantity_scrap = quantity_scrap + ").bind(scrap);
    totals.push(", quantity_rework = quantity_rework + ").bind(rework).push(", updated_at = ").bind(at);
    totals.push(" WHERE tenant_id = ").bind(tenant.0).push(" AND id = ").bind(operation);
    tx.execute(&totals).await?;
    Ok(entry)
}

/// Appends the pieces a `complete` reports on `operation`.
pub async fn report<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    operation: Uuid,
    pieces: &Quantities,
    operator: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<Record, StoreError> {
    let mut values = pieces.values();
    values.push(("operation_id", Some(Scalar::Uuid(operation))));
    values.push(("operator_id", operator.map(Scalar::Uuid)));
    append(tx, tenant, &values, at).await
}

/// Corrects `entry`: appends its reversal, then the entry as `values` change it; answers both.
pub async fn correct<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    entry: &Record,
    values: &[(&'static str, Option<Scalar>)],
    at: DateTime<Utc>,
) -> Result<(Record, Record), StoreError> {
    let reversed = reverse(tx, tenant, entry, at).await?;
    let mut corrected: Vec<(&'static str, Option<Scalar>)> =
        entry.values.iter().filter(|(name, _)| *name != "reverses_id").cloned().collect();
    for (name, value) in values {
        corrected.retain(|(n, _)| n != name);
        corrected.push((name, value.clone()));
    }
    Ok((reversed, append(tx, tenant, &corrected, at).await?))
}

/// Appends the entry that cancels `entry`; refuses a reversal, and an entry reversed already.
pub async fn reverse<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    entry: &Record,
    at: DateTime<Utc>,
) -> Result<Record, StoreError> {
    if entry.uuid("reverses_id").is_some() {
        return Err(StoreError::Ledger { id: entry.id, reason: "it is a reversal itself" });
    }
    let mut q = Query::new("SELECT id FROM operation_quantities WHERE tenant_id = ");
    q.bind(tenant.0).push(" AND reverses_id = ").bind(entry.id);
    if tx.fetch_optional(&q).await?.is_some() {
        return Err(StoreError::Ledger { id: entry.id, reason: "it was reversed already" });
    }
    append(tx, tenant, &reversal(entry), at).await
}

/// The entry `id`, or the fact that the tenant has none.
pub async fn find<T: Tx>(tx: &mut T, tenant: TenantId, id: Uuid) -> Result<Record, StoreError> {
    collection::get(tx, &QUANTITIES, tenant, id)
        .await?
        .ok_or_else(|| StoreError::missing(Entity::Collection(QUANTITIES.kind), Lookup::Uuid(id), None))
}
