//! `PUT /api-{entity}/sync`: create or update one record. The answer is the seed's
//! (`action`, `id`, `external_id`) with the whole record under the entity's name (`"job": {...}`),
//! as the reference's newer clients read it.

use std::sync::Arc;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use takt_domain::erp::records::SyncAction;
use takt_domain::erp::{ErpEntity, headline, parse_sync};
use takt_domain::error::Path;

use super::responses::{Success, SyncAnswer};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

pub async fn sync(entity: ErpEntity, state: Arc<AppState>, caller: Caller, body: Value) -> Result<Response, ApiError> {
    let metrics = state.app.metrics();
    let input = parse_sync(entity, &body, Path::root()).map_err(|e| {
        metrics.synced(entity.plural(), "error", 1);
        ApiError::invalid_with(headline(&e), e)
    })?;
    let (outcome, record) = state.app.sync(caller.tenant, &caller.actor, &input).await.inspect_err(|_| {
        metrics.synced(entity.plural(), "error", 1);
    })?;
    let (status, action) = match outcome.action {
        SyncAction::Created => (StatusCode::CREATED, "created"),
        SyncAction::Updated => (StatusCode::OK, "updated"),
    };
    metrics.synced(entity.plural(), action, 1);
    let answer = SyncAnswer { outcome, record: [(entity.singular(), record)].into_iter().collect() };
    Ok((status, Json(Success::new(answer))).into_response())
}
