//! Takt's application layer. Each use case (one file) opens one transaction through
//! [`takt_store::sql::Db`] and composes storage operations on it, so that everything one request
//! changes commits or rolls back together. [`Service`] is what the HTTP layer and the CLI call;
//! [`App`] implements it over any backend.

mod collections;
mod diagnose;
mod erp_bulk_sync;
mod erp_create;
mod erp_delete;
mod erp_diff;
mod erp_read;
mod erp_sync;
mod erp_update;
mod events;
mod idempotency;
mod keys;
mod labour;
mod lifecycle;
mod master_delete;
mod master_list;
mod master_upsert;
pub mod metrics;
pub mod pins;
mod queue;
mod service;
pub mod terminal;
mod transfer;
mod webhook_delivery;
mod webhooks;

pub use crate::metrics::Metrics;
pub use terminal::Terminal;
pub use webhook_delivery::DeliverySettings;

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use takt_domain::api_key::ApiKey;
use takt_domain::erp::query::ListQuery as ErpListQuery;
use takt_domain::erp::records::{Cell, ErpRecord, SyncAction, SyncOutcome};
use takt_domain::erp::{ErpEntity, SyncInput};
use takt_domain::event::Actor;
use takt_domain::idempotency::{Claim, IdempotencyKey, RequestFingerprint, StoredAnswer};
use takt_domain::master_data::{EntityKind, ListQuery, Record, UpsertInput};
use takt_domain::rate_limit::{RateDecision, RatePolicy, TokenBucket};
use takt_domain::shop_floor::Action;
use takt_domain::shop_floor::collection::{
    Collection, Input, ListQuery as CollectionQuery, Record as CollectionRecord,
};
use takt_domain::shop_floor::queue::QueueLine;
use takt_domain::webhook::{Attempt, Webhook, WebhookInput};
use takt_store::sql::events::{FeedPage, FeedQuery};
use takt_store::sql::shop_floor::lifecycle::{Moved, OperationMove};
use takt_store::sql::shop_floor::queue::CellKey;
use takt_store::sql::webhooks::LogQuery;
use takt_store::sql::{Backend, Db};
use takt_store::{
    BulkItem, BulkResult, Diagnosis, DiffLine, KeyInfo, Page, StoreError, StoredKey, TenantId, TransferSummary,
};
use tokio::sync::broadcast;
use uuid::Uuid;

/// Every use case of Takt, behind one interface that does not know which database runs it
/// (the operator terminal's own are in [`Terminal`]).
#[async_trait]
pub trait Service: Terminal + Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
    /// Closes every connection, once the last request is done (SQLite then folds its
    /// write-ahead log into the database file).
    async fn close(&self);
    /// The counters `/metrics` reports, for the HTTP layer to record on.
    fn metrics(&self) -> &Metrics;
    /// `/metrics` in Prometheus's text format, with the pools' use and the pending webhook
    /// deliveries read now.
    async fn render_metrics(&self) -> String;

    /// What `takt doctor` checks: migrations, tenants' keys, the engine's own checks, the
    /// active webhooks.
    async fn diagnose(&self) -> Diagnosis;
    /// Whether a webhook endpoint answers (any HTTP status), by the deliveries' address policy.
    async fn probe_webhook(&self, url: &str, allow_loopback: bool) -> Result<u16, String>;

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

    /// Creates or updates one record (a job with its nested parts and operations, all or none);
    /// answers what it did and the record as it now is.
    async fn sync(
        &self,
        tenant: TenantId,
        actor: &Actor,
        input: &SyncInput,
    ) -> Result<(SyncOutcome, ErpRecord), StoreError>;
    /// Applies each record on its own, atomically, in order; the results follow request order.
    async fn bulk_sync(
        &self,
        tenant: TenantId,
        actor: &Actor,
        items: &[BulkItem],
    ) -> Result<Vec<BulkResult>, StoreError>;
    /// What [`Service::bulk_sync`] would do to each record, writing nothing.
    async fn diff_bulk(&self, tenant: TenantId, items: &[BulkItem]) -> Result<Vec<DiffLine>, StoreError>;
    async fn list(
        &self,
        tenant: TenantId,
        entity: ErpEntity,
        query: &ErpListQuery,
    ) -> Result<Page<ErpRecord>, StoreError>;
    /// One record; a job with its parts and their operations, a part with its operations.
    async fn get(&self, tenant: TenantId, entity: ErpEntity, id: Uuid) -> Result<Option<ErpRecord>, StoreError>;
    /// Creates one record (a job with its nested parts and operations, all or none); every sync
    /// key must be new. A record whose external_id is one of `ids` takes it as its id.
    async fn create(
        &self,
        tenant: TenantId,
        actor: &Actor,
        input: &SyncInput,
        ids: &HashSet<Uuid>,
    ) -> Result<ErpRecord, StoreError>;
    /// Updates the fields `body` gives of a live record; answers it as it now is.
    async fn update(
        &self,
        tenant: TenantId,
        actor: &Actor,
        entity: ErpEntity,
        id: Uuid,
        body: &serde_json::Value,
    ) -> Result<ErpRecord, StoreError>;
    /// Deletes a live record softly (a job with its parts and operations, a part with its operations).
    async fn delete(&self, tenant: TenantId, actor: &Actor, entity: ErpEntity, id: Uuid) -> Result<(), StoreError>;

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
        actor: &Actor,
        kind: EntityKind,
        input: &UpsertInput,
    ) -> Result<(bool, Record), StoreError>;
    /// Deletes a record nothing uses, and returns it as it was.
    async fn master_delete(
        &self,
        tenant: TenantId,
        actor: &Actor,
        kind: EntityKind,
        id: i64,
    ) -> Result<Record, StoreError>;

    // Events.

    /// A page of the tenant's event log.
    async fn events(&self, tenant: TenantId, query: &FeedQuery) -> Result<FeedPage, StoreError>;
    /// Deletes every tenant's events that occurred before `cutoff`; answers how many.
    async fn prune_events(&self, cutoff: DateTime<Utc>) -> Result<u64, StoreError>;
    /// Wakes up with a tenant's id whenever that tenant's events were committed, by this
    /// process or (on a shared database) another; the nil id means "any tenant may have some".
    fn subscribe_events(&self) -> broadcast::Receiver<Uuid>;

    // Idempotency keys.

    /// Claims `key` for a request, or finds its stored answer, another request's use of it, or
    /// its first request still running.
    async fn claim_idempotency_key(
        &self,
        tenant: TenantId,
        key: &IdempotencyKey,
        fingerprint: &RequestFingerprint,
    ) -> Result<Claim, StoreError>;
    /// Keeps the answer of the request that claimed `key` with `token`; `false` when a retry
    /// took the key over meanwhile (its lease ran out).
    async fn answer_idempotency_key(
        &self,
        tenant: TenantId,
        key: &IdempotencyKey,
        token: uuid::Uuid,
        answer: &StoredAnswer,
    ) -> Result<bool, StoreError>;
    /// Gives a claimed key up without an answer, so that a retry runs the request again.
    async fn release_idempotency_key(
        &self,
        tenant: TenantId,
        key: &IdempotencyKey,
        token: uuid::Uuid,
    ) -> Result<(), StoreError>;
    /// Deletes every tenant's keys past their 24 hours; answers how many.
    async fn prune_idempotency_keys(&self) -> Result<u64, StoreError>;

    // Webhooks.

    /// Creates a webhook; answers it with its signing secret, which is shown only now.
    async fn create_webhook(&self, tenant: TenantId, input: &WebhookInput) -> Result<(Webhook, String), StoreError>;
    async fn list_webhooks(
        &self,
        tenant: TenantId,
        active: Option<bool>,
        limit: i64,
        offset: i64,
    ) -> Result<Page<Webhook>, StoreError>;
    async fn get_webhook(&self, tenant: TenantId, id: Uuid) -> Result<Option<Webhook>, StoreError>;
    async fn update_webhook(
        &self,
        tenant: TenantId,
        id: Uuid,
        input: &WebhookInput,
    ) -> Result<Option<Webhook>, StoreError>;
    /// Whether the webhook existed.
    async fn delete_webhook(&self, tenant: TenantId, id: Uuid) -> Result<bool, StoreError>;
    /// A new secret, shown only now; the old one signs too for 24 hours.
    async fn rotate_webhook_secret(&self, tenant: TenantId, id: Uuid) -> Result<Option<(Webhook, String)>, StoreError>;
    /// Queues again every matching event after `after`; answers how many.
    async fn replay_webhook(&self, tenant: TenantId, id: Uuid, after: i64) -> Result<Option<u64>, StoreError>;
    async fn webhook_attempts(&self, tenant: TenantId, query: &LogQuery) -> Result<Page<Attempt>, StoreError>;
    /// Delivers webhooks until the process ends (every instance runs one).
    async fn deliver_webhooks(&self, settings: DeliverySettings);

    // The shop floor.

    /// Moves an operation through its lifecycle (with its time entries, the quantities a
    /// `complete` reports and the roll-up to its part and job), in one transaction with the
    /// events of every change.
    async fn move_operation(
        &self,
        tenant: TenantId,
        actor: &Actor,
        request: &OperationMove,
    ) -> Result<Moved, StoreError>;
    /// Moves a job through its lifecycle; a pause pauses its running operations too.
    async fn move_job(&self, tenant: TenantId, actor: &Actor, id: Uuid, action: Action) -> Result<Moved, StoreError>;
    /// An operator's labour in seconds (the union of their closed time entries that start in
    /// `[from, before)`) and how many entries it covers.
    async fn operator_labour(
        &self,
        tenant: TenantId,
        operator: Uuid,
        from: Option<DateTime<Utc>>,
        before: Option<DateTime<Utc>>,
    ) -> Result<(i64, i64), StoreError>;
    /// A cell and one page of its dispatch queue.
    async fn cell_queue(
        &self,
        tenant: TenantId,
        cell: &CellKey,
        limit: i64,
        offset: i64,
    ) -> Result<(Cell, Page<QueueLine>), StoreError>;

    // Moving data between databases.

    /// Writes one tenant's data (or everything) as JSON lines.
    async fn export(
        &self,
        tenant: Option<&str>,
        out: &mut (dyn std::io::Write + Send),
    ) -> Result<TransferSummary, StoreError>;
    /// Loads an export, ids kept, all or nothing.
    async fn import(&self, input: &mut (dyn std::io::BufRead + Send)) -> Result<TransferSummary, StoreError>;

    // The shop floor's collections (SPEC section 7): issues, substeps, scrap reasons.

    /// A page of a collection's records.
    async fn list_records(
        &self,
        tenant: TenantId,
        records: &'static Collection,
        query: &CollectionQuery,
    ) -> Result<Page<CollectionRecord>, StoreError>;
    async fn get_record(
        &self,
        tenant: TenantId,
        records: &'static Collection,
        id: Uuid,
    ) -> Result<Option<CollectionRecord>, StoreError>;
    /// Creates a record, with its events (and an issue's hold of its operation).
    async fn create_record(
        &self,
        tenant: TenantId,
        actor: &Actor,
        records: &'static Collection,
        input: &Input,
    ) -> Result<CollectionRecord, StoreError>;
    /// Changes the fields given; `None` when there is no such record.
    async fn change_record(
        &self,
        tenant: TenantId,
        actor: &Actor,
        records: &'static Collection,
        id: Uuid,
        input: &Input,
    ) -> Result<Option<CollectionRecord>, StoreError>;
    /// Deletes a record; whether it existed.
    async fn delete_record(
        &self,
        tenant: TenantId,
        actor: &Actor,
        records: &'static Collection,
        id: Uuid,
    ) -> Result<Option<CollectionRecord>, StoreError>;
    /// Creates or updates the record synced under the input's `(external_source, external_id)`.
    async fn sync_record(
        &self,
        tenant: TenantId,
        actor: &Actor,
        records: &'static Collection,
        input: &Input,
    ) -> Result<(SyncAction, CollectionRecord), StoreError>;
}

/// Takt over one database.
pub struct App<B: Backend> {
    db: Db<B>,
    /// Token buckets of a database that only one process uses; shared databases keep them in
    /// the `rate_buckets` table instead.
    buckets: Mutex<HashMap<Uuid, TokenBucket>>,
    /// The tenants whose events were just committed.
    committed: broadcast::Sender<Uuid>,
    metrics: Metrics,
}

impl<B: Backend> App<B> {
    /// Takt over `backend`; on a shared database it also listens for other processes' events.
    pub fn new(backend: B) -> App<B> {
        let (committed, _) = broadcast::channel(1024);
        backend.watch_events(committed.clone());
        App { db: Db::new(backend), buckets: Mutex::new(HashMap::new()), committed, metrics: Metrics::new() }
    }
}
