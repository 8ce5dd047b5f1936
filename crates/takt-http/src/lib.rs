//! Takt's HTTP layer: the ERP sync dialect ([`erp`]), the master-data dialect ([`master`]),
//! and what both share: keys and rate limits ([`auth`]), JSON bodies ([`body`]; gzip decoded,
//! kept to a pace), the error
//! envelope ([`error`]), request logs and metrics, `/health`, `/metrics`, `/openapi.json` and the
//! API reference at `/docs`; and the operator terminal and plant board (`terminal`), which are
//! pages, not API.

pub mod auth;
pub mod body;
mod cors;
mod docs;
mod encoding;
mod erp;
pub mod error;
mod events;
mod health;
mod idempotency;
mod master;
mod metrics;
pub mod openapi;
mod pace;
mod path;
mod shop_floor;
mod terminal;
mod webhooks;
pub mod wording;

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use takt_app::Service;
use takt_domain::rate_limit::RatePolicy;
use takt_domain::webhook::RetrySchedule;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::ApiError;

/// The header that carries a request's id.
const REQUEST_ID: &str = "x-request-id";

/// How the server behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Requests per minute per API key.
    pub rate_limit: RatePolicy,
    /// The largest request body, in bytes.
    pub body_limit: usize,
    /// How long events are kept; older ones are pruned by the server.
    pub event_retention: Duration,
    /// How often an idle event stream sends a comment line, so that proxies keep it open.
    pub stream_keep_alive: Duration,
    /// The delays between the attempts of a webhook delivery.
    pub webhook_retry_schedule: Vec<Duration>,
    /// Whether webhooks may call loopback addresses (link-local and metadata ones never).
    pub webhook_allow_loopback: bool,
    /// A webhook whose deliveries have all failed for this long is switched off.
    pub webhook_disable_after: Duration,
    /// How long clients may take, and how many connections they may hold.
    pub limits: Limits,
    /// The browser origins whose pages may call the API (`*` for any); none answers no CORS
    /// preflight.
    pub cors_origins: Vec<String>,
    /// How long an operator stays signed in at the terminal: a shift.
    pub terminal_session: Duration,
}

/// What the server grants a client's connection (SPEC section 10, "Connections").
#[derive(Debug, Clone)]
pub struct Limits {
    /// A request's headers must all arrive within this, from the connection's start (or, on a
    /// kept-alive connection, from the request's first byte).
    pub header_timeout: Duration,
    /// A body must arrive within this, plus one second per `body_min_rate` bytes received.
    pub body_timeout: Duration,
    /// The slowest pace a body may keep after `body_timeout`, in bytes a second.
    pub body_min_rate: u32,
    /// A kept-alive connection with no request for this long is closed.
    pub idle_timeout: Duration,
    /// The most connections open at once; more are closed as soon as they are accepted.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            body_min_rate: 4096,
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rate_limit: RatePolicy { per_minute: 600 },
            body_limit: 16 * 1024 * 1024,
            event_retention: Duration::from_secs(30 * 24 * 3600),
            stream_keep_alive: Duration::from_secs(15),
            webhook_retry_schedule: RetrySchedule::default().steps().to_vec(),
            webhook_allow_loopback: false,
            webhook_disable_after: Duration::from_secs(5 * 24 * 3600),
            limits: Limits::default(),
            cors_origins: Vec::new(),
            terminal_session: Duration::from_secs(12 * 3600),
        }
    }
}

/// What every handler can reach.
pub struct AppState {
    pub app: Arc<dyn Service>,
    pub config: Config,
}

/// The whole application: both dialects behind keys and rate limits, with request ids, logs,
/// panic recovery and the body limit around everything.
pub fn app(service: Arc<dyn Service>, config: Config) -> Router {
    app_with(service, config, Router::new())
}

/// The application with `extra` routes inside the same layers (tests use it to reach a route
/// that panics).
pub fn app_with(service: Arc<dyn Service>, config: Config, extra: Router) -> Router {
    let body_limit = config.body_limit;
    let pace = pace::Pace::of(&config.limits);
    let state = Arc::new(AppState { app: service, config });
    let api = Router::new()
        .merge(erp::routes())
        .nest("/functions/v1", erp::routes())
        .merge(events::routes())
        .nest("/functions/v1", events::routes())
        .merge(webhooks::routes())
        .nest("/functions/v1", webhooks::routes())
        .merge(shop_floor::routes())
        .nest("/functions/v1", shop_floor::routes())
        .merge(shop_floor::collection_routes())
        .nest("/functions/v1", shop_floor::collection_routes())
        .merge(master::routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), idempotency::idempotent))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::require_key));
    let request_id = HeaderName::from_static(REQUEST_ID);
    Router::new()
        .route("/health", get(health::health))
        .route("/metrics", get(metrics::serve))
        .route("/openapi.json", get(openapi::serve))
        .route("/docs", get(docs::page))
        .route("/docs/", get(docs::page_in_folder))
        .route("/docs/{*file}", get(docs::asset))
        .merge(terminal::routes())
        .merge(api)
        .merge(extra.with_state(()))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::Extension(body::BodyLimit(body_limit)))
        // Bodies: gzip decoded, other encodings refused, and the raw bytes kept to a pace.
        .layer(RequestDecompressionLayer::new())
        .layer(middleware::from_fn(encoding::only_gzip))
        .layer(middleware::map_request_with_state(pace, pace::pace_body))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(middleware::map_response(close_after_unread_body))
        .layer(cors::layer(&state.config.cors_origins))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let id = request
                        .extensions()
                        .get::<RequestId>()
                        .and_then(|id| id.header_value().to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                        request_id = %id,
                        tenant = tracing::field::Empty,
                        key = tracing::field::Empty,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(middleware::map_request(drop_unsafe_request_id))
        .with_state(state)
}

/// The longest `x-request-id` kept from a request.
const REQUEST_ID_MAX: usize = 128;

/// Whether a request id may be echoed and logged as it is: 1 to 128 characters of
/// `[A-Za-z0-9._:-]`.
fn safe_request_id(id: &[u8]) -> bool {
    (1..=REQUEST_ID_MAX).contains(&id.len())
        && id.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Removes an `x-request-id` that is not safe (or is given more than once), so that the next
/// layer generates one in its place.
async fn drop_unsafe_request_id(mut request: Request) -> Request {
    let mut given = request.headers().get_all(REQUEST_ID).iter();
    let keep = match (given.next(), given.next()) {
        (None, _) => true,
        (Some(id), None) => safe_request_id(id.as_bytes()),
        (Some(_), Some(_)) => false,
    };
    if !keep {
        request.headers_mut().remove(REQUEST_ID);
    }
    request
}

/// Marks an answer given before its request's body was read whole (too slow, too large, an
/// encoding not taken) with `Connection: close`: the server closes that connection once it has
/// answered, and a client that knows it will not send its next request into it.
async fn close_after_unread_body(mut response: Response) -> Response {
    if matches!(
        response.status(),
        StatusCode::REQUEST_TIMEOUT | StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE
    ) {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!("no route for {method} {}", uri.path()))
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::method_not_allowed(format!("{} does not take {method}", uri.path()))
}

fn panicked(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a handler panicked");
    ApiError::internal().into_response()
}
