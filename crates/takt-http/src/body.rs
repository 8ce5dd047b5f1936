//! Request bodies: JSON only, within the size limit, with clear errors for anything else; an
//! object that gives a key twice is `422` (see `takt_domain::json::from_slice`).

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use futures::StreamExt;
use serde_json::Value;
use takt_domain::json::{self, BodyError};

use crate::error::ApiError;

/// The largest request body, in bytes: the application puts it in every request's extensions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimit(pub usize);

/// How much more than the limit a body may declare and still be read to its end, and thrown
/// away, before the `413`: a client still sending its body when the server answers and closes
/// the connection sees the connection reset instead of the answer.
const DRAIN_AT_MOST: usize = 16 * 1024 * 1024;

/// A JSON body. Wrong content type or malformed JSON is `400`; over the limit is `413`.
pub struct JsonBody(pub Value);

/// A JSON body that may be empty (the master-data List takes an empty body or `{}`).
pub struct OptionalJsonBody(pub Option<Value>);

fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        || (essence.len() > 5
            && essence[..essence.len() - 5].contains('/')
            && essence.to_ascii_lowercase().ends_with("+json"))
}

fn declared_length(headers: &HeaderMap) -> Option<usize> {
    headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

/// Reads and discards a body, up to `at_most` bytes.
async fn drain(body: Body, at_most: usize) {
    let mut stream = body.into_data_stream();
    let mut read = 0;
    while let Some(Ok(chunk)) = stream.next().await {
        read += chunk.len();
        if read > at_most {
            break;
        }
    }
}

pub(crate) async fn read(req: Request, limit_message: &str) -> Result<(bool, Bytes), ApiError> {
    let json = is_json(req.headers());
    if let (Some(BodyLimit(limit)), Some(declared)) =
        (req.extensions().get::<BodyLimit>().copied(), declared_length(req.headers()))
        && declared > limit
    {
        // A client that waits for `100 Continue` has not sent its body; one that declares far
        // too much is not worth reading.
        if !req.headers().contains_key(header::EXPECT) && declared - limit <= DRAIN_AT_MOST {
            drain(req.into_body(), declared).await;
        }
        return Err(ApiError::too_large(limit_message));
    }
    let bytes = Bytes::from_request(req, &()).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(limit_message)
        } else {
            ApiError::bad_request(format!("the request body could not be read: {rejection}"))
        }
    })?;
    Ok((json, bytes))
}

/// Bodies at least this large are parsed on a blocking thread, so that the runtime's workers
/// stay free for other requests (`/health` among them) meanwhile.
const PARSE_APART_FROM: usize = 64 * 1024;

async fn parse(json: bool, bytes: Bytes) -> Result<Value, ApiError> {
    if !json {
        return Err(ApiError::bad_request("Content-Type must be application/json"));
    }
    let parsed = if bytes.len() < PARSE_APART_FROM {
        json::from_slice(&bytes)
    } else {
        tokio::task::spawn_blocking(move || json::from_slice(&bytes)).await.map_err(|e| {
            tracing::error!(error = %e, "parsing a body failed");
            ApiError::internal()
        })?
    };
    parsed.map_err(|error| match error {
        BodyError::Syntax(e) => ApiError::bad_request(format!("the body is not valid JSON: {e}")),
        BodyError::Repeated { listed, more } => {
            ApiError { more, ..ApiError::invalid_with(listed.summary_with(more), listed) }
        }
    })
}

pub(crate) const TOO_LARGE: &str = "the request body is larger than this server accepts; nothing was written";

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let (json, bytes) = read(req, TOO_LARGE).await?;
        if bytes.is_empty() && json {
            return Err(ApiError::bad_request("the body is empty; send a JSON object"));
        }
        parse(json, bytes).await.map(JsonBody)
    }
}

impl<S: Send + Sync> FromRequest<S> for OptionalJsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let (json, bytes) = read(req, TOO_LARGE).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJsonBody(None));
        }
        parse(json, bytes).await.map(|v| OptionalJsonBody(Some(v)))
    }
}
