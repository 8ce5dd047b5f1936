//! `PATCH /api-{entity}?id=`: the fields given, over the stored record, written as a sync of
//! the merged record (so that every rule of a sync holds), with its `updated` events; answers
//! the record as it now is.

use serde_json::Value;
use takt_domain::erp::records::ErpRecord;
use takt_domain::erp::{ErpEntity, parse_sync, patch};
use takt_domain::error::Path;
use takt_domain::event::Actor;
use takt_store::error::{Entity, Lookup};
use takt_store::sql::{Backend, Tx, erp};
use takt_store::{StoreError, TenantId};
use uuid::Uuid;

use crate::events::Sharing;
use crate::{App, pins};

pub(crate) async fn update<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    actor: &Actor,
    entity: ErpEntity,
    id: Uuid,
    body: &Value,
) -> Result<ErpRecord, StoreError> {
    app.write_with_events(tenant, actor, Sharing::Grouped, |mut tx, at| async move {
        let result = apply(&mut tx, tenant, entity, id, body, at).await;
        (tx, result)
    })
    .await
}

async fn apply<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    entity: ErpEntity,
    id: Uuid,
    body: &Value,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(ErpRecord, Vec<takt_domain::event::Change>), StoreError> {
    let missing = || StoreError::missing(Entity::Erp(entity), Lookup::Uuid(id), None);
    let stored = erp::get(tx, tenant, entity, id).await?.ok_or_else(missing)?;
    let stored = serde_json::to_value(&stored).map_err(|e| StoreError::Internal(e.to_string()))?;
    let merged = patch::merged(entity, &stored, body).map_err(StoreError::Invalid)?;
    let mut input = parse_sync(entity, &merged, Path::root()).map_err(StoreError::Invalid)?;
    pins::hash_in(&mut input)?;
    let (_, record, changes) = erp::apply(tx, tenant, &input, at).await?;
    Ok((record, changes))
}
