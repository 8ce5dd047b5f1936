//! `PUT /api-{collection}/sync`: create or update the record synced under `(external_source,
//! external_id)`, answered as `PUT /api-cells/sync` is: `action`, `id`, `external_id` and the
//! record under the collection's entity name (`"scrap_reason": {...}`).

use std::sync::Arc;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use takt_domain::erp::headline;
use takt_domain::erp::records::SyncAction;
use takt_domain::shop_floor::collection::{Collection, Mode, parse};

use crate::AppState;
use crate::auth::Caller;
use crate::erp::responses::Success;
use crate::error::ApiError;

pub async fn sync(
    records: &'static Collection,
    state: Arc<AppState>,
    caller: Caller,
    body: Value,
) -> Result<Response, ApiError> {
    let metrics = state.app.metrics();
    let input = parse(records, &body, Mode::Sync).map_err(|e| {
        metrics.synced(records.plural, "error", 1);
        ApiError::invalid_with(headline(&e), e)
    })?;
    let (action, record) = state
        .app
        .sync_record(caller.tenant, &caller.actor, records, &input)
        .await
        .inspect_err(|_| metrics.synced(records.plural, "error", 1))?;
    let (status, counted) = match action {
        SyncAction::Created => (StatusCode::CREATED, "created"),
        SyncAction::Updated => (StatusCode::OK, "updated"),
    };
    metrics.synced(records.plural, counted, 1);
    let mut data = Map::new();
    data.insert("action".to_owned(), json!(action));
    data.insert("id".to_owned(), json!(record.id));
    data.insert("external_id".to_owned(), json!(record.text("external_id")));
    data.insert(records.entity.to_owned(), record.to_json());
    Ok((status, Json(Success::new(Value::Object(data)))).into_response())
}
