//! `POST /api-webhooks`: a new webhook, answered with its signing secret (shown only now).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;
use takt_domain::webhook::{WebhookInput, with_secret};

use crate::AppState;
use crate::auth::Caller;
use crate::body::JsonBody;
use crate::erp::responses::Success;
use crate::error::ApiError;

pub async fn create(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Success<Value>>), ApiError> {
    let input = WebhookInput::parse(&body, true, state.config.webhook_allow_loopback)?;
    let (webhook, secret) = state.app.create_webhook(caller.tenant, &input).await?;
    Ok((StatusCode::CREATED, Json(Success::new(with_secret(&webhook, &secret)))))
}
