//! The shop floor over HTTP (SPEC section 7), on the reference's paths: the lifecycle of
//! operations and jobs, a cell's dispatch queue.

mod lifecycle;
mod params;
mod queue;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// The lifecycle and the queue.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api-operation-lifecycle/{action}", post(lifecycle::operation))
        .route("/api-job-lifecycle/{action}", post(lifecycle::job))
        .route("/api-cells/queue", get(queue::by_query))
        .route("/api-cells/{id}/queue", get(queue::by_path))
}
