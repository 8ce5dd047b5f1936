//! Idempotency keys: each step (claim, answer, release, prune) is its own short write, apart
//! from the request's own, so that a claim is visible to every instance at once; the first
//! three may share their transaction with other single writes (group commit).

use takt_domain::idempotency::{Claim, IdempotencyKey, RequestFingerprint, StoredAnswer};
use takt_store::sql::{Backend, idempotency};
use takt_store::{StoreError, TenantId, now};
use uuid::Uuid;

use crate::App;

pub(crate) async fn claim<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    key: &IdempotencyKey,
    fingerprint: &RequestFingerprint,
) -> Result<Claim, StoreError> {
    app.db
        .write_grouped(tenant.0, |mut tx| async move {
            let result = idempotency::claim(&mut tx, tenant, key, fingerprint, now()).await;
            (tx, result)
        })
        .await
}

pub(crate) async fn answer<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    key: &IdempotencyKey,
    token: Uuid,
    stored: &StoredAnswer,
) -> Result<bool, StoreError> {
    app.db
        .write_grouped(tenant.0, |mut tx| async move {
            let result = idempotency::answer(&mut tx, tenant, key, token, stored).await;
            (tx, result)
        })
        .await
}

pub(crate) async fn release<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    key: &IdempotencyKey,
    token: Uuid,
) -> Result<(), StoreError> {
    app.db
        .write_grouped(tenant.0, |mut tx| async move {
            let result = idempotency::release(&mut tx, tenant, key, token).await;
            (tx, result)
        })
        .await
}

pub(crate) async fn prune<B: Backend>(app: &App<B>) -> Result<u64, StoreError> {
    app.db
        .write(|mut tx| async move {
            let result = idempotency::prune(&mut tx, now()).await;
            (tx, result)
        })
        .await
}
