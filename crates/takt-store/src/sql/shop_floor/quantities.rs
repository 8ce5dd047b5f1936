//! The quantity ledger: entries are only ever appended (a correction appends a reversal), and
//! the operation's totals move with each entry in the same statement's transaction.

use chrono::{DateTime, Utc};
use takt_domain::shop_floor::quantity::{Quantities, QuantityEntry};
use uuid::Uuid;

use crate::sql::{DbError, Query, Row, RowExt, Tx};
use crate::{StoreError, TenantId};

/// The columns of an entry, in the order [`entry`] reads them.
pub(crate) const COLUMNS: &str =
    "id, operation_id, good, scrap, rework, scrap_reason, operator_id, material_lot, notes, reverses_id, created_at";

/// An entry from a row of [`COLUMNS`].
pub(crate) fn entry(row: &dyn Row) -> Result<QuantityEntry, DbError> {
    Ok(QuantityEntry {
        id: row.get(0)?,
        operation_id: row.get(1)?,
        good: row.get(2)?,
        scrap: row.get(3)?,
        rework: row.get(4)?,
        scrap_reason: row.opt(5)?,
        operator_id: row.opt(6)?,
        material_lot: row.opt(7)?,
        notes: row.opt(8)?,
        reverses_id: row.opt(9)?,
        created_at: row.get(10)?,
    })
}

/// Appends an entry to `operation`'s ledger and adds it to the operation's totals.
pub async fn append<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    operation: Uuid,
    quantities: &Quantities,
    operator: Option<Uuid>,
    reverses: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<QuantityEntry, StoreError> {
    let q = quantities;
    let mut insert = Query::new(
        "INSERT INTO operation_quantities (id, tenant_id, operation_id, good, scrap, rework, scrap_reason, \
         operator_id, material_lot, notes, reverses_id, created_at) VALUES (",
    );
    insert.bind_list([
        Uuid::now_v7().into(),
        tenant.0.into(),
        operation.into(),
        q.good.into(),
        q.scrap.into(),
        q.rework.into(),
        q.scrap_reason.as_ref().into(),
        operator.into(),
        q.material_lot.as_ref().into(),
        q.notes.as_ref().into(),
        reverses.into(),
        at.into(),
    ]);
    insert.push(&format!(") RETURNING {COLUMNS}"));
    let row =
        tx.fetch_optional(&insert).await?.ok_or_else(|| StoreError::Internal("an insert returned no row".into()))?;
    let mut totals = Query::new("UPDATE operations SET quantity_good = quantity_good + ");
    totals.bind(q.good).push(", quantity_scrap = quantity_scrap + ").bind(q.scrap);
    totals.push(", quantity_rework = quantity_rework + ").bind(q.rework).push(", updated_at = ").bind(at);
    totals.push(" WHERE tenant_id = ").bind(tenant.0).push(" AND id = ").bind(operation);
    tx.execute(&totals).await?;
    Ok(entry(&row)?)
}
