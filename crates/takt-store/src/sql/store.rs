//! [`SqlStore`]: the one implementation of [`Store`], over any [`Backend`].

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use takt_domain::api_key::ApiKey;
use takt_domain::erp::query::ListQuery as ErpListQuery;
use takt_domain::erp::records::{ErpRecord, SyncOutcome};
use takt_domain::erp::{ErpEntity, SyncInput};
use takt_domain::master_data::{EntityKind, ListQuery, Record, UpsertInput};
use takt_domain::rate_limit::{RateDecision, RatePolicy, TokenBucket};
use uuid::Uuid;

use super::{Backend, Tx, auth, erp, master, transfer};
use crate::{BulkItem, BulkResult, KeyInfo, Page, Store, StoreError, StoredKey, TenantId, TransferSummary};

/// How often a transaction that hit a transient conflict (deadlock, serialization failure,
/// busy database) is tried again before the request fails.
const ATTEMPTS: u32 = 6;

/// The store, in SQL shared by every backend.
pub struct SqlStore<B: Backend> {
    pub(crate) backend: B,
    /// Token buckets of a database that only one process uses; shared databases keep them in
    /// the `rate_buckets` table instead.
    buckets: Mutex<HashMap<Uuid, TokenBucket>>,
}

/// The current time, to the microsecond both engines keep.
pub(crate) fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).expect("the clock is within range")
}

impl<B: Backend> SqlStore<B> {
    pub fn new(backend: B) -> SqlStore<B> {
        SqlStore { backend, buckets: Mutex::new(HashMap::new()) }
    }

    /// Runs `op` in a write transaction and commits; a transient conflict retries it whole.
    pub(crate) async fn write<T, F, Fut>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send,
        F: Fn(B::Tx) -> Fut + Send + Sync,
        Fut: Future<Output = (B::Tx, Result<T, StoreError>)> + Send,
    {
        self.transact(true, op).await
    }

    /// Runs `op` in a read-only transaction (one snapshot).
    pub(crate) async fn read<T, F, Fut>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send,
        F: Fn(B::Tx) -> Fut + Send + Sync,
        Fut: Future<Output = (B::Tx, Result<T, StoreError>)> + Send,
    {
        self.transact(false, op).await
    }

    async fn transact<T, F, Fut>(&self, write: bool, op: F) -> Result<T, StoreError>
    where
        T: Send,
        F: Fn(B::Tx) -> Fut + Send + Sync,
        Fut: Future<Output = (B::Tx, Result<T, StoreError>)> + Send,
    {
        let mut attempt = 1;
        loop {
            let tx = if write { self.backend.begin_write().await } else { self.backend.begin_read().await };
            let tx = tx?;
            let (tx, result) = op(tx).await;
            let outcome = match result {
                Ok(value) => tx.commit().await.map(|()| value).map_err(StoreError::from),
                Err(error) => {
                    let _ = tx.rollback().await;
                    Err(error)
                }
            };
            match outcome {
                Err(StoreError::Busy(reason)) if attempt < ATTEMPTS => {
                    tracing::debug!(attempt, %reason, "transient conflict; retrying the transaction");
                    tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt * attempt))).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    fn take_local_token(&self, key_id: Uuid, policy: RatePolicy, now: DateTime<Utc>) -> RateDecision {
        let mut buckets = self.buckets.lock().expect("rate buckets lock");
        let bucket = buckets.get(&key_id).copied().unwrap_or_else(|| TokenBucket::full(policy, now));
        let (bucket, decision) = bucket.take(policy, now);
        buckets.insert(key_id, bucket);
        decision
    }
}

#[async_trait]
impl<B: Backend> Store for SqlStore<B> {
    fn backend(&self) -> &'static str {
        self.backend.name()
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.backend.ping().await.map_err(StoreError::from)
    }

    async fn close(&self) {
        self.backend.close().await;
    }

    async fn create_key(&self, tenant: &str, label: Option<&str>, key: &ApiKey) -> Result<KeyInfo, StoreError> {
        let at = now();
        self.write(|mut tx| async move {
            let result = auth::create_key(&mut tx, tenant, label, key, at).await;
            (tx, result)
        })
        .await
    }

    async fn list_keys(&self) -> Result<Vec<KeyInfo>, StoreError> {
        self.read(|mut tx| async move {
            let result = auth::list_keys(&mut tx).await;
            (tx, result)
        })
        .await
    }

    async fn revoke_key(&self, prefix: &str) -> Result<KeyInfo, StoreError> {
        let at = now();
        self.write(|mut tx| async move {
            let result = auth::revoke_key(&mut tx, prefix, at).await;
            (tx, result)
        })
        .await
    }

    async fn find_key(&self, lookup_prefix: &str) -> Result<Option<StoredKey>, StoreError> {
        self.read(|mut tx| async move {
            let result = auth::find_key(&mut tx, lookup_prefix).await;
            (tx, result)
        })
        .await
    }

    async fn touch_key(&self, key_id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.write(|mut tx| async move {
            let result = auth::touch_key(&mut tx, key_id, at).await;
            (tx, result)
        })
        .await
    }

    async fn take_rate_token(
        &self,
        key_id: Uuid,
        policy: RatePolicy,
        now: DateTime<Utc>,
    ) -> Result<RateDecision, StoreError> {
        if !self.backend.shared() {
            return Ok(self.take_local_token(key_id, policy, now));
        }
        self.write(|mut tx| async move {
            let result = auth::take_shared_token(&mut tx, key_id, policy, now).await;
            (tx, result)
        })
        .await
    }

    async fn sync(&self, tenant: TenantId, input: &SyncInput) -> Result<SyncOutcome, StoreError> {
        let at = now();
        self.write(|mut tx| async move {
            let result = erp::apply(&mut tx, tenant, input, at).await;
            (tx, result)
        })
        .await
    }

    async fn bulk_sync(&self, tenant: TenantId, items: &[BulkItem]) -> Result<Vec<BulkResult>, StoreError> {
        let at = now();
        self.write(|mut tx| async move {
            let result = erp::apply_bulk(&mut tx, tenant, items, at).await;
            (tx, result)
        })
        .await
    }

    async fn list(
        &self,
        tenant: TenantId,
        entity: ErpEntity,
        query: &ErpListQuery,
    ) -> Result<Page<ErpRecord>, StoreError> {
        self.read(|mut tx| async move {
            let result = erp::list(&mut tx, tenant, entity, query).await;
            (tx, result)
        })
        .await
    }

    async fn get(&self, tenant: TenantId, entity: ErpEntity, id: Uuid) -> Result<Option<ErpRecord>, StoreError> {
        self.read(|mut tx| async move {
            let result = erp::get(&mut tx, tenant, entity, id).await;
            (tx, result)
        })
        .await
    }

    async fn master_list(
        &self,
        tenant: TenantId,
        kind: EntityKind,
        query: &ListQuery,
    ) -> Result<Vec<Record>, StoreError> {
        self.read(|mut tx| async move {
            let result = master::list(&mut tx, tenant, kind.spec(), query).await;
            (tx, result)
        })
        .await
    }

    async fn master_upsert(
        &self,
        tenant: TenantId,
        kind: EntityKind,
        input: &UpsertInput,
    ) -> Result<(bool, Record), StoreError> {
        let at = now();
        self.write(|mut tx| async move {
            let result = master::upsert(&mut tx, tenant, kind.spec(), input, at).await;
            (tx, result)
        })
        .await
    }

    async fn master_delete(&self, tenant: TenantId, kind: EntityKind, id: i64) -> Result<Record, StoreError> {
        self.write(|mut tx| async move {
            let result = master::delete(&mut tx, tenant, kind.spec(), id).await;
            (tx, result)
        })
        .await
    }

    async fn export(
        &self,
        tenant: Option<&str>,
        out: &mut (dyn std::io::Write + Send),
    ) -> Result<TransferSummary, StoreError> {
        let mut tx = self.backend.begin_read().await?;
        let result = transfer::export(&mut tx, tenant, out).await;
        let _ = tx.rollback().await;
        result
    }

    async fn import(&self, input: &mut (dyn std::io::BufRead + Send)) -> Result<TransferSummary, StoreError> {
        let mut tx = self.backend.begin_write().await?;
        match transfer::import(&mut tx, input).await {
            Ok(summary) => {
                tx.commit().await?;
                Ok(summary)
            }
            Err(error) => {
                let _ = tx.rollback().await;
                Err(error)
            }
        }
    }
}
