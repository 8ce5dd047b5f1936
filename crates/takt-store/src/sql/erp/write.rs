//! Writing ERP records: several records of one entity at a time, each table in as few
//! statements as possible, references resolved in batches. A job brings its parts, a part its
//! operations. Any error fails the whole call; the caller decides what rolls back.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use takt_domain::erp::records::{ErpRecord, SyncAction, SyncOutcome};
use takt_domain::erp::{ErpEntity, JobInput, OperationInput, Parent, ParentRef, PartInput, SyncInput, SyncKey};
use takt_domain::error::Path;
use takt_domain::event::Change;
use uuid::Uuid;

use super::read::by_ids;
use super::resolve::{check_operators, resolve_cells, resolve_parents};
use super::tables::table;
use super::upsert::{Columns, Upsert, Written, plan};
use crate::error::{At, Entity};
use crate::sql::{DbError, Param, Query, RowExt, Tx};
use crate::{StoreError, TenantId};

/// Cells already found by folded name in this transaction.
#[derive(Default)]
pub(super) struct CellCache(pub(super) HashMap<String, Uuid>);

/// A child record with the id of its parent and its path in the request.
struct Child<'a, I> {
    /// The position of the record it belongs to among those written together.
    root: usize,
    parent: Uuid,
    input: &'a I,
    path: Path,
    /// Nested in its parent (which it must then already belong to, if it is stored), rather
    /// than naming the parent itself.
    nested: bool,
}

/// The input of one variant of a record, if it is that variant.
macro_rules! as_variant {
    ($record:expr, $variant:ident) => {
        match $record {
            SyncInput::$variant(input) => Some(input),
            _ => None,
        }
    };
}

/// What writing records did: one outcome per record, in order, and one change per record
/// (nested children included) that the write changed, grouped by the record they belong to.
pub(super) struct Applied {
    pub outcomes: Vec<SyncOutcome>,
    pub changes: Vec<Change>,
    /// The records the write changed, as they now are (without children), by entity and id.
    pub changed: Records,
}

/// Records by entity and id.
pub(super) type Records = HashMap<ErpEntity, HashMap<Uuid, ErpRecord>>;

/// A record the write changed: which, and how it was before (none if it is new).
pub(super) struct Changed {
    root: usize,
    entity: ErpEntity,
    id: Uuid,
    before: Option<ErpRecord>,
    /// The record was deleted and the write brought it back.
    restored: bool,
}

/// Writes records of one entity; answers one outcome per record, in order.
pub(super) async fn write<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    records: &[&SyncInput],
    at: DateTime<Utc>,
    cells: &mut CellCache,
) -> Result<Applied, StoreError> {
    write_as(tx, tenant, records, at, cells, None).await
}

/// Writes records that must all be new (a create): a sync key that is stored already is taken.
/// A record whose `external_id` is one of `ids` was given none, and takes it as its id.
pub(super) async fn write_new<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    record: &SyncInput,
    at: DateTime<Utc>,
    ids: &HashSet<Uuid>,
) -> Result<Applied, StoreError> {
    write_as(tx, tenant, &[record], at, &mut CellCache::default(), Some(ids)).await
}

async fn write_as<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    records: &[&SyncInput],
    at: DateTime<Utc>,
    cells: &mut CellCache,
    new: Option<&HashSet<Uuid>>,
) -> Result<Applied, StoreError> {
    let keys: Vec<&SyncKey> = records.iter().map(|r| r.key()).collect();
    let mut changed = Vec::new();
    let w = Writer { tenant, at, new };
    let written = match records.first() {
        None => return Ok(Applied { outcomes: Vec::new(), changes: Vec::new(), changed: Records::new() }),
        Some(SyncInput::Cell(_)) => w.cells(tx, &of(records, |r| as_variant!(r, Cell)), &mut changed).await?,
        Some(SyncInput::Resource(_)) => {
            w.resources(tx, &of(records, |r| as_variant!(r, Resource)), &mut changed).await?
        }
        Some(SyncInput::Operator(_)) => {
            w.operators(tx, &of(records, |r| as_variant!(r, Operator)), &mut changed).await?
        }
        Some(SyncInput::Job(_)) => w.jobs(tx, &of(records, |r| as_variant!(r, Job)), cells, &mut changed).await?,
        Some(SyncInput::Part(_)) => {
            let parts = of(records, |r| as_variant!(r, Part));
            let named: Vec<_> = parts.iter().map(|p| (&p.key, named(&p.job))).collect();
            let jobs = resolve_parents(tx, tenant, ErpEntity::Job, &named).await?;
            let children: Vec<_> = parts
                .iter()
                .zip(jobs)
                .enumerate()
                .map(|(root, (input, parent))| Child { root, parent, input: *input, path: Path::root(), nested: false })
                .collect();
            w.parts(tx, &children, cells, &mut changed).await?
        }
        Some(SyncInput::Operation(_)) => {
            let operations = of(records, |r| as_variant!(r, Operation));
            let named: Vec<_> = operations.iter().map(|o| (&o.key, named(&o.part))).collect();
            let parts = resolve_parents(tx, tenant, ErpEntity::Part, &named).await?;
            let children: Vec<_> = operations
                .iter()
                .zip(parts)
                .enumerate()
                .map(|(root, (input, parent))| Child { root, parent, input: *input, path: Path::root(), nested: false })
                .collect();
            w.operations(tx, &children, cells, &mut changed).await?
        }
    };
    let outcomes = keys
        .into_iter()
        .zip(written)
        .map(|(key, written)| SyncOutcome {
            action: if written.created { SyncAction::Created } else { SyncAction::Updated },
            id: written.id,
            external_id: key.external_id.clone(),
        })
        .collect();
    let (changes, changed) = changes(tx, tenant, changed).await?;
    Ok(Applied { outcomes, changes, changed })
}

/// The changes as events tell them: each record after the write, and what changed in it; and
/// those records.
async fn changes<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    mut changed: Vec<Changed>,
) -> Result<(Vec<Change>, Records), StoreError> {
    changed.sort_by_key(|c| c.root);
    let mut after = Records::new();
    for entity in ErpEntity::ALL {
        let ids: Vec<Uuid> = changed.iter().filter(|c| c.entity == entity).map(|c| c.id).collect();
        if !ids.is_empty() {
            after.insert(entity, by_ids(tx, tenant, entity, &ids).await?);
        }
    }
    let json = |record: &ErpRecord| serde_json::to_value(record).expect("records serialize");
    let mut out = Vec::with_capacity(changed.len());
    for c in changed {
        let Some(record) = after.get(&c.entity).and_then(|records| records.get(&c.id)) else { continue };
        let entity = c.entity.singular();
        let data = json(record);
        out.extend(match &c.before {
            None => Some(Change::created(entity, c.id.to_string(), data)),
            Some(_) if c.restored => Some(Change::happened(entity, "restored", c.id.to_string(), data)),
            Some(before) => Change::updated(entity, c.id.to_string(), &json(before), data),
        });
    }
    Ok((out, after))
}

/// What every table of one write shares.
pub(super) struct Writer<'n> {
    tenant: TenantId,
    at: DateTime<Utc>,
    /// For a create: the ids that records given no external_id take (see [`write_new`]).
    new: Option<&'n HashSet<Uuid>>,
}

impl Writer<'_> {
    /// Writes rows of one entity's table, only those that change something, and notes each
    /// changed record (with how it was before) under the record it belongs to. `paths` are the
    /// rows' places in the request, for rows nested in a parent (whose stored rows must already
    /// belong to it).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn upsert<T: Tx>(
        &self,
        tx: &mut T,
        entity: ErpEntity,
        rows: &[Upsert<'_>],
        paths: &[&Path],
        roots: impl Iterator<Item = usize>,
        changed: &mut Vec<Changed>,
        conflict: impl FnOnce(DbError) -> StoreError,
    ) -> Result<Vec<Written>, StoreError> {
        let plan = plan(tx, entity.plural(), self.tenant, rows).await?;
        if let Some(owned) = plan.owned() {
            return Err(self.owned(tx, entity, &rows[owned.row], paths[owned.row], owned.parent).await?);
        }
        if let (Some(_), Some(row)) = (self.new, plan.first_stored()) {
            return Err(StoreError::Taken {
                entity: Entity::Erp(entity),
                field: Some("external_id"),
                value: Some(rows[row].key.external_id.clone()),
            });
        }
        if let Some(kept) = plan.moved_by_takt() {
            let text = |p: &Param| match p {
                Param::Text(text) => text.clone(),
                other => format!("{other:?}"),
            };
            return Err(StoreError::ByLifecycle {
                entity,
                external_id: rows[kept.row].key.external_id.clone(),
                status: text(&kept.held),
                given: text(&kept.given),
                at: At { within: paths.get(kept.row).map_or_else(Path::root, |p| (*p).clone()), field: kept.column },
            });
        }
        let mut before = by_ids(tx, self.tenant, entity, &plan.updated_ids()).await?;
        let restores = plan.restores();
        let written = plan.execute(tx, self.at, self.new).await.map_err(conflict)?;
        // A sync key given twice in one write is one changed record.
        let mut noted = HashSet::new();
        for ((w, root), restored) in written.iter().zip(roots).zip(restores) {
            if w.changed && noted.insert(w.id) {
                changed.push(Changed { root, entity, id: w.id, before: before.remove(&w.id), restored });
            }
        }
        Ok(written)
    }

    /// The fact that a stored record is nested in another parent than the one it belongs to.
    async fn owned<T: Tx>(
        &self,
        tx: &mut T,
        entity: ErpEntity,
        row: &Upsert<'_>,
        path: &Path,
        parent: Uuid,
    ) -> Result<StoreError, StoreError> {
        let owner = match entity {
            ErpEntity::Part => ErpEntity::Job,
            ErpEntity::Operation => ErpEntity::Part,
            other => unreachable!("a {} is never nested", other.singular()),
        };
        let mut q = Query::new(format!("SELECT external_id FROM {} WHERE tenant_id = ", owner.plural()));
        q.bind(self.tenant.0).push(" AND id = ").bind(parent);
        let row_of_owner = tx.fetch_optional(&q).await?;
        let owner_external_id = row_of_owner
            .ok_or_else(|| StoreError::Internal(format!("the {} {parent} a row belongs to is gone", owner.singular())))?
            .get(0)?;
        Ok(StoreError::Owned {
            entity,
            external_id: row.key.external_id.clone(),
            owner,
            owner_external_id,
            at: At { within: path.clone(), field: "external_id" },
        })
    }
}

/// The records, all of one entity (a bulk request is).
fn of<'a, I>(records: &[&'a SyncInput], pick: impl Fn(&'a SyncInput) -> Option<&'a I>) -> Vec<&'a I> {
    records.iter().map(|r| pick(r).expect("records written together are of one entity")).collect()
}

fn named(parent: &Parent) -> &ParentRef {
    match parent {
        Parent::Named(reference) => reference,
        Parent::Nested { .. } => unreachable!("a standalone record names its parent"),
    }
}

/// Turns a unique violation on a record's second unique value (a cell's name, a job's number)
/// into the value that is taken: the record's own when one record was written.
pub(super) fn unique_conflict(
    error: DbError,
    entity: ErpEntity,
    column: &str,
    field: &'static str,
    one: Option<&str>,
) -> StoreError {
    match error {
        DbError::Unique { ref columns, .. } if columns.iter().any(|c| c == column) => {
            StoreError::Taken { entity: Entity::Erp(entity), field: Some(field), value: one.map(str::to_owned) }
        }
        other => StoreError::from(other),
    }
}

impl Writer<'_> {
    async fn jobs<T: Tx>(
        &self,
        tx: &mut T,
        jobs: &[&JobInput],
        cells: &mut CellCache,
        changed: &mut Vec<Changed>,
    ) -> Result<Vec<Written>, StoreError> {
        let rows: Vec<Upsert> = jobs
            .iter()
            .map(|input| {
                let mut c = Columns::new(table(ErpEntity::Job));
                c.set("job_number", input.job_number.as_str())
                    .patch("customer", &input.customer)
                    .patch("due_date", &input.due_date)
                    .patch("priority", &input.priority)
                    .patch("notes", &input.notes)
                    .patch("metadata", &input.metadata)
                    .initial("status", input.status.as_deref());
                Upsert { key: &input.key, columns: c, owner: None }
            })
            .collect();
        let one = match jobs {
            [one] => Some(one.job_number.as_str()),
            _ => None,
        };
        let written = self
            .upsert(tx, ErpEntity::Job, &rows, &[], 0.., changed, |e| {
                unique_conflict(e, ErpEntity::Job, "job_number", "job_number", one)
            })
            .await?;
        let mut parts = Vec::new();
        for (root, (job, job_written)) in jobs.iter().zip(&written).enumerate() {
            for (index, part) in job.parts.iter().enumerate() {
                let path = Path::root().element("parts", index);
                if let Parent::Nested { id: Some(given) } = part.job
                    && given != job_written.id
                {
                    return Err(StoreError::NotNested {
                        parent: ErpEntity::Job,
                        at: At { within: path, field: "job_id" },
                    });
                }
                parts.push(Child { root, parent: job_written.id, input: part, path, nested: true });
            }
        }
        self.parts(tx, &parts, cells, changed).await?;
        Ok(written)
    }

    async fn parts<T: Tx>(
        &self,
        tx: &mut T,
        parts: &[Child<'_, PartInput>],
        cells: &mut CellCache,
        changed: &mut Vec<Changed>,
    ) -> Result<Vec<Written>, StoreError> {
        if parts.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<Upsert> = parts
            .iter()
            .map(|part| {
                let input = part.input;
                let mut c = Columns::new(table(ErpEntity::Part));
                c.set("job_id", part.parent)
                    .set("part_number", input.part_number.as_str())
                    .patch("material", &input.material)
                    .patch("quantity", &input.quantity)
                    .patch("notes", &input.notes)
                    .patch("is_bullet_card", &input.is_bullet_card)
                    .patch("drawing_no", &input.drawing_no)
                    .patch("cnc_program_name", &input.cnc_program_name)
                    .initial("status", input.status.as_deref());
                Upsert { key: &input.key, columns: c, owner: part.nested.then_some("job_id") }
            })
            .collect();
        let roots = parts.iter().map(|p| p.root);
        let paths: Vec<&Path> = parts.iter().map(|p| &p.path).collect();
        let written = self.upsert(tx, ErpEntity::Part, &rows, &paths, roots, changed, StoreError::from).await?;
        let mut operations = Vec::new();
        for (part, part_written) in parts.iter().zip(&written) {
            for (index, operation) in part.input.operations.iter().enumerate() {
                let path = part.path.element("operations", index);
                if let Parent::Nested { id: Some(given) } = operation.part
                    && given != part_written.id
                {
                    return Err(StoreError::NotNested {
                        parent: ErpEntity::Part,
                        at: At { within: path, field: "part_id" },
                    });
                }
                operations.push(Child {
                    root: part.root,
                    parent: part_written.id,
                    input: operation,
                    path,
                    nested: true,
                });
            }
        }
        self.operations(tx, &operations, cells, changed).await?;
        Ok(written)
    }

    async fn operations<T: Tx>(
        &self,
        tx: &mut T,
        operations: &[Child<'_, OperationInput>],
        cells: &mut CellCache,
        changed: &mut Vec<Changed>,
    ) -> Result<Vec<Written>, StoreError> {
        if operations.is_empty() {
            return Ok(Vec::new());
        }
        let references: Vec<_> = operations.iter().map(|o| (&o.input.cell, &o.path)).collect();
        let cell_ids = resolve_cells(tx, self.tenant, &references, cells).await?;
        let assigned: Vec<_> =
            operations.iter().map(|o| (o.input.assigned_operator_id.as_ref().set(), &o.path)).collect();
        check_operators(tx, self.tenant, &assigned).await?;
        let rows: Vec<Upsert> = operations
            .iter()
            .zip(cell_ids)
            .map(|(operation, cell_id)| {
                let input = operation.input;
                let mut c = Columns::new(table(ErpEntity::Operation));
                c.set("part_id", operation.parent)
                    .set("cell_id", cell_id)
                    .set("operation_name", input.operation_name.as_str())
                    .patch("sequence", &input.sequence)
                    .patch("estimated_time_minutes", &input.estimated_time_minutes)
                    .patch("notes", &input.notes)
                    .patch("completion_percentage", &input.completion_percentage)
                    .patch("assigned_operator_id", &input.assigned_operator_id)
                    .patch("planned_start", &input.planned_start)
                    .patch("planned_end", &input.planned_end)
                    .initial("status", input.status.as_deref());
                Upsert { key: &input.key, columns: c, owner: operation.nested.then_some("part_id") }
            })
            .collect();
        let roots = operations.iter().map(|o| o.root);
        let paths: Vec<&Path> = operations.iter().map(|o| &o.path).collect();
        self.upsert(tx, ErpEntity::Operation, &rows, &paths, roots, changed, StoreError::from).await
    }
}
