//! The lifecycle of operations and jobs (SPEC section 7). Each action moves one record, opens or
//! closes time entries, rolls the move up to the part and the job (or, for a job's pause, down
//! to its running operations), and tells every change; the roll-up's changes are derived.

use chrono::{DateTime, Utc};
use serde_json::Value;
use takt_domain::erp::ErpEntity;
use takt_domain::erp::records::ErpRecord;
use takt_domain::event::Change;
use takt_domain::shop_floor::quantity::Quantities;
use takt_domain::shop_floor::{Action, Status, Target, derived_event};
use uuid::Uuid;

use super::{quantities, time};
use crate::error::{Entity, Lookup, NotReady};
use crate::sql::erp::by_ids;
use crate::sql::{DbError, Query, RowExt, Tx};
use crate::{StoreError, TenantId};

/// An action on one operation, as a request asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationMove {
    pub id: Uuid,
    pub action: Action,
    /// Who works (start, resume) or reports (complete); none for an unattributed action.
    pub operator: Option<Uuid>,
    /// The time type of the entry that start and resume open.
    pub time_type: String,
    /// Pieces reported with `complete`.
    pub quantities: Option<Quantities>,
}

/// What an action did to the record it was asked of.
#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    pub record: ErpRecord,
    pub previous: Status,
    pub new: Status,
}

/// Moves an operation; answers the operation as it now is and every change, its own first.
pub async fn move_operation<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    request: &OperationMove,
    at: DateTime<Utc>,
) -> Result<(Moved, Vec<Change>), StoreError> {
    tx.lock_tenant(tenant.0).await?;
    let mut q = Query::new(
        "SELECT o.status, o.held_from, o.part_id, o.cell_id, o.sequence, o.external_id, p.job_id FROM operations o \
         JOIN parts p ON p.id = o.part_id WHERE o.tenant_id = ",
    );
    q.bind(tenant.0).push(" AND o.deleted_at IS NULL AND o.id = ").bind(request.id);
    let row = tx.fetch_optional(&q).await?.ok_or_else(|| missing(ErpEntity::Operation, request.id))?;
    let previous = status(&row.get::<String>(0)?)?;
    let operation = Located {
        held: row.opt::<String>(1)?.is_some(),
        part: row.get(2)?,
        cell: row.opt(3)?,
        sequence: row.opt(4)?,
        external_id: row.get(5)?,
        job: row.get(6)?,
    };
    let new = request.action.apply(Target::Operation, previous).map_err(StoreError::Refused)?;
    if request.action.runs() {
        operation.check_ready(tx, tenant, request).await?;
    }
    if let Some(operator) = request.operator
        && !time::operator_active(tx, tenant, operator).await?
    {
        return Err(StoreError::invalid("operator_id", "names an inactive operator"));
    }
    let before = record(tx, tenant, ErpEntity::Operation, request.id).await?;
    set_status(tx, tenant, ErpEntity::Operation, request.id, new, at).await?;
    let mut consequences = Vec::new();
    if request.action.runs() {
        let entry = time::open(tx, tenant, request.id, request.operator, &request.time_type, at).await?;
        consequences.push(Change::created("time_entry", entry.id.to_string(), json(&entry)));
    } else {
        for (before, after) in time::close_open(tx, tenant, request.id, at).await? {
            consequences.extend(Change::updated("time_entry", after.id.to_string(), &json(&before), json(&after)));
        }
    }
    if let Some(pieces) = request.quantities.as_ref().filter(|_| request.action == Action::Complete) {
        let entry = quantities::report(tx, tenant, request.id, pieces, request.operator, at).await?;
        consequences.push(Change::created("operation_quantity", entry.id.to_string(), entry.to_json()));
    }
    let after = record(tx, tenant, ErpEntity::Operation, request.id).await?;
    let mut changes =
        vec![Change::moved("operation", request.action.event(), request.id.to_string(), &json(&before), json(&after))];
    changes.extend(consequences);
    match request.action {
        Action::Start | Action::Resume => {
            for (entity, id) in [(ErpEntity::Part, operation.part), (ErpEntity::Job, operation.job)] {
                roll(tx, tenant, entity, id, &[], Status::InProgress, at, &mut changes).await?;
            }
        }
        Action::Complete => {
            if unfinished(tx, tenant, "operations", "part_id", operation.part).await? == 0 {
                roll(tx, tenant, ErpEntity::Part, operation.part, &[], Status::Completed, at, &mut changes).await?;
                if unfinished(tx, tenant, "parts", "job_id", operation.job).await? == 0 {
                    roll(tx, tenant, ErpEntity::Job, operation.job, &[], Status::Completed, at, &mut changes).await?;
                }
            }
        }
        Action::Pause => {}
    }
    Ok((Moved { record: after, previous, new }, changes))
}

/// Moves a job; a pause also pauses its running operations (closing their time entries) and
/// the parts they belong to. Answers the job as it now is and every change, its own first.
pub async fn move_job<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    id: Uuid,
    action: Action,
    at: DateTime<Utc>,
) -> Result<(Moved, Vec<Change>), StoreError> {
    tx.lock_tenant(tenant.0).await?;
    let mut q = Query::new("SELECT status FROM jobs WHERE tenant_id = ");
    q.bind(tenant.0).push(" AND deleted_at IS NULL AND id = ").bind(id);
    let row = tx.fetch_optional(&q).await?.ok_or_else(|| missing(ErpEntity::Job, id))?;
    let previous = status(&row.get::<String>(0)?)?;
    let new = action.apply(Target::Job, previous).map_err(StoreError::Refused)?;
    let before = record(tx, tenant, ErpEntity::Job, id).await?;
    set_status(tx, tenant, ErpEntity::Job, id, new, at).await?;
    let after = record(tx, tenant, ErpEntity::Job, id).await?;
    let mut changes = vec![Change::moved("job", action.event(), id.to_string(), &json(&before), json(&after))];
    if action == Action::Pause {
        let mut q = Query::new(
            "SELECT o.id, o.part_id FROM operations o JOIN parts p ON p.id = o.part_id WHERE o.tenant_id = ",
        );
        q.bind(tenant.0).push(" AND p.job_id = ").bind(id).push(" AND o.status = 'in_progress' ORDER BY o.id");
        let running: Vec<(Uuid, Uuid)> =
            tx.fetch_all(&q).await?.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect::<Result<_, DbError>>()?;
        let mut parts: Vec<Uuid> = Vec::new();
        for (operation, part) in running {
            roll(tx, tenant, ErpEntity::Operation, operation, &[], Status::OnHold, at, &mut changes).await?;
            for (before, after) in time::close_open(tx, tenant, operation, at).await? {
                let change = Change::updated("time_entry", after.id.to_string(), &json(&before), json(&after));
                changes.extend(change.map(Change::derived));
            }
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
        for part in parts {
            roll(tx, tenant, ErpEntity::Part, part, &[Status::InProgress], Status::OnHold, at, &mut changes).await?;
        }
    }
    Ok((Moved { record: after, previous, new }, changes))
}

/// Where an operation sits, as far as starting it is concerned.
struct Located {
    held: bool,
    part: Uuid,
    /// None until the operation is given a cell: then no cell's rules apply.
    cell: Option<Uuid>,
    sequence: Option<i64>,
    external_id: String,
    job: Uuid,
}

impl Located {
    /// Refuses a start or resume that a standstill, the cell's routing rule or its WIP limit
    /// does not allow.
    async fn check_ready<T: Tx>(
        &self,
        tx: &mut T,
        tenant: TenantId,
        request: &OperationMove,
    ) -> Result<(), StoreError> {
        let not_ready = |reason| StoreError::NotReady { operation: self.external_id.clone(), reason };
        if self.held {
            return Err(not_ready(NotReady::Held));
        }
        let Some(cell_id) = self.cell else { return Ok(()) };
        let mut q = Query::new("SELECT name, enforce_sequence, wip_limit FROM cells WHERE tenant_id = ");
        q.bind(tenant.0).push(" AND id = ").bind(cell_id);
        let cell = tx.fetch_optional(&q).await?.ok_or_else(|| missing(ErpEntity::Cell, cell_id))?;
        let (name, enforce_sequence, wip_limit): (String, bool, Option<i64>) =
            (cell.get(0)?, cell.get(1)?, cell.opt(2)?);
        if let (true, Action::Start, Some(sequence)) = (enforce_sequence, request.action, self.sequence) {
            let mut q =
                Query::new("SELECT external_id, operation_name, sequence, status FROM operations WHERE tenant_id = ");
            q.bind(tenant.0).push(" AND part_id = ").bind(self.part).push(" AND sequence < ").bind(sequence);
            q.push(" AND status <> 'completed' AND deleted_at IS NULL ORDER BY sequence, id LIMIT 1");
            if let Some(row) = tx.fetch_optional(&q).await? {
                return Err(not_ready(NotReady::Predecessor {
                    external_id: row.get(0)?,
                    operation_name: row.get(1)?,
                    sequence: row.opt(2)?,
                    status: row.get(3)?,
                }));
            }
        }
        if let Some(limit) = wip_limit {
            let mut q = Query::new("SELECT COUNT(*) FROM operations WHERE tenant_id = ");
            q.bind(tenant.0).push(" AND cell_id = ").bind(cell_id);
            q.push(" AND status = 'in_progress' AND deleted_at IS NULL AND id <> ");
            q.bind(request.id);
            let running: i64 = tx.fetch_optional(&q).await?.map_or(Ok(0), |r| r.get(0))?;
            if running >= limit {
                return Err(not_ready(NotReady::WipLimit { cell: name, limit }));
            }
        }
        Ok(())
    }
}

/// Moves a part, job or operation to `to` by consequence of another change, unless it is there
/// already or (when `only_from` names any) its status is not one of `only_from`.
#[allow(clippy::too_many_arguments)]
async fn roll<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    entity: ErpEntity,
    id: Uuid,
    only_from: &[Status],
    to: Status,
    at: DateTime<Utc>,
    changes: &mut Vec<Change>,
) -> Result<(), StoreError> {
    let before = record(tx, tenant, entity, id).await?;
    let from = status(before.execution_status().unwrap_or_default())?;
    if from == to || !(only_from.is_empty() || only_from.contains(&from)) {
        return Ok(());
    }
    set_status(tx, tenant, entity, id, to, at).await?;
    let after = record(tx, tenant, entity, id).await?;
    let change =
        Change::moved(entity.singular(), derived_event(from, to), id.to_string(), &json(&before), json(&after));
    changes.push(change.derived());
    Ok(())
}

/// How many rows of `table` under `parent_column = parent` are not completed.
async fn unfinished<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    table: &str,
    parent_column: &str,
    parent: Uuid,
) -> Result<i64, StoreError> {
    let mut q = Query::new(format!("SELECT COUNT(*) FROM {table} WHERE tenant_id = "));
    q.bind(tenant.0).push(&format!(" AND {parent_column} = ")).bind(parent);
    q.push(" AND status <> 'completed' AND deleted_at IS NULL");
    Ok(tx.fetch_optional(&q).await?.map_or(Ok(0), |r| r.get(0))?)
}

async fn set_status<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    entity: ErpEntity,
    id: Uuid,
    to: Status,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut q = Query::new(format!("UPDATE {} SET status = ", entity.plural()));
    q.bind(to.as_str()).push(", updated_at = ").bind(at).push(" WHERE tenant_id = ").bind(tenant.0);
    q.push(" AND id = ").bind(id);
    tx.execute(&q).await?;
    Ok(())
}

/// One record as lists read it (a job without its parts).
async fn record<T: Tx>(tx: &mut T, tenant: TenantId, entity: ErpEntity, id: Uuid) -> Result<ErpRecord, StoreError> {
    by_ids(tx, tenant, entity, &[id]).await?.remove(&id).ok_or_else(|| missing(entity, id))
}

fn status(text: &str) -> Result<Status, StoreError> {
    Status::parse(text).ok_or_else(|| StoreError::Internal(format!("a stored status '{text}' is not one Takt knows")))
}

fn missing(entity: ErpEntity, id: Uuid) -> StoreError {
    StoreError::missing(Entity::Erp(entity), Lookup::Uuid(id), None)
}

fn json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).expect("records serialize")
}
