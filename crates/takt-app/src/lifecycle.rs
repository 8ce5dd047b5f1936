//! `POST /api-operation-lifecycle/{action}` and `POST /api-job-lifecycle/{action}`: one move, its
//! time entries, quantities and roll-up, and the events of all of it, in one transaction.

use takt_domain::event::Actor;
use takt_domain::shop_floor::Action;
use takt_store::sql::Backend;
use takt_store::sql::shop_floor::lifecycle::{self, Moved, OperationMove};
use takt_store::{StoreError, TenantId};
use uuid::Uuid;

use crate::App;
use crate::events::Sharing;

pub(crate) async fn move_operation<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    actor: &Actor,
    request: &OperationMove,
) -> Result<Moved, StoreError> {
    app.write_with_events(tenant, actor, Sharing::Grouped, |mut tx, at| async move {
        let result = lifecycle::move_operation(&mut tx, tenant, request, at).await;
        (tx, result)
    })
    .await
}

pub(crate) async fn move_job<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    actor: &Actor,
    id: Uuid,
    action: Action,
) -> Result<Moved, StoreError> {
    app.write_with_events(tenant, actor, Sharing::Grouped, |mut tx, at| async move {
        let result = lifecycle::move_job(&mut tx, tenant, id, action, at).await;
        (tx, result)
    })
    .await
}
