//! `/api-issues`: non-conformances reported on an operation. An open issue that causes a
//! standstill holds its operation (`takt_store::sql::shop_floor::issues`).

use super::collection::{Collection, CollectionKind, Column, Initial, Record};
use crate::erp::limits;
use crate::schema::{Field, Kind};

pub const SEVERITIES: &[&str] = &["low", "medium", "high", "critical"];
pub const ISSUE_TYPES: &[&str] = &["general", "ncr"];
pub const STATUSES: &[&str] = &["pending", "approved", "rejected", "closed"];

/// The status of an issue that no longer holds anything.
pub const CLOSED: &str = "closed";

const COLUMNS: &[Column] = &[
    Column::new(Field::required("operation_id", Kind::Uuid, "The operation the issue is about.")).filter(),
    Column::new(Field::required("title", Kind::Text { max_bytes: limits::NAME }, "What is wrong, in a line.")),
    Column::new(Field::optional("description", Kind::Text { max_bytes: limits::LONG_TEXT }, "Free text.")),
    Column::new(Field::optional("severity", Kind::Enum(SEVERITIES), "Defaults to medium."))
        .initial(Initial::Text("medium"))
        .filter(),
    Column::new(Field::optional("issue_type", Kind::Enum(ISSUE_TYPES), "general or ncr (a non-conformance report)."))
        .initial(Initial::Text("general"))
        .filter(),
    Column::new(Field::optional("ncr_category", Kind::Text { max_bytes: limits::NAME }, "The NCR's category.")),
    Column::new(Field::optional("disposition", Kind::Text { max_bytes: limits::NAME }, "What is done with the parts.")),
    Column::new(Field::optional(
        "status",
        Kind::Enum(STATUSES),
        "Defaults to pending. The filter status=open means every status but closed.",
    ))
    .initial(Initial::Text("pending"))
    .filter()
    .except("open", CLOSED),
    Column::new(Field::optional(
        "causes_standstill",
        Kind::Bool,
        "While true and the issue is not closed, its operation is on_hold. Defaults to false.",
    ))
    .initial(Initial::Bool(false))
    .filter(),
    Column::new(Field::optional(
        "reported_by",
        Kind::Text { max_bytes: limits::NAME },
        "Who reported it; defaults to the API key's id (as events name the actor).",
    ))
    .initial(Initial::Actor),
];

pub static ISSUES: Collection = Collection {
    kind: CollectionKind::Issue,
    entity: "issue",
    label: "issue",
    plural: "issues",
    path: "/api-issues",
    table: "issues",
    columns: COLUMNS,
    parent: Some("operation_id"),
    shown: &[],
    extra: &[],
    refine: None,
    order_by: "id",
    synced: false,
    dated: None,
    ledger: false,
};

/// Whether an issue holds its operation: it causes a standstill and is not closed.
pub fn stands_still(issue: &Record) -> bool {
    issue.bool("causes_standstill") == Some(true) && issue.text("status") != Some(CLOSED)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::json::Scalar;
    use crate::shop_floor::collection::{Condition, Mode, parse, parse_list};

    const OPERATION: &str = "0192f3c4-0000-7000-8000-000000000001";

    #[test]
    fn enums_ignore_case_and_creates_take_initial_values() {
        let body = json!({"operation_id": OPERATION, "title": "Burr", "severity": "HIGH"});
        let input = parse(&ISSUES, &body, Mode::Create).unwrap().with_initial(&ISSUES, "ery_live_ab");
        assert_eq!(input.get("severity"), Some(&Some(Scalar::Text("high".into()))));
        assert_eq!(input.get("status"), Some(&Some(Scalar::Text("pending".into()))));
        assert_eq!(input.get("causes_standstill"), Some(&Some(Scalar::Bool(false))));
        assert_eq!(input.get("reported_by"), Some(&Some(Scalar::Text("ery_live_ab".into()))));
        assert_eq!(input.get("description"), None);
    }

    #[test]
    fn every_bad_field_is_named() {
        let body = json!({"title": " ", "severity": "huge", "status": null, "extra": 1, "causes_standstill": "yes"});
        let invalid = parse(&ISSUES, &body, Mode::Create).unwrap_err();
        let fields: Vec<&str> = invalid.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["operation_id", "title", "severity", "status", "causes_standstill", "extra"]);
        assert!(parse(&ISSUES, &json!({"title": "x"}), Mode::Change).is_ok(), "a change needs no operation_id");
        let blank = parse(&ISSUES, &json!({"title": " "}), Mode::Change).unwrap_err();
        assert_eq!(blank.0[0].message, "must not be blank");
    }

    #[test]
    fn open_means_every_status_but_closed() {
        let pairs = |q: &[(&str, &str)]| q.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let query = parse_list(&ISSUES, &pairs(&[("status", "Open"), ("severity", "CRITICAL")])).unwrap();
        assert_eq!(
            query.filters,
            [
                ("status", Condition::IsNot(Scalar::Text("closed".into()))),
                ("severity", Condition::Is(Scalar::Text("critical".into())))
            ]
        );
        let invalid = parse_list(&ISSUES, &pairs(&[("title", "x"), ("limit", "0"), ("causes_standstill", "y")]));
        let fields: Vec<String> = invalid.unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "limit", "causes_standstill"]);
    }
}
