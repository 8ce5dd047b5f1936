//! `Content-Encoding`: a `gzip` body is decoded (the body limit then counts decoded bytes, see
//! [`crate::body`]), `identity` is no encoding, anything else is `415`.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Leaves one `gzip` (or `x-gzip`, its old name, in any case) as `gzip` for the decoder, drops
/// `identity`, and answers `415` for any other encoding or a list of them.
pub(crate) async fn only_gzip(mut request: Request, next: Next) -> Response {
    let mut given = request.headers().get_all(header::CONTENT_ENCODING).iter();
    let (first, second) = (given.next(), given.next());
    let Some(first) = first else { return next.run(request).await };
    let token = first.to_str().unwrap_or_default().trim();
    let gzip = token.eq_ignore_ascii_case("gzip") || token.eq_ignore_ascii_case("x-gzip");
    if second.is_none() && gzip {
        request.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    } else if second.is_none() && token.eq_ignore_ascii_case("identity") {
        request.headers_mut().remove(header::CONTENT_ENCODING);
    } else {
        let shown = String::from_utf8_lossy(first.as_bytes()).chars().take(64).collect::<String>();
        return ApiError::unsupported_media_type(format!(
            "Content-Encoding {shown:?} is not supported; send the body as it is, or gzip it; nothing was written"
        ))
        .into_response();
    }
    next.run(request).await
}
