//! Standstill holds: an open issue that causes a standstill puts its operation `on_hold`, and
//! the last one to close gives it back the status it had. Both happen in the transaction of the
//! issue's write, as derived changes.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use takt_domain::erp::ErpEntity;
use takt_domain::event::Change;
use takt_domain::shop_floor::Status;
use takt_domain::shop_floor::collection::Record;
use takt_domain::shop_floor::issue::{CLOSED, stands_still};
use takt_domain::shop_floor::time::whole_second;
use uuid::Uuid;

use super::time;
use crate::sql::{Query, RowExt, Tx, erp};
use crate::{StoreError, TenantId};

/// Holds or releases the operations of an issue that was written (`before` is none for a
/// create, `after` none for a delete); answers the changes that made.
pub async fn follow<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    before: Option<&Record>,
    after: Option<&Record>,
    at: DateTime<Utc>,
) -> Result<Vec<Change>, StoreError> {
    let standing = |issue: Option<&Record>| issue.filter(|i| stands_still(i)).and_then(|i| i.uuid("operation_id"));
    let (was, is) = (standing(before), standing(after));
    let mut changes = Vec::new();
    if let Some(operation) = was
        && was != is
        && open_standstills(tx, tenant, operation).await? == 0
    {
        changes.extend(release(tx, tenant, operation, at).await?);
    }
    if let Some(operation) = is
        && was != is
    {
        changes.extend(hold(tx, tenant, operation, at).await?);
    }
    Ok(changes)
}

/// How many issues of `operation` hold it now.
async fn open_standstills<T: Tx>(tx: &mut T, tenant: TenantId, operation: Uuid) -> Result<i64, StoreError> {
    let q = Query::new(
        "SELECT COUNT(*) FROM issues WHERE tenant_id = $1 AND operation_id = $2 AND causes_standstill = $3 \
         AND status <> $4",
    )
    .arg(tenant.0)
    .arg(operation)
    .arg(true)
    .arg(CLOSED);
    Ok(tx.fetch_optional(&q).await?.map(|row| row.get(0)).transpose()?.unwrap_or(0))
}

async fn operation_json<T: Tx>(tx: &mut T, tenant: TenantId, operation: Uuid) -> Result<serde_json::Value, StoreError> {
    let record = erp::get(tx, tenant, ErpEntity::Operation, operation)
        .await?
        .ok_or_else(|| StoreError::Internal("a held operation is gone".into()))?;
    Ok(serde_json::to_value(record).expect("records serialize"))
}

/// Puts `operation` on hold unless it is completed or held already, and closes its open time
/// entries.
async fn hold<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    operation: Uuid,
    at: DateTime<Utc>,
) -> Result<Vec<Change>, StoreError> {
    let q = Query::new(
        "UPDATE operations SET held_from = status, held_at = $1, status = $2, updated_at = $1 \
         WHERE tenant_id = $3 AND id = $4 AND held_from IS NULL AND status <> $5",
    )
    .arg(at)
    .arg(Status::OnHold.as_str())
    .arg(tenant.0)
    .arg(operation)
    .arg(Status::Completed.as_str());
    if tx.execute(&q).await? == 0 {
        return Ok(Vec::new());
    }
    let mut changes = Vec::new();
    for (before, after) in time::close_open(tx, tenant, operation, at).await? {
        let json = |entry| serde_json::to_value(entry).expect("time entries serialize");
        changes.extend(Change::updated("time_entry", after.id.to_string(), &json(&before), json(&after)));
    }
    let data = operation_json(tx, tenant, operation).await?;
    changes.insert(0, Change::happened("operation", "held", operation.to_string(), data));
    Ok(changes.into_iter().map(Change::derived).collect())
}

/// Gives a held `operation` back the status it had; if it was running, reopens a time entry for
/// each operator and time type whose entry the hold closed.
async fn release<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    operation: Uuid,
    at: DateTime<Utc>,
) -> Result<Vec<Change>, StoreError> {
    let q = Query::new(
        "SELECT held_from, held_at FROM operations WHERE tenant_id = $1 AND id = $2 AND held_from IS NOT NULL",
    )
    .arg(tenant.0)
    .arg(operation);
    let Some(row) = tx.fetch_optional(&q).await? else { return Ok(Vec::new()) };
    let (held_from, held_at): (String, DateTime<Utc>) = (row.get(0)?, row.get(1)?);
    let q = Query::new(
        "UPDATE operations SET status = held_from, held_from = NULL, held_at = NULL, updated_at = $1 \
         WHERE tenant_id = $2 AND id = $3",
    )
    .arg(at)
    .arg(tenant.0)
    .arg(operation);
    tx.execute(&q).await?;
    let data = operation_json(tx, tenant, operation).await?;
    let mut changes = vec![Change::happened("operation", "released", operation.to_string(), data)];
    if held_from == Status::InProgress.as_str() {
        let q = Query::new(
            "SELECT operator_id, time_type FROM time_entries WHERE tenant_id = $1 AND operation_id = $2 \
             AND end_time = $3",
        )
        .arg(tenant.0)
        .arg(operation)
        .arg(whole_second(held_at));
        let mut closed = BTreeSet::new();
        for row in tx.fetch_all(&q).await? {
            closed.insert((row.opt::<Uuid>(0)?, row.get::<String>(1)?));
        }
        for (operator, time_type) in closed {
            let entry = time::open(tx, tenant, operation, operator, &time_type, at).await?;
            let data = serde_json::to_value(&entry).expect("time entries serialize");
            changes.push(Change::created("time_entry", entry.id.to_string(), data));
        }
    }
    Ok(changes.into_iter().map(Change::derived).collect())
}
