//! A record's properties (`[{name, value}]`): read alongside records, and written as a whole.

use std::collections::HashMap;

use takt_domain::error::Path;
use takt_domain::master_data::{EntityKind, EntitySpec, Property, Record};
use takt_domain::text::fold;

use crate::error::{At, Entity, Lookup, Missing};
use crate::sql::catalog::properties_table;
use crate::sql::{Param, Query, RowExt, Tx};
use crate::{StoreError, TenantId};

/// Fills in the properties of records read without them.
pub(super) async fn attach<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    records: &mut [Record],
) -> Result<(), StoreError> {
    let Some(table) = properties_table(spec) else { return Ok(()) };
    let positions: HashMap<i64, usize> = records.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    for chunk in ids.chunks(500) {
        let mut q = Query::new(format!(
            "SELECT pp.{rec}, d.name, pp.value FROM {t} pp JOIN property_definitions d ON d.id = pp.property_definition_id \
             WHERE pp.tenant_id = ",
            rec = table.record_column,
            t = table.table
        ));
        q.bind(tenant.0).push(&format!(" AND pp.{} IN (", table.record_column));
        q.bind_list(chunk.iter().map(|id| Param::Int(*id)))
            .push(&format!(") ORDER BY pp.{}, d.name_folded", table.record_column));
        for row in tx.fetch_all(&q).await? {
            let id: i64 = row.get(0)?;
            records[positions[&id]].properties.push(Property { name: row.get(1)?, value: row.get(2)? });
        }
    }
    Ok(())
}

/// Replaces a record's properties; every name must have a definition for the entity.
pub(super) async fn write<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    record_id: i64,
    properties: &[Property],
) -> Result<(), StoreError> {
    let table = properties_table(spec).expect("only entities with properties are given properties");
    let mut definitions = Vec::with_capacity(properties.len());
    let mut missing = Vec::new();
    for (index, property) in properties.iter().enumerate() {
        let q = Query::new(
            "SELECT id FROM property_definitions WHERE tenant_id = $1 AND table_name = $2 AND name_folded = $3",
        )
        .arg(tenant.0)
        .arg(spec.name)
        .arg(fold(&property.name));
        match tx.fetch_optional(&q).await? {
            Some(row) => definitions.push(row.get::<i64>(0)?),
            None => missing.push(Missing {
                entity: Entity::Master(EntityKind::PropertyDefinition),
                by: Lookup::Property { name: property.name.clone(), of: spec.kind },
                at: Some(At { within: Path::root().element("properties", index), field: "name" }),
            }),
        }
    }
    if !missing.is_empty() {
        return Err(StoreError::Missing(missing));
    }
    tx.execute(
        &Query::new(format!("DELETE FROM {} WHERE tenant_id = $1 AND {} = $2", table.table, table.record_column))
            .arg(tenant.0)
            .arg(record_id),
    )
    .await?;
    for (property, definition) in properties.iter().zip(definitions) {
        tx.execute(
            &Query::new(format!(
                "INSERT INTO {} (tenant_id, {}, property_definition_id, value) VALUES ($1, $2, $3, $4)",
                table.table, table.record_column
            ))
            .arg(tenant.0)
            .arg(record_id)
            .arg(definition)
            .arg(property.value.as_str()),
        )
        .await?;
    }
    Ok(())
}
