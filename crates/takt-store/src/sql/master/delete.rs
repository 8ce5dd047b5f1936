//! Deleting a record: what refuses it (built in, a stateful rule, records that use it) and the
//! `DELETE` itself.

use takt_domain::master_data::{ALL, EntityKind, EntitySpec, OnDelete, Record};
use takt_domain::text::capitalize;

use super::{load, state};
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
    let label = capitalize(spec.label);
    if record.built_in {
        return Err(StoreError::conflict(format!("{label} {} is built in and cannot be deleted", record.title())));
    }
    state::check_delete(tx, tenant, record).await?;
    let users = users_of(tx, tenant, spec, record.id).await?;
    if !users.is_empty() {
        return Err(StoreError::conflict(format!("{label} {} is used by {}", record.title(), join_and(&users))));
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
        DbError::ForeignKey(_) => {
            StoreError::conflict(format!("{} {} is in use", capitalize(spec.label), record.title()))
        }
        other => StoreError::from(other),
    })?;
    Ok(())
}

/// Who references a record, for a delete's `409`: `BoM 'BRK-A'`, `2 recipes`.
async fn users_of<T: Tx>(tx: &mut T, tenant: TenantId, spec: &EntitySpec, id: i64) -> Result<Vec<String>, StoreError> {
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

/// Runs a `SELECT COUNT(*), MIN(id)` and names the users: one by title, several by count.
async fn describe_users<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    users: &EntitySpec,
    count: &Query,
) -> Result<Option<String>, StoreError> {
    let Some(row) = tx.fetch_optional(count).await? else { return Ok(None) };
    let n: i64 = row.get(0)?;
    Ok(match n {
        0 => None,
        1 => {
            let first: i64 = row.get(1)?;
            let title = load(tx, tenant, users, first).await?.map(|r| r.title()).unwrap_or_else(|| format!("#{first}"));
            Some(format!("{} {title}", users.label))
        }
        n => Some(format!("{n} {}", users.plural)),
    })
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
