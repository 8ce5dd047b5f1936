//! Cookies, read from `Cookie` headers and written as `Set-Cookie` values: every cookie the
//! terminal sets is HttpOnly and SameSite=Strict, so that no script reads it and no other site's
//! page sends it.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};

/// The value of cookie `name`, from any of the request's `Cookie` headers.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// A `Set-Cookie` value for `name=value` on `path`, kept for `max_age` (a session cookie when
/// none).
pub fn set(name: &str, value: &str, path: &str, max_age: Option<Duration>) -> HeaderValue {
    let age = max_age.map(|age| format!("; Max-Age={}", age.as_secs())).unwrap_or_default();
    HeaderValue::from_str(&format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict{age}"))
        .expect("cookie names and values are ASCII")
}

/// A `Set-Cookie` value that removes cookie `name` on `path`.
pub fn clear(name: &str, path: &str) -> HeaderValue {
    set(name, "", path, Some(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, "a=1; takt_session=abc".parse().unwrap());
        headers.append(header::COOKIE, "b=2".parse().unwrap());
        assert_eq!(get(&headers, "takt_session").as_deref(), Some("abc"));
        assert_eq!(get(&headers, "b").as_deref(), Some("2"));
        assert_eq!(get(&headers, "c"), None);
    }

    #[test]
    fn set_cookie_values_carry_their_attributes() {
        let value = set("takt_session", "t", "/", Some(Duration::from_secs(60)));
        assert_eq!(value, "takt_session=t; Path=/; HttpOnly; SameSite=Strict; Max-Age=60");
        assert_eq!(clear("x", "/terminal"), "x=; Path=/terminal; HttpOnly; SameSite=Strict; Max-Age=0");
    }
}
