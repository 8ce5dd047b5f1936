//! `DELETE /api-{entity}?id=`: a soft delete (a job with its parts and operations), with the
//! `deleted` event of every record it takes.

use takt_domain::erp::ErpEntity;
use takt_domain::event::Actor;
use takt_store::sql::{Backend, erp};
use takt_store::{StoreError, TenantId};
use uuid::Uuid;

use crate::App;
use crate::events::Sharing;

pub(crate) async fn delete<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    actor: &Actor,
    entity: ErpEntity,
    id: Uuid,
) -> Result<(), StoreError> {
    app.write_with_events(tenant, actor, Sharing::Grouped, |mut tx, at| async move {
        let result = erp::delete(&mut tx, tenant, entity, id, at).await.map(|changes| ((), changes));
        (tx, result)
    })
    .await
}
