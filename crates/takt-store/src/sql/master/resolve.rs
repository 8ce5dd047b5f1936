//! Turning what a request gave into stored values: references found by name (or `%` pattern) or
//! id, every reference that names nothing reported at once.

use takt_domain::json::{Patch, Scalar};
use takt_domain::master_data::{EntitySpec, FieldValue, MasterField, RefBy, Reference};
use takt_domain::text::fold;

use crate::error::{At, Entity, Lookup, Missing};
use crate::sql::query::like_pattern;
use crate::sql::{Query, RowExt, Tx};
use crate::{StoreError, TenantId};

/// The most records an ambiguous name is shown to match.
const MATCHES_SHOWN: usize = 6;

/// The fields a request gave, resolved: `None` where it cleared one.
pub(super) type Given = Vec<(usize, Option<FieldValue>)>;

pub(super) async fn given<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    given: &[(usize, Patch<Scalar>)],
) -> Result<Given, StoreError> {
    let mut resolved = Vec::with_capacity(given.len());
    let mut missing = Vec::new();
    for (index, patch) in given {
        let field = &spec.fields[*index];
        let value = match patch {
            Patch::Absent => continue,
            Patch::Null => None,
            Patch::Set(scalar) => match field.reference {
                None => Some(scalar_value(scalar)),
                Some(reference) => match reference_value(tx, tenant, field, reference, scalar).await? {
                    Ok(value) => Some(value),
                    Err(by) => {
                        let entity = Entity::Master(reference.target);
                        missing.push(Missing { entity, by, at: Some(At::field(field.name())) });
                        continue;
                    }
                },
            },
        };
        resolved.push((*index, value));
    }
    if missing.is_empty() {
        return Ok(resolved);
    }
    Err(StoreError::Missing(missing))
}

fn scalar_value(scalar: &Scalar) -> FieldValue {
    match scalar {
        Scalar::Text(t) => FieldValue::Text(t.clone()),
        Scalar::Integer(i) => FieldValue::Integer(*i),
        Scalar::Decimal(d) => FieldValue::Decimal(*d),
        Scalar::Bool(b) => FieldValue::Bool(*b),
        Scalar::Timestamp(t) => FieldValue::Timestamp(*t),
        other => unreachable!("master data does not take {other:?}"),
    }
}

/// Finds the record a reference names: `Ok(Err(how it was looked for))` when there is none.
async fn reference_value<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    field: &MasterField,
    reference: Reference,
    given: &Scalar,
) -> Result<Result<FieldValue, Lookup>, StoreError> {
    let target = reference.target.spec();
    match (reference.by, given) {
        (RefBy::Id, Scalar::Integer(id)) => {
            let q = Query::new(format!("SELECT id FROM {} WHERE tenant_id = $1 AND id = $2", target.table))
                .arg(tenant.0)
                .arg(*id);
            Ok(match tx.fetch_optional(&q).await? {
                Some(_) => Ok(FieldValue::Ref { id: *id, name: None }),
                None => Err(Lookup::Id(*id)),
            })
        }
        (RefBy::Name { like }, Scalar::Text(name)) => {
            let by_name = |pattern: bool| {
                let mut q = Query::new(format!("SELECT id, name FROM {} WHERE tenant_id = ", target.table));
                q.bind(tenant.0);
                if pattern {
                    q.push(" AND name_folded LIKE ").bind(like_pattern(&fold(name))).push(" ESCAPE '\\'");
                } else {
                    q.push(" AND name_folded = ").bind(fold(name));
                }
                q.push(&format!(" ORDER BY id LIMIT {MATCHES_SHOWN}"));
                q
            };
            // A name that matches exactly wins, so that "50% Steel" stays reachable beside
            // "500 Steel"; only then is `%` a wildcard.
            let mut rows = tx.fetch_all(&by_name(false)).await?;
            let pattern = rows.is_empty() && like && name.contains('%');
            if pattern {
                rows = tx.fetch_all(&by_name(true)).await?;
            }
            match rows.as_slice() {
                [] if pattern => Ok(Err(Lookup::Pattern(name.clone()))),
                [] => Ok(Err(Lookup::Name(name.clone()))),
                [row] => Ok(Ok(FieldValue::Ref { id: row.get(0)?, name: Some(row.get(1)?) })),
                many => Err(StoreError::Ambiguous {
                    entity: Entity::Master(reference.target),
                    by: if pattern { Lookup::Pattern(name.clone()) } else { Lookup::Name(name.clone()) },
                    matches: many.iter().map(|r| r.get::<String>(1)).collect::<Result<_, _>>()?,
                    more: many.len() == MATCHES_SHOWN,
                    at: Some(At::field(field.name())),
                }),
            }
        }
        (by, value) => {
            Err(StoreError::Internal(format!("{} is referenced {by:?} but was given {value:?}", target.name)))
        }
    }
}
