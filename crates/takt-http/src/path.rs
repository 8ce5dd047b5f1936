//! Path parameters whose rejection (a segment that is not valid UTF-8 once decoded, say
//! `/api-jobs/%ff`) answers in the error envelope rather than axum's plain text.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `Path<T>`, refused with `400 BAD_REQUEST` in the envelope.
pub struct PathParam<T>(pub T);

impl<T, S> FromRequestParts<S> for PathParam<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(PathParam(value)),
            Err(rejection) => Err(ApiError::bad_request(format!("the path cannot be read: {}", rejection.body_text()))),
        }
    }
}
