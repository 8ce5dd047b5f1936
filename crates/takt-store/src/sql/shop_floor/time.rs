//! Time entries as the lifecycle opens and closes them, an operation's actual time kept as the
//! union of its closed entries, and an operator's labour as the union of theirs. Entries are
//! records of the [`TIME_ENTRIES`] collection, stored by its code.

use chrono::{DateTime, Utc};
use takt_domain::erp::ErpEntity;
use takt_domain::json::Scalar;
use takt_domain::shop_floor::collection::Record;
use takt_domain::shop_floor::time::{TIME_ENTRIES, interval, union_seconds, whole_second};
use uuid::Uuid;

use super::collection;
use crate::error::{At, Entity, Lookup};
use crate::sql::{Query, RowExt, Tx};
use crate::{StoreError, TenantId};

/// Opens an entry on `operation` from `at` (cut to the second).
pub async fn open<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    operation: Uuid,
    operator: Option<Uuid>,
    time_type: &str,
    at: DateTime<Utc>,
) -> Result<Record, StoreError> {
    let values = [
        ("operation_id", Some(Scalar::Uuid(operation))),
        ("operator_id", operator.map(Scalar::Uuid)),
        ("time_type", Some(Scalar::Text(time_type.to_owned()))),
        ("start_time", Some(Scalar::Timestamp(whole_second(at)))),
    ];
    collection::insert(tx, &TIME_ENTRIES, tenant, &values, at).await
}

/// Closes every open entry of `operation` at `at` and brings its actual time up to date;
/// answers each closed entry as it was and as it is, in the order they were opened.
pub async fn close_open<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    operation: Uuid,
    at: DateTime<Utc>,
) -> Result<Vec<(Record, Record)>, StoreError> {
    let mut q = Query::new("SELECT id FROM time_entries WHERE tenant_id = ");
    q.bind(tenant.0).push(" AND operation_id = ").bind(operation).push(" AND end_time IS NULL ORDER BY id");
    let ids: Vec<Uuid> = tx.fetch_all(&q).await?.iter().map(|row| row.get(0)).collect::<Result<_, _>>()?;
    let end = [("end_time", Some(Scalar::Timestamp(whole_second(at))))];
    let mut closed = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(before) = collection::get(tx, &TIME_ENTRIES, tenant, id).await? else { continue };
        let after = collection::update(tx, &TIME_ENTRIES, tenant, &before, &end, at).await?;
        closed.push((before, after));
    }
    if !closed.is_empty() {
        refresh_actual_time(tx, tenant, operation).await?;
    }
    Ok(closed)
}

/// Sets `operation`'s `actual_time_seconds` to the length of the union of its closed entries.
pub async fn refresh_actual_time<T: Tx>(tx: &mut T, tenant: TenantId, operation: Uuid) -> Result<i64, StoreError> {
    let mut q = Query::new("SELECT start_time, end_time FROM time_entries WHERE tenant_id = ");
    q.bind(tenant.0).push(" AND operation_id = ").bind(operation).push(" AND end_time IS NOT NULL");
    let (seconds, _) = union_of(tx, &q).await?;
    let mut q = Query::new("UPDATE operations SET actual_time_seconds = ");
    q.bind(seconds).push(" WHERE tenant_id = ").bind(tenant.0).push(" AND id = ").bind(operation);
    tx.execute(&q).await?;
    Ok(seconds)
}

/// An operator's labour: the length of the union of their closed entries that start in
/// `[from, before)` (either bound open when none), and how many entries that is.
pub async fn labour<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    operator: Uuid,
    from: Option<DateTime<Utc>>,
    before: Option<DateTime<Utc>>,
) -> Result<(i64, i64), StoreError> {
    let mut q = Query::new("SELECT start_time, end_time FROM time_entries WHERE tenant_id = ");
    q.bind(tenant.0).push(" AND operator_id = ").bind(operator).push(" AND end_time IS NOT NULL");
    if let Some(from) = from {
        q.push(" AND start_time >= ").bind(from);
    }
    if let Some(before) = before {
        q.push(" AND start_time < ").bind(before);
    }
    union_of(tx, &q).await
}

/// The length of the union of the `(start_time, end_time)` rows `q` selects, and how many.
async fn union_of<T: Tx>(tx: &mut T, q: &Query) -> Result<(i64, i64), StoreError> {
    let mut intervals = Vec::new();
    for row in tx.fetch_all(q).await? {
        intervals.push((row.get::<DateTime<Utc>>(0)?, row.get::<DateTime<Utc>>(1)?));
    }
    let count = intervals.len() as i64;
    Ok((union_seconds(intervals), count))
}

/// What a write of a time entry through its collection brings about: its end must not be
/// before its start, and the actual time of the operations it
/// moves (the one before and the one after: an entry may move) is brought up to date.
pub async fn follow<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    before: Option<&Record>,
    after: Option<&Record>,
) -> Result<(), StoreError> {
    if let Some((start, end)) = after.and_then(interval)
        && end < start
    {
        return Err(StoreError::invalid("end_time", "must not be before start_time"));
    }
    let mut operations: Vec<Uuid> =
        [before, after].into_iter().flatten().filter_map(|r| r.uuid("operation_id")).collect();
    operations.dedup();
    if before.map(interval) != after.map(interval) || operations.len() > 1 {
        for operation in operations {
            refresh_actual_time(tx, tenant, operation).await?;
        }
    }
    Ok(())
}

/// Whether `operator` is active, when it is one of the tenant's operators (not deleted);
/// refuses (`404` at `operator_id`) one that is not.
pub async fn operator_active<T: Tx>(tx: &mut T, tenant: TenantId, operator: Uuid) -> Result<bool, StoreError> {
    let mut q = Query::new("SELECT active FROM operators WHERE tenant_id = ");
    q.bind(tenant.0).push(" AND id = ").bind(operator).push(" AND deleted_at IS NULL");
    match tx.fetch_optional(&q).await? {
        Some(row) => Ok(row.get(0)?),
        None => Err(StoreError::missing(
            Entity::Erp(ErpEntity::Operator),
            Lookup::Uuid(operator),
            Some(At::field("operator_id")),
        )),
    }
}
