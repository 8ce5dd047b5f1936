//! Deleting a record: what refuses it (built in, a stateful rule, records that use it) and the
//! `DELETE` itself.

use takt_domain::master_data::{ALL, EntityKind, EntitySpec, OnDelete, Record};

use super::{load, state};
use crate::error::{Act, User};
use crate::sql::catalog::properties_table;
use crate::sql::{DbError, Query, RowExt, Tx};
use crate::{StoreError, TenantId};

/// Refuses the delete of a record that is built in, that a stateful rule keeps, or that others use.
pub(super) async fn check<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    record: &Record,
) -> Result<(), StoreError> {
    if record.built_in {
        return Err(StoreError::BuiltIn { entity: spec.kind, title: record.title(), act: Act::Delete });
    }
    state::check_delete(tx, tenant, record).await?;
    let users = users_of(tx, tenant, spec, record.id).await?;
    if !users.is_empty() {
        return Err(StoreError::InUse { entity: spec.kind, title: record.title(), users });
    }
    Ok(())
}

/// Deletes the row; a foreign key that still refuses it makes a `409`.
pub(super) async fn remove<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    record: &Record,
) -> Result<(), StoreError> {
    let q =
        Query::new(format!("DELETE FROM {} WHERE tenant_id = $1 AND id = $2", spec.table)).arg(tenant.0).arg(record.id);
    tx.execute(&q).await.map_err(|e| match e {
        DbError::ForeignKey(_) => StoreError::InUse { entity: spec.kind, title: record.title(), users: Vec::new() },
        other => StoreError::from(other),
    })?;
    Ok(())
}

/// Who references a record, for a delete's `409`.
async fn users_of<T: Tx>(tx: &mut T, tenant: TenantId, spec: &EntitySpec, id: i64) -> Result<Vec<User>, StoreError> {
    let mut users = Vec::new();
    for other in ALL.iter() {
        for field in other.fields {
            let Some(reference) = field.reference else { continue };
            if reference.target != spec.kind || reference.on_delete != OnDelete::Restrict {
                continue;
            }
            let q = Query::new(format!(
                "SELECT COUNT(*), MIN(id) FROM {} WHERE tenant_id = $1 AND {} = $2",
                other.table, field.column
            ))
            .arg(tenant.0)
            .arg(id);
            users.extend(describe_users(tx, tenant, other, &q).await?);
        }
    }
    if spec.kind == EntityKind::PropertyDefinition {
        for other in ALL.iter() {
            let Some(table) = properties_table(other) else { continue };
            let q = Query::new(format!(
                "SELECT COUNT(DISTINCT {rec}), MIN({rec}) FROM {t} WHERE tenant_id = $1 AND property_definition_id = $2",
                rec = table.record_column,
                t = table.table
            ))
            .arg(tenant.0)
            .arg(id);
            users.extend(describe_users(tx, tenant, other, &q).await?);
        }
    }
    Ok(users)
}

/// Runs a `SELECT COUNT(*), MIN(id)`: the users, with the title of the only one.
async fn describe_users<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    users: &EntitySpec,
    count: &Query,
) -> Result<Option<User>, StoreError> {
    let Some(row) = tx.fetch_optional(count).await? else { return Ok(None) };
    let count: i64 = row.get(0)?;
    if count == 0 {
        return Ok(None);
    }
    let first: i64 = row.get(1)?;
    let title = match count {
        1 => load(tx, tenant, users, first).await?.map(|r| r.title()),
        _ => None,
    };
    Ok(Some(User { entity: users.kind, count, first, title }))
}
