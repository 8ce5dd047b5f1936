//! `PATCH` (or `PUT`) and `DELETE` of one webhook, by `?id=` or `/{id}`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use takt_domain::error::Invalid;
use takt_domain::webhook::WebhookInput;

use super::{missing, query, webhook_id};
use crate::AppState;
use crate::auth::Caller;
use crate::body::JsonBody;
use crate::erp::responses::Success;
use crate::error::ApiError;
use crate::path::PathParam;

fn id_parameter(pairs: &[(String, String)]) -> Result<String, ApiError> {
    query::parse(pairs, &["id"])?.id.ok_or_else(|| ApiError::invalid(Invalid::one("id", "is required")))
}

pub async fn update_by_query(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Query(pairs): Query<Vec<(String, String)>>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    update(&state, &caller, &id_parameter(&pairs)?, &body).await
}

pub async fn update_by_path(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    update(&state, &caller, &id, &body).await
}

async fn update(state: &AppState, caller: &Caller, id: &str, body: &Value) -> Result<Response, ApiError> {
    let uuid = webhook_id(id)?;
    let input = WebhookInput::parse(body, false, state.config.webhook_allow_loopback)?;
    let webhook = state.app.update_webhook(caller.tenant, uuid, &input).await?.ok_or_else(|| missing(id))?;
    Ok(Json(Success::new(webhook)).into_response())
}

pub async fn delete_by_query(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    delete(&state, &caller, &id_parameter(&pairs)?).await
}

pub async fn delete_by_path(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Response, ApiError> {
    delete(&state, &caller, &id).await
}

async fn delete(state: &AppState, caller: &Caller, id: &str) -> Result<Response, ApiError> {
    let uuid = webhook_id(id)?;
    if !state.app.delete_webhook(caller.tenant, uuid).await? {
        return Err(missing(id));
    }
    Ok(Json(Success::new(json!({"id": uuid, "deleted": true}))).into_response())
}
