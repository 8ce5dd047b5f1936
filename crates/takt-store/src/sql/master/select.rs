//! Reading records: the `SELECT` every read shares, and decoding its rows into [`Record`]s.

use takt_domain::master_data::{EntitySpec, FieldValue, Record, RefBy, Reference};
use takt_domain::schema::Kind;
use takt_domain::text::fold;

use super::properties;
use crate::sql::{Query, Row, RowExt, Tx};
use crate::{StoreError, TenantId};

/// `SELECT ... FROM {table} t`: id, stamps, built-in flag, then each field (a reference by name
/// brings the target's name along).
pub(super) fn select_sql(spec: &EntitySpec) -> String {
    let mut sql = String::from("SELECT t.id, t.created_at, t.updated_at, ");
    sql.push_str(if spec.built_in.is_empty() { "FALSE" } else { "t.built_in" });
    for field in spec.fields {
        sql.push_str(", t.");
        sql.push_str(field.column);
        if let Some(Reference { target, by: RefBy::Name { .. }, .. }) = field.reference {
            sql.push_str(&format!(", (SELECT r.name FROM {} r WHERE r.id = t.{})", target.spec().table, field.column));
        }
    }
    sql.push_str(&format!(" FROM {} t", spec.table));
    sql
}

fn read_record(spec: &EntitySpec, row: &impl Row) -> Result<Record, StoreError> {
    let mut values = Vec::with_capacity(spec.fields.len());
    let mut column = 4;
    for field in spec.fields {
        let value = match field.reference {
            Some(reference) => {
                let id: Option<i64> = row.opt(column)?;
                let name = if let RefBy::Name { .. } = reference.by {
                    column += 1;
                    row.opt::<String>(column)?
                } else {
                    None
                };
                id.map(|id| FieldValue::Ref { id, name })
            }
            None => match field.field.kind {
                Kind::Text { .. } | Kind::Enum(_) | Kind::Color => row.opt(column)?.map(FieldValue::Text),
                Kind::Integer { .. } => row.opt(column)?.map(FieldValue::Integer),
                Kind::Decimal(_) => row.opt(column)?.map(FieldValue::Decimal),
                Kind::Bool => row.opt(column)?.map(FieldValue::Bool),
                Kind::Timestamp => row.opt(column)?.map(FieldValue::Timestamp),
                kind => unreachable!("master data does not store {kind:?}"),
            },
        };
        values.push(value);
        column += 1;
    }
    Ok(Record {
        kind: spec.kind,
        id: row.get(0)?,
        values,
        properties: Vec::new(),
        built_in: row.get(3)?,
        created_at: row.get(1)?,
        updated_at: row.get(2)?,
    })
}

/// Runs a query built on [`select_sql`] and reads its records with their properties.
pub(super) async fn fetch_records<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    query: &Query,
) -> Result<Vec<Record>, StoreError> {
    let rows = tx.fetch_all(query).await?;
    let mut records = rows.iter().map(|row| read_record(spec, row)).collect::<Result<Vec<_>, _>>()?;
    properties::attach(tx, tenant, spec, &mut records).await?;
    Ok(records)
}

pub(super) async fn load_by_name<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    name: &str,
) -> Result<Option<Record>, StoreError> {
    let q = Query::new(format!("{} WHERE t.tenant_id = $1 AND t.name_folded = $2", select_sql(spec)))
        .arg(tenant.0)
        .arg(fold(name));
    Ok(fetch_records(tx, tenant, spec, &q).await?.pop())
}
