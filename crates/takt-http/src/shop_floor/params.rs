//! The query parameters of the shop floor's paths.

use std::collections::BTreeMap;

use takt_domain::error::{FieldError, Invalid};
use takt_domain::shop_floor::collection::{DEFAULT_LIMIT, MAX_LIMIT};
use takt_domain::shop_floor::time::{DEFAULT_TIME_TYPE, TIME_TYPES};
use uuid::Uuid;

use crate::error::ApiError;

/// A shop-floor path's query parameters, each given at most once, read by name.
pub(super) struct Params<'q>(BTreeMap<&'q str, &'q str>);

impl<'q> Params<'q> {
    pub(super) fn read(pairs: &'q [(String, String)], known: &[&str]) -> Result<Params<'q>, ApiError> {
        let mut map = BTreeMap::new();
        let mut errors = Vec::new();
        for (name, value) in pairs {
            if !known.contains(&name.as_str()) {
                errors.push(FieldError::new(name.as_str(), format!("is not a parameter here ({})", known.join(", "))));
            } else if map.insert(name.as_str(), value.as_str()).is_some() {
                errors.push(FieldError::new(name.as_str(), "is given more than once"));
            }
        }
        if errors.is_empty() { Ok(Params(map)) } else { Err(Invalid(errors).into()) }
    }

    /// The record's id: missing is `400`, anything but one of the tenant's records `404`.
    pub(super) fn id(&self) -> Result<Uuid, ApiError> {
        match self.0.get("id").map(|s| s.trim()) {
            None | Some("") => Err(ApiError::missing_parameter("id")),
            Some(text) => Uuid::try_parse(text).map_err(|_| ApiError::not_found(format!("no record with id '{text}'"))),
        }
    }

    /// `operator_id`, or `user_id` as the reference's clients name it.
    pub(super) fn operator(&self) -> Result<Option<Uuid>, ApiError> {
        let given = [("operator_id", self.0.get("operator_id")), ("user_id", self.0.get("user_id"))];
        let mut found = None;
        for (name, value) in given {
            let Some(text) = value.map(|s| s.trim()).filter(|s| !s.is_empty()) else { continue };
            let id = Uuid::try_parse(text)
                .map_err(|_| ApiError::invalid(Invalid::one(name, "must be an operator's Takt id (a UUID)")))?;
            if found.is_some_and(|other| other != id) {
                return Err(ApiError::invalid(Invalid::one(name, "names another operator than operator_id")));
            }
            found = Some(id);
        }
        Ok(found)
    }

    pub(super) fn time_type(&self) -> Result<String, ApiError> {
        let Some(text) = self.0.get("time_type").map(|s| s.trim()) else { return Ok(DEFAULT_TIME_TYPE.to_owned()) };
        TIME_TYPES.iter().find(|t| t.eq_ignore_ascii_case(text)).map(|t| (*t).to_owned()).ok_or_else(|| {
            ApiError::invalid(Invalid::one("time_type", format!("must be one of: {}", TIME_TYPES.join(", "))))
        })
    }

    /// `limit` (1 to 1000, 100 unless given) and `offset`.
    pub(super) fn page(&self) -> Result<(i64, i64), ApiError> {
        let mut errors = Vec::new();
        let mut number = |name: &str, default: i64, range: std::ops::RangeInclusive<i64>, rule: &str| match self
            .0
            .get(name)
            .map(|s| s.trim().parse::<i64>())
        {
            None => default,
            Some(Ok(n)) if range.contains(&n) => n,
            Some(_) => {
                errors.push(FieldError::new(name, rule));
                default
            }
        };
        let rule = format!("must be a whole number from 1 to {MAX_LIMIT}");
        let limit = number("limit", DEFAULT_LIMIT, 1..=MAX_LIMIT, &rule);
        let offset = number("offset", 0, 0..=i64::MAX, "must be a whole number, 0 or more");
        if errors.is_empty() { Ok((limit, offset)) } else { Err(Invalid(errors).into()) }
    }

    /// A parameter as given, trimmed; none when absent or blank.
    pub(super) fn text(&self, name: &str) -> Option<&'q str> {
        self.0.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}
