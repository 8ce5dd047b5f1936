//! The store's own types: tenants, keys, bulk items, pages, transfer summaries.

use chrono::{DateTime, Utc};
use serde::Serialize;
use takt_domain::erp::SyncInput;
use takt_domain::error::Invalid;
use uuid::Uuid;

use crate::StoreError;

/// A tenant's id. Every record belongs to exactly one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TenantId(pub Uuid);

/// A key as stored: what authentication needs to check a presented key.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredKey {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub lookup_prefix: String,
    pub key_hash: Vec<u8>,
    pub revoked: bool,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A key as operators see it (never the key itself).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyInfo {
    pub id: Uuid,
    pub tenant: String,
    pub name: Option<String>,
    pub lookup_prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// One record of a bulk request: parsed, or refused by the parser.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkItem {
    Valid(SyncInput),
    Invalid { external_id: Option<String>, error: Invalid },
}

/// The result of one bulk record, in request order.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkResult {
    Synced(takt_domain::erp::records::SyncOutcome),
    /// The parser refused the record; it was not applied.
    Refused {
        external_id: Option<String>,
        error: Invalid,
    },
    /// Applying the record failed; nothing of it was written.
    Failed {
        external_id: Option<String>,
        error: StoreError,
    },
}

/// One page of a list, and how many records match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// What an export or import moved.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TransferSummary {
    pub tenants: u64,
    /// Rows per table, in transfer order; tables without rows are left out.
    pub rows: Vec<(String, u64)>,
}

/// What a bulk sync would do to one record, found by applying it and rolling back: its result,
/// and every change it would make (none for a record that already holds every value).
#[derive(Debug, Clone, PartialEq)]
pub struct DiffLine {
    pub result: BulkResult,
    pub changes: Vec<takt_domain::event::Change>,
}
