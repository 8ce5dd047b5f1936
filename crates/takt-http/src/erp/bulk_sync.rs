//! `POST /api-{entity}/bulk-sync`: up to 1000 records, each applied on its own, results in
//! request order (the seed's shape), or, for a body under `items`, the newer clients' `results`
//! object.

use std::sync::Arc;

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use takt_domain::erp::records::SyncAction;
use takt_domain::erp::{ErpEntity, MAX_BULK_RECORDS, bulk_records, external_id_of, headline, parse_sync};
use takt_domain::error::Path;
use takt_store::{BulkItem, BulkResult};

use super::responses::{BulkLine, BulkSummary, ErrorAction, ItemsSummary, Success};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::wording;

/// The body's field that the reference's newer clients send their records under; they read
/// the answer's `results` as an object of counts and errors.
const ITEMS: &str = "items";

/// The records of a bulk body, each parsed on its own; more than 1000 are refused whole.
pub(super) fn bulk_items(entity: ErpEntity, body: &Value) -> Result<Vec<BulkItem>, ApiError> {
    let records = bulk_records(entity, body)?;
    if records.len() > MAX_BULK_RECORDS {
        return Err(ApiError::too_large(format!(
            "a bulk request takes at most {MAX_BULK_RECORDS} records and this one has {}; nothing was written",
            records.len()
        )));
    }
    Ok(records
        .iter()
        .map(|record| match parse_sync(entity, record, Path::root()) {
            Ok(input) => BulkItem::Valid(input),
            Err(invalid) => {
                BulkItem::Invalid { external_id: external_id_of(record).map(str::to_owned), error: invalid }
            }
        })
        .collect())
}

pub async fn bulk_sync(
    entity: ErpEntity,
    state: Arc<AppState>,
    caller: Caller,
    body: Value,
) -> Result<Response, ApiError> {
    let items = bulk_items(entity, &body)?;
    let metrics = state.app.metrics();
    let results = state.app.bulk_sync(caller.tenant, &caller.actor, &items).await.inspect_err(|_| {
        metrics.synced(entity.plural(), "error", items.len() as u64);
    })?;
    let mut summary = BulkSummary { total: results.len(), created: 0, updated: 0, errors: 0, results: Vec::new() };
    for result in results {
        summary.results.push(match result {
            BulkResult::Synced(outcome) => {
                match outcome.action {
                    SyncAction::Created => summary.created += 1,
                    SyncAction::Updated => summary.updated += 1,
                }
                BulkLine::from(outcome)
            }
            BulkResult::Refused { external_id, error } => {
                summary.errors += 1;
                BulkLine::Failed { external_id, action: ErrorAction::Error, error: headline(&error) }
            }
            BulkResult::Failed { external_id, error } => {
                summary.errors += 1;
                BulkLine::Failed { external_id, action: ErrorAction::Error, error: wording::summary(&error) }
            }
        });
    }
    metrics.synced(entity.plural(), "created", summary.created as u64);
    metrics.synced(entity.plural(), "updated", summary.updated as u64);
    metrics.synced(entity.plural(), "error", summary.errors as u64);
    if body.get(ITEMS).is_some() {
        return Ok(Json(Success::new(ItemsSummary::from(summary))).into_response());
    }
    Ok(Json(Success::new(summary)).into_response())
}
