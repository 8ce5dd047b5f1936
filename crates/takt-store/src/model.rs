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
// Most records are valid: boxing them would cost an allocation each to save space on the few refused.
#[allow(clippy::large_enum_variant)]
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

/// What only one engine can tell about its own health, for `takt doctor`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineHealth {
    /// SQLite's `integrity_check`: `ok`, or the problems it found.
    pub integrity: Option<String>,
    /// The SQLite database file.
    pub file: Option<String>,
    /// PostgreSQL's `max_connections`, `superuser_reserved_connections`, and the connections open
    /// to it now.
    pub max_connections: Option<i64>,
    pub reserved_connections: Option<i64>,
    pub connections_in_use: Option<i64>,
}

/// A tenant and how many of its keys are not revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantKeys {
    pub tenant: String,
    pub active_keys: i64,
}

/// An active webhook's endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookTarget {
    pub tenant: String,
    pub id: Uuid,
    pub url: String,
}

/// What `takt doctor` reads from the database, each part on its own (a database with pending
/// migrations may lack the tables a later part reads).
#[derive(Debug)]
pub struct Diagnosis {
    /// The migrations this build carries, by version and description.
    pub known_migrations: Vec<(i64, String)>,
    /// The migrations the database has recorded, by version and whether each succeeded.
    pub applied_migrations: Result<Vec<(i64, bool)>, StoreError>,
    pub tenants: Result<Vec<TenantKeys>, StoreError>,
    pub engine: Result<EngineHealth, StoreError>,
    pub webhooks: Result<Vec<WebhookTarget>, StoreError>,
}
