//! `PUT /api-{entity}/sync`: one record, a job with its nested parts and operations, in one
//! transaction.

use takt_domain::erp::SyncInput;
use takt_domain::erp::records::SyncOutcome;
use takt_store::sql::{Backend, erp};
use takt_store::{StoreError, TenantId, now};

use crate::App;

pub(crate) async fn sync<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    input: &SyncInput,
) -> Result<SyncOutcome, StoreError> {
    let at = now();
    app.db
        .write(|mut tx| async move {
            let result = erp::apply(&mut tx, tenant, input, at).await;
            (tx, result)
        })
        .await
}
