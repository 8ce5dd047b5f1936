//! Finding the records a write references: parents by external id or Takt id, cells by name
//! or id, assigned operators; deleted records are not found.

use std::collections::{HashMap, HashSet};

use takt_domain::erp::{CellRef, ErpEntity, ParentRef, SyncKey};
use takt_domain::error::Path;
use takt_domain::text::fold;
use uuid::Uuid;

use super::tables::table;
use super::write::CellCache;
use crate::error::{At, Entity, Lookup};
use crate::sql::{Param, Query, RowExt, Tx};
use crate::{StoreError, TenantId};

/// The most keys one lookup query carries.
const LOOKUP_CHUNK: usize = 400;

/// A reference, at `field` of the record at `within`, that names no record.
pub(super) fn unresolved(entity: ErpEntity, by: Lookup, within: &Path, field: &'static str) -> StoreError {
    StoreError::missing(Entity::Erp(entity), by, Some(At { within: within.clone(), field }))
}

/// Finds the jobs (or parts) standalone records name: by external id in the record's own
/// external_source, by Takt id, or both (then both must name the same record).
pub(super) async fn resolve_parents<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    parent: ErpEntity,
    children: &[(&SyncKey, &ParentRef)],
) -> Result<Vec<Uuid>, StoreError> {
    let table = parent.plural();
    let mut by_external: HashMap<(String, String), Uuid> = HashMap::new();
    let wanted: Vec<(&str, &str)> = children
        .iter()
        .filter_map(|(key, parent)| parent.external_id.as_deref().map(|e| (key.external_source.as_str(), e)))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    for chunk in wanted.chunks(LOOKUP_CHUNK) {
        let mut q = Query::new("SELECT t.id, t.external_source, t.external_id FROM ");
        q.values_table(chunk.iter().map(|(source, external_id)| [Param::from(*source), Param::from(*external_id)]));
        q.push(&format!(" CROSS JOIN {table} t WHERE t.tenant_id = ")).bind(tenant.0);
        q.push(" AND t.external_source = k.column1 AND t.external_id = k.column2 AND t.deleted_at IS NULL");
        for row in tx.fetch_all(&q).await? {
            by_external.insert((row.get(1)?, row.get(2)?), row.get(0)?);
        }
    }
    let ids: Vec<Uuid> =
        children.iter().filter_map(|(_, parent)| parent.id).collect::<HashSet<_>>().into_iter().collect();
    let existing = existing_ids(tx, tenant, parent, &ids).await?;

    let root = Path::root();
    let (external_field, id_field) = match parent {
        ErpEntity::Job => ("job_external_id", "job_id"),
        ErpEntity::Part => ("part_external_id", "part_id"),
        other => unreachable!("a {} is no parent", other.singular()),
    };
    let mut parents = Vec::with_capacity(children.len());
    for (key, reference) in children {
        let external = match &reference.external_id {
            Some(external_id) => match by_external.get(&(key.external_source.clone(), external_id.clone())) {
                Some(id) => Some(*id),
                None => {
                    let by =
                        Lookup::ExternalId { external_id: external_id.clone(), source: key.external_source.clone() };
                    return Err(unresolved(parent, by, &root, external_field));
                }
            },
            None => None,
        };
        if let Some(id) = reference.id
            && !existing.contains(&id)
        {
            return Err(unresolved(parent, Lookup::Uuid(id), &root, id_field));
        }
        parents.push(match (external, reference.id) {
            (Some(a), Some(b)) if a != b => {
                return Err(StoreError::Disagree { entity: parent, at: At::field(id_field), other: external_field });
            }
            (Some(id), _) | (None, Some(id)) => id,
            (None, None) => unreachable!("the parser requires a parent reference"),
        });
    }
    Ok(parents)
}

/// Which of `ids` are live records of `entity` in this tenant.
async fn existing_ids<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    entity: ErpEntity,
    ids: &[Uuid],
) -> Result<HashSet<Uuid>, StoreError> {
    let mut existing = HashSet::new();
    let live = if table(entity).soft_deletes() { " AND deleted_at IS NULL" } else { "" };
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let mut q = Query::new(format!("SELECT id FROM {} WHERE tenant_id = ", entity.plural()));
        q.bind(tenant.0).push(live).push(" AND id IN (").bind_list(chunk.iter().map(|id| Param::Uuid(*id))).push(")");
        for row in tx.fetch_all(&q).await? {
            existing.insert(row.get(0)?);
        }
    }
    Ok(existing)
}

/// Refuses an `assigned_operator_id` that names no operator of the tenant.
pub(super) async fn check_operators<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    assigned: &[(Option<&Uuid>, &Path)],
) -> Result<(), StoreError> {
    let ids: Vec<Uuid> =
        assigned.iter().filter_map(|(id, _)| id.copied()).collect::<HashSet<_>>().into_iter().collect();
    if ids.is_empty() {
        return Ok(());
    }
    let existing = existing_ids(tx, tenant, ErpEntity::Operator, &ids).await?;
    for (id, path) in assigned {
        if let Some(id) = id
            && !existing.contains(id)
        {
            return Err(unresolved(ErpEntity::Operator, Lookup::Uuid(**id), path, "assigned_operator_id"));
        }
    }
    Ok(())
}

/// Finds the cells operations name, by name (case-insensitively), by id, or both.
pub(super) async fn resolve_cells<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    references: &[(&CellRef, &Path)],
    cache: &mut CellCache,
) -> Result<Vec<Option<Uuid>>, StoreError> {
    let missing: Vec<String> = references
        .iter()
        .filter_map(|(cell, _)| match cell {
            CellRef::Name(name) | CellRef::Both(name, _) => Some(fold(name)),
            CellRef::Id(_) | CellRef::Unassigned => None,
        })
        .filter(|folded| !cache.0.contains_key(folded))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    for chunk in missing.chunks(LOOKUP_CHUNK) {
        let mut q = Query::new("SELECT id, name_folded FROM cells WHERE tenant_id = ");
        q.bind(tenant.0)
            .push(" AND deleted_at IS NULL AND name_folded IN (")
            .bind_list(chunk.iter().map(|n| Param::Text(n.clone())))
            .push(")");
        for row in tx.fetch_all(&q).await? {
            cache.0.insert(row.get(1)?, row.get(0)?);
        }
    }
    let ids: Vec<Uuid> = references
        .iter()
        .filter_map(|(cell, _)| match cell {
            CellRef::Id(id) => Some(*id),
            _ => None,
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let existing = existing_ids(tx, tenant, ErpEntity::Cell, &ids).await?;

    let mut resolved = Vec::with_capacity(references.len());
    for (cell, path) in references {
        resolved.push(Some(match cell {
            CellRef::Unassigned => {
                resolved.push(None);
                continue;
            }
            CellRef::Id(id) if existing.contains(id) => *id,
            CellRef::Id(id) => return Err(unresolved(ErpEntity::Cell, Lookup::Uuid(*id), path, "cell_id")),
            CellRef::Name(name) | CellRef::Both(name, _) => {
                let Some(id) = cache.0.get(&fold(name)).copied() else {
                    return Err(unresolved(ErpEntity::Cell, Lookup::Name(name.clone()), path, "cell_name"));
                };
                if let CellRef::Both(_, given) = cell
                    && *given != id
                {
                    return Err(StoreError::Disagree {
                        entity: ErpEntity::Cell,
                        at: At { within: (*path).clone(), field: "cell_id" },
                        other: "cell_name",
                    });
                }
                id
            }
        }));
    }
    Ok(resolved)
}
