//! `POST /api-{entity}`: one new record (a job with its nested parts and operations), in one
//! transaction with the `created` events of every record; answers the record as it now is.

use std::collections::HashSet;

use takt_domain::erp::SyncInput;
use takt_domain::erp::records::ErpRecord;
use takt_domain::event::Actor;
use takt_store::sql::{Backend, erp};
use takt_store::{StoreError, TenantId};
use uuid::Uuid;

use crate::events::Sharing;
use crate::{App, pins};

pub(crate) async fn create<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    actor: &Actor,
    input: &SyncInput,
    ids: &HashSet<Uuid>,
) -> Result<ErpRecord, StoreError> {
    let input = &*pins::hashed(input).await?;
    app.write_with_events(tenant, actor, Sharing::Grouped, |mut tx, at| async move {
        let result = erp::create(&mut tx, tenant, input, at, ids).await;
        (tx, result.map(|(_, record, changes)| (record, changes)))
    })
    .await
}
