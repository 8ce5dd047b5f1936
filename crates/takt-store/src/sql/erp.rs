//! The ERP sync API in SQL: one upsert on the sync key per record, nested jobs in one
//! transaction, bulk requests with a savepoint per record, lists and reads.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use takt_domain::erp::query::ListQuery;
use takt_domain::erp::records::{Cell, ErpRecord, Job, Operation, Part, Resource, SyncAction, SyncOutcome};
use takt_domain::erp::{
    CellInput, CellRef, ErpEntity, JobInput, OperationInput, Parent, ParentRef, PartInput, ResourceInput, SyncInput,
    SyncKey,
};
use takt_domain::error::Path;
use takt_domain::json::Patch;
use takt_domain::text::fold;
use uuid::Uuid;

use super::query::like_literal;
use super::{DbError, Param, Query, Row, RowExt, SqlType, Tx};
use crate::{BulkItem, BulkResult, Page, StoreError, TenantId};

/// The columns of one upsert: values for a new row, and which of them an update overwrites
/// (fields a request leaves out keep their stored values).
#[derive(Default)]
struct Columns {
    names: Vec<&'static str>,
    values: Vec<Param>,
    update: Vec<&'static str>,
}

impl Columns {
    /// A column the request always sets.
    fn always(&mut self, name: &'static str, value: impl Into<Param>) -> &mut Self {
        self.names.push(name);
        self.values.push(value.into());
        self.update.push(name);
        self
    }

    /// A column set only when the row is created.
    fn on_create(&mut self, name: &'static str, value: impl Into<Param>) -> &mut Self {
        self.names.push(name);
        self.values.push(value.into());
        self
    }

    /// A field as the request gave it: set, cleared (`null`), or left out (`default` on create).
    fn patch<T: Clone + Into<Param>>(&mut self, name: &'static str, patch: &Patch<T>, default: Param) -> &mut Self {
        match patch {
            Patch::Set(v) => self.always(name, v.clone()),
            Patch::Null => self.always(name, default),
            Patch::Absent => self.on_create(name, default),
        }
    }

    /// A text field and its case-folded twin.
    fn text_folded(&mut self, name: &'static str, folded: &'static str, patch: &Patch<String>) -> &mut Self {
        self.patch(name, patch, Param::Null(SqlType::Text));
        self.patch(folded, &patch.as_ref().map(|t| fold(t)), Param::Null(SqlType::Text))
    }
}

/// Inserts or updates the row with this sync key; returns its id and whether it was created.
async fn upsert<T: Tx>(
    tx: &mut T,
    table: &str,
    tenant: TenantId,
    key: &SyncKey,
    columns: Columns,
    at: DateTime<Utc>,
) -> Result<(Uuid, bool), DbError> {
    let new_id = Uuid::now_v7();
    let mut q = Query::new(format!(
        "INSERT INTO {table} (id, tenant_id, external_source, external_id, created_at, updated_at, {}) VALUES (",
        columns.names.join(", ")
    ));
    q.bind_list([new_id.into(), tenant.0.into(), key.external_source.clone().into(), key.external_id.clone().into()]);
    q.push(", ").bind(at).push(", ").bind(at).push(", ").bind_list(columns.values);
    q.push(") ON CONFLICT (tenant_id, external_source, external_id) DO UPDATE SET updated_at = excluded.updated_at");
    for name in columns.update {
        q.push(&format!(", {name} = excluded.{name}"));
    }
    q.push(" RETURNING id");
    let row =
        tx.fetch_optional(&q).await?.ok_or_else(|| DbError::Other(format!("upsert into {table} returned nothing")))?;
    let id: Uuid = row.get(0)?;
    Ok((id, id == new_id))
}

/// Turns a unique violation on a record's second unique value into a clear conflict.
fn unique_conflict(error: DbError, column: &str, message: impl FnOnce() -> String) -> StoreError {
    match error {
        DbError::Unique { ref columns, .. } if columns.iter().any(|c| c == column) => StoreError::conflict(message()),
        other => super::store::busy_or(other),
    }
}

fn outcome(id: Uuid, created: bool, key: &SyncKey) -> SyncOutcome {
    let action = if created { SyncAction::Created } else { SyncAction::Updated };
    SyncOutcome { action, id, external_id: key.external_id.clone() }
}

/// Cells already looked up by name in this transaction.
#[derive(Default)]
struct CellCache(HashMap<String, Uuid>);

/// Applies one sync request.
pub(crate) async fn apply<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    input: &SyncInput,
    at: DateTime<Utc>,
) -> Result<SyncOutcome, StoreError> {
    let mut cells = CellCache::default();
    apply_cached(tx, tenant, input, at, &mut cells).await
}

async fn apply_cached<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    input: &SyncInput,
    at: DateTime<Utc>,
    cells: &mut CellCache,
) -> Result<SyncOutcome, StoreError> {
    let root = Path::root();
    match input {
        SyncInput::Cell(cell) => sync_cell(tx, tenant, cell, at).await,
        SyncInput::Resource(resource) => sync_resource(tx, tenant, resource, at).await,
        SyncInput::Job(job) => sync_job(tx, tenant, job, at, cells).await,
        SyncInput::Part(part) => {
            let Parent::Named(job) = &part.job else { unreachable!("a standalone part names its job") };
            let job_id = resolve_parent(tx, tenant, "jobs", "job", &part.key, job, &root).await?;
            sync_part(tx, tenant, job_id, part, at, cells, &root).await
        }
        SyncInput::Operation(operation) => {
            let Parent::Named(part) = &operation.part else { unreachable!("a standalone operation names its part") };
            let part_id = resolve_parent(tx, tenant, "parts", "part", &operation.key, part, &root).await?;
            sync_operation(tx, tenant, part_id, operation, at, cells, &root).await
        }
    }
}

/// Applies each record of a bulk request in a savepoint of its own.
pub(crate) async fn apply_bulk<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    items: &[BulkItem],
    at: DateTime<Utc>,
) -> Result<Vec<BulkResult>, StoreError> {
    let mut cells = CellCache::default();
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        let input = match item {
            BulkItem::Valid(input) => input,
            BulkItem::Invalid { external_id, error } => {
                results.push(BulkResult::Failed { external_id: external_id.clone(), error: error.clone() });
                continue;
            }
        };
        tx.execute(&Query::new("SAVEPOINT bulk_record")).await.map_err(super::store::busy_or)?;
        match apply_cached(tx, tenant, input, at, &mut cells).await {
            Ok(outcome) => {
                tx.execute(&Query::new("RELEASE SAVEPOINT bulk_record")).await.map_err(super::store::busy_or)?;
                results.push(BulkResult::Synced(outcome));
            }
            Err(error @ (StoreError::Busy(_) | StoreError::Unavailable(_) | StoreError::Internal(_))) => {
                return Err(error);
            }
            Err(error) => {
                tx.execute(&Query::new("ROLLBACK TO SAVEPOINT bulk_record")).await.map_err(super::store::busy_or)?;
                tx.execute(&Query::new("RELEASE SAVEPOINT bulk_record")).await.map_err(super::store::busy_or)?;
                results.push(BulkResult::Failed {
                    external_id: Some(input.key().external_id.clone()),
                    error: error.summary(),
                });
            }
        }
    }
    Ok(results)
}

async fn sync_cell<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    input: &CellInput,
    at: DateTime<Utc>,
) -> Result<SyncOutcome, StoreError> {
    let mut c = Columns::default();
    c.always("name", input.name.as_str())
        .always("name_folded", fold(&input.name))
        .patch("color", &input.color, Param::Null(SqlType::Text))
        .patch("sequence", &input.sequence, Param::Null(SqlType::Int))
        .patch("active", &input.active, Param::Bool(true));
    let (id, created) = upsert(tx, "cells", tenant, &input.key, c, at).await.map_err(|e| {
        unique_conflict(e, "name_folded", || format!("cell name '{}' is already used by another cell", input.name))
    })?;
    Ok(outcome(id, created, &input.key))
}

async fn sync_resource<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    input: &ResourceInput,
    at: DateTime<Utc>,
) -> Result<SyncOutcome, StoreError> {
    let text = Param::Null(SqlType::Text);
    let mut c = Columns::default();
    c.always("name", input.name.as_str())
        .always("name_folded", fold(&input.name))
        .patch("type", &input.resource_type, text.clone())
        .patch("description", &input.description, text.clone())
        .text_folded("identifier", "identifier_folded", &input.identifier)
        .patch("location", &input.location, text.clone())
        .patch("status", &input.status, text);
    let (id, created) = upsert(tx, "resources", tenant, &input.key, c, at).await.map_err(super::store::busy_or)?;
    Ok(outcome(id, created, &input.key))
}

async fn sync_job<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    input: &JobInput,
    at: DateTime<Utc>,
    cells: &mut CellCache,
) -> Result<SyncOutcome, StoreError> {
    let mut c = Columns::default();
    c.always("job_number", input.job_number.as_str())
        .always("job_number_folded", fold(&input.job_number))
        .text_folded("customer", "customer_folded", &input.customer)
        .patch("due_date", &input.due_date, Param::Null(SqlType::Date))
        .patch("priority", &input.priority, Param::Null(SqlType::Int))
        .patch("notes", &input.notes, Param::Null(SqlType::Text))
        .on_create("status", "not_started");
    let (job_id, created) = upsert(tx, "jobs", tenant, &input.key, c, at).await.map_err(|e| {
        unique_conflict(e, "job_number", || format!("job_number '{}' is already used by another job", input.job_number))
    })?;
    for (index, part) in input.parts.iter().enumerate() {
        let path = Path::root().element("parts", index);
        if let Parent::Nested { id: Some(given) } = part.job
            && given != job_id
        {
            return Err(StoreError::invalid(path.field("job_id"), "must be the id of the job it is nested in"));
        }
        sync_part(tx, tenant, job_id, part, at, cells, &path).await?;
    }
    Ok(outcome(job_id, created, &input.key))
}

async fn sync_part<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    job_id: Uuid,
    input: &PartInput,
    at: DateTime<Utc>,
    cells: &mut CellCache,
    path: &Path,
) -> Result<SyncOutcome, StoreError> {
    let mut c = Columns::default();
    c.always("job_id", job_id)
        .always("part_number", input.part_number.as_str())
        .always("part_number_folded", fold(&input.part_number))
        .patch("material", &input.material, Param::Null(SqlType::Text))
        .patch("quantity", &input.quantity, Param::Int(1))
        .patch("notes", &input.notes, Param::Null(SqlType::Text));
    let (part_id, created) = upsert(tx, "parts", tenant, &input.key, c, at).await.map_err(super::store::busy_or)?;
    for (index, operation) in input.operations.iter().enumerate() {
        let path = path.element("operations", index);
        if let Parent::Nested { id: Some(given) } = operation.part
            && given != part_id
        {
            return Err(StoreError::invalid(path.field("part_id"), "must be the id of the part it is nested in"));
        }
        sync_operation(tx, tenant, part_id, operation, at, cells, &path).await?;
    }
    Ok(outcome(part_id, created, &input.key))
}

async fn sync_operation<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    part_id: Uuid,
    input: &OperationInput,
    at: DateTime<Utc>,
    cells: &mut CellCache,
    path: &Path,
) -> Result<SyncOutcome, StoreError> {
    let cell_id = resolve_cell(tx, tenant, &input.cell, cells, path).await?;
    let mut c = Columns::default();
    c.always("part_id", part_id)
        .always("cell_id", cell_id)
        .always("operation_name", input.operation_name.as_str())
        .always("operation_name_folded", fold(&input.operation_name))
        .patch("sequence", &input.sequence, Param::Null(SqlType::Int))
        .patch("estimated_time_minutes", &input.estimated_time_minutes, Param::Null(SqlType::Decimal))
        .patch("notes", &input.notes, Param::Null(SqlType::Text));
    let (id, created) = upsert(tx, "operations", tenant, &input.key, c, at).await.map_err(super::store::busy_or)?;
    Ok(outcome(id, created, &input.key))
}

/// Finds the job (or part) a standalone child names, by external id in the child's
/// external_source, by Takt id, or both.
async fn resolve_parent<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    table: &str,
    label: &str,
    child: &SyncKey,
    parent: &ParentRef,
    path: &Path,
) -> Result<Uuid, StoreError> {
    let external_field = format!("{label}_external_id");
    let id_field = format!("{label}_id");
    let by_external = match &parent.external_id {
        Some(external_id) => {
            let row = tx
                .fetch_optional(
                    &Query::new(format!(
                        "SELECT id FROM {table} WHERE tenant_id = $1 AND external_source = $2 AND external_id = $3"
                    ))
                    .arg(tenant.0)
                    .arg(child.external_source.as_str())
                    .arg(external_id.as_str()),
                )
                .await?;
            match row {
                Some(row) => Some(row.get::<Uuid>(0)?),
                None => {
                    return Err(StoreError::missing_reference(
                        path.field(&external_field),
                        format!("no {label} with external_id '{external_id}' from '{}'", child.external_source),
                    ));
                }
            }
        }
        None => None,
    };
    let by_id = match parent.id {
        Some(id) => {
            let row = tx
                .fetch_optional(
                    &Query::new(format!("SELECT id FROM {table} WHERE tenant_id = $1 AND id = $2"))
                        .arg(tenant.0)
                        .arg(id),
                )
                .await?;
            if row.is_none() {
                return Err(StoreError::missing_reference(path.field(&id_field), format!("no {label} with id {id}")));
            }
            Some(id)
        }
        None => None,
    };
    match (by_external, by_id) {
        (Some(a), Some(b)) if a != b => {
            Err(StoreError::invalid(path.field(&id_field), format!("names a different {label} than {external_field}")))
        }
        (Some(id), _) | (None, Some(id)) => Ok(id),
        (None, None) => unreachable!("the parser requires a parent reference"),
    }
}

async fn resolve_cell<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    cell: &CellRef,
    cache: &mut CellCache,
    path: &Path,
) -> Result<Uuid, StoreError> {
    let by_name = |name: &str| fold(name);
    match cell {
        CellRef::Id(id) => {
            let row = tx
                .fetch_optional(
                    &Query::new("SELECT id FROM cells WHERE tenant_id = $1 AND id = $2").arg(tenant.0).arg(*id),
                )
                .await?;
            row.map(|_| *id)
                .ok_or_else(|| StoreError::missing_reference(path.field("cell_id"), format!("no cell with id {id}")))
        }
        CellRef::Name(name) | CellRef::Both(name, _) => {
            let folded = by_name(name);
            let id = match cache.0.get(&folded) {
                Some(id) => *id,
                None => {
                    let row = tx
                        .fetch_optional(
                            &Query::new("SELECT id FROM cells WHERE tenant_id = $1 AND name_folded = $2")
                                .arg(tenant.0)
                                .arg(folded.as_str()),
                        )
                        .await?;
                    let Some(row) = row else {
                        return Err(StoreError::missing_reference(
                            path.field("cell_name"),
                            format!("no cell named '{name}'"),
                        ));
                    };
                    let id: Uuid = row.get(0)?;
                    cache.0.insert(folded, id);
                    id
                }
            };
            match cell {
                CellRef::Both(_, given) if *given != id => {
                    Err(StoreError::invalid(path.field("cell_id"), "names a different cell than cell_name"))
                }
                _ => Ok(id),
            }
        }
    }
}

/// How one entity is listed and read.
struct Listing {
    alias: &'static str,
    /// `SELECT` list and `FROM` clause.
    select: &'static str,
    search: &'static [&'static str],
    status: bool,
    parent_column: Option<&'static str>,
    cell_column: Option<&'static str>,
    read: fn(&dyn Row) -> Result<ErpRecord, DbError>,
}

fn listing(entity: ErpEntity) -> Listing {
    match entity {
        ErpEntity::Cell => Listing {
            alias: "c",
            select: "c.id, c.external_id, c.external_source, c.name, c.color, c.sequence, c.active, c.created_at, \
                     c.updated_at FROM cells c",
            search: &["c.name_folded"],
            status: false,
            parent_column: None,
            cell_column: None,
            read: |r| {
                Ok(ErpRecord::Cell(Cell {
                    id: r.get(0)?,
                    external_id: r.get(1)?,
                    external_source: r.get(2)?,
                    name: r.get(3)?,
                    color: r.opt(4)?,
                    sequence: r.opt(5)?,
                    active: r.get(6)?,
                    created_at: r.get(7)?,
                    updated_at: r.get(8)?,
                }))
            },
        },
        ErpEntity::Resource => Listing {
            alias: "r",
            select: "r.id, r.external_id, r.external_source, r.name, r.type, r.description, r.identifier, r.location, \
                     r.status, r.created_at, r.updated_at FROM resources r",
            search: &["r.name_folded", "r.identifier_folded"],
            status: true,
            parent_column: None,
            cell_column: None,
            read: |r| {
                Ok(ErpRecord::Resource(Resource {
                    id: r.get(0)?,
                    external_id: r.get(1)?,
                    external_source: r.get(2)?,
                    name: r.get(3)?,
                    resource_type: r.opt(4)?,
                    description: r.opt(5)?,
                    identifier: r.opt(6)?,
                    location: r.opt(7)?,
                    status: r.opt(8)?,
                    created_at: r.get(9)?,
                    updated_at: r.get(10)?,
                }))
            },
        },
        ErpEntity::Job => Listing {
            alias: "j",
            select: "j.id, j.external_id, j.external_source, j.job_number, j.customer, j.due_date, j.priority, j.notes, \
                     j.status, j.created_at, j.updated_at FROM jobs j",
            search: &["j.job_number_folded", "j.customer_folded"],
            status: true,
            parent_column: None,
            cell_column: None,
            read: |r| {
                Ok(ErpRecord::Job(Job {
                    id: r.get(0)?,
                    external_id: r.get(1)?,
                    external_source: r.get(2)?,
                    job_number: r.get(3)?,
                    customer: r.opt(4)?,
                    due_date: r.opt(5)?,
                    priority: r.opt(6)?,
                    notes: r.opt(7)?,
                    status: r.get(8)?,
                    created_at: r.get(9)?,
                    updated_at: r.get(10)?,
                    parts: None,
                }))
            },
        },
        ErpEntity::Part => Listing {
            alias: "p",
            select: "p.id, p.job_id, j.external_id, p.external_id, p.external_source, p.part_number, p.material, \
                     p.quantity, p.notes, p.created_at, p.updated_at FROM parts p JOIN jobs j ON j.id = p.job_id",
            search: &["p.part_number_folded"],
            status: false,
            parent_column: Some("p.job_id"),
            cell_column: None,
            read: |r| {
                Ok(ErpRecord::Part(Part {
                    id: r.get(0)?,
                    job_id: r.get(1)?,
                    job_external_id: r.get(2)?,
                    external_id: r.get(3)?,
                    external_source: r.get(4)?,
                    part_number: r.get(5)?,
                    material: r.opt(6)?,
                    quantity: r.get(7)?,
                    notes: r.opt(8)?,
                    created_at: r.get(9)?,
                    updated_at: r.get(10)?,
                    operations: None,
                }))
            },
        },
        ErpEntity::Operation => Listing {
            alias: "o",
            select: "o.id, o.part_id, p.external_id, o.cell_id, c.name, o.external_id, o.external_source, \
                     o.operation_name, o.sequence, o.estimated_time_minutes, o.notes, o.created_at, o.updated_at \
                     FROM operations o JOIN parts p ON p.id = o.part_id JOIN cells c ON c.id = o.cell_id",
            search: &["o.operation_name_folded"],
            status: false,
            parent_column: Some("o.part_id"),
            cell_column: Some("o.cell_id"),
            read: |r| {
                Ok(ErpRecord::Operation(Operation {
                    id: r.get(0)?,
                    part_id: r.get(1)?,
                    part_external_id: r.get(2)?,
                    cell_id: r.get(3)?,
                    cell_name: r.get(4)?,
                    external_id: r.get(5)?,
                    external_source: r.get(6)?,
                    operation_name: r.get(7)?,
                    sequence: r.opt(8)?,
                    estimated_time_minutes: r.opt(9)?,
                    notes: r.opt(10)?,
                    created_at: r.get(11)?,
                    updated_at: r.get(12)?,
                }))
            },
        },
    }
}

fn where_clause(listing: &Listing, tenant: TenantId, query: &ListQuery) -> Query {
    let a = listing.alias;
    let mut q = Query::new(format!(" WHERE {a}.tenant_id = "));
    q.bind(tenant.0);
    if let Some(source) = &query.external_source {
        q.push(&format!(" AND {a}.external_source = ")).bind(source.as_str());
    }
    if let Some(external_id) = &query.external_id {
        q.push(&format!(" AND {a}.external_id = ")).bind(external_id.as_str());
    }
    if let (Some(status), true) = (&query.status, listing.status) {
        q.push(&format!(" AND {a}.status = ")).bind(status.as_str());
    }
    if let (Some(parent), Some(column)) = (query.parent_id, listing.parent_column) {
        q.push(&format!(" AND {column} = ")).bind(parent);
    }
    if let (Some(cell), Some(column)) = (query.cell_id, listing.cell_column) {
        q.push(&format!(" AND {column} = ")).bind(cell);
    }
    if let Some(search) = &query.search {
        let pattern = format!("%{}%", like_literal(search));
        q.push(" AND (");
        for (i, column) in listing.search.iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            q.push(&format!("{column} LIKE ")).bind(pattern.as_str()).push(" ESCAPE '\\'");
        }
        q.push(")");
    }
    q
}

fn with_where(head: String, filter: &Query) -> Query {
    // Both parts number their parameters from $1: the head has none, so the filter's hold.
    let mut q = Query::new(head);
    q.push(filter.sql());
    filter.params().iter().cloned().fold(q, Query::arg)
}

pub(crate) async fn list<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    entity: ErpEntity,
    query: &ListQuery,
) -> Result<Page<ErpRecord>, StoreError> {
    let listing = listing(entity);
    let filter = where_clause(&listing, tenant, query);
    let from = listing.select.split_once(" FROM ").map(|(_, from)| from).expect("a FROM clause");
    let total: i64 = tx
        .fetch_optional(&with_where(format!("SELECT COUNT(*) FROM {from}"), &filter))
        .await?
        .map(|row| row.get(0))
        .transpose()?
        .unwrap_or(0);
    let mut q = with_where(format!("SELECT {}", listing.select), &filter);
    q.push(&format!(" ORDER BY {}.id LIMIT ", listing.alias)).bind(query.limit).push(" OFFSET ").bind(query.offset);
    let rows = tx.fetch_all(&q).await?;
    let items = rows.iter().map(|row| (listing.read)(row)).collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, total })
}

pub(crate) async fn get<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    entity: ErpEntity,
    id: Uuid,
) -> Result<Option<ErpRecord>, StoreError> {
    let listing = listing(entity);
    let a = listing.alias;
    let q =
        Query::new(format!("SELECT {} WHERE {a}.tenant_id = $1 AND {a}.id = $2", listing.select)).arg(tenant.0).arg(id);
    let Some(row) = tx.fetch_optional(&q).await? else { return Ok(None) };
    let mut record = (listing.read)(&row)?;
    match &mut record {
        ErpRecord::Job(job) => job.parts = Some(parts_of_job(tx, tenant, job.id).await?),
        ErpRecord::Part(part) => part.operations = Some(operations_of(tx, tenant, "o.part_id", part.id).await?),
        _ => {}
    }
    Ok(Some(record))
}

async fn parts_of_job<T: Tx>(tx: &mut T, tenant: TenantId, job_id: Uuid) -> Result<Vec<Part>, StoreError> {
    let listing = listing(ErpEntity::Part);
    let q = Query::new(format!("SELECT {} WHERE p.tenant_id = $1 AND p.job_id = $2 ORDER BY p.id", listing.select))
        .arg(tenant.0)
        .arg(job_id);
    let mut parts: Vec<Part> = Vec::new();
    for row in tx.fetch_all(&q).await? {
        let ErpRecord::Part(part) = (listing.read)(&row)? else { unreachable!() };
        parts.push(Part { operations: Some(Vec::new()), ..part });
    }
    for operation in operations_of(tx, tenant, "p.job_id", job_id).await? {
        if let Some(part) = parts.iter_mut().find(|p| p.id == operation.part_id) {
            part.operations.get_or_insert_with(Vec::new).push(operation);
        }
    }
    Ok(parts)
}

/// Operations by `column = id`, in routing order (sequence, then creation).
async fn operations_of<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    column: &str,
    id: Uuid,
) -> Result<Vec<Operation>, StoreError> {
    let listing = listing(ErpEntity::Operation);
    let q = Query::new(format!(
        "SELECT {} WHERE o.tenant_id = $1 AND {column} = $2 ORDER BY o.sequence NULLS LAST, o.id",
        listing.select
    ))
    .arg(tenant.0)
    .arg(id);
    let mut operations = Vec::new();
    for row in tx.fetch_all(&q).await? {
        let ErpRecord::Operation(op) = (listing.read)(&row)? else { unreachable!() };
        operations.push(op);
    }
    Ok(operations)
}
