//! `POST /api-{entity}/bulk-sync`: up to 1000 records in one transaction, each in its own
//! savepoint so that a bad record fails alone; the records applied append their events.

use takt_domain::event::Actor;
use takt_store::sql::{Backend, erp};
use takt_store::{BulkItem, BulkResult, StoreError, TenantId};

use crate::events::Sharing;
use crate::{App, pins};

pub(crate) async fn bulk_sync<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    actor: &Actor,
    items: &[BulkItem],
) -> Result<Vec<BulkResult>, StoreError> {
    let items = &*pins::hashed_items(items).await?;
    app.write_with_events(tenant, actor, Sharing::Alone, |mut tx, at| async move {
        let result = erp::apply_bulk(&mut tx, tenant, items, at).await;
        (tx, result)
    })
    .await
}
