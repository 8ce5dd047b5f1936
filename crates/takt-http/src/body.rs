//! Request bodies: JSON only, within the size limit, with clear errors for anything else.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::Value;

use crate::error::ApiError;

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

async fn read(req: Request, limit_message: &str) -> Result<(bool, Bytes), ApiError> {
    let json = is_json(req.headers());
    let bytes = Bytes::from_request(req, &()).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(limit_message)
        } else {
            ApiError::bad_request(format!("the request body could not be read: {rejection}"))
        }
    })?;
    Ok((json, bytes))
}

fn parse(json: bool, bytes: &[u8]) -> Result<Value, ApiError> {
    if !json {
        return Err(ApiError::bad_request("Content-Type must be application/json"));
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))
}

const TOO_LARGE: &str = "the request body is larger than this server accepts; nothing was written";

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let (json, bytes) = read(req, TOO_LARGE).await?;
        if bytes.is_empty() && json {
            return Err(ApiError::bad_request("the body is empty; send a JSON object"));
        }
        parse(json, &bytes).map(JsonBody)
    }
}

impl<S: Send + Sync> FromRequest<S> for OptionalJsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let (json, bytes) = read(req, TOO_LARGE).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJsonBody(None));
        }
        parse(json, &bytes).map(|v| OptionalJsonBody(Some(v)))
    }
}
