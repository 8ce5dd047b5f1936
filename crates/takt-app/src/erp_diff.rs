//! `POST /api-erp-sync/diff`: what a bulk sync would do to each record, found by the sync's own
//! code in a transaction that is always rolled back; no event is appended, nothing is kept.

use takt_store::sql::{Backend, erp};
use takt_store::{BulkItem, DiffLine, StoreError, TenantId, now};

use crate::{App, pins};

pub(crate) async fn diff<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    items: &[BulkItem],
) -> Result<Vec<DiffLine>, StoreError> {
    let items = &*pins::hashed_items(items).await?;
    app.db
        .rehearse(|mut tx| async move {
            let result = erp::rehearse_bulk(&mut tx, tenant, items, now()).await;
            (tx, result)
        })
        .await
}
