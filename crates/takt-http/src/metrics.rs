//! `GET /metrics` (open to all, like `/health`) and the layer that counts every request by its
//! route's template and status, with its latency.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// What requests that matched no route are counted under (their paths could be anything).
const UNMATCHED: &str = "unmatched";

/// Records each request once answered: method, route template, status, latency.
pub async fn track(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|path| path.as_str().to_owned());
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let route = route.as_deref().unwrap_or(UNMATCHED);
    state.app.metrics().request(method, route, response.status().as_u16(), started.elapsed());
    response
}

/// The method, from the few HTTP has (anything else is `other`, so that clients cannot add
/// series).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// `GET /metrics`
pub async fn serve(State(state): State<Arc<AppState>>) -> Response {
    let body = state.app.render_metrics().await;
    let content_type = HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8");
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}
