//! `GET /health`: open to all; checks that the database answers.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::AppState;

pub async fn health(State(state): State<Arc<AppState>>) -> (StatusCode, Json<Value>) {
    let backend = state.app.backend();
    match state.app.ping().await {
        Ok(()) => {
            (StatusCode::OK, Json(json!({"status": "ok", "database": backend, "version": env!("CARGO_PKG_VERSION")})))
        }
        Err(error) => {
            tracing::error!(%error, "health check: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "database": backend, "version": env!("CARGO_PKG_VERSION")})),
            )
        }
    }
}
