//! What a write stores: the stored record, a source product or the defaults, with the
//! request's fields laid over them.

use takt_domain::master_data::entities::PRODUCT;
use takt_domain::master_data::{
    DefaultValue, EntityKind, EntitySpec, FieldValue, MasterField, Property, Record, UpsertInput,
};

use super::resolve::Given;
use super::select::load_by_name;
use crate::error::{At, Entity, Lookup};
use crate::sql::Tx;
use crate::{StoreError, TenantId};

/// The product `sourceProductName` names, whose fields and properties fill a create.
pub(super) async fn source<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    input: &UpsertInput,
) -> Result<Option<Record>, StoreError> {
    let Some(name) = &input.source else { return Ok(None) };
    let product = load_by_name(tx, tenant, &PRODUCT, name).await?;
    product.map(Some).ok_or_else(|| {
        StoreError::missing(
            Entity::Master(EntityKind::Product),
            Lookup::Name(name.clone()),
            Some(At::field("sourceProductName")),
        )
    })
}

/// Every field's value once the given ones are laid over the base: the stored record, else the
/// source product (without what identifies it), else the defaults.
pub(super) fn values(
    spec: &EntitySpec,
    existing: Option<&Record>,
    source: Option<&Record>,
    given: &Given,
) -> Vec<Option<FieldValue>> {
    let mut values: Vec<Option<FieldValue>> = match (existing, source) {
        (Some(record), _) => record.values.clone(),
        (None, Some(source)) => spec
            .fields
            .iter()
            .zip(&source.values)
            .map(|(field, value)| if spec.identified_by(field.name()) { None } else { value.clone() })
            .collect(),
        (None, None) => spec.fields.iter().map(default_value).collect(),
    };
    for (index, value) in given {
        values[*index] = value.clone();
    }
    values
}

fn default_value(field: &MasterField) -> Option<FieldValue> {
    field.default.map(|d| match d {
        DefaultValue::Bool(b) => FieldValue::Bool(b),
        DefaultValue::Text(t) => FieldValue::Text(t.to_owned()),
    })
}

/// The properties to write: the given list, else on create the source product's; `None` keeps
/// what is stored.
pub(super) fn properties<'a>(
    input: &'a UpsertInput,
    source: Option<&'a Record>,
    existing: Option<&Record>,
) -> Option<&'a [Property]> {
    match (&input.properties, source, existing) {
        (Some(given), _, _) => Some(given),
        (None, Some(source), None) => Some(&source.properties),
        _ => None,
    }
}
