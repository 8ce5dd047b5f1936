//! `PUT /api/{Entity}/Upsert` (and `Product/Copy`, an upsert from a source product): one
//! record, created or updated, in one transaction.

use takt_domain::master_data::{EntityKind, Record, UpsertInput};
use takt_store::sql::{Backend, master};
use takt_store::{StoreError, TenantId, now};

use crate::App;

pub(crate) async fn upsert<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    kind: EntityKind,
    input: &UpsertInput,
) -> Result<(bool, Record), StoreError> {
    let at = now();
    app.db
        .write(|mut tx| async move {
            let result = master::upsert(&mut tx, tenant, kind.spec(), input, at).await;
            (tx, result)
        })
        .await
}
