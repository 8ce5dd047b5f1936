//! The one error envelope every failure answers with, and small helpers to build it.
//!
//! ```json
//! { "success": false,
//!   "error": { "code": "VALIDATION_ERROR", "message": "...", "details": [ { "field": "...", "message": "..." } ] } }
//! ```

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use takt_domain::error::{FieldError, Invalid, listed};
use takt_store::StoreError;
use utoipa::ToSchema;

use crate::wording::{Worded, word};

/// A failed request, as the client sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<FieldError>,
    /// Bad fields that were only counted, not listed in `details`.
    pub more: usize,
    pub retry_after: Option<u64>,
    /// With `CURSOR_EXPIRED`: the oldest `seq` still kept.
    pub oldest_seq: Option<i64>,
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// Always `false`.
    pub success: bool,
    pub error: ErrorBody,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// `BAD_REQUEST`, `UNAUTHORIZED`, `NOT_FOUND`, `METHOD_NOT_ALLOWED`, `REQUEST_TIMEOUT`,
    /// `CONFLICT`, `PAYLOAD_TOO_LARGE`, `UNSUPPORTED_MEDIA_TYPE`, `VALIDATION_ERROR`,
    /// `RATE_LIMIT_EXCEEDED`, `CURSOR_EXPIRED`, `IDEMPOTENCY_KEY_REUSED`, `IDEMPOTENCY_KEY_IN_USE`,
    /// `INTERNAL_ERROR` or `SERVICE_UNAVAILABLE`; from the shop floor's lifecycle,
    /// `INVALID_STATE_TRANSITION`, `INVALID_OPERATION`, `SEQUENCE_ENFORCED`, `WIP_LIMIT_REACHED`
    /// and `OPERATION_HELD`; `STATUS_BY_LIFECYCLE` when a sync gives another status than the record's.
    pub code: String,
    pub message: String,
    /// Every bad field by its JSON path (`parts[0].operations[1].cell_name`), the first 100
    /// of them; then one line `{"field": "...", "message": "and 41 more"}` counts the rest.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
    /// With `CURSOR_EXPIRED`: the oldest event `seq` still kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oldest_seq: Option<i64>,
}

/// One bad field.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub field: String,
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            more: 0,
            retry_after: None,
            oldest_seq: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    /// An action the path does not know (`400 INVALID_OPERATION`).
    pub fn invalid_operation(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "INVALID_OPERATION", message)
    }

    /// A required query parameter left out (`400 VALIDATION_ERROR`, as the reference answers).
    pub fn missing_parameter(name: &str) -> ApiError {
        let invalid = ApiError::invalid_with(format!("{name} is required"), Invalid::one(name, "is required"));
        ApiError { status: StatusCode::BAD_REQUEST, ..invalid }
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    pub fn method_not_allowed(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", message)
    }

    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "CONFLICT", message)
    }

    /// `422`: the `Idempotency-Key` was used before for a different request.
    pub fn idempotency_key_reused() -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "IDEMPOTENCY_KEY_REUSED",
            "this Idempotency-Key was used for a different request (method, path or body) in the last 24 hours; \
             send a new key for a new request",
        )
    }

    /// `409`: the first request with this `Idempotency-Key` is still running.
    pub fn idempotency_key_in_use() -> ApiError {
        ApiError::new(
            StatusCode::CONFLICT,
            "IDEMPOTENCY_KEY_IN_USE",
            "a request with this Idempotency-Key is still running; retry once it has been answered",
        )
    }

    pub fn too_large(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", message)
    }

    /// `408`: the body did not arrive in time; the connection is closed after the answer.
    pub fn timeout(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::REQUEST_TIMEOUT, "REQUEST_TIMEOUT", message)
    }

    pub fn unsupported_media_type(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE", message)
    }

    /// `422`, listing every bad field.
    pub fn invalid(invalid: Invalid) -> ApiError {
        ApiError::invalid_with(invalid.summary(), invalid)
    }

    /// `422` with a headline of the caller's choosing.
    pub fn invalid_with(message: impl Into<String>, invalid: Invalid) -> ApiError {
        ApiError { details: invalid.0, ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_ERROR", message) }
    }

    pub fn rate_limited(retry_after: u64) -> ApiError {
        ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMIT_EXCEEDED",
                format!("rate limit exceeded for this API key; retry in {retry_after} s"),
            )
        }
    }

    /// `500`; the cause is logged, never shown.
    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "an internal error occurred; it has been logged",
        )
    }

    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError {
            retry_after: Some(1),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE", message)
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error {
            StoreError::CursorExpired { oldest_seq } => ApiError {
                oldest_seq: Some(oldest_seq),
                ..ApiError::new(
                    StatusCode::GONE,
                    "CURSOR_EXPIRED",
                    format!(
                        "events after this cursor are no longer kept; the oldest kept is {oldest_seq}: \
                         read again from after={}",
                        oldest_seq - 1
                    ),
                )
            },
            StoreError::Unavailable(reason) => {
                tracing::error!(%reason, "database unavailable");
                ApiError::unavailable("the database is unavailable; retry shortly")
            }
            StoreError::Busy(reason) => {
                tracing::warn!(%reason, "transient conflicts outlasted the retries");
                ApiError::unavailable("the database is busy; retry shortly")
            }
            StoreError::Internal(reason) => {
                tracing::error!(%reason, "internal error");
                ApiError::internal()
            }
            fact => match word(&fact) {
                Some(Worded::NotFound { message, details }) => ApiError { details, ..ApiError::not_found(message) },
                Some(Worded::Conflict(message)) => ApiError::conflict(message),
                Some(Worded::Blocked { code, message }) => ApiError::new(StatusCode::CONFLICT, code, message),
                Some(Worded::Refused(message)) => {
                    ApiError::new(StatusCode::BAD_REQUEST, "INVALID_STATE_TRANSITION", message)
                }
                Some(Worded::Invalid(invalid)) => ApiError::invalid(invalid),
                None => unreachable!("only the failures matched above have no words"),
            },
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(invalid: Invalid) -> ApiError {
        ApiError::invalid(invalid)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorEnvelope {
            success: false,
            error: ErrorBody {
                code: self.code.to_owned(),
                message: self.message,
                details: listed(self.details, self.more)
                    .into_iter()
                    .map(|d| ErrorDetail { field: d.field, message: d.message })
                    .collect(),
                oldest_seq: self.oldest_seq,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
