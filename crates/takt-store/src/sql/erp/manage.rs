//! Records made and removed without an ERP: create (every sync key new) and soft delete.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use takt_domain::erp::records::{ErpRecord, Part, SyncOutcome};
use takt_domain::erp::{ErpEntity, SyncInput};
use takt_domain::event::Change;
use uuid::Uuid;

use super::read::get;
use super::tables::table;
use super::write::write_new;
use crate::error::{Entity, Lookup};
use crate::sql::{Param, Query, Tx};
use crate::{StoreError, TenantId};

/// Creates one record with its nested children; a sync key that is stored already (deleted or
/// not) is taken. A record whose `external_id` is one of `ids` takes it as its id. Answers as
/// [`super::apply`] does.
pub async fn create<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    input: &SyncInput,
    at: DateTime<Utc>,
    ids: &HashSet<Uuid>,
) -> Result<(SyncOutcome, ErpRecord, Vec<Change>), StoreError> {
    tx.lock_tenant(tenant.0).await?;
    let applied = write_new(tx, tenant, input, at, ids).await?;
    super::the_one(tx, tenant, input, applied).await
}

/// Deletes a record softly (`deleted_at`): it leaves lists and reads and keeps its row and
/// history; a job takes its parts and their operations with it, a part its operations. Answers
/// one `deleted` change per record, the record's own first. A record that is not there (or
/// deleted already) is missing.
pub async fn delete<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    entity: ErpEntity,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<Vec<Change>, StoreError> {
    tx.lock_tenant(tenant.0).await?;
    if !table(entity).soft_deletes() {
        return Err(StoreError::Internal(format!("{} are not deleted softly", entity.plural())));
    }
    let Some(record) = get(tx, tenant, entity, id).await? else {
        return Err(StoreError::missing(Entity::Erp(entity), Lookup::Uuid(id), None));
    };
    let mut gone: Vec<(ErpEntity, Uuid, Value)> = Vec::new();
    match &record {
        ErpRecord::Job(job) => {
            gone.push((entity, id, json(&record)));
            for part in job.parts.iter().flatten() {
                let bare = Part { operations: None, ..part.clone() };
                gone.push((ErpEntity::Part, part.id, json(&bare)));
                for operation in part.operations.iter().flatten() {
                    gone.push((ErpEntity::Operation, operation.id, json(operation)));
                }
            }
        }
        ErpRecord::Part(part) => {
            let bare = Part { operations: None, ..part.clone() };
            gone.push((entity, id, json(&bare)));
            for operation in part.operations.iter().flatten() {
                gone.push((ErpEntity::Operation, operation.id, json(operation)));
            }
        }
        _ => gone.push((entity, id, json(&record))),
    }
    for child in ErpEntity::ALL {
        let ids: Vec<Uuid> = gone.iter().filter(|(e, _, _)| *e == child).map(|(_, id, _)| *id).collect();
        for chunk in ids.chunks(LOOKUP_CHUNK) {
            let mut q = Query::new(format!("UPDATE {} SET deleted_at = ", child.plural()));
            q.bind(at).push(", updated_at = ").bind(at).push(" WHERE tenant_id = ").bind(tenant.0);
            q.push(" AND deleted_at IS NULL AND id IN (").bind_list(chunk.iter().map(|id| Param::Uuid(*id))).push(")");
            tx.execute(&q).await?;
        }
    }
    let mut changes = Vec::with_capacity(gone.len());
    for (n, (child, id, data)) in gone.into_iter().enumerate() {
        let change = Change::deleted(child.singular(), id.to_string(), data);
        changes.push(if n == 0 { change } else { change.derived() });
    }
    Ok(changes)
}

/// The most ids one statement carries.
const LOOKUP_CHUNK: usize = 400;

/// A record as the events carry it.
fn json(record: &impl Serialize) -> Value {
    serde_json::to_value(record).expect("records serialize")
}
