//! The rules that depend on stored state: built-in records, frozen BoM versions, recipes that
//! must match their BoM's product, schedules that only move forward and run approved BoMs.

use takt_domain::master_data::entities::field;
use takt_domain::master_data::{EntityKind, EntitySpec, FieldValue, Fields, Record, rules, version};
use takt_domain::text::fold;

use super::not_found;
use super::resolve::Given;
use crate::error::{Act, At, Blocked};
use crate::sql::{Query, RowExt, Tx};
use crate::{StoreError, TenantId};

/// Checks a write of `values` (over `existing`, if any) against what is stored.
pub(super) async fn check<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    existing: Option<&Record>,
    values: &[Option<FieldValue>],
    given: &Given,
) -> Result<(), StoreError> {
    let new = Fields::new(spec, values);
    match spec.kind {
        EntityKind::OwnershipType | EntityKind::ApprovalStatus => {
            if let Some(record) = existing.filter(|r| r.built_in)
                && new.get(field::NAME) != record.get(field::NAME)
            {
                return Err(StoreError::BuiltIn { entity: spec.kind, title: record.title(), act: Act::Rename });
            }
        }
        EntityKind::BomVersion => {
            let Some(record) = existing else { return Ok(()) };
            let old_status = record.fields().text(field::APPROVAL_STATUS);
            if !rules::approval_frozen(old_status) {
                return Ok(());
            }
            let info = version_info(tx, tenant, record.id).await?.ok_or_else(|| not_found(spec, record.id))?;
            for (index, value) in given {
                let name = spec.fields[*index].name();
                let unchanged = match (&record.values[*index], value) {
                    (Some(a), Some(b)) => a.same(b),
                    (a, b) => a.is_none() && b.is_none(),
                };
                if name != field::APPROVAL_STATUS && !unchanged {
                    let what = if version::is_part(name) { version::FIELD } else { name };
                    return Err(frozen(info, Blocked::Field(what)));
                }
            }
            let new_status = new.text(field::APPROVAL_STATUS);
            if !rules::approval_move_allowed(old_status, new_status) {
                return Err(frozen(
                    VersionInfo { status: old_status.to_owned(), ..info },
                    Blocked::Status(new_status.to_owned()),
                ));
            }
        }
        EntityKind::BomSlot => {
            let mut versions = vec![new.ref_id(field::BOM_VERSION_ID)];
            versions.push(existing.and_then(|r| r.fields().ref_id(field::BOM_VERSION_ID)));
            versions.dedup();
            for id in versions.into_iter().flatten() {
                check_slots_open(tx, tenant, id).await?;
            }
        }
        EntityKind::Recipe => {
            if let (Some(version), Some(product)) = (new.ref_id(field::BOM_VERSION_ID), new.ref_id(field::PRODUCT))
                && let Some(info) = version_info(tx, tenant, version).await?
                && info.product_id != product
            {
                return Err(StoreError::WrongProduct { bom: info.bom, at: At::field(field::BOM_VERSION_ID) });
            }
        }
        EntityKind::Schedule => {
            let status = new.text(field::STATUS);
            if let Some(record) = existing {
                let old = record.fields().text(field::STATUS);
                if !rules::schedule_move_allowed(old, status) {
                    return Err(StoreError::Started { title: record.title(), status: old.to_owned(), act: Act::Move });
                }
            }
            let recipe = new.ref_id(field::RECIPE);
            let recipe_changed = existing.is_none_or(|r| r.fields().ref_id(field::RECIPE) != recipe);
            if let (true, Some(recipe)) = (recipe_changed, recipe) {
                check_recipe_schedulable(tx, tenant, recipe).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Checks the delete of a stored record: schedules that have started stay, and so do the slots
/// of a frozen BoM version.
pub(super) async fn check_delete<T: Tx>(tx: &mut T, tenant: TenantId, record: &Record) -> Result<(), StoreError> {
    match record.kind {
        EntityKind::Schedule => {
            let status = record.fields().text(field::STATUS);
            if !rules::schedule_deletable(status) {
                return Err(StoreError::Started { title: record.title(), status: status.to_owned(), act: Act::Delete });
            }
        }
        EntityKind::BomSlot => {
            if let Some(version) = record.fields().ref_id(field::BOM_VERSION_ID) {
                check_slots_open(tx, tenant, version).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Refuses a change to the slots of a frozen BoM version.
async fn check_slots_open<T: Tx>(tx: &mut T, tenant: TenantId, version: i64) -> Result<(), StoreError> {
    if let Some(info) = version_info(tx, tenant, version).await?
        && rules::approval_frozen(&info.status)
    {
        return Err(frozen(info, Blocked::Slots));
    }
    Ok(())
}

async fn check_recipe_schedulable<T: Tx>(tx: &mut T, tenant: TenantId, recipe: i64) -> Result<(), StoreError> {
    let q = Query::new("SELECT name, bom_version_id FROM recipes WHERE tenant_id = $1 AND id = $2")
        .arg(tenant.0)
        .arg(recipe);
    let Some(row) = tx.fetch_optional(&q).await? else { return Ok(()) };
    let name: String = row.get(0)?;
    let Some(version) = row.opt::<i64>(1)? else { return Ok(()) };
    if let Some(info) = version_info(tx, tenant, version).await?
        && fold(&info.status) != "approved"
    {
        return Err(StoreError::Unapproved { recipe: name, version: info.title, status: info.status });
    }
    Ok(())
}

/// A BoM version as the integrity rules need to see it.
struct VersionInfo {
    title: String,
    status: String,
    product_id: i64,
    bom: String,
    next: String,
}

async fn version_info<T: Tx>(tx: &mut T, tenant: TenantId, id: i64) -> Result<Option<VersionInfo>, StoreError> {
    let q = Query::new(
        "SELECT b.name, v.major_version, v.minor_version, s.name, b.product_id, \
         (SELECT MAX(o.minor_version) FROM bom_versions o WHERE o.bom_id = v.bom_id AND o.major_version = v.major_version) \
         FROM bom_versions v JOIN boms b ON b.id = v.bom_id JOIN approval_statuses s ON s.id = v.approval_status_id \
         WHERE v.tenant_id = $1 AND v.id = $2",
    )
    .arg(tenant.0)
    .arg(id);
    let Some(row) = tx.fetch_optional(&q).await? else { return Ok(None) };
    let bom: String = row.get(0)?;
    let (major, minor, last_minor): (i64, i64, i64) = (row.get(1)?, row.get(2)?, row.get(5)?);
    Ok(Some(VersionInfo {
        title: format!("{bom} {}", version::format_version(major, minor)),
        status: row.get(3)?,
        product_id: row.get(4)?,
        bom,
        // One past the highest minor version of this major one, so a number still free.
        next: version::format_version(major, last_minor + 1),
    }))
}

fn frozen(info: VersionInfo, blocked: Blocked) -> StoreError {
    StoreError::Frozen { version: info.title, status: info.status, next: info.next, blocked }
}
