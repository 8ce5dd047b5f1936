//! `PUT /api-{entity}/sync`: one record, a job with its nested parts and operations, in one
//! transaction with the events of every record it changed; answers the record as it now is,
//! read in the same transaction.

use takt_domain::erp::SyncInput;
use takt_domain::erp::records::{ErpRecord, SyncOutcome};
use takt_domain::event::Actor;
use takt_store::sql::{Backend, erp};
use takt_store::{StoreError, TenantId};

use crate::events::Sharing;
use crate::{App, pins};

pub(crate) async fn sync<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    actor: &Actor,
    input: &SyncInput,
) -> Result<(SyncOutcome, ErpRecord), StoreError> {
    let input = &*pins::hashed(input).await?;
    app.write_with_events(tenant, actor, Sharing::Grouped, |mut tx, at| async move {
        let result = erp::apply(&mut tx, tenant, input, at).await;
        (tx, result.map(|(outcome, record, changes)| ((outcome, record), changes)))
    })
    .await
}
