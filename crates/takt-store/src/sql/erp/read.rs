//! Reading ERP records back: lists with filters, search and pages, and one record with its
//! children.

use std::collections::HashMap;

use takt_domain::erp::ErpEntity;
use takt_domain::erp::query::ListQuery;
use takt_domain::erp::records::{Cell, ErpRecord, Job, Operation, Part, Resource};
use uuid::Uuid;

use crate::sql::query::like_literal;
use crate::sql::{DbError, Param, Query, Row, RowExt, Tx};

/// The most ids one lookup carries.
const LOOKUP_CHUNK: usize = 400;
use crate::{Page, StoreError, TenantId};

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

pub async fn list<T: Tx>(
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

/// Records of one entity by id, as lists show them (without children).
pub(super) async fn by_ids<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    entity: ErpEntity,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, ErpRecord>, StoreError> {
    let listing = listing(entity);
    let a = listing.alias;
    let mut records = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let mut q = Query::new(format!("SELECT {} WHERE {a}.tenant_id = ", listing.select));
        q.bind(tenant.0)
            .push(&format!(" AND {a}.id IN ("))
            .bind_list(chunk.iter().map(|id| Param::Uuid(*id)))
            .push(")");
        for row in tx.fetch_all(&q).await? {
            let record = (listing.read)(&row)?;
            records.insert(record.id(), record);
        }
    }
    Ok(records)
}

pub async fn get<T: Tx>(
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
