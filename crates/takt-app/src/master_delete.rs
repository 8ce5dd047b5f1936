//! `DELETE /api/{Entity}/Delete`: a record nothing uses, in one transaction with its
//! `<entity>.deleted` event.

use takt_domain::event::{Actor, Change};
use takt_domain::master_data::{EntityKind, Record, render};
use takt_domain::text::snake_case;
use takt_store::sql::{Backend, master};
use takt_store::{StoreError, TenantId};

use crate::App;
use crate::events::Sharing;

pub(crate) async fn delete<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    actor: &Actor,
    kind: EntityKind,
    id: i64,
) -> Result<Record, StoreError> {
    app.write_with_events(tenant, actor, Sharing::Grouped, |mut tx, _| async move {
        let spec = kind.spec();
        let result = master::delete(&mut tx, tenant, spec, id).await.map(|record| {
            let change = Change::deleted(snake_case(spec.name), record.id.to_string(), render::record(&record));
            (record, vec![change])
        });
        (tx, result)
    })
    .await
}
