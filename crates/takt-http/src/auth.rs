//! API keys and rate limits: every API path needs `Authorization: Bearer <key>`, and every
//! authenticated response says how much of the key's rate limit is left.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use takt_domain::api_key::ApiKey;
use takt_domain::event::Actor;
use takt_domain::rate_limit::RateDecision;
use takt_store::{StoredKey, TenantId};

use crate::AppState;
use crate::error::ApiError;

/// How stale a key's `last_used_at` may get before a request refreshes it.
const LAST_USED_RESOLUTION: Duration = Duration::seconds(60);

/// Who is calling: the tenant whose data the request may see, and the key it used.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: TenantId,
    pub key_id: uuid::Uuid,
    /// The key as events name who made a change.
    pub actor: Actor,
}

fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing Authorization header; send Authorization: Bearer <API key>"))?;
    let value = value.to_str().map_err(|_| ApiError::unauthorized("malformed Authorization header"))?;
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized("malformed Authorization header; send Authorization: Bearer <API key>"));
    }
    Ok(token.trim())
}

/// Finds and checks the presented key.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<StoredKey, ApiError> {
    let key = ApiKey::parse(bearer(headers)?).map_err(|_| {
        ApiError::unauthorized("malformed API key; keys look like ery_live_ followed by 32 hex characters")
    })?;
    let stored = state.app.find_key(key.lookup_prefix()).await?;
    let stored = match stored {
        Some(stored) if key.matches(&stored.key_hash) => stored,
        _ => return Err(ApiError::unauthorized("unknown API key")),
    };
    if stored.revoked {
        return Err(ApiError::unauthorized("this API key has been revoked"));
    }
    Ok(stored)
}

fn rate_headers(headers: &mut HeaderMap, decision: &RateDecision) {
    headers.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(decision.remaining));
    headers.insert("x-ratelimit-reset", HeaderValue::from(decision.reset_at));
}

/// Middleware on every API route: authenticate, take a token, run the handler, add the headers.
pub async fn require_key(State(state): State<Arc<AppState>>, mut request: Request, next: Next) -> Response {
    let key = match authenticate(&state, request.headers()).await {
        Ok(key) => key,
        Err(error) => {
            let challenge = error.status == StatusCode::UNAUTHORIZED;
            let mut response = error.into_response();
            if challenge {
                // HTTP requires a 401 to name the scheme it wants.
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            return response;
        }
    };
    let span = tracing::Span::current();
    span.record("tenant", key.tenant_name.as_str());
    span.record("key", key.lookup_prefix.as_str());

    let now = Utc::now();
    let decision = match state.app.take_rate_token(key.id, state.config.rate_limit, now).await {
        Ok(decision) => decision,
        Err(error) => return ApiError::from(error).into_response(),
    };
    refresh_last_used(&state, &key, now);
    let mut response = if decision.allowed {
        request.extensions_mut().insert(Caller {
            tenant: key.tenant_id,
            key_id: key.id,
            actor: Actor::ApiKey { id: key.lookup_prefix.clone() },
        });
        next.run(request).await
    } else {
        state.app.metrics().rate_limited();
        ApiError::rate_limited(decision.retry_after).into_response()
    };
    rate_headers(response.headers_mut(), &decision);
    response
}

/// Records the key's use in the background, at most once a minute per key.
fn refresh_last_used(state: &Arc<AppState>, key: &StoredKey, now: DateTime<Utc>) {
    if key.last_used_at.is_some_and(|at| now - at < LAST_USED_RESOLUTION) {
        return;
    }
    let app = state.app.clone();
    let id = key.id;
    tokio::spawn(async move {
        if let Err(error) = app.touch_key(id, now).await {
            tracing::warn!(%error, "could not record when the key was last used");
        }
    });
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(|| {
            tracing::error!("a handler that needs a caller ran without the key middleware");
            ApiError::internal()
        })
    }
}
