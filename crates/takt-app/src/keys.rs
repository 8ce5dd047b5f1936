//! Tenants, API keys and rate-limit tokens.

use chrono::{DateTime, Utc};
use takt_domain::api_key::ApiKey;
use takt_domain::rate_limit::{RateDecision, RatePolicy, TokenBucket};
use takt_store::sql::{Backend, auth};
use takt_store::{KeyInfo, StoreError, StoredKey, now};
use uuid::Uuid;

use crate::App;

pub(crate) async fn create<B: Backend>(
    app: &App<B>,
    tenant: &str,
    label: Option<&str>,
    key: &ApiKey,
) -> Result<KeyInfo, StoreError> {
    let at = now();
    app.db
        .write(|mut tx| async move {
            let result = auth::create_key(&mut tx, tenant, label, key, at).await;
            (tx, result)
        })
        .await
}

pub(crate) async fn list<B: Backend>(app: &App<B>) -> Result<Vec<KeyInfo>, StoreError> {
    app.db
        .read(|mut tx| async move {
            let result = auth::list_keys(&mut tx).await;
            (tx, result)
        })
        .await
}

pub(crate) async fn revoke<B: Backend>(app: &App<B>, prefix: &str) -> Result<KeyInfo, StoreError> {
    let at = now();
    app.db
        .write(|mut tx| async move {
            let result = auth::revoke_key(&mut tx, prefix, at).await;
            (tx, result)
        })
        .await
}

/// The key a request names: one statement, outside a transaction (every request makes it).
pub(crate) async fn find<B: Backend>(app: &App<B>, lookup_prefix: &str) -> Result<Option<StoredKey>, StoreError> {
    app.db
        .read_single(|mut tx| async move {
            let result = auth::find_key(&mut tx, lookup_prefix).await;
            (tx, result)
        })
        .await
}

pub(crate) async fn touch<B: Backend>(app: &App<B>, key_id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
    app.db
        .write(|mut tx| async move {
            let result = auth::touch_key(&mut tx, key_id, at).await;
            (tx, result)
        })
        .await
}

/// A database that one process uses keeps its buckets in memory; a shared one in the database.
pub(crate) async fn take_rate_token<B: Backend>(
    app: &App<B>,
    key_id: Uuid,
    policy: RatePolicy,
    now: DateTime<Utc>,
) -> Result<RateDecision, StoreError> {
    if !app.db.backend().shared() {
        let mut buckets = app.buckets.lock().expect("rate buckets lock");
        let bucket = buckets.get(&key_id).copied().unwrap_or_else(|| TokenBucket::full(policy, now));
        let (bucket, decision) = bucket.take(policy, now);
        buckets.insert(key_id, bucket);
        return Ok(decision);
    }
    // One key's requests all take from one row: sharing their transactions (grouped by the key)
    // spares each its own commit.
    app.db
        .write_grouped(key_id, |mut tx| async move {
            let result = auth::take_shared_token(&mut tx, key_id, policy, now).await;
            (tx, result)
        })
        .await
}
