//! A cell's dispatch queue (SPEC section 7): its operations that are not completed, in jobs that
//! are not completed, running first, then held, then the rest by rush, due date, job priority,
//! job number and routing sequence; each with what blocks it.

use takt_domain::erp::ErpEntity;
use takt_domain::erp::records::{Cell, ErpRecord};
use takt_domain::shop_floor::queue::{BlockedBy, QueueLine, QueuedJob, QueuedPart};
use uuid::Uuid;

use crate::error::{Entity, Lookup};
use crate::sql::erp::tables::table;
use crate::sql::{Query, RowExt, Tx};
use crate::{Page, StoreError, TenantId};

/// How the queue's cell is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellKey {
    Id(Uuid),
    /// By name, case-insensitive.
    Name(String),
}

/// The columns a line reads after the operation's own, in this order.
const EXTRA: &str = "p.external_id, p.part_number, p.quantity, p.material, p.is_bullet_card, j.id, j.external_id, \
     j.job_number, j.customer, j.due_date, j.priority, o.held_from, EXISTS (SELECT 1 FROM operations e WHERE \
     e.part_id = o.part_id AND e.sequence < o.sequence AND e.status <> 'completed' AND e.deleted_at IS NULL)";

const ORDER: &str = " ORDER BY CASE o.status WHEN 'in_progress' THEN 0 WHEN 'on_hold' THEN 1 ELSE 2 END, \
     p.is_bullet_card DESC, j.due_date ASC NULLS LAST, j.priority DESC NULLS LAST, j.job_number, \
     o.sequence ASC NULLS LAST, o.id";

/// The cell and one page of its queue.
pub async fn read<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    cell: &CellKey,
    limit: i64,
    offset: i64,
) -> Result<(Cell, Page<QueueLine>), StoreError> {
    let cell = find_cell(tx, tenant, cell).await?;
    let operations = table(ErpEntity::Operation);
    let select = operations.select();
    let (columns, from) = select.split_once(" FROM ").expect("a FROM clause");
    let filter = |q: &mut Query| {
        q.push(" JOIN jobs j ON j.id = p.job_id WHERE o.tenant_id = ").bind(tenant.0);
        q.push(" AND o.cell_id = ").bind(cell.id);
        q.push(
            " AND o.status <> 'completed' AND j.status <> 'completed' AND o.deleted_at IS NULL \
             AND p.deleted_at IS NULL AND j.deleted_at IS NULL",
        );
    };
    let mut count = Query::new(format!("SELECT COUNT(*) FROM {from}"));
    filter(&mut count);
    let total: i64 = tx.fetch_optional(&count).await?.map_or(Ok(0), |r| r.get(0))?;
    let mut q = Query::new(format!("SELECT {columns}, {EXTRA} FROM {from}"));
    filter(&mut q);
    q.push(ORDER).push(" LIMIT ").bind(limit).push(" OFFSET ").bind(offset);
    let rows = tx.fetch_all(&q).await?;
    let running = running_in(tx, tenant, cell.id).await?;
    let full = cell.wip_limit.is_some_and(|limit| running >= limit);
    let at = operations.width();
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let ErpRecord::Operation(operation) = operations.read(row)? else { unreachable!("an operation row") };
        let mut blocked_by = Vec::new();
        if cell.enforce_sequence && row.get::<bool>(at + 12)? {
            blocked_by.push(BlockedBy::Predecessor);
        }
        if row.opt::<String>(at + 11)?.is_some() {
            blocked_by.push(BlockedBy::Hold);
        }
        if full && operation.status != "in_progress" {
            blocked_by.push(BlockedBy::WipLimit);
        }
        items.push(QueueLine {
            part: QueuedPart {
                id: operation.part_id,
                external_id: row.get(at)?,
                part_number: row.get(at + 1)?,
                quantity: row.get(at + 2)?,
                material: row.opt(at + 3)?,
                is_bullet_card: row.get(at + 4)?,
            },
            job: QueuedJob {
                id: row.get(at + 5)?,
                external_id: row.get(at + 6)?,
                job_number: row.get(at + 7)?,
                customer: row.opt(at + 8)?,
                due_date: row.opt(at + 9)?,
                priority: row.opt(at + 10)?,
            },
            operation,
            ready: blocked_by.is_empty(),
            blocked_by,
        });
    }
    Ok((cell, Page { items, total }))
}

async fn find_cell<T: Tx>(tx: &mut T, tenant: TenantId, key: &CellKey) -> Result<Cell, StoreError> {
    let cells = table(ErpEntity::Cell);
    let mut q = Query::new(format!("SELECT {} WHERE c.tenant_id = ", cells.select()));
    q.bind(tenant.0);
    let lookup = match key {
        CellKey::Id(id) => {
            q.push(" AND c.id = ").bind(*id);
            Lookup::Uuid(*id)
        }
        CellKey::Name(name) => {
            q.push(" AND c.name_folded = ").bind(takt_domain::text::fold(name.trim()));
            Lookup::Name(name.clone())
        }
    };
    q.push(" AND c.deleted_at IS NULL");
    let row = tx.fetch_optional(&q).await?;
    match row.map(|r| cells.read(&r)).transpose()? {
        Some(ErpRecord::Cell(cell)) => Ok(cell),
        _ => Err(StoreError::missing(Entity::Erp(ErpEntity::Cell), lookup, None)),
    }
}

async fn running_in<T: Tx>(tx: &mut T, tenant: TenantId, cell: Uuid) -> Result<i64, StoreError> {
    let mut q = Query::new("SELECT COUNT(*) FROM operations WHERE tenant_id = ");
    q.bind(tenant.0).push(" AND cell_id = ").bind(cell).push(" AND status = 'in_progress' AND deleted_at IS NULL");
    Ok(tx.fetch_optional(&q).await?.map_or(Ok(0), |r| r.get(0))?)
}
