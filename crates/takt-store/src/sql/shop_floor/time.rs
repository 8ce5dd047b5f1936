//! Time entries: opened and closed by the lifecycle, and an operation's actual time kept as the
//! union of its closed entries.

use chrono::{DateTime, Utc};
use takt_domain::shop_floor::time::{TimeEntry, union_seconds, whole_second};
use uuid::Uuid;

use crate::sql::{DbError, Query, Row, RowExt, Tx};
use crate::{StoreError, TenantId};

/// The columns of a time entry, in the order [`entry`] reads them.
pub(crate) const COLUMNS: &str =
    "id, operation_id, operator_id, time_type, start_time, end_time, notes, created_at, updated_at";

/// A time entry from a row of [`COLUMNS`].
pub(crate) fn entry(row: &dyn Row) -> Result<TimeEntry, DbError> {
    Ok(TimeEntry {
        id: row.get(0)?,
        operation_id: row.get(1)?,
        operator_id: row.opt(2)?,
        time_type: row.get(3)?,
        start_time: row.get(4)?,
        end_time: row.opt(5)?,
        duration_seconds: None,
        duration: None,
        notes: row.opt(6)?,
        created_at: row.get(7)?,
        updated_at: row.get(8)?,
    }
    .with_durations())
}

/// Opens an entry on `operation` from `at` (cut to the second).
pub async fn open<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    operation: Uuid,
    operator: Option<Uuid>,
    time_type: &str,
    at: DateTime<Utc>,
) -> Result<TimeEntry, StoreError> {
    let mut q = Query::new(
        "INSERT INTO time_entries (id, tenant_id, operation_id, operator_id, time_type, start_time, created_at, \
         updated_at) VALUES (",
    );
    q.bind(Uuid::now_v7()).push(", ").bind(tenant.0).push(", ").bind(operation).push(", ").bind(operator);
    q.push(", ").bind(time_type).push(", ").bind(whole_second(at)).push(", ").bind(at).push(", ").bind(at);
    q.push(&format!(") RETURNING {COLUMNS}"));
    let row = tx.fetch_optional(&q).await?.ok_or_else(|| StoreError::Internal("an insert returned no row".into()))?;
    Ok(entry(&row)?)
}

/// Closes every open entry of `operation` at `at` and brings its actual time up to date;
/// answers each closed entry as it was and as it is.
pub async fn close_open<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    operation: Uuid,
    at: DateTime<Utc>,
) -> Result<Vec<(TimeEntry, TimeEntry)>, StoreError> {
    let mut q = Query::new("UPDATE time_entries SET end_time = ");
    q.bind(whole_second(at)).push(", updated_at = ").bind(at);
    q.push(" WHERE tenant_id = ").bind(tenant.0).push(" AND operation_id = ").bind(operation);
    q.push(&format!(" AND end_time IS NULL RETURNING {COLUMNS}"));
    let mut closed = Vec::new();
    for row in tx.fetch_all(&q).await? {
        let after = entry(&row)?;
        let before = TimeEntry { end_time: None, updated_at: after.created_at, ..after.clone() }.with_durations();
        closed.push((before, after));
    }
    closed.sort_by_key(|(_, after)| after.id);
    if !closed.is_empty() {
        refresh_actual_time(tx, tenant, operation).await?;
    }
    Ok(closed)
}

/// Sets `operation`'s `actual_time_seconds` to the length of the union of its closed entries.
pub async fn refresh_actual_time<T: Tx>(tx: &mut T, tenant: TenantId, operation: Uuid) -> Result<i64, StoreError> {
    let mut q = Query::new("SELECT start_time, end_time FROM time_entries WHERE tenant_id = ");
    q.bind(tenant.0).push(" AND operation_id = ").bind(operation).push(" AND end_time IS NOT NULL");
    let mut intervals = Vec::new();
    for row in tx.fetch_all(&q).await? {
        intervals.push((row.get::<DateTime<Utc>>(0)?, row.get::<DateTime<Utc>>(1)?));
    }
    let seconds = union_seconds(intervals);
    let mut q = Query::new("UPDATE operations SET actual_time_seconds = ");
    q.bind(seconds).push(" WHERE tenant_id = ").bind(tenant.0).push(" AND id = ").bind(operation);
    tx.execute(&q).await?;
    Ok(seconds)
}
