//! `/api-webhooks` and `/api-webhook-logs`: a tenant's webhooks and their delivery log, each
//! action in one transaction.

use chrono::Duration;
use takt_domain::webhook::{Attempt, Webhook, WebhookInput, WebhookSecret};
use takt_store::sql::Backend;
use takt_store::sql::webhooks::{self, LogQuery};
use takt_store::{Page, StoreError, TenantId, now};
use uuid::Uuid;

use crate::App;

/// How long a rotated-out secret goes on signing.
const OLD_SECRET_SIGNS_FOR: Duration = Duration::hours(24);

/// Creates a webhook; answers it with its new secret (the only time the secret is shown).
pub(crate) async fn create<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    input: &WebhookInput,
) -> Result<(Webhook, String), StoreError> {
    let secret = WebhookSecret::generate();
    let at = now();
    let webhook = app
        .db
        .write(|mut tx| {
            let secret = secret.reveal();
            async move {
                let result = webhooks::create(&mut tx, tenant, input, secret, at).await;
                (tx, result)
            }
        })
        .await?;
    Ok((webhook, secret.reveal().to_owned()))
}

pub(crate) async fn list<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    active: Option<bool>,
    limit: i64,
    offset: i64,
) -> Result<Page<Webhook>, StoreError> {
    app.db
        .read(|mut tx| async move {
            let result = webhooks::list(&mut tx, tenant, active, limit, offset).await;
            (tx, result)
        })
        .await
}

pub(crate) async fn get<B: Backend>(app: &App<B>, tenant: TenantId, id: Uuid) -> Result<Option<Webhook>, StoreError> {
    app.db
        .read(|mut tx| async move {
            let result = webhooks::get(&mut tx, tenant, id).await;
            (tx, result)
        })
        .await
}

pub(crate) async fn update<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    id: Uuid,
    input: &WebhookInput,
) -> Result<Option<Webhook>, StoreError> {
    let at = now();
    app.db
        .write(|mut tx| async move {
            let result = webhooks::update(&mut tx, tenant, id, input, at).await;
            (tx, result)
        })
        .await
}

pub(crate) async fn delete<B: Backend>(app: &App<B>, tenant: TenantId, id: Uuid) -> Result<bool, StoreError> {
    app.db
        .write(|mut tx| async move {
            let result = webhooks::delete(&mut tx, tenant, id).await;
            (tx, result)
        })
        .await
}

/// A new secret; the old one signs beside it for 24 hours.
pub(crate) async fn rotate_secret<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    id: Uuid,
) -> Result<Option<(Webhook, String)>, StoreError> {
    let secret = WebhookSecret::generate();
    let at = now();
    let rotated = app
        .db
        .write(|mut tx| {
            let secret = secret.reveal();
            async move {
                let result = webhooks::rotate_secret(&mut tx, tenant, id, secret, at + OLD_SECRET_SIGNS_FOR, at).await;
                (tx, result)
            }
        })
        .await?;
    Ok(rotated.map(|webhook| (webhook, secret.reveal().to_owned())))
}

pub(crate) async fn replay<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    id: Uuid,
    after: i64,
) -> Result<Option<u64>, StoreError> {
    let at = now();
    let queued = app
        .db
        .write(|mut tx| async move {
            let result = webhooks::replay(&mut tx, tenant, id, after, at).await;
            (tx, result)
        })
        .await?;
    let _ = app.committed.send(tenant.0);
    Ok(queued)
}

pub(crate) async fn attempts<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    query: &LogQuery,
) -> Result<Page<Attempt>, StoreError> {
    app.db
        .read(|mut tx| async move {
            let result = webhooks::attempts(&mut tx, tenant, query).await;
            (tx, result)
        })
        .await
}
