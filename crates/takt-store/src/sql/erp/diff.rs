//! What a bulk sync would do, record by record: each record is written in a savepoint of its
//! own, exactly as the sync writes it, so that its changes are its own; the caller rolls the
//! whole transaction back.

use chrono::{DateTime, Utc};

use super::fatal;
use super::write::{CellCache, write};
use crate::sql::{Tx, savepoint};
use crate::{BulkItem, BulkResult, DiffLine, StoreError, TenantId};

/// Applies each record in order (each sees the ones before it, as in a bulk sync) and answers
/// what each did. Run it only in a transaction that is rolled back.
pub async fn rehearse_bulk<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    items: &[BulkItem],
    at: DateTime<Utc>,
) -> Result<Vec<DiffLine>, StoreError> {
    tx.lock_tenant(tenant.0).await?;
    let mut cells = CellCache::default();
    let mut lines = Vec::with_capacity(items.len());
    for item in items {
        let input = match item {
            BulkItem::Valid(input) => input,
            BulkItem::Invalid { external_id, error } => {
                let result = BulkResult::Refused { external_id: external_id.clone(), error: error.clone() };
                lines.push(DiffLine { result, changes: Vec::new() });
                continue;
            }
        };
        savepoint(tx, "SAVEPOINT", "diff_record").await?;
        let line = match write(tx, tenant, &[input], at, &mut cells).await {
            Ok(mut applied) => {
                savepoint(tx, "RELEASE SAVEPOINT", "diff_record").await?;
                DiffLine { result: BulkResult::Synced(applied.outcomes.remove(0)), changes: applied.changes }
            }
            Err(error) if fatal(&error) => return Err(error),
            Err(error) => {
                savepoint(tx, "ROLLBACK TO SAVEPOINT", "diff_record").await?;
                savepoint(tx, "RELEASE SAVEPOINT", "diff_record").await?;
                let external_id = Some(input.key().external_id.clone());
                DiffLine { result: BulkResult::Failed { external_id, error }, changes: Vec::new() }
            }
        };
        lines.push(line);
    }
    Ok(lines)
}
