//! Takt's storage: the [`Store`] trait the HTTP layer and the CLI use, and [`sql::SqlStore`],
//! its one implementation in SQL that the SQLite and PostgreSQL backends share.
//!
//! Everything a request reads or writes is scoped to one tenant; every write is one
//! transaction. Ids (UUIDv7 for ERP records, integers for master data) and timestamps are made
//! in Rust, never by the database.

pub mod error;
pub mod model;
pub mod sql;

pub use error::StoreError;
pub use model::*;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use takt_domain::api_key::ApiKey;
use takt_domain::erp::query::ListQuery as ErpListQuery;
use takt_domain::erp::records::{ErpRecord, SyncOutcome};
use takt_domain::erp::{ErpEntity, SyncInput};
use takt_domain::master_data::{EntityKind, ListQuery, Record, UpsertInput};
use takt_domain::rate_limit::{RateDecision, RatePolicy};
use uuid::Uuid;

/// Everything Takt keeps, behind one interface that does not know which database holds it.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
    /// Closes every connection, once the last request is done (SQLite then folds its
    /// write-ahead log into the database file).
    async fn close(&self);

    // Tenants and keys.

    /// Stores a new key for `tenant`, creating the tenant (with its built-in ownership types
    /// and approval statuses) if it does not exist yet.
    async fn create_key(&self, tenant: &str, label: Option<&str>, key: &ApiKey) -> Result<KeyInfo, StoreError>;
    async fn list_keys(&self) -> Result<Vec<KeyInfo>, StoreError>;
    /// Revokes the one key whose lookup prefix starts with `prefix` (see
    /// [`takt_domain::api_key::prefix_query`]).
    async fn revoke_key(&self, prefix: &str) -> Result<KeyInfo, StoreError>;
    /// Finds a key by its lookup prefix, to check a presented key against its hash.
    async fn find_key(&self, lookup_prefix: &str) -> Result<Option<StoredKey>, StoreError>;
    /// Records that a key was used.
    async fn touch_key(&self, key_id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Takes one request from a key's token bucket.
    async fn take_rate_token(
        &self,
        key_id: Uuid,
        policy: RatePolicy,
        now: DateTime<Utc>,
    ) -> Result<RateDecision, StoreError>;

    // ERP sync API.

    /// Creates or updates one record (a job with its nested parts and operations, all or none).
    async fn sync(&self, tenant: TenantId, input: &SyncInput) -> Result<SyncOutcome, StoreError>;
    /// Applies each record on its own, atomically, in order; the results follow request order.
    async fn bulk_sync(&self, tenant: TenantId, items: &[BulkItem]) -> Result<Vec<BulkResult>, StoreError>;
    async fn list(
        &self,
        tenant: TenantId,
        entity: ErpEntity,
        query: &ErpListQuery,
    ) -> Result<Page<ErpRecord>, StoreError>;
    /// One record; a job with its parts and their operations, a part with its operations.
    async fn get(&self, tenant: TenantId, entity: ErpEntity, id: Uuid) -> Result<Option<ErpRecord>, StoreError>;

    // Master-data API.

    async fn master_list(
        &self,
        tenant: TenantId,
        kind: EntityKind,
        query: &ListQuery,
    ) -> Result<Vec<Record>, StoreError>;
    /// Creates (`true`) or updates (`false`) a record and returns it whole.
    async fn master_upsert(
        &self,
        tenant: TenantId,
        kind: EntityKind,
        input: &UpsertInput,
    ) -> Result<(bool, Record), StoreError>;
    /// Deletes a record nothing uses, and returns it as it was.
    async fn master_delete(&self, tenant: TenantId, kind: EntityKind, id: i64) -> Result<Record, StoreError>;

    // Moving data between databases.

    /// Writes one tenant's data (or everything) as JSON lines.
    async fn export(
        &self,
        tenant: Option<&str>,
        out: &mut (dyn std::io::Write + Send),
    ) -> Result<TransferSummary, StoreError>;
    /// Loads an export, ids kept, all or nothing.
    async fn import(&self, input: &mut (dyn std::io::BufRead + Send)) -> Result<TransferSummary, StoreError>;
}
