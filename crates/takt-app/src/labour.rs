//! `GET /api-time-entries/labour`: an operator's labour, the union of their closed entries.

use chrono::{DateTime, Utc};
use takt_store::sql::Backend;
use takt_store::sql::shop_floor::time;
use takt_store::{StoreError, TenantId};
use uuid::Uuid;

use crate::App;

pub(crate) async fn labour<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    operator: Uuid,
    from: Option<DateTime<Utc>>,
    before: Option<DateTime<Utc>>,
) -> Result<(i64, i64), StoreError> {
    app.db
        .read(|mut tx| async move {
            let result = async {
                time::operator_active(&mut tx, tenant, operator).await?;
                time::labour(&mut tx, tenant, operator, from, before).await
            }
            .await;
            (tx, result)
        })
        .await
}
