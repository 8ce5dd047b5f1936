//! Uniqueness per tenant: a write must not take a unique value another record has.

use chrono::{DateTime, Utc};
use takt_domain::master_data::entities::field;
use takt_domain::master_data::{EntitySpec, FieldValue, Fields, Record};
use takt_domain::text::fold;

use super::write::param;
use crate::error::Entity;
use crate::sql::{Query, Tx};
use crate::{StoreError, TenantId};

/// Refuses a write that would take a unique value another record of the tenant has.
pub(super) async fn check<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    spec: &EntitySpec,
    own_id: Option<i64>,
    values: &[Option<FieldValue>],
) -> Result<(), StoreError> {
    'sets: for set in spec.unique {
        let mut q = Query::new(format!("SELECT t.id FROM {} t WHERE t.tenant_id = ", spec.table));
        q.bind(tenant.0);
        for name in *set {
            let (index, field) = spec.field_index(name).expect("unique fields exist");
            let Some(value) = &values[index] else { continue 'sets };
            if field.folded(spec) {
                q.push(&format!(" AND t.{}_folded = ", field.column)).bind(fold(value.as_text().unwrap_or_default()));
            } else {
                q.push(&format!(" AND t.{} = ", field.column)).bind(param(field, Some(value)));
            }
        }
        if let Some(id) = own_id {
            q.push(" AND t.id <> ").bind(id);
        }
        if tx.fetch_optional(&q).await?.is_some() {
            return Err(taken(spec, own_id, values, set));
        }
    }
    Ok(())
}

/// The value taken: a name or suid, or for other sets the record's title.
fn taken(spec: &EntitySpec, own_id: Option<i64>, values: &[Option<FieldValue>], set: &[&'static str]) -> StoreError {
    let fields = Fields::new(spec, values);
    let (field, value) = match set {
        [one @ (field::NAME | field::SUID)] => (Some(*one), fields.text(one).to_owned()),
        _ => {
            let draft = Record {
                kind: spec.kind,
                id: own_id.unwrap_or_default(),
                values: values.to_vec(),
                properties: Vec::new(),
                built_in: false,
                created_at: DateTime::<Utc>::MIN_UTC,
                updated_at: DateTime::<Utc>::MIN_UTC,
            };
            (None, draft.title())
        }
    };
    StoreError::Taken { entity: Entity::Master(spec.kind), field, value: Some(value) }
}
