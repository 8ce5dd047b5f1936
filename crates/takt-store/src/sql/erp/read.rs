//! Reading ERP records back: lists with filters, search and pages, and one record with its
//! children.

use std::collections::HashMap;

use takt_domain::erp::ErpEntity;
use takt_domain::erp::query::{ListQuery, Sort};
use takt_domain::erp::records::{ErpRecord, Operation, Part};
use uuid::Uuid;

use super::tables::{Table, table};
use crate::sql::query::like_literal;
use crate::sql::{Param, Query, RowExt, Tx};
use crate::{Page, StoreError, TenantId};

/// The most ids one lookup carries.
const LOOKUP_CHUNK: usize = 400;

fn where_clause(table: &Table, tenant: TenantId, query: &ListQuery) -> Query {
    let a = table.alias;
    let mut q = Query::new(format!(" WHERE {a}.tenant_id = "));
    q.bind(tenant.0);
    q.push(&live(table));
    if let Some(source) = &query.external_source {
        q.push(&format!(" AND {a}.external_source = ")).bind(source.as_str());
    }
    if let Some(external_id) = &query.external_id {
        q.push(&format!(" AND {a}.external_id = ")).bind(external_id.as_str());
    }
    if let (Some(status), true) = (&query.status, table.status) {
        q.push(&format!(" AND {a}.status = ")).bind(status.as_str());
    }
    if let (Some(parent), Some(column)) = (query.parent_id, table.parent_column) {
        q.push(&format!(" AND {column} = ")).bind(parent);
    }
    if let (Some(cell), Some(column)) = (query.cell_id, table.cell_column) {
        q.push(&format!(" AND {column} = ")).bind(cell);
    }
    let substring = |q: &mut Query, column: &str, folded: &str| {
        let pattern = format!("%{}%", like_literal(folded));
        q.push(&format!(" AND {a}.{column} LIKE ")).bind(pattern.as_str()).push(" ESCAPE '\\'");
    };
    match table.entity {
        ErpEntity::Job => {
            if let Some(customer) = &query.customer {
                substring(&mut q, "customer_folded", customer);
            }
            if let Some(number) = &query.job_number {
                substring(&mut q, "job_number_folded", number);
            }
        }
        ErpEntity::Part => {
            if let Some(material) = &query.material {
                q.push(&format!(" AND {a}.material = ")).bind(material.as_str());
            }
        }
        ErpEntity::Cell => {
            if let Some(active) = query.active {
                q.push(&format!(" AND {a}.active = ")).bind(active);
            }
        }
        ErpEntity::Resource => {
            if let Some(kind) = &query.resource_type {
                q.push(&format!(" AND {a}.type = ")).bind(kind.as_str());
            }
        }
        ErpEntity::Operation | ErpEntity::Operator => {}
    }
    if let Some(search) = &query.search {
        let pattern = format!("%{}%", like_literal(search));
        q.push(" AND (");
        for (i, column) in table.search.iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            q.push(&format!("{a}.{column} LIKE ")).bind(pattern.as_str()).push(" ESCAPE '\\'");
        }
        q.push(")");
    }
    q
}

/// The condition that leaves deleted records out (empty for a table without soft delete).
pub(super) fn live(table: &Table) -> String {
    if table.soft_deletes() { format!(" AND {}.deleted_at IS NULL", table.alias) } else { String::new() }
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
    let table = table(entity);
    let filter = where_clause(table, tenant, query);
    let total: i64 = tx
        .fetch_optional(&with_where(format!("SELECT COUNT(*) FROM {}", table.from()), &filter))
        .await?
        .map(|row| row.get(0))
        .transpose()?
        .unwrap_or(0);
    let mut q = with_where(format!("SELECT {}", table.select()), &filter);
    q.push(&order_by(table, query.sort)).push(" LIMIT ").bind(query.limit).push(" OFFSET ").bind(query.offset);
    let rows = tx.fetch_all(&q).await?;
    let items = rows.iter().map(|row| table.read(row)).collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, total })
}

/// `ORDER BY` the sort field (its folded twin for text, so that case does not order), empty
/// values last, then by id (creation order) in the same direction.
fn order_by(table: &Table, sort: Sort) -> String {
    let a = table.alias;
    let direction = if sort.descending { "DESC" } else { "ASC" };
    let column = match sort.field {
        "id" => return format!(" ORDER BY {a}.id {direction}"),
        "created_at" | "updated_at" => sort.field,
        field => table.column(field).folded.unwrap_or(field),
    };
    format!(" ORDER BY {a}.{column} {direction} NULLS LAST, {a}.id {direction}")
}

/// Records of one entity by id, as lists show them (without children).
pub(crate) async fn by_ids<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    entity: ErpEntity,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, ErpRecord>, StoreError> {
    let table = table(entity);
    let mut records = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        for row in tx.fetch_all(&keyed(table, "id", chunk, tenant)).await? {
            let record = table.read(&row)?;
            records.insert(record.id(), record);
        }
    }
    Ok(records)
}

/// The rows of `table` whose `column` is one of `keys`, written as a join with a `VALUES`
/// table of the keys (`CROSS JOIN`, so that SQLite keeps the keys as the outer loop): one index
/// search per key, whatever the engine knows of the table. Filtered on the tenant alone, both
/// engines would rather walk the tenant's rows in order of id.
fn keyed(table: &Table, column: &str, keys: &[Uuid], tenant: TenantId) -> Query {
    let a = table.alias;
    let select = table.select();
    let (columns, from) = select.split_once(" FROM ").expect("a FROM clause");
    let (first, joins) = from.split_once(" JOIN ").map_or((from, String::new()), |(f, j)| (f, format!(" JOIN {j}")));
    let mut q = Query::new(format!("SELECT {columns} FROM "));
    q.values_table(keys.iter().map(|id| [Param::Uuid(*id)]));
    q.push(&format!(" CROSS JOIN {first}{joins} WHERE {a}.{column} = k.column1 AND {a}.tenant_id = ")).bind(tenant.0);
    q
}

pub async fn get<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    entity: ErpEntity,
    id: Uuid,
) -> Result<Option<ErpRecord>, StoreError> {
    let table = table(entity);
    let a = table.alias;
    let q = Query::new(format!("SELECT {} WHERE {a}.tenant_id = $1 AND {a}.id = $2{}", table.select(), live(table)))
        .arg(tenant.0)
        .arg(id);
    let Some(row) = tx.fetch_optional(&q).await? else { return Ok(None) };
    Ok(Some(with_children(tx, tenant, table.read(&row)?).await?))
}

/// `record` as [`get`] answers it when it has no children: a job with no parts, a part with no
/// operations.
pub(super) fn childless(mut record: ErpRecord) -> ErpRecord {
    match &mut record {
        ErpRecord::Job(job) => job.parts = Some(Vec::new()),
        ErpRecord::Part(part) => part.operations = Some(Vec::new()),
        _ => {}
    }
    record
}

/// `record` as [`get`] answers it: a job with its parts and their operations, a part with its
/// operations.
pub(super) async fn with_children<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    mut record: ErpRecord,
) -> Result<ErpRecord, StoreError> {
    match &mut record {
        ErpRecord::Job(job) => job.parts = Some(parts_of_job(tx, tenant, job.id).await?),
        ErpRecord::Part(part) => part.operations = Some(operations_of(tx, tenant, &[part.id]).await?),
        _ => {}
    }
    Ok(record)
}

async fn parts_of_job<T: Tx>(tx: &mut T, tenant: TenantId, job_id: Uuid) -> Result<Vec<Part>, StoreError> {
    let table = table(ErpEntity::Part);
    let mut q = keyed(table, "job_id", &[job_id], tenant);
    q.push(" AND p.deleted_at IS NULL ORDER BY p.id");
    let mut parts: Vec<Part> = Vec::new();
    for row in tx.fetch_all(&q).await? {
        let ErpRecord::Part(part) = table.read(&row)? else { unreachable!() };
        parts.push(Part { operations: Some(Vec::new()), ..part });
    }
    let ids: Vec<Uuid> = parts.iter().map(|p| p.id).collect();
    for operation in operations_of(tx, tenant, &ids).await? {
        if let Some(part) = parts.iter_mut().find(|p| p.id == operation.part_id) {
            part.operations.get_or_insert_with(Vec::new).push(operation);
        }
    }
    Ok(parts)
}

/// The operations of the parts `part_ids`, each part's in routing order (sequence, then
/// creation).
async fn operations_of<T: Tx>(tx: &mut T, tenant: TenantId, part_ids: &[Uuid]) -> Result<Vec<Operation>, StoreError> {
    let table = table(ErpEntity::Operation);
    let mut operations = Vec::new();
    for chunk in part_ids.chunks(LOOKUP_CHUNK) {
        let mut q = keyed(table, "part_id", chunk, tenant);
        q.push(" AND o.deleted_at IS NULL ORDER BY o.sequence NULLS LAST, o.id");
        for row in tx.fetch_all(&q).await? {
            let ErpRecord::Operation(op) = table.read(&row)? else { unreachable!() };
            operations.push(op);
        }
    }
    Ok(operations)
}
