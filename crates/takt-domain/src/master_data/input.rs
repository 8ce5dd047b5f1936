//! Reading master-data requests: Upsert, List, Delete and Copy bodies. Keys are matched
//! case-insensitively with spaces removed.

use std::collections::HashSet;

use serde_json::Value;

use super::entities::{PRODUCT, field};
use super::record::Property;
use super::spec::{EntityKind, EntitySpec, RefBy};
use super::version::{self, parse_version};
use crate::error::{Invalid, Path};
use crate::json::{KeyStyle, Patch, Reader, Scalar, parse};
use crate::schema::{Field, I32_MAX, Kind};
use crate::text;

/// An Upsert request: create when `id` is absent, otherwise update the fields present.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpsertInput {
    pub id: Option<i64>,
    /// The fields the request gave, by position in the entity's field list: a value, or `null`
    /// to clear an optional field. References hold the name (or id) as given.
    pub values: Vec<(usize, Patch<Scalar>)>,
    /// `properties`, when given: the record's whole property list.
    pub properties: Option<Vec<Property>>,
    /// `sourceProductName` (Product only, on create): fills the fields the request leaves out.
    pub source: Option<String>,
}

impl UpsertInput {
    /// The value given for a field, by name.
    pub fn given(&self, spec: &EntitySpec, name: &str) -> Option<&Patch<Scalar>> {
        let (index, _) = spec.field_index(name)?;
        self.values.iter().find(|(i, _)| *i == index).map(|(_, p)| p)
    }
}

const ID: Field = Field::optional("id", Kind::Integer { min: 1, max: i64::MAX }, "The record's id.");
const SOURCE_PRODUCT_NAME: Field = Field::optional(
    "sourceProductName",
    Kind::Text { max_bytes: 250 },
    "On create: a product whose fields and properties fill what the request leaves out.",
);
const VERSION: Field = Field::optional(version::FIELD, Kind::Text { max_bytes: 23 }, "\"major.minor\", e.g. \"1.0\".");

/// The fields of one entry of `properties`.
pub const PROPERTY_FIELDS: &[Field] = &[
    Field::required("name", Kind::Text { max_bytes: 50 }, "A PropertyDefinition of this entity."),
    Field::required("value", Kind::Text { max_bytes: 500 }, "The value."),
];

/// Parses an Upsert body for `spec`.
pub fn parse_upsert(spec: &'static EntitySpec, body: &Value) -> Result<UpsertInput, Invalid> {
    let mut r = Reader::object(body, Path::root(), spec, KeyStyle::Loose)?;
    let id = r.extra(&ID).set().map(integer);
    let creating = id.is_none();
    // A sourceProductName that is given, even an invalid one, stands in for the required fields,
    // so only its own error is reported.
    let source_given = spec.kind == EntityKind::Product && r.present(SOURCE_PRODUCT_NAME.name);
    let source = if source_given { r.extra(&SOURCE_PRODUCT_NAME).set().map(text_of) } else { None };
    if source_given && !creating {
        r.error("sourceProductName", "is only used on create (without id)");
    }
    let enforce_required = creating && !source_given;

    let mut injected: Vec<(usize, i64)> = Vec::new();
    let mut version_reported = false;
    if spec.kind == EntityKind::BomVersion {
        let (major, _) = spec.field_index(field::MAJOR_VERSION).expect("BomVersion has majorVersion");
        let (minor, _) = spec.field_index(field::MINOR_VERSION).expect("BomVersion has minorVersion");
        match r.raw(VERSION.name) {
            None | Some(Value::Null) => {
                if enforce_required && !r.present(field::MAJOR_VERSION) && !r.present(field::MINOR_VERSION) {
                    r.error(VERSION.name, "is required (\"major.minor\", or majorVersion and minorVersion)");
                    version_reported = true;
                }
            }
            Some(value) => {
                let text = match value {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                };
                match text.as_deref().and_then(parse_version) {
                    Some((ma, mi)) => injected.extend([(major, ma), (minor, mi)]),
                    None => {
                        r.error(VERSION.name, "must be \"major.minor\" with whole numbers, e.g. \"1.0\"");
                        version_reported = true;
                    }
                }
            }
        }
    }

    let mut values = Vec::new();
    for (index, field) in spec.fields.iter().enumerate() {
        let name = field.name();
        if let Some(&(_, number)) = injected.iter().find(|(i, _)| *i == index) {
            match r.scalar_with(name, false) {
                Patch::Set(Scalar::Integer(given)) if given != number => {
                    r.error(name, format!("is {given}, but version says {number}"));
                }
                _ => {}
            }
            values.push((index, Patch::Set(Scalar::Integer(number))));
            continue;
        }
        let required = enforce_required && field.field.required && !(version_reported && version::is_part(name));
        match r.scalar_with(name, required) {
            Patch::Absent => {}
            Patch::Null if field.field.required || field.default.is_some() => {
                r.error(name, "cannot be null");
            }
            Patch::Set(Scalar::Text(text)) if text.trim().is_empty() && field.field.required => {
                r.error(name, "must not be blank");
            }
            // A blank unique identifier (`"suid": ""`) means none, as it did in the Oracle
            // databases these connectors were written against: blanks must not collide.
            Patch::Set(Scalar::Text(text)) if text.trim().is_empty() && spec.identified_by(name) => {
                values.push((index, Patch::Null));
            }
            patch => values.push((index, patch)),
        }
    }

    let properties = if spec.properties { read_properties(&mut r) } else { None };
    r.finish()?;
    Ok(UpsertInput { id, values, properties, source })
}

fn read_properties(r: &mut Reader<'_, EntitySpec>) -> Option<Vec<Property>> {
    let items = match r.raw("properties") {
        None => return None,
        Some(Value::Null) => return Some(Vec::new()),
        Some(Value::Array(_)) => r.objects("properties", usize::MAX).unwrap_or_default(),
        Some(_) => {
            r.error("properties", "must be an array of {name, value}");
            return None;
        }
    };
    let mut properties: Vec<Property> = Vec::new();
    let mut names = HashSet::new();
    for (path, item) in items {
        let result = Reader::object(item, path.clone(), PROPERTY_FIELDS, KeyStyle::Loose).and_then(|mut p| {
            let name = p.required_text("name");
            let value = p.required_text("value");
            p.finish().map(|()| Property { name, value })
        });
        match result {
            Ok(property) => {
                if !names.insert(text::fold(&property.name)) {
                    r.extend_errors(Invalid::one(
                        path.field("name"),
                        format!("repeats the property '{}'", property.name),
                    ));
                } else {
                    properties.push(property);
                }
            }
            Err(invalid) => r.extend_errors(invalid),
        }
    }
    Some(properties)
}

/// What a List filter compares with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterValue {
    /// Folded text (names and other text), or an exact enum value.
    Text(String),
    Integer(i64),
    Bool(bool),
    /// `null`: the field has no value.
    Null,
}

/// Which column a filter applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterTarget {
    Id,
    /// A field, by position in the entity's field list.
    Field(usize),
}

/// One filter of a List request; filters combine with AND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub target: FilterTarget,
    pub value: FilterValue,
}

/// A List request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListQuery {
    pub filters: Vec<Filter>,
    pub limit: Option<i64>,
    pub offset: i64,
}

const LIMIT: Field = Field::optional("limit", Kind::Integer { min: 1, max: I32_MAX }, "At most this many records.");
const OFFSET: Field = Field::optional("offset", Kind::Integer { min: 0, max: i64::MAX }, "Skip this many records.");

/// The names List accepts as filters for `spec`, for documentation and error messages.
pub fn filter_names(spec: &EntitySpec) -> Vec<&'static str> {
    let mut names = vec!["id"];
    names.extend(spec.fields.iter().filter(|f| f.filter).map(|f| f.name()));
    if spec.kind == EntityKind::BomVersion {
        names.push(VERSION.name);
    }
    names
}

/// Parses a List body for `spec`; an empty body lists everything.
pub fn parse_list(spec: &'static EntitySpec, body: Option<&Value>) -> Result<ListQuery, Invalid> {
    let Some(body) = body else { return Ok(ListQuery::default()) };
    let mut r = Reader::object(body, Path::root(), spec, KeyStyle::Loose)?;
    let mut query = ListQuery {
        limit: r.extra(&LIMIT).set().map(integer),
        offset: r.extra(&OFFSET).set().map(integer).unwrap_or(0),
        ..ListQuery::default()
    };
    match r.raw("id") {
        None => {}
        Some(Value::Null) => r.error("id", "must be a whole number"),
        Some(value) => match parse(ID.kind, value, true) {
            Ok(Scalar::Integer(id)) => {
                query.filters.push(Filter { target: FilterTarget::Id, value: FilterValue::Integer(id) })
            }
            Ok(_) => unreachable!(),
            Err(message) => r.error("id", message),
        },
    }
    if spec.kind == EntityKind::BomVersion
        && let Some(value) = r.raw(VERSION.name)
    {
        match value.as_str().and_then(parse_version) {
            Some((major, minor)) => {
                for (name, number) in [(field::MAJOR_VERSION, major), (field::MINOR_VERSION, minor)] {
                    let (index, _) = spec.field_index(name).expect("BomVersion versions");
                    query
                        .filters
                        .push(Filter { target: FilterTarget::Field(index), value: FilterValue::Integer(number) });
                }
            }
            None => r.error(VERSION.name, "must be \"major.minor\", e.g. \"1.0\""),
        }
    }
    for (index, field) in spec.fields.iter().enumerate().filter(|(_, f)| f.filter) {
        let Some(value) = r.raw(field.name()) else { continue };
        match filter_value(field, value) {
            Ok(value) => query.filters.push(Filter { target: FilterTarget::Field(index), value }),
            Err(message) => r.error(field.name(), message),
        }
    }
    r.finish_with(&format!("is not a filter of {} (filters: {})", spec.name, filter_names(spec).join(", ")))?;
    Ok(query)
}

fn filter_value(field: &super::spec::MasterField, value: &Value) -> Result<FilterValue, String> {
    if value.is_null() {
        return Ok(FilterValue::Null);
    }
    let by_id = matches!(field.reference, Some(r) if r.by == RefBy::Id);
    match field.field.kind {
        Kind::Text { .. } if !by_id => {
            let s = value.as_str().ok_or("must be a string")?;
            text::check(s, usize::MAX, false).map_err(|e| e.message())?;
            Ok(FilterValue::Text(text::fold(s)))
        }
        kind => match parse(kind, value, false)? {
            Scalar::Integer(i) => Ok(FilterValue::Integer(i)),
            Scalar::Bool(b) => Ok(FilterValue::Bool(b)),
            Scalar::Text(t) => Ok(FilterValue::Text(t)),
            other => Err(format!("cannot be used as a filter ({other:?})")),
        },
    }
}

const DELETE_ID: Field = Field::required("id", Kind::Integer { min: 1, max: i64::MAX }, "The record to delete.");

/// Parses a Delete body: `{"id": n}`.
pub fn parse_delete(body: &Value) -> Result<i64, Invalid> {
    static FIELDS: [Field; 1] = [DELETE_ID];
    let mut r = Reader::object(body, Path::root(), &FIELDS[..], KeyStyle::Loose)?;
    let id = r.scalar("id").set().map(integer).unwrap_or_default();
    r.finish()?;
    Ok(id)
}

/// The fields of a Product/Copy body, with seed 004 Table 8's byte lengths.
pub const COPY_FIELDS: &[Field] = &[
    Field::required("suid", Kind::Text { max_bytes: 200 }, "The new product's suid."),
    Field::required("name", Kind::Text { max_bytes: 50 }, "The new product's name."),
    Field::optional(
        "description",
        Kind::Text { max_bytes: 200 },
        "The new product's description; the source's when left out.",
    ),
    Field::required("srcProductName", Kind::Text { max_bytes: 50 }, "The product to copy."),
];

/// Parses a Product/Copy body into the create it amounts to: the source's fields and properties
/// under the new name, suid and description.
pub fn parse_copy(body: &Value) -> Result<UpsertInput, Invalid> {
    let mut r = Reader::object(body, Path::root(), COPY_FIELDS, KeyStyle::Loose)?;
    let mut given = vec![("suid", r.scalar("suid")), ("name", r.scalar("name"))];
    if let Patch::Set(description) = r.scalar("description") {
        given.push(("description", Patch::Set(description)));
    }
    let source = r.required_text("srcProductName");
    r.finish()?;
    let values =
        given.into_iter().map(|(name, patch)| (PRODUCT.field_index(name).expect("Product field").0, patch)).collect();
    Ok(UpsertInput { id: None, values, properties: None, source: Some(source) })
}

fn integer(scalar: Scalar) -> i64 {
    match scalar {
        Scalar::Integer(i) => i,
        other => unreachable!("not an integer: {other:?}"),
    }
}

fn text_of(scalar: Scalar) -> String {
    match scalar {
        Scalar::Text(t) => t,
        other => unreachable!("not text: {other:?}"),
    }
}
