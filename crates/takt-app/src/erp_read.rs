//! Reading ERP records: lists, and one record with its children, each in one snapshot.

use takt_domain::erp::ErpEntity;
use takt_domain::erp::query::ListQuery;
use takt_domain::erp::records::ErpRecord;
use takt_store::sql::{Backend, erp};
use takt_store::{Page, StoreError, TenantId};
use uuid::Uuid;

use crate::App;

pub(crate) async fn list<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    entity: ErpEntity,
    query: &ListQuery,
) -> Result<Page<ErpRecord>, StoreError> {
    app.db
        .read(|mut tx| async move {
            let result = erp::list(&mut tx, tenant, entity, query).await;
            (tx, result)
        })
        .await
}

pub(crate) async fn get<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    entity: ErpEntity,
    id: Uuid,
) -> Result<Option<ErpRecord>, StoreError> {
    app.db
        .read(|mut tx| async move {
            let result = erp::get(&mut tx, tenant, entity, id).await;
            (tx, result)
        })
        .await
}
