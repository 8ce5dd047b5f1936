//! `POST /api-webhooks/{id}/rotate-secret` (a new secret; the old one signs too for 24 hours)
//! and `POST /api-webhooks/{id}/replay?after=SEQ` (every matching event after `after` again).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};
use takt_domain::error::Invalid;
use takt_domain::webhook::with_secret;

use super::{missing, query, webhook_id};
use crate::AppState;
use crate::auth::Caller;
use crate::erp::responses::Success;
use crate::error::ApiError;
use crate::path::PathParam;

pub async fn rotate(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<Success<Value>>, ApiError> {
    let uuid = webhook_id(&id)?;
    let (webhook, secret) = state.app.rotate_webhook_secret(caller.tenant, uuid).await?.ok_or_else(|| missing(&id))?;
    Ok(Json(Success::new(with_secret(&webhook, &secret))))
}

pub async fn replay(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<Success<Value>>, ApiError> {
    let uuid = webhook_id(&id)?;
    let after = query::parse(&pairs, &["after"])?
        .after
        .ok_or_else(|| ApiError::invalid(Invalid::one("after", "is required: replay the events after this seq")))?;
    let queued = state.app.replay_webhook(caller.tenant, uuid, after).await?.ok_or_else(|| missing(&id))?;
    Ok(Json(Success::new(json!({"webhook_id": uuid, "after": after, "queued": queued}))))
}
