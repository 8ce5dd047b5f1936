//! `/api-scrap-reasons`: why parts are scrapped, by code; created by hand or synced from the ERP
//! by `(external_source, external_id)`.

use super::collection::{Collection, CollectionKind, Column, Initial};
use crate::erp::limits;
use crate::schema::{Field, Kind};

/// The categories of a scrap reason.
pub const CATEGORIES: &[&str] = &["material", "process", "machine", "operator", "other"];

/// The longest code.
pub const CODE_BYTES: usize = 100;

const COLUMNS: &[Column] = &[
    Column::new(Field::optional(
        "external_source",
        Kind::Text { max_bytes: limits::EXTERNAL_SOURCE },
        "The system the reason comes from; with external_id, its sync key.",
    )),
    Column::new(Field::optional(
        "external_id",
        Kind::Text { max_bytes: limits::EXTERNAL_ID },
        "The reason's id in that system.",
    )),
    Column::new(Field::required(
        "code",
        Kind::Text { max_bytes: CODE_BYTES },
        "Unique per tenant, case-insensitive; quantities name their scrap_reason by it.",
    ))
    .unique(),
    Column::new(Field::optional("description", Kind::Text { max_bytes: limits::LONG_TEXT }, "Free text.")),
    Column::new(Field::optional("category", Kind::Enum(CATEGORIES), "What the scrap comes from. Defaults to other."))
        .initial(Initial::Text("other"))
        .filter(),
    Column::new(Field::optional("active", Kind::Bool, "Whether it may be chosen. Defaults to true."))
        .initial(Initial::Bool(true))
        .filter(),
];

pub static SCRAP_REASONS: Collection = Collection {
    kind: CollectionKind::ScrapReason,
    entity: "scrap_reason",
    label: "scrap reason",
    plural: "scrap_reasons",
    path: "/api-scrap-reasons",
    table: "scrap_reasons",
    columns: COLUMNS,
    parent: None,
    shown: &[],
    extra: &[],
    refine: None,
    order_by: "id",
    synced: true,
    dated: None,
    ledger: false,
};
