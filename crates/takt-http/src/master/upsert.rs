//! `PUT /api/{Entity}/Upsert`: create without `id` (`201`), update the given fields with `id`.

use axum::Json;
use axum::http::StatusCode;
use serde_json::Value;
use takt_domain::master_data::{EntitySpec, parse_upsert};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use takt_domain::master_data::render;

pub async fn upsert(
    state: &AppState,
    caller: Caller,
    spec: &'static EntitySpec,
    body: Value,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let metrics = state.app.metrics();
    let input = parse_upsert(spec, &body).inspect_err(|_| metrics.synced(spec.name, "error", 1))?;
    let (created, record) = state
        .app
        .master_upsert(caller.tenant, &caller.actor, spec.kind, &input)
        .await
        .inspect_err(|_| metrics.synced(spec.name, "error", 1))?;
    let (status, action) = if created { (StatusCode::CREATED, "created") } else { (StatusCode::OK, "updated") };
    metrics.synced(spec.name, action, 1);
    Ok((status, Json(render::record(&record))))
}
