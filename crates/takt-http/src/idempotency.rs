//! `Idempotency-Key` on every `POST`, `PUT`, `PATCH` and `DELETE` (SPEC section 10): the first
//! request with a key runs and its answer is kept for 24 hours; the same request again gets that
//! answer with `Idempotent-Replayed: true` and writes nothing; another request with the key is
//! `422`, and one that arrives while the first still runs is `409`.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::FutureExt;
use takt_domain::error::Invalid;
use takt_domain::idempotency::{Claim, IdempotencyKey, RequestFingerprint, StoredAnswer, keeps_answer};
use tracing::Instrument;

use crate::AppState;
use crate::auth::Caller;
use crate::body::{TOO_LARGE, read};
use crate::error::ApiError;

/// The request header that carries the key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The answer header that marks a stored answer given again.
pub const REPLAYED: &str = "idempotent-replayed";

/// The answer headers kept with the body: what describes it.
const KEPT_HEADERS: [HeaderName; 2] = [header::CONTENT_TYPE, header::LOCATION];

fn takes_key(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
}

/// The key a request gives, if any; a malformed one, or two, are `422`.
fn given_key(headers: &HeaderMap) -> Result<Option<IdempotencyKey>, ApiError> {
    let mut given = headers.get_all(IDEMPOTENCY_KEY).iter();
    match (given.next(), given.next()) {
        (None, _) => Ok(None),
        (Some(raw), None) => IdempotencyKey::parse(raw.as_bytes())
            .map(Some)
            .map_err(|e| ApiError::invalid(Invalid::one("Idempotency-Key", e.to_string()))),
        (Some(_), Some(_)) => Err(ApiError::invalid(Invalid::one("Idempotency-Key", "is given more than once"))),
    }
}

/// Middleware on every API route, inside the key check (keys belong to a tenant).
pub async fn idempotent(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if !takes_key(request.method()) {
        return next.run(request).await;
    }
    let key = match given_key(request.headers()) {
        Ok(Some(key)) => key,
        Ok(None) => return next.run(request).await,
        Err(error) => return error.into_response(),
    };
    let Some(caller) = request.extensions().get::<Caller>().cloned() else {
        tracing::error!("the idempotency middleware ran without the key middleware");
        return ApiError::internal().into_response();
    };
    let (parts, body) = request.into_parts();
    let mut probe = Request::new(body);
    *probe.headers_mut() = parts.headers.clone();
    *probe.extensions_mut() = parts.extensions.clone();
    let bytes = match read(probe, TOO_LARGE).await {
        Ok((_, bytes)) => bytes,
        Err(error) => return error.into_response(),
    };
    let path = parts.uri.path_and_query().map_or_else(|| parts.uri.path(), |p| p.as_str());
    let fingerprint = RequestFingerprint::of(parts.method.as_str(), path, &bytes);
    let claim = match state.app.claim_idempotency_key(caller.tenant, &key, &fingerprint).await {
        Ok(claim) => claim,
        Err(error) => return ApiError::from(error).into_response(),
    };
    match claim {
        Claim::Granted { token } => {
            let request = Request::from_parts(parts, Body::from(bytes));
            // Apart from this future, so that a client that hangs up does not leave its key
            // claimed without the answer its write earned.
            let run = run_and_keep(state, caller, key, token, request, next).in_current_span();
            match tokio::spawn(run).await {
                Ok(response) => response,
                Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                Err(error) => {
                    tracing::error!(%error, "an idempotent request was cancelled");
                    ApiError::internal().into_response()
                }
            }
        }
        Claim::Answered(stored) => replay(stored),
        Claim::Reused => ApiError::idempotency_key_reused().into_response(),
        Claim::InUse => ApiError::idempotency_key_in_use().into_response(),
    }
}

/// Runs the request that claimed a key and keeps its answer, or gives the key up when the
/// answer is not one to keep (a server error) or the handler panicked.
async fn run_and_keep(
    state: Arc<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    token: uuid::Uuid,
    request: Request,
    next: Next,
) -> Response {
    let response = match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            release(&state, &caller, &key, token).await;
            std::panic::resume_unwind(panic);
        }
    };
    let status = response.status().as_u16();
    if !keeps_answer(status) {
        release(&state, &caller, &key, token).await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "an answer could not be read to be kept");
            release(&state, &caller, &key, token).await;
            return ApiError::internal().into_response();
        }
    };
    let headers = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = parts.headers.get(name)?.to_str().ok()?;
            Some((name.as_str().to_owned(), value.to_owned()))
        })
        .collect();
    let stored = StoredAnswer { status, headers, body: body.to_vec() };
    match state.app.answer_idempotency_key(caller.tenant, &key, token, &stored).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!("an idempotency key was taken over before its answer was kept"),
        Err(error) => tracing::error!(%error, "an idempotency key's answer could not be kept"),
    }
    Response::from_parts(parts, Body::from(body))
}

async fn release(state: &AppState, caller: &Caller, key: &IdempotencyKey, token: uuid::Uuid) {
    if let Err(error) = state.app.release_idempotency_key(caller.tenant, key, token).await {
        tracing::error!(%error, "an idempotency key could not be given up; it is free once its lease ends");
    }
}

/// A kept answer, given again.
fn replay(stored: StoredAnswer) -> Response {
    let mut response = Response::new(Body::from(Bytes::from(stored.body)));
    *response.status_mut() = axum::http::StatusCode::from_u16(stored.status).unwrap_or_default();
    for (name, value) in stored.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
    response
}
