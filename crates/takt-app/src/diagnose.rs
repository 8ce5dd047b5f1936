//! `takt doctor`: what the database says about itself, each part read on its own, and whether a
//! webhook's endpoint answers.

use takt_store::sql::{Backend, doctor};
use takt_store::{Diagnosis, StoreError};

use crate::App;
use crate::webhook_delivery::{checked_client, describe};

pub(crate) async fn diagnose<B: Backend>(app: &App<B>) -> Diagnosis {
    let backend = app.db.backend();
    Diagnosis {
        known_migrations: backend.known_migrations(),
        applied_migrations: backend.applied_migrations().await.map_err(StoreError::from),
        tenants: app
            .db
            .read(|mut tx| async move {
                let result = doctor::tenant_keys(&mut tx).await;
                (tx, result)
            })
            .await,
        engine: backend.engine_health().await.map_err(StoreError::from),
        webhooks: app
            .db
            .read(|mut tx| async move {
                let result = doctor::active_webhooks(&mut tx).await;
                (tx, result)
            })
            .await,
    }
}

/// Whether `url` answers at all, through the client deliveries use (the same address policy):
/// a `HEAD` request, whose status is answered; any status means the endpoint is reachable.
pub(crate) async fn probe_webhook(url: &str, allow_loopback: bool) -> Result<u16, String> {
    let (client, url) = checked_client(url, allow_loopback).await?;
    let response = client.head(url.as_str()).send().await.map_err(|e| describe(&e))?;
    Ok(response.status().as_u16())
}
