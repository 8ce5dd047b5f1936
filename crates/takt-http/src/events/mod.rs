//! The event log over HTTP: the feed (`GET /api-events`) and the live stream
//! (`GET /api-events/stream`, Server-Sent Events).

mod feed;
mod query;
mod stream;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/api-events", get(feed::feed)).route("/api-events/stream", get(stream::stream))
}
