//! `POST /api/{Entity}/List`, in one snapshot.

use takt_domain::master_data::{EntityKind, ListQuery, Record};
use takt_store::sql::{Backend, master};
use takt_store::{StoreError, TenantId};

use crate::App;

pub(crate) async fn list<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    kind: EntityKind,
    query: &ListQuery,
) -> Result<Vec<Record>, StoreError> {
    app.db
        .read(|mut tx| async move {
            let result = master::list(&mut tx, tenant, kind.spec(), query).await;
            (tx, result)
        })
        .await
}
