//! Quantities reported on an operation: good, scrapped and reworked pieces, kept in an
//! append-only ledger whose totals the operation carries.

use serde_json::Value;

use super::collection::{Collection, CollectionKind, Column, Initial, Input, Record};
use crate::erp::{ErpEntity, limits};
use crate::error::{Invalid, Path};
use crate::json::{KeyStyle, Reader, Scalar};
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

const LEDGER_COLUMNS: &[Column] = &[
    Column::new(Field::required("operation_id", Kind::Uuid, "The operation the pieces were made on.")).filter(),
    Column::new(Field::optional("good", COUNT, "Good pieces; 0 by default.")).initial(Initial::Int(0)),
    Column::new(Field::optional("scrap", COUNT, "Pieces scrapped; 0 by default.")).initial(Initial::Int(0)),
    Column::new(Field::optional("rework", COUNT, "Pieces sent to rework; 0 by default.")).initial(Initial::Int(0)),
    Column::new(Field::optional(
        "scrap_reason",
        Kind::Text { max_bytes: limits::NAME },
        "Why pieces were scrapped: a scrap reason's code, or free text.",
    )),
    Column::new(Field::optional("operator_id", Kind::Uuid, "Who reported them.")).filter().refers(ErpEntity::Operator),
    Column::new(Field::optional("material_lot", Kind::Text { max_bytes: limits::NAME }, "The material lot used.")),
    Column::new(Field::optional("notes", Kind::Text { max_bytes: limits::LONG_TEXT }, "Free text.")),
    Column::new(Field::optional(
        "reverses_id",
        Kind::Uuid,
        "Set by Takt on a reversal: the entry it cancels (its counts are that entry's, negated).",
    ))
    .filter(),
];

/// `/api-operation-quantities`: the ledger of pieces reported on operations. Entries are never
/// changed: `DELETE` appends the reversal, `PATCH` the reversal and the corrected entry.
pub static QUANTITIES: Collection = Collection {
    kind: CollectionKind::Quantity,
    entity: "operation_quantity",
    label: "quantity entry",
    plural: "operation_quantities",
    path: "/api-operation-quantities",
    table: "operation_quantities",
    columns: LEDGER_COLUMNS,
    parent: Some("operation_id"),
    shown: &[],
    extra: &[],
    refine: Some(refuse_reverses_id),
    order_by: "created_at, id",
    synced: false,
    dated: Some("created_at"),
    ledger: true,
};

/// Only Takt writes `reverses_id`.
fn refuse_reverses_id(r: &mut Reader<'_, [Column]>, input: &mut Input) {
    if input.get("reverses_id").is_some() {
        r.error("reverses_id", "is set by Takt on a reversal; DELETE or PATCH an entry to correct it");
        input.values.retain(|(name, _)| *name != "reverses_id");
    }
}

impl Quantities {
    /// The ledger values of an entry of these pieces.
    pub fn values(&self) -> Vec<(&'static str, Option<Scalar>)> {
        let text = |t: &Option<String>| t.clone().map(Scalar::Text);
        vec![
            ("good", Some(Scalar::Integer(self.good))),
            ("scrap", Some(Scalar::Integer(self.scrap))),
            ("rework", Some(Scalar::Integer(self.rework))),
            ("scrap_reason", text(&self.scrap_reason)),
            ("material_lot", text(&self.material_lot)),
            ("notes", text(&self.notes)),
        ]
    }
}

/// The counts of a ledger entry: `(good, scrap, rework)`.
pub fn counts(record: &Record) -> (i64, i64, i64) {
    let count = |name| match record.value(name) {
        Some(Scalar::Integer(n)) => *n,
        _ => 0,
    };
    (count("good"), count("scrap"), count("rework"))
}

/// The values of the entry that cancels `record`: its counts negated, the rest as it was.
pub fn reversal(record: &Record) -> Vec<(&'static str, Option<Scalar>)> {
    record
        .values
        .iter()
        .map(|(name, value)| match (*name, value) {
            ("good" | "scrap" | "rework", Some(Scalar::Integer(n))) => (*name, Some(Scalar::Integer(-n))),
            ("reverses_id", _) => (*name, Some(Scalar::Uuid(record.id))),
            _ => (*name, value.clone()),
        })
        .collect()
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
