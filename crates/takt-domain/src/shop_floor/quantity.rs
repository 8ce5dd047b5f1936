//! Quantities reported on an operation: good, scrapped and reworked pieces, kept in an
//! append-only ledger whose totals the operation carries.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::erp::limits;
use crate::error::{Invalid, Path};
use crate::json::{KeyStyle, Reader};
use crate::schema::{Field, I32_MAX, Kind};

const COUNT: Kind = Kind::Integer { min: 0, max: I32_MAX };

/// What `complete` of an operation may carry.
pub const COMPLETION_FIELDS: &[Field] = &[
    Field::optional("good", COUNT, "Good pieces made."),
    Field::optional("scrap", COUNT, "Pieces scrapped."),
    Field::optional("rework", COUNT, "Pieces sent to rework."),
    Field::optional(
        "scrap_reason",
        Kind::Text { max_bytes: limits::NAME },
        "Why pieces were scrapped: a scrap reason's code, or free text.",
    ),
    Field::optional("material_lot", Kind::Text { max_bytes: limits::NAME }, "The material lot used."),
    Field::optional("notes", Kind::Text { max_bytes: limits::LONG_TEXT }, "Free text."),
];

/// One report of pieces: what a ledger entry records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quantities {
    pub good: i64,
    pub scrap: i64,
    pub rework: i64,
    pub scrap_reason: Option<String>,
    pub material_lot: Option<String>,
    pub notes: Option<String>,
}

impl Quantities {
    /// Whether it reports no piece at all.
    pub fn is_empty(&self) -> bool {
        self.good == 0 && self.scrap == 0 && self.rework == 0
    }

    /// The entry that cancels `self`: the same pieces, negated.
    pub fn reversed(&self) -> Quantities {
        Quantities { good: -self.good, scrap: -self.scrap, rework: -self.rework, ..self.clone() }
    }
}

/// Reads the quantities a `complete` carries (an empty body or object carries none).
pub fn parse_completion(value: &Value) -> Result<Option<Quantities>, Invalid> {
    if value.is_null() || value.as_object().is_some_and(|o| o.is_empty()) {
        return Ok(None);
    }
    let mut r = Reader::object(value, Path::root(), COMPLETION_FIELDS, KeyStyle::Exact)?;
    let quantities = Quantities {
        good: r.integer("good").set().unwrap_or(0),
        scrap: r.integer("scrap").set().unwrap_or(0),
        rework: r.integer("rework").set().unwrap_or(0),
        scrap_reason: r.text("scrap_reason").set(),
        material_lot: r.text("material_lot").set(),
        notes: r.text("notes").set(),
    };
    r.finish()?;
    Ok((!quantities.is_empty() || quantities.notes.is_some()).then_some(quantities))
}

/// One entry of the ledger; a reversal has negative counts and names the entry it cancels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct QuantityEntry {
    pub id: Uuid,
    pub operation_id: Uuid,
    pub good: i64,
    pub scrap: i64,
    pub rework: i64,
    pub scrap_reason: Option<String>,
    pub operator_id: Option<Uuid>,
    pub material_lot: Option<String>,
    pub notes: Option<String>,
    /// The entry this one cancels, for a reversal.
    pub reverses_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_completion_reads_its_counts_and_refuses_negative_ones() {
        let q = parse_completion(&json!({"good": 24, "scrap": 1, "scrap_reason": "burr"})).unwrap().unwrap();
        assert_eq!((q.good, q.scrap, q.rework, q.scrap_reason.as_deref()), (24, 1, 0, Some("burr")));
        assert_eq!(parse_completion(&json!({})).unwrap(), None);
        assert_eq!(parse_completion(&Value::Null).unwrap(), None);
        let invalid = parse_completion(&json!({"good": -1, "pieces": 3})).unwrap_err();
        let fields: Vec<_> = invalid.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["good", "pieces"]);
    }
}
