//! The success bodies of the ERP sync API, exactly in the seed's shape.

use std::collections::BTreeMap;

use serde::Serialize;
use takt_domain::erp::records::{ErpRecord, SyncAction, SyncOutcome};
use utoipa::ToSchema;
use uuid::Uuid;

/// `{"success": true, "data": ...}`
#[derive(Debug, Serialize)]
pub struct Success<T> {
    pub success: bool,
    pub data: T,
}

impl<T> Success<T> {
    pub fn new(data: T) -> Success<T> {
        Success { success: true, data }
    }
}

/// The answer to one sync: the seed's fields, then the record under its entity's name.
#[derive(Debug, Serialize)]
pub struct SyncAnswer {
    #[serde(flatten)]
    pub outcome: SyncOutcome,
    /// One entry: `"job"` (`"part"`, ...) and the record as `GET` reads it.
    #[serde(flatten)]
    pub record: BTreeMap<&'static str, ErpRecord>,
}

/// The answer to a bulk sync.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkSummary {
    pub total: usize,
    pub created: usize,
    pub updated: usize,
    pub errors: usize,
    /// One line per record, in request order.
    pub results: Vec<BulkLine>,
}

/// One record's result: `{external_id, id, action}`, or `{external_id, action: "error", error}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum BulkLine {
    Synced { external_id: String, id: Uuid, action: SyncAction },
    Failed { external_id: Option<String>, action: ErrorAction, error: String },
}

/// The answer to a bulk sync whose body was under `items`: the seed's counts, and `results` as
/// the reference's newer clients read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemsSummary {
    pub total: usize,
    pub created: usize,
    pub updated: usize,
    pub errors: usize,
    pub results: ItemsResults,
}

/// Counts, and one line per record that failed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemsResults {
    pub created: usize,
    pub updated: usize,
    pub failed: usize,
    pub errors: Vec<ItemError>,
}

/// A record that failed, by its place in `items`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemError {
    pub index: usize,
    pub external_id: Option<String>,
    pub error: String,
}

impl From<BulkSummary> for ItemsSummary {
    fn from(summary: BulkSummary) -> ItemsSummary {
        let errors = summary
            .results
            .into_iter()
            .enumerate()
            .filter_map(|(index, line)| match line {
                BulkLine::Failed { external_id, error, .. } => Some(ItemError { index, external_id, error }),
                BulkLine::Synced { .. } => None,
            })
            .collect();
        ItemsSummary {
            total: summary.total,
            created: summary.created,
            updated: summary.updated,
            errors: summary.errors,
            results: ItemsResults {
                created: summary.created,
                updated: summary.updated,
                failed: summary.errors,
                errors,
            },
        }
    }
}

/// Always `"error"`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ErrorAction {
    Error,
}

impl From<SyncOutcome> for BulkLine {
    fn from(o: SyncOutcome) -> BulkLine {
        BulkLine::Synced { external_id: o.external_id, id: o.id, action: o.action }
    }
}

/// Where a page sits in the whole list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pagination {
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

/// The answer to a diff: what a bulk sync of the same body would do.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiffSummary {
    pub total: usize,
    pub create: usize,
    pub update: usize,
    pub unchanged: usize,
    pub errors: usize,
    /// One line per record, in request order.
    pub results: Vec<DiffResult>,
}

/// What a sync would do to one record: `create`, `update` (with the fields that would change),
/// `unchanged`, or `error` (with the error the sync would give).
#[derive(Debug, Serialize, ToSchema)]
pub struct DiffResult {
    pub external_id: Option<String>,
    /// The stored record's id (`update`, `unchanged`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// `create`, `update`, `unchanged` or `error`.
    pub action: &'static str,
    /// With `update`: each field that would change, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, FieldChange>>,
    /// The nested records (a job's parts and their operations) that would be created or change.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nested: Vec<NestedChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A nested record a sync would create or change.
#[derive(Debug, Serialize, ToSchema)]
pub struct NestedChange {
    /// `part` or `operation`.
    pub entity: String,
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// `create` or `update`.
    pub action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, FieldChange>>,
}

/// A field's stored value and the one a sync would write.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChange {
    pub old: serde_json::Value,
    pub new: serde_json::Value,
}
