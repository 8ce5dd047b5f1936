//! How a master-data entity is described: its fields, references, uniqueness and built-in
//! records. One description per entity drives parsing, storage, rendering, delete checks and the
//! OpenAPI document, so sixteen entities share one mechanism.

use crate::json::FieldList;
use crate::schema::{Field, Kind};

/// The master-data entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    ProductType,
    Currency,
    UnitOfMeasure,
    Location,
    ReceiptProfile,
    SerialRange,
    OwnershipType,
    ApprovalStatus,
    PropertyDefinition,
    BomType,
    Product,
    Bom,
    BomVersion,
    BomSlot,
    Recipe,
    Schedule,
}

/// How a reference names its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefBy {
    /// By the target's name, case-insensitively; `like` lets `%` stand for any text, and the
    /// pattern must then match exactly one record.
    Name { like: bool },
    /// By the target's integer id.
    Id,
}

/// What deleting a target does to the records that reference it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDelete {
    /// The target cannot be deleted while referenced (`409`, naming who uses it).
    Restrict,
    /// The referencing records are part of the target and go with it (BoM slots of a version).
    Cascade,
}

/// A reference from one entity to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub target: EntityKind,
    pub by: RefBy,
    pub on_delete: OnDelete,
}

/// A value a field takes when a create leaves it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultValue {
    Bool(bool),
    Text(&'static str),
}

/// One field of a master-data entity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MasterField {
    /// Name (camelCase, as responses spell it), kind, and whether a create must give it.
    pub field: Field,
    /// The storage column; a reference's column holds the target's id (`product_type_id`).
    pub column: &'static str,
    pub reference: Option<Reference>,
    pub default: Option<DefaultValue>,
    /// Whether List accepts this field as a filter.
    pub filter: bool,
}

impl MasterField {
    pub const fn name(&self) -> &'static str {
        self.field.name
    }

    /// Whether storage keeps a case-folded copy of this text (`{column}_folded`), to filter and
    /// to enforce uniqueness without regard to case.
    pub fn folded(&self, spec: &EntitySpec) -> bool {
        matches!(self.field.kind, Kind::Text { .. })
            && self.reference.is_none()
            && (self.filter || spec.unique.iter().any(|set| set.contains(&self.field.name)))
    }
}

/// How a record is named in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Title {
    /// By its `name` field.
    Name,
    /// By its BoM and version: `BRK-A 1.0`.
    BomVersion,
    /// By its id: `#17`.
    Id,
}

/// A master-data entity.
#[derive(Debug)]
pub struct EntitySpec {
    pub kind: EntityKind,
    /// As in paths and in `PropertyDefinition.tableName`: `BomVersion`.
    pub name: &'static str,
    /// As in messages: `BoM version`.
    pub label: &'static str,
    pub plural: &'static str,
    pub table: &'static str,
    pub fields: &'static [MasterField],
    /// Sets of fields whose values are unique per tenant (text compared case-insensitively).
    pub unique: &'static [&'static [&'static str]],
    /// Records every tenant starts with; they cannot be renamed or deleted.
    pub built_in: &'static [&'static str],
    pub title: Title,
    /// Whether records carry `properties: [{name, value}]` (see PropertyDefinition).
    pub properties: bool,
}

impl EntitySpec {
    /// The position and description of a field.
    pub fn field_index(&self, name: &str) -> Option<(usize, &'static MasterField)> {
        self.fields.iter().enumerate().find(|(_, f)| f.field.name == name)
    }

    pub fn field(&self, name: &str) -> Option<&'static MasterField> {
        self.field_index(name).map(|(_, f)| f)
    }

    /// Whether a field alone singles a record out (`name`, `suid`).
    pub fn identified_by(&self, name: &str) -> bool {
        self.unique.iter().any(|set| *set == [name])
    }
}

impl FieldList for EntitySpec {
    fn field(&self, name: &str) -> Option<&Field> {
        EntitySpec::field(self, name).map(|f| &f.field)
    }

    fn field_count(&self) -> usize {
        self.fields.len()
    }
}

pub(crate) const fn plain(field: Field, column: &'static str, filter: bool) -> MasterField {
    MasterField { field, column, reference: None, default: None, filter }
}

pub(crate) const fn with_default(field: Field, column: &'static str, default: DefaultValue) -> MasterField {
    MasterField { field, column, reference: None, default: Some(default), filter: true }
}

pub(crate) const fn reference(field: Field, column: &'static str, reference: Reference) -> MasterField {
    MasterField { field, column, reference: Some(reference), default: None, filter: true }
}
