//! The query strings of the webhook paths.

use takt_domain::error::{FieldError, Invalid};
use uuid::Uuid;

/// Default and largest page sizes.
pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1000;

/// A parsed query string: the parameters a path takes, each at most once.
#[derive(Debug, Default)]
pub struct Params {
    pub id: Option<String>,
    pub limit: i64,
    pub offset: i64,
    pub active: Option<bool>,
    pub webhook_id: Option<Uuid>,
    pub status: Option<String>,
    pub after: Option<i64>,
}

/// Parses the parameters in `allowed`; every unknown or bad one is reported at once.
pub fn parse(pairs: &[(String, String)], allowed: &[&str]) -> Result<Params, Invalid> {
    let mut params = Params { limit: DEFAULT_LIMIT, ..Params::default() };
    let mut errors = Vec::new();
    let mut bad = |name: &str, message: &str| errors.push(FieldError::new(name, message));
    for (name, value) in pairs {
        if !allowed.contains(&name.as_str()) {
            bad(name, "is not a parameter of this path");
            continue;
        }
        match name.as_str() {
            "id" => params.id = Some(value.clone()),
            "limit" => match value.trim().parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => params.limit = n,
                _ => bad("limit", "must be a whole number from 1 to 1000"),
            },
            "offset" => match value.trim().parse::<i64>() {
                Ok(n) if n >= 0 => params.offset = n,
                _ => bad("offset", "must be a whole number, 0 or more"),
            },
            "active" => match value.trim().to_ascii_lowercase().as_str() {
                "true" => params.active = Some(true),
                "false" => params.active = Some(false),
                _ => bad("active", "must be true or false"),
            },
            "webhook_id" => match Uuid::try_parse(value.trim()) {
                Ok(id) => params.webhook_id = Some(id),
                Err(_) => bad("webhook_id", "must be a webhook's id (a UUID)"),
            },
            "status" => match value.trim().to_ascii_lowercase().as_str() {
                status @ ("succeeded" | "failed") => params.status = Some(status.to_owned()),
                _ => bad("status", "must be succeeded or failed"),
            },
            "after" => match value.trim().parse::<i64>() {
                Ok(n) if n >= 0 => params.after = Some(n),
                _ => bad("after", "must be a whole number, 0 or more"),
            },
            _ => {}
        }
    }
    if errors.is_empty() { Ok(params) } else { Err(Invalid(errors)) }
}
