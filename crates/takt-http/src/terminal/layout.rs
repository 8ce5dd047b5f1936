//! The page shell every terminal and board page shares, its assets (embedded in the binary),
//! error pages, and the security headers of every terminal and board answer.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use takt_store::StoreError;

use super::csrf;
use super::i18n::Lang;
use super::session::Plant;
use crate::error::ApiError;

const CSS: &str = include_str!("assets/terminal.css");
const JS: &str = include_str!("assets/terminal.js");

/// Scripts and styles from this server only, never inline; no frames, no other origins.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// `GET /terminal-assets/{file}`: the stylesheet and the script.
pub async fn asset(Path(file): Path<String>) -> Response {
    let (body, content_type) = match file.as_str() {
        "terminal.css" => (CSS, "text/css; charset=utf-8"),
        "terminal.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

/// Adds the headers every terminal and board answer carries.
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}

/// What the header of a page shows besides the title.
pub struct Chrome<'a> {
    pub plant: Option<&'a Plant>,
    /// The signed-in operator's name and the form token their sign-out needs.
    pub operator: Option<(&'a str, &'a str)>,
    /// Where the language switch comes back to.
    pub here: &'a str,
    /// The path of the change stream the page follows, if it is live.
    pub live: Option<String>,
}

/// A whole page.
pub fn page(lang: Lang, title: &str, chrome: Chrome<'_>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (lang.t("app.title")) }
                link rel="stylesheet" href="/terminal-assets/terminal.css";
                script src="/terminal-assets/terminal.js" defer {}
            }
            body data-live=[chrome.live.as_deref()] data-offline=(lang.t("live.offline")) {
                header.bar {
                    div.brand {
                        @if let Some(plant) = chrome.plant { span.plant { (plant.tenant.name) } }
                        h1 { (title) }
                    }
                    div.who {
                        @if let Some(plant) = chrome.plant {
                            nav.languages aria-label="Language" {
                                @for other in Lang::all() {
                                    @if other.code() == lang.code() {
                                        span.current lang=(other.code()) { (other.t("language.name")) }
                                    } @else {
                                        a lang=(other.code()) href={ (plant.base()) "/language/" (other.code()) "?back=" (super::segment(chrome.here)) } {
                                            (other.t("language.name"))
                                        }
                                    }
                                }
                            }
                        }
                        @if let (Some(plant), Some((name, token))) = (chrome.plant, chrome.operator) {
                            span.operator { (lang.f("signed_in_as", &[("name", name)])) }
                            form method="post" action={ (plant.base()) "/sign-out" } {
                                input type="hidden" name=(csrf::FIELD) value=(token);
                                button.secondary type="submit" { (lang.t("sign_out")) }
                            }
                        }
                    }
                }
                p.offline hidden { (lang.t("live.offline")) }
                main id="main" { (body) }
            }
        }
    }
}

/// A page as an answer.
pub fn respond(status: StatusCode, markup: Markup) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], markup.into_string()).into_response()
}

/// A page that says only what went wrong, with a way back to the terminal.
pub fn error_page(lang: Lang, status: StatusCode, message: &str) -> Response {
    error_page_back(lang, status, message, "/terminal")
}

/// A page that says only what went wrong, with a way `back`.
pub fn error_page_back(lang: Lang, status: StatusCode, message: &str, back: &str) -> Response {
    let chrome = Chrome { plant: None, operator: None, here: back, live: None };
    let body =
        html! { p.message.error role="alert" { (message) } p.crumbs { a href=(back) { "← " (lang.t("app.title")) } } };
    respond(status, page(lang, lang.t("app.title"), chrome, body))
}

/// A refusal in the page's language: the API's own sentence in English, its sense otherwise.
pub fn refusal(lang: Lang, error: &ApiError) -> String {
    let key = match error.code {
        "INVALID_STATE_TRANSITION" => "refused.INVALID_STATE_TRANSITION",
        "SEQUENCE_ENFORCED" => "refused.SEQUENCE_ENFORCED",
        "WIP_LIMIT_REACHED" => "refused.WIP_LIMIT_REACHED",
        "OPERATION_HELD" => "refused.OPERATION_HELD",
        "VALIDATION_ERROR" => "refused.VALIDATION_ERROR",
        "NOT_FOUND" => "refused.NOT_FOUND",
        "CONFLICT" => "refused.CONFLICT",
        "SERVICE_UNAVAILABLE" => "error.unavailable",
        _ => "refused.other",
    };
    let mut message = error.message.clone();
    if let Some(detail) = error.details.first() {
        message = format!("{message} ({}: {})", detail.field, detail.message);
    }
    lang.f(key, &[("message", &message)])
}

/// A storage failure as a page.
pub fn store_error_page(lang: Lang, error: StoreError) -> Response {
    let error = ApiError::from(error);
    error_page(lang, error.status, &refusal(lang, &error))
}
