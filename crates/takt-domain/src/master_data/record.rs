//! A master-data record as the store holds it and the API shows it.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::entities::field;
use super::spec::{EntityKind, EntitySpec, Title};
use super::version::format_version;

/// A stored value of a field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    Integer(i64),
    Decimal(Decimal),
    Bool(bool),
    Timestamp(DateTime<Utc>),
    /// A reference: the target's id, and its name when it is referenced by name.
    Ref {
        id: i64,
        name: Option<String>,
    },
}

impl FieldValue {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            FieldValue::Text(t) => Some(t),
            FieldValue::Ref { name: Some(n), .. } => Some(n),
            _ => None,
        }
    }

    pub fn as_integer(&self) -> Option<i64> {
        match self {
            FieldValue::Integer(i) => Some(*i),
            FieldValue::Ref { id, .. } => Some(*id),
            _ => None,
        }
    }

    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            FieldValue::Decimal(d) => Some(*d),
            _ => None,
        }
    }

    pub fn as_timestamp(&self) -> Option<DateTime<Utc>> {
        match self {
            FieldValue::Timestamp(t) => Some(*t),
            _ => None,
        }
    }

    /// The target's id, when this is a reference.
    pub fn ref_id(&self) -> Option<i64> {
        match self {
            FieldValue::Ref { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// Whether two values are the same for "did this field change?": references compare ids.
    pub fn same(&self, other: &FieldValue) -> bool {
        match (self, other) {
            (FieldValue::Ref { id: a, .. }, FieldValue::Ref { id: b, .. }) => a == b,
            (FieldValue::Decimal(a), FieldValue::Decimal(b)) => a == b && a.scale() == b.scale(),
            (a, b) => a == b,
        }
    }
}

/// Values of a record, by field position.
pub type Values = [Option<FieldValue>];

/// A record's values read by field name (see [`super::entities::field`]).
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    spec: &'a EntitySpec,
    values: &'a Values,
}

impl<'a> Fields<'a> {
    pub fn new(spec: &'a EntitySpec, values: &'a Values) -> Self {
        Fields { spec, values }
    }

    pub fn get(self, name: &str) -> Option<&'a FieldValue> {
        let (index, _) = self.spec.field_index(name)?;
        self.values[index].as_ref()
    }

    /// A text, or a reference's name; empty when there is none.
    pub fn text(self, name: &str) -> &'a str {
        self.get(name).and_then(FieldValue::as_text).unwrap_or_default()
    }

    /// An integer, or a reference's id; 0 when there is none.
    pub fn integer(self, name: &str) -> i64 {
        self.get(name).and_then(FieldValue::as_integer).unwrap_or_default()
    }

    pub fn decimal(self, name: &str) -> Option<Decimal> {
        self.get(name).and_then(FieldValue::as_decimal)
    }

    pub fn timestamp(self, name: &str) -> Option<DateTime<Utc>> {
        self.get(name).and_then(FieldValue::as_timestamp)
    }

    pub fn ref_id(self, name: &str) -> Option<i64> {
        self.get(name).and_then(FieldValue::ref_id)
    }
}

/// One property of a record: `{name, value}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    pub name: String,
    pub value: String,
}

/// A master-data record: its values in the order of its entity's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub kind: EntityKind,
    pub id: i64,
    pub values: Vec<Option<FieldValue>>,
    /// Sorted by name; empty for entities without properties.
    pub properties: Vec<Property>,
    pub built_in: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Record {
    pub fn spec(&self) -> &'static EntitySpec {
        self.kind.spec()
    }

    pub fn fields(&self) -> Fields<'_> {
        Fields::new(self.spec(), &self.values)
    }

    /// The value of a field by name.
    pub fn get(&self, name: &str) -> Option<&FieldValue> {
        self.fields().get(name)
    }

    /// How messages name this record: `'BRACKET-A'`, `'BRK-A 1.0'`, `#17`.
    pub fn title(&self) -> String {
        let fields = self.fields();
        match self.spec().title {
            Title::Name => format!("'{}'", fields.text(field::NAME)),
            Title::BomVersion => format!(
                "'{} {}'",
                fields.text(field::BOM),
                format_version(fields.integer(field::MAJOR_VERSION), fields.integer(field::MINOR_VERSION))
            ),
            Title::Id => format!("#{}", self.id),
        }
    }
}
