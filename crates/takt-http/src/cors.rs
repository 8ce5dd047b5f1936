//! CORS: pages served from the origins `--cors-origin` names may call the API from a browser
//! (the reference's web clients do); their preflights (`OPTIONS`) are answered `200` on every
//! path, before keys are checked, as browsers send preflights without credentials.

use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower::layer::util::Identity;
use tower::util::option_layer;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// How long a browser may keep a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(3600);

/// What a page may send: the key, a JSON (or gzip) body, the idempotency key, a request id.
const REQUEST_HEADERS: [HeaderName; 5] = [
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    header::CONTENT_ENCODING,
    HeaderName::from_static("idempotency-key"),
    HeaderName::from_static("x-request-id"),
];

/// What a page may read of an answer besides the simple headers.
const ANSWER_HEADERS: [HeaderName; 7] = [
    HeaderName::from_static("x-request-id"),
    HeaderName::from_static("x-ratelimit-limit"),
    HeaderName::from_static("x-ratelimit-remaining"),
    HeaderName::from_static("x-ratelimit-reset"),
    HeaderName::from_static("idempotent-replayed"),
    header::RETRY_AFTER,
    header::LOCATION,
];

/// The CORS layer for `origins`, or none when no origin is allowed.
pub(crate) fn layer(origins: &[String]) -> tower::util::Either<CorsLayer, Identity> {
    option_layer(cors(origins))
}

fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers(REQUEST_HEADERS)
            .expose_headers(ANSWER_HEADERS)
            .max_age(PREFLIGHT_MAX_AGE),
    )
}
