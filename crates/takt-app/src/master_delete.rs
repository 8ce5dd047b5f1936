//! `DELETE /api/{Entity}/Delete`: a record nothing uses, in one transaction.

use takt_domain::master_data::{EntityKind, Record};
use takt_store::sql::{Backend, master};
use takt_store::{StoreError, TenantId};

use crate::App;

pub(crate) async fn delete<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    kind: EntityKind,
    id: i64,
) -> Result<Record, StoreError> {
    app.db
        .write(|mut tx| async move {
            let result = master::delete(&mut tx, tenant, kind.spec(), id).await;
            (tx, result)
        })
        .await
}
