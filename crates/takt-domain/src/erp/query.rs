//! The query string of `GET /api-{entity}`.

use uuid::Uuid;

use super::{ErpEntity, JOB_STATUSES, RESOURCE_STATUSES, RESOURCE_TYPES};
use crate::error::{FieldError, Invalid};
use crate::text::TextError;

/// Default and largest page sizes.
pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1000;

/// The order of a list: a field and its direction; ties (and a list without `sort`) go by id,
/// which is creation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    /// One of [`sort_fields`], or `id`.
    pub field: &'static str,
    pub descending: bool,
}

/// A list request: filters combine with AND; records come in a stable order (by id unless
/// `sort` says otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub external_source: Option<String>,
    pub external_id: Option<String>,
    pub status: Option<String>,
    /// Folded; matched as a substring of the entity's names.
    pub search: Option<String>,
    /// `job_id` for parts, `part_id` for operations.
    pub parent_id: Option<Uuid>,
    /// `cell_id` for operations.
    pub cell_id: Option<Uuid>,
    /// Folded substrings of a job's customer and number.
    pub customer: Option<String>,
    pub job_number: Option<String>,
    /// A part's material, exactly.
    pub material: Option<String>,
    /// A cell's `active`.
    pub active: Option<bool>,
    /// A resource's `type`.
    pub resource_type: Option<String>,
    pub sort: Sort,
    pub limit: i64,
    pub offset: i64,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            external_source: None,
            external_id: None,
            status: None,
            search: None,
            parent_id: None,
            cell_id: None,
            customer: None,
            job_number: None,
            material: None,
            active: None,
            resource_type: None,
            sort: Sort { field: "id", descending: false },
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

/// The query parameters an entity's list accepts.
pub fn list_parameters(entity: ErpEntity) -> Vec<&'static str> {
    let mut names = vec!["external_source", "external_id", "search", "limit", "offset", "id", "sort", "order"];
    match entity {
        ErpEntity::Job => names.extend(["status", "customer", "job_number"]),
        ErpEntity::Resource => names.extend(["status", "type"]),
        ErpEntity::Part => names.extend(["job_id", "status", "material"]),
        ErpEntity::Operation => names.extend(["part_id", "cell_id", "status"]),
        ErpEntity::Cell => names.push("active"),
        ErpEntity::Operator => {}
    }
    names
}

/// The fields a list of `entity` sorts by (`sort=`): `created_at` and `updated_at` on every
/// entity, and the entity's own.
pub fn sort_fields(entity: ErpEntity) -> &'static [&'static str] {
    match entity {
        ErpEntity::Job => &["created_at", "updated_at", "due_date", "priority", "job_number", "customer", "status"],
        ErpEntity::Part => &["created_at", "updated_at", "part_number", "quantity", "status"],
        ErpEntity::Operation => {
            &["created_at", "updated_at", "sequence", "operation_name", "status", "planned_start", "planned_end"]
        }
        ErpEntity::Cell => &["created_at", "updated_at", "name", "sequence"],
        ErpEntity::Resource => &["created_at", "updated_at", "name", "type", "status"],
        ErpEntity::Operator => &["created_at", "updated_at", "name", "employee_number"],
    }
}

/// The statuses an entity's `status` filter accepts, if it has one.
fn statuses(entity: ErpEntity) -> Option<&'static [&'static str]> {
    match entity {
        ErpEntity::Job | ErpEntity::Part | ErpEntity::Operation => Some(JOB_STATUSES),
        ErpEntity::Resource => Some(RESOURCE_STATUSES),
        _ => None,
    }
}

/// `value` as one of `allowed`, in any case (SPEC rule 5), or the error that lists them.
fn one_of(key: &str, value: &str, allowed: &'static [&'static str]) -> Result<&'static str, FieldError> {
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(value.trim()))
        .copied()
        .ok_or_else(|| FieldError::new(key, format!("must be one of: {}", allowed.join(", "))))
}

/// Parses query parameters (already percent-decoded); `id` is the caller's business.
pub fn parse_list_query(entity: ErpEntity, pairs: &[(String, String)]) -> Result<ListQuery, Invalid> {
    let mut query = ListQuery::default();
    let mut errors = Vec::new();
    let allowed = list_parameters(entity);
    let mut seen: Vec<&str> = Vec::new();
    for (key, value) in pairs {
        if !allowed.contains(&key.as_str()) {
            errors.push(FieldError::new(
                key.as_str(),
                format!("is not a parameter of GET /api-{} (parameters: {})", entity.plural(), allowed.join(", ")),
            ));
            continue;
        }
        if seen.contains(&key.as_str()) {
            errors.push(FieldError::new(key.as_str(), "is given more than once"));
            continue;
        }
        seen.push(key);
        let uuid = |errors: &mut Vec<FieldError>| match Uuid::try_parse(value) {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new(key.as_str(), "must be a Takt id (a UUID)"));
                None
            }
        };
        if value.contains('\0') {
            // PostgreSQL cannot compare text holding U+0000, and no stored value holds it.
            errors.push(FieldError::new(key.as_str(), TextError::Nul.message()));
            continue;
        }
        match key.as_str() {
            "external_source" => query.external_source = Some(value.clone()),
            "external_id" => query.external_id = Some(value.clone()),
            "search" => query.search = Some(crate::text::fold(value)),
            "status" => match one_of("status", value, statuses(entity).unwrap_or_default()) {
                Ok(status) => query.status = Some(status.to_owned()),
                Err(error) => errors.push(error),
            },
            "type" => match one_of("type", value, RESOURCE_TYPES) {
                Ok(kind) => query.resource_type = Some(kind.to_owned()),
                Err(error) => errors.push(error),
            },
            "active" => match one_of("active", value, &["true", "false"]) {
                Ok(active) => query.active = Some(active == "true"),
                Err(error) => errors.push(error),
            },
            "customer" => query.customer = Some(crate::text::fold(value)),
            "job_number" => query.job_number = Some(crate::text::fold(value)),
            "material" => query.material = Some(value.clone()),
            "sort" => match one_of("sort", value, sort_fields(entity)) {
                Ok(field) => query.sort.field = field,
                Err(error) => errors.push(error),
            },
            "order" => match one_of("order", value, &["asc", "desc"]) {
                Ok(order) => query.sort.descending = order == "desc",
                Err(error) => errors.push(error),
            },
            "limit" => match value.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => query.limit = n,
                _ => errors.push(FieldError::new("limit", format!("must be a whole number from 1 to {MAX_LIMIT}"))),
            },
            "offset" => match value.parse::<i64>() {
                Ok(n) if n >= 0 => query.offset = n,
                _ => errors.push(FieldError::new("offset", "must be a whole number of at least 0")),
            },
            "job_id" | "part_id" => query.parent_id = uuid(&mut errors),
            "cell_id" => query.cell_id = uuid(&mut errors),
            _ => {}
        }
    }
    if errors.is_empty() { Ok(query) } else { Err(Invalid(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_and_refuses() {
        let q =
            parse_list_query(ErpEntity::Job, &pairs(&[("status", "not_started"), ("search", "ÄRGER"), ("limit", "5")]))
                .unwrap();
        assert_eq!(q.status.as_deref(), Some("not_started"));
        assert_eq!(q.search.as_deref(), Some("ärger"));
        assert_eq!(q.limit, 5);
        let bad = parse_list_query(ErpEntity::Cell, &pairs(&[("status", "x"), ("limit", "1001"), ("colour", "red")]))
            .unwrap_err();
        assert_eq!(bad.0.len(), 3);
    }

    #[test]
    fn sorts_by_a_listed_field_in_either_order() {
        let q = parse_list_query(ErpEntity::Job, &pairs(&[("sort", "Due_Date"), ("order", "DESC")])).unwrap();
        assert_eq!(q.sort, Sort { field: "due_date", descending: true });
        let bad = parse_list_query(ErpEntity::Cell, &pairs(&[("sort", "colour"), ("order", "up")])).unwrap_err();
        assert_eq!(bad.0[0].message, "must be one of: created_at, updated_at, name, sequence");
        assert_eq!(bad.0[1].message, "must be one of: asc, desc");
    }
}
