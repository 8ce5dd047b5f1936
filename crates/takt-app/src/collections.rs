//! The shop floor's collections (`/api-issues`, `/api-substeps`, `/api-scrap-reasons`): each
//! write in one transaction that takes the tenant's lock, with its events and, for an issue, the
//! hold or release of its operation.

use chrono::{DateTime, Utc};
use takt_domain::erp::records::SyncAction;
use takt_domain::event::{Actor, Change};
use takt_domain::json::Scalar;
use takt_domain::shop_floor::collection::{Collection, Input, ListQuery, Record, actor_name};
use takt_domain::shop_floor::issue::ISSUES;
use takt_domain::shop_floor::time::TIME_ENTRIES;
use takt_store::sql::shop_floor::{collection, issues, quantities, time};
use takt_store::sql::{Backend, Tx};
use takt_store::{Page, StoreError, TenantId};
use uuid::Uuid;

use crate::App;
use crate::events::Sharing;

pub(crate) async fn list<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    records: &'static Collection,
    query: &ListQuery,
) -> Result<Page<Record>, StoreError> {
    app.db
        .read(|mut tx| async move {
            let result = collection::list(&mut tx, records, tenant, query).await;
            (tx, result)
        })
        .await
}

pub(crate) async fn get<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    records: &'static Collection,
    id: Uuid,
) -> Result<Option<Record>, StoreError> {
    app.db
        .read(|mut tx| async move {
            let result = collection::get(&mut tx, records, tenant, id).await;
            (tx, result)
        })
        .await
}

pub(crate) async fn create<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    actor: &Actor,
    records: &'static Collection,
    input: &Input,
) -> Result<Record, StoreError> {
    let input = input.clone().with_initial(records, &actor_name(actor));
    let input = &input;
    app.write_with_events(tenant, actor, Sharing::Grouped, |mut tx, at| async move {
        let result = created(&mut tx, tenant, records, input, at).await;
        (tx, result)
    })
    .await
}

async fn created<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    records: &'static Collection,
    input: &Input,
    at: DateTime<Utc>,
) -> Result<(Record, Vec<Change>), StoreError> {
    tx.lock_tenant(tenant.0).await?;
    let record = if records.ledger {
        quantities::append(tx, tenant, &input.values, at).await?
    } else {
        collection::insert(tx, records, tenant, &input.values, at).await?
    };
    let mut changes = vec![Change::created(records.entity, record.id.to_string(), record.to_json())];
    changes.extend(follow(tx, tenant, records, None, Some(&record), at).await?);
    Ok((record, changes))
}

pub(crate) async fn change<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    actor: &Actor,
    records: &'static Collection,
    id: Uuid,
    input: &Input,
) -> Result<Option<Record>, StoreError> {
    app.write_with_events(tenant, actor, Sharing::Grouped, |mut tx, at| async move {
        let result = async {
            tx.lock_tenant(tenant.0).await?;
            match collection::get(&mut tx, records, tenant, id).await? {
                Some(stored) => changed(&mut tx, tenant, records, &stored, input, at).await.map(|(r, c)| (Some(r), c)),
                None => Ok((None, Vec::new())),
            }
        }
        .await;
        (tx, result)
    })
    .await
}

async fn changed<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    records: &'static Collection,
    stored: &Record,
    input: &Input,
    at: DateTime<Utc>,
) -> Result<(Record, Vec<Change>), StoreError> {
    if records.ledger {
        let (reversal, corrected) = quantities::correct(tx, tenant, stored, &input.over(stored), at).await?;
        let created = |r: &Record| Change::created(records.entity, r.id.to_string(), r.to_json());
        let changes = vec![created(&reversal), created(&corrected)];
        return Ok((corrected, changes));
    }
    let record = collection::update(tx, records, tenant, stored, &input.over(stored), at).await?;
    let mut changes: Vec<Change> =
        Change::updated(records.entity, record.id.to_string(), &stored.to_json(), record.to_json())
            .into_iter()
            .collect();
    changes.extend(follow(tx, tenant, records, Some(stored), Some(&record), at).await?);
    Ok((record, changes))
}

/// Deletes a record (answers it as it was), or, in a ledger, appends its reversal (answers that).
pub(crate) async fn delete<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    actor: &Actor,
    records: &'static Collection,
    id: Uuid,
) -> Result<Option<Record>, StoreError> {
    app.write_with_events(tenant, actor, Sharing::Grouped, |mut tx, at| async move {
        let result = async {
            tx.lock_tenant(tenant.0).await?;
            let Some(stored) = collection::get(&mut tx, records, tenant, id).await? else {
                return Ok((None, Vec::new()));
            };
            if records.ledger {
                let reversal = quantities::reverse(&mut tx, tenant, &stored, at).await?;
                let change = Change::created(records.entity, reversal.id.to_string(), reversal.to_json());
                return Ok((Some(reversal), vec![change]));
            }
            collection::delete(&mut tx, records, tenant, id).await?;
            let mut changes = vec![Change::deleted(records.entity, id.to_string(), stored.to_json())];
            changes.extend(follow(&mut tx, tenant, records, Some(&stored), None, at).await?);
            Ok((Some(stored), changes))
        }
        .await;
        (tx, result)
    })
    .await
}

/// Creates or updates the record synced under the input's `(external_source, external_id)`.
pub(crate) async fn sync<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    actor: &Actor,
    records: &'static Collection,
    input: &Input,
) -> Result<(SyncAction, Record), StoreError> {
    let text = |name| match input.get(name) {
        Some(Some(Scalar::Text(text))) => Ok(text.as_str()),
        _ => Err(StoreError::invalid(name, "is required for sync operations")),
    };
    let (source, external_id) = (text("external_source")?, text("external_id")?);
    let initial = input.clone().with_initial(records, &actor_name(actor));
    let initial = &initial;
    app.write_with_events(tenant, actor, Sharing::Grouped, |mut tx, at| async move {
        let result = async {
            tx.lock_tenant(tenant.0).await?;
            match collection::find_synced(&mut tx, records, tenant, source, external_id).await? {
                Some(stored) => changed(&mut tx, tenant, records, &stored, input, at)
                    .await
                    .map(|(record, changes)| ((SyncAction::Updated, record), changes)),
                None => created(&mut tx, tenant, records, initial, at)
                    .await
                    .map(|(record, changes)| ((SyncAction::Created, record), changes)),
            }
        }
        .await;
        (tx, result)
    })
    .await
}

/// What a write of `records` brings about beyond itself: an issue's hold or release, a time
/// entry's operation's actual time.
async fn follow<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    records: &'static Collection,
    before: Option<&Record>,
    after: Option<&Record>,
    at: DateTime<Utc>,
) -> Result<Vec<Change>, StoreError> {
    if *records == ISSUES {
        issues::follow(tx, tenant, before, after, at).await
    } else if *records == TIME_ENTRIES {
        time::follow(tx, tenant, before, after).await.map(|()| Vec::new())
    } else {
        Ok(Vec::new())
    }
}
