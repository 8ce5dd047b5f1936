//! `POST /api-{entity}/bulk-sync`: up to 1000 records in one transaction, each in its own
//! savepoint so that a bad record fails alone.

use takt_store::sql::{Backend, erp};
use takt_store::{BulkItem, BulkResult, StoreError, TenantId, now};

use crate::App;

pub(crate) async fn bulk_sync<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    items: &[BulkItem],
) -> Result<Vec<BulkResult>, StoreError> {
    let at = now();
    app.db
        .write(|mut tx| async move {
            let result = erp::apply_bulk(&mut tx, tenant, items, at).await;
            (tx, result)
        })
        .await
}
