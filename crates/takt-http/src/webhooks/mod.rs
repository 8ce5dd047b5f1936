//! Webhooks over HTTP: `/api-webhooks` (create, list, read, change, delete, rotate the secret,
//! replay) and the delivery log `/api-webhook-logs`. A webhook is read, changed and deleted by
//! `?id=` or by `/{id}`.

mod change;
mod create;
mod list;
mod logs;
mod query;
mod secret;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/api-webhooks",
            get(list::list)
                .post(create::create)
                .patch(change::update_by_query)
                .put(change::update_by_query)
                .delete(change::delete_by_query),
        )
        .route(
            "/api-webhooks/{id}",
            get(list::get_by_path)
                .patch(change::update_by_path)
                .put(change::update_by_path)
                .delete(change::delete_by_path),
        )
        .route("/api-webhooks/{id}/rotate-secret", post(secret::rotate))
        .route("/api-webhooks/{id}/replay", post(secret::replay))
        .route("/api-webhook-logs", get(logs::logs))
}

/// A webhook id as given; anything that is not one of this tenant's webhooks is `404`.
fn webhook_id(text: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(text.trim()).map_err(|_| missing(text))
}

fn missing(id: &str) -> ApiError {
    ApiError::not_found(format!("no webhook with id '{id}'"))
}
