//! `GET /api-webhooks` (filter `active`, pages; `?id=` reads one) and `GET /api-webhooks/{id}`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{missing, query, webhook_id};
use crate::AppState;
use crate::auth::Caller;
use crate::erp::responses::{Pagination, Success};
use crate::error::ApiError;
use crate::path::PathParam;

pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = query::parse(&pairs, &["id", "active", "limit", "offset"])?;
    if let Some(id) = params.id {
        return get(&state, &caller, &id).await;
    }
    let page = state.app.list_webhooks(caller.tenant, params.active, params.limit, params.offset).await?;
    let pagination = Pagination { total: page.total, offset: params.offset, limit: params.limit };
    Ok(Json(Success::new(json!({"webhooks": page.items, "pagination": pagination}))).into_response())
}

pub async fn get_by_path(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Response, ApiError> {
    get(&state, &caller, &id).await
}

async fn get(state: &AppState, caller: &Caller, id: &str) -> Result<Response, ApiError> {
    let webhook = state.app.get_webhook(caller.tenant, webhook_id(id)?).await?.ok_or_else(|| missing(id))?;
    Ok(Json(Success::new(webhook)).into_response())
}
