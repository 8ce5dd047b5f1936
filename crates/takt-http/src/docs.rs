//! `GET /docs`: Swagger UI over `/openapi.json`, open to all. Its files are embedded in the
//! binary (the `utoipa-swagger-ui` crate's vendored copy); the page loads nothing from another
//! host, and "Authorize" takes an API key as a bearer token for try-it-out.

use std::sync::{Arc, LazyLock};

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa_swagger_ui::Config;

use crate::error::ApiError;
use crate::path::PathParam;

static CONFIG: LazyLock<Arc<Config<'static>>> = LazyLock::new(|| {
    Arc::new(
        Config::from("/openapi.json")
            // Swagger UI would otherwise send the document to swagger.io's online validator.
            .validator_url("none")
            .persist_authorization(true)
            .display_request_duration(true)
            .filter(true)
            .try_it_out_enabled(true),
    )
});

/// The page at `/docs` (no trailing slash): Swagger UI's page, its relative links made to point
/// under `docs/`.
static INDEX_WITHOUT_SLASH: LazyLock<Option<String>> =
    LazyLock::new(|| index().map(|html| relative_to(&html, "docs/")));

fn index() -> Option<String> {
    let file = utoipa_swagger_ui::serve("index.html", CONFIG.clone()).ok().flatten()?;
    let html = String::from_utf8_lossy(&file.bytes).into_owned();
    Some(html.replace("<title>Swagger UI</title>", "<title>Takt API reference</title>"))
}

/// Prefixes every relative `href` and `src` of `html` with `prefix`.
fn relative_to(html: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(at) = [" href=\"", " src=\""].iter().filter_map(|a| rest.find(a).map(|i| i + a.len())).min() {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let value = &rest[..rest.find('"').unwrap_or(rest.len())];
        if !(value.starts_with('/') || value.starts_with('#') || value.contains(':')) {
            out.push_str(prefix);
            rest = rest.strip_prefix("./").unwrap_or(rest);
        }
    }
    out.push_str(rest);
    out
}

/// `GET /docs`
pub async fn page() -> Response {
    match INDEX_WITHOUT_SLASH.as_deref() {
        Some(html) => html_answer(html.to_owned()),
        None => missing(),
    }
}

/// `GET /docs/`
pub async fn page_in_folder() -> Response {
    match index() {
        Some(html) => html_answer(html),
        None => missing(),
    }
}

/// `GET /docs/{file}`: Swagger UI's scripts, styles and icons.
pub async fn asset(PathParam(file): PathParam<String>) -> Response {
    match utoipa_swagger_ui::serve(&file, CONFIG.clone()) {
        Ok(Some(found)) => {
            let content_type = HeaderValue::from_str(&found.content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream"));
            ([(header::CONTENT_TYPE, content_type)], found.bytes.into_owned()).into_response()
        }
        Ok(None) => ApiError::not_found(format!("no file /docs/{file}")).into_response(),
        Err(error) => {
            tracing::error!(%error, file = %file, "the API reference's file could not be served");
            ApiError::internal().into_response()
        }
    }
}

fn html_answer(html: String) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], html).into_response()
}

fn missing() -> Response {
    tracing::error!("the API reference's page is missing from the binary");
    ApiError::internal().into_response()
}

#[cfg(test)]
mod tests {
    use super::relative_to;

    #[test]
    fn relative_links_move_under_the_prefix_and_others_stay() {
        let html = r##"<link href="./a.css" /><link href="b.css"><script src="./c.js"></script>
            <a href="/x"></a><a href="#top"></a><img src="data:image/png;base64,AA">"##;
        assert_eq!(
            relative_to(html, "docs/"),
            r##"<link href="docs/a.css" /><link href="docs/b.css"><script src="docs/c.js"></script>
            <a href="/x"></a><a href="#top"></a><img src="data:image/png;base64,AA">"##
        );
    }
}
