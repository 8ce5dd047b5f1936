//! `PUT /api/{Entity}/Upsert` (and `Product/Copy`, an upsert from a source product): one
//! record, created or updated, in one transaction with its event. An update that changes
//! nothing is undone and appends nothing.

use takt_domain::event::{Actor, Change};
use takt_domain::master_data::{EntityKind, Record, UpsertInput, render};
use takt_domain::text::snake_case;
use takt_store::sql::{Backend, Tx, master, savepoint};
use takt_store::{StoreError, TenantId};

use crate::App;
use crate::events::Sharing;

const SAVEPOINT: &str = "master_upsert";

pub(crate) async fn upsert<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    actor: &Actor,
    kind: EntityKind,
    input: &UpsertInput,
) -> Result<(bool, Record), StoreError> {
    app.write_with_events(tenant, actor, Sharing::Grouped, |mut tx, at| async move {
        let result = write(&mut tx, tenant, kind, input, at).await;
        (tx, result)
    })
    .await
}

async fn write<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    kind: EntityKind,
    input: &UpsertInput,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<((bool, Record), Vec<Change>), StoreError> {
    let spec = kind.spec();
    let before = match input.id {
        Some(id) => master::load(tx, tenant, spec, id).await?,
        None => None,
    };
    savepoint(tx, "SAVEPOINT", SAVEPOINT).await?;
    let (created, after) = master::upsert(tx, tenant, spec, input, at).await?;
    let entity = snake_case(spec.name);
    let data = render::record(&after);
    let change = match before {
        Some(before) if !created => match Change::updated(entity, after.id.to_string(), &render::record(&before), data)
        {
            Some(change) => change,
            None => {
                savepoint(tx, "ROLLBACK TO SAVEPOINT", SAVEPOINT).await?;
                savepoint(tx, "RELEASE SAVEPOINT", SAVEPOINT).await?;
                return Ok(((false, before), Vec::new()));
            }
        },
        _ => Change::created(entity, after.id.to_string(), data),
    };
    savepoint(tx, "RELEASE SAVEPOINT", SAVEPOINT).await?;
    Ok(((created, after), vec![change]))
}
