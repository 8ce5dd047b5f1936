//! The ERP sync API in SQL. A sync is one upsert per table on the sync key (a job with its parts
//! and their operations is three statements, all or nothing). A bulk request applies its records
//! in runs of up to 100, each run in one savepoint; a run that fails is applied again record by
//! record, each in its own savepoint, so that only the bad records fail.

mod diff;
mod flat;
mod manage;
mod read;
mod resolve;
pub(super) mod tables;
mod upsert;
mod write;

pub use diff::rehearse_bulk;
pub use manage::{create, delete};
pub(crate) use read::by_ids;
pub use read::{get, list};

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use takt_domain::erp::records::{ErpRecord, SyncAction, SyncOutcome};
use takt_domain::erp::{PartInput, SyncInput, SyncKey};
use takt_domain::event::Change;
use write::{Applied, CellCache, write};

use crate::sql::{Tx, savepoint};
use crate::{BulkItem, BulkResult, StoreError, TenantId};

/// The most records, and the most rows (records with their nested children), of one run.
const RUN_RECORDS: usize = 100;
const RUN_ROWS: usize = 2_000;

/// Applies one sync request; answers its outcome, the record as it now is (as [`get`] answers
/// it) and the changes it made (a record that already held every value given changes nothing
/// and is not written).
pub async fn apply<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    input: &SyncInput,
    at: DateTime<Utc>,
) -> Result<(SyncOutcome, ErpRecord, Vec<Change>), StoreError> {
    tx.lock_tenant(tenant.0).await?;
    let applied = write(tx, tenant, &[input], at, &mut CellCache::default()).await?;
    the_one(tx, tenant, input, applied).await
}

/// What a write of one record answers: its outcome, the record as [`get`] answers it (the copy
/// the write read back for its events, with its children, or read anew when it was unchanged),
/// and the changes. A record the write created has only the children it nests, so a new one
/// that nests none is not asked for them.
async fn the_one<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    input: &SyncInput,
    mut applied: Applied,
) -> Result<(SyncOutcome, ErpRecord, Vec<Change>), StoreError> {
    let outcome = applied.outcomes.remove(0);
    let entity = input.entity();
    let nests_nothing = match input {
        SyncInput::Job(job) => job.parts.is_empty(),
        SyncInput::Part(part) => part.operations.is_empty(),
        _ => true,
    };
    let record = match applied.changed.get_mut(&entity).and_then(|records| records.remove(&outcome.id)) {
        Some(record) if outcome.action == SyncAction::Created && nests_nothing => read::childless(record),
        Some(record) => read::with_children(tx, tenant, record).await?,
        None => get(tx, tenant, entity, outcome.id)
            .await?
            .ok_or_else(|| StoreError::Internal("a written record is gone".to_owned()))?,
    };
    Ok((outcome, record, applied.changes))
}

/// Applies the records of a bulk request in order, each atomically; one bad record fails alone.
/// Answers each record's result and the changes of the records that were applied, in order.
pub async fn apply_bulk<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    items: &[BulkItem],
    at: DateTime<Utc>,
) -> Result<(Vec<BulkResult>, Vec<Change>), StoreError> {
    tx.lock_tenant(tenant.0).await?;
    let mut cells = CellCache::default();
    let mut changes = Vec::new();
    let mut results: Vec<Option<BulkResult>> = vec![None; items.len()];
    let mut run = Run::default();
    for (index, item) in items.iter().enumerate() {
        let input = match item {
            BulkItem::Valid(input) => input,
            BulkItem::Invalid { external_id, error } => {
                results[index] = Some(BulkResult::Refused { external_id: external_id.clone(), error: error.clone() });
                continue;
            }
        };
        let keys = sync_keys(input);
        if !run.takes(&keys) {
            apply_run(tx, tenant, &run.records, at, &mut cells, &mut results, &mut changes).await?;
            run = Run::default();
        }
        run.add(index, input, keys);
    }
    apply_run(tx, tenant, &run.records, at, &mut cells, &mut results, &mut changes).await?;
    Ok((results.into_iter().map(|r| r.expect("every record has a result")).collect(), changes))
}

/// Consecutive records applied together; no sync key appears twice in one run, so that a
/// repeated record is applied after the first.
#[derive(Default)]
struct Run<'a> {
    records: Vec<(usize, &'a SyncInput)>,
    keys: HashSet<(&'static str, &'a SyncKey)>,
}

impl<'a> Run<'a> {
    fn takes(&self, keys: &[(&'static str, &'a SyncKey)]) -> bool {
        self.records.is_empty()
            || (self.records.len() < RUN_RECORDS
                && self.keys.len() + keys.len() <= RUN_ROWS
                && !keys.iter().any(|k| self.keys.contains(k)))
    }

    fn add(&mut self, index: usize, input: &'a SyncInput, keys: Vec<(&'static str, &'a SyncKey)>) {
        self.records.push((index, input));
        self.keys.extend(keys);
    }
}

/// Every sync key a record writes, with its table: its own, and its nested children's.
fn sync_keys(input: &SyncInput) -> Vec<(&'static str, &SyncKey)> {
    let mut keys = Vec::new();
    match input {
        SyncInput::Cell(cell) => keys.push(("cells", &cell.key)),
        SyncInput::Resource(resource) => keys.push(("resources", &resource.key)),
        SyncInput::Operator(operator) => keys.push(("operators", &operator.key)),
        SyncInput::Job(job) => {
            keys.push(("jobs", &job.key));
            for part in &job.parts {
                part_keys(part, &mut keys);
            }
        }
        SyncInput::Part(part) => part_keys(part, &mut keys),
        SyncInput::Operation(operation) => keys.push(("operations", &operation.key)),
    }
    keys
}

fn part_keys<'a>(part: &'a PartInput, keys: &mut Vec<(&'static str, &'a SyncKey)>) {
    keys.push(("parts", &part.key));
    keys.extend(part.operations.iter().map(|o| ("operations", &o.key)));
}

/// Errors that end the whole request rather than one record.
fn fatal(error: &StoreError) -> bool {
    matches!(error, StoreError::Busy(_) | StoreError::Unavailable(_) | StoreError::Internal(_))
}

/// Applies a run in one go; if it fails, applies its records one by one.
async fn apply_run<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    records: &[(usize, &SyncInput)],
    at: DateTime<Utc>,
    cells: &mut CellCache,
    results: &mut [Option<BulkResult>],
    changes: &mut Vec<Change>,
) -> Result<(), StoreError> {
    if records.len() > 1 {
        savepoint(tx, "SAVEPOINT", "bulk_run").await?;
        let inputs: Vec<&SyncInput> = records.iter().map(|(_, input)| *input).collect();
        match write(tx, tenant, &inputs, at, cells).await {
            Ok(applied) => {
                savepoint(tx, "RELEASE SAVEPOINT", "bulk_run").await?;
                changes.extend(applied.changes);
                for ((index, _), outcome) in records.iter().zip(applied.outcomes) {
                    results[*index] = Some(BulkResult::Synced(outcome));
                }
                return Ok(());
            }
            Err(error) if fatal(&error) => return Err(error),
            Err(_) => {
                savepoint(tx, "ROLLBACK TO SAVEPOINT", "bulk_run").await?;
                savepoint(tx, "RELEASE SAVEPOINT", "bulk_run").await?;
            }
        }
    }
    for (index, input) in records {
        savepoint(tx, "SAVEPOINT", "bulk_record").await?;
        results[*index] = Some(match write(tx, tenant, &[*input], at, cells).await {
            Ok(mut applied) => {
                savepoint(tx, "RELEASE SAVEPOINT", "bulk_record").await?;
                changes.extend(applied.changes);
                BulkResult::Synced(applied.outcomes.remove(0))
            }
            Err(error) if fatal(&error) => return Err(error),
            Err(error) => {
                savepoint(tx, "ROLLBACK TO SAVEPOINT", "bulk_record").await?;
                savepoint(tx, "RELEASE SAVEPOINT", "bulk_record").await?;
                BulkResult::Failed { external_id: Some(input.key().external_id.clone()), error }
            }
        });
    }
    Ok(())
}
