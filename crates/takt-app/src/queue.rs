//! `GET /api-cells/{id}/queue`: a cell's dispatch queue, read in one snapshot.

use takt_domain::erp::records::Cell;
use takt_domain::shop_floor::queue::QueueLine;
use takt_store::sql::Backend;
use takt_store::sql::shop_floor::queue::{self, CellKey};
use takt_store::{Page, StoreError, TenantId};

use crate::App;

pub(crate) async fn read<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    cell: &CellKey,
    limit: i64,
    offset: i64,
) -> Result<(Cell, Page<QueueLine>), StoreError> {
    app.db
        .read(|mut tx| async move {
            let result = queue::read(&mut tx, tenant, cell, limit, offset).await;
            (tx, result)
        })
        .await
}
