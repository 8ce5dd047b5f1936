//! `POST /api/{Entity}/List`: records matching every filter, `[]` when none do.

use axum::Json;
use serde_json::Value;
use takt_domain::master_data::{EntitySpec, parse_list};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use takt_domain::master_data::render;

pub async fn list(
    state: &AppState,
    caller: Caller,
    spec: &'static EntitySpec,
    body: Option<Value>,
) -> Result<Json<Value>, ApiError> {
    let query = parse_list(spec, body.as_ref())?;
    let records = state.app.master_list(caller.tenant, spec.kind, &query).await?;
    Ok(Json(Value::Array(records.iter().map(render::record).collect())))
}
