//! The shop floor over HTTP (SPEC section 7), on the reference's paths: the lifecycle of
//! operations and jobs.

mod lifecycle;

use std::sync::Arc;

use axum::Router;
use axum::routing::post;

use crate::AppState;

pub fn lifecycle_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api-operation-lifecycle/{action}", post(lifecycle::operation))
        .route("/api-job-lifecycle/{action}", post(lifecycle::job))
}
