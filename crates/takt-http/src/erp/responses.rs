//! The success bodies of the ERP sync API, exactly in the seed's shape.

use serde::Serialize;
use takt_domain::erp::records::{SyncAction, SyncOutcome};
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
