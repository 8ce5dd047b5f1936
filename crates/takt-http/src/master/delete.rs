//! `DELETE /api/{Entity}/Delete`: `{"id": n}`; only a record nothing uses. Answers with the
//! deleted record.

use axum::Json;
use serde_json::Value;
use takt_domain::master_data::{EntitySpec, parse_delete};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use takt_domain::master_data::render;

pub async fn delete(
    state: &AppState,
    caller: Caller,
    spec: &'static EntitySpec,
    body: Value,
) -> Result<Json<Value>, ApiError> {
    let id = parse_delete(&body)?;
    let record = state.app.master_delete(caller.tenant, &caller.actor, spec.kind, id).await?;
    Ok(Json(render::record(&record)))
}
