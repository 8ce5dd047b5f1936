//! CSRF tokens. A signed-in operator's forms carry their session's token (stored with the
//! session); the sign-in form, before there is a session, carries the value of the `takt_csrf`
//! cookie it was served with (a double-submit cookie, which another site can neither read nor
//! set). Tokens are compared in constant time.

use axum::http::{HeaderMap, HeaderValue};
use subtle::ConstantTimeEq;
use takt_app::terminal::random_token;

use super::cookies;

/// The cookie of the pre-session token.
pub const CSRF_COOKIE: &str = "takt_csrf";
/// The form field every form sends its token in.
pub const FIELD: &str = "csrf";

/// Whether a form's token is the one expected.
pub fn matches(given: Option<&str>, expected: &str) -> bool {
    given.is_some_and(|given| !expected.is_empty() && bool::from(given.as_bytes().ct_eq(expected.as_bytes())))
}

/// The pre-session token of a request, and the `Set-Cookie` that gives the browser a new one
/// when it has none yet.
pub fn pre_session(headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match cookies::get(headers, CSRF_COOKIE) {
        Some(token) => (token, None),
        None => {
            let token = random_token();
            let cookie = cookies::set(CSRF_COOKIE, &token, "/terminal", None);
            (token, Some(cookie))
        }
    }
}

/// Whether a sign-in form's token matches its cookie.
pub fn pre_session_matches(headers: &HeaderMap, given: Option<&str>) -> bool {
    cookies::get(headers, CSRF_COOKIE).is_some_and(|expected| matches(given, &expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_only_themselves() {
        assert!(matches(Some("abc"), "abc"));
        assert!(!matches(Some("abd"), "abc"));
        assert!(!matches(None, "abc"));
        assert!(!matches(Some(""), ""));
    }
}
