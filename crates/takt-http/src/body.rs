//! Request bodies: JSON only, within the size limit (of the decoded body, when it came gzipped),
//! with clear errors for anything else; an object that gives a key twice is `422` (see
//! `takt_domain::json::from_slice`).

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, header};
use futures::StreamExt;
use serde_json::Value;
use takt_domain::json::{self, BodyError};

use crate::error::ApiError;
use crate::pace::CutOff;

/// The largest request body, in bytes: the application puts it in every request's extensions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimit(pub usize);

/// How much more than the limit a declared body may be and still be read to its end, and thrown
/// away, after the `413` is sent: a client still sending its body when the server closes the
/// connection sees the connection reset instead of the answer.
const DRAIN_AT_MOST: usize = 16 * 1024 * 1024;

/// A JSON body. Wrong content type or malformed JSON is `400`; over the limit is `413`; a body
/// that arrives too slowly is `408`.
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

/// Reads and discards a body, up to `at_most` bytes (or until it is cut off for its pace).
async fn drain(body: Body, at_most: usize) {
    let mut stream = body.into_data_stream();
    let mut read = 0;
    while let Some(Ok(chunk)) = stream.next().await {
        read += chunk.len();
        if read >= at_most {
            break;
        }
    }
}

pub(crate) async fn read(req: Request, limit_message: &str) -> Result<(bool, Bytes), ApiError> {
    let json = is_json(req.headers());
    let limit = req.extensions().get::<BodyLimit>().map_or(usize::MAX, |l| l.0);
    let cut_off = req.extensions().get::<CutOff>().cloned();
    let declared = declared_length(req.headers());
    if let Some(declared) = declared
        && declared > limit
    {
        // Answered at once. A client that waits for `100 Continue` has not sent its body; the
        // body of one that has is thrown away meanwhile, unless it is far too large to bother.
        if !req.headers().contains_key(header::EXPECT) && declared - limit <= DRAIN_AT_MOST {
            tokio::spawn(drain(req.into_body(), declared));
        }
        return Err(ApiError::too_large(limit_message));
    }
    // What a client declares is reserved only up to a little: declaring costs it nothing.
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(PARSE_APART_FROM));
    let mut stream = req.into_body().into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| {
            if cut_off.as_ref().is_some_and(CutOff::happened) {
                ApiError::timeout(TOO_SLOW)
            } else {
                ApiError::bad_request(format!("the request body could not be read: {error}"))
            }
        })?;
        // Counted after decoding: a small gzip body that unpacks past the limit is refused.
        if chunk.len() > limit - bytes.len() {
            return Err(ApiError::too_large(limit_message));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((json, Bytes::from(bytes)))
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

const TOO_SLOW: &str = "the request body arrived too slowly and was cut off; nothing was written";

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
