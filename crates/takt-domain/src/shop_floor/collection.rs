//! A collection of the shop floor (SPEC section 7, "Common to the collections"): records with a
//! UUID id in one table, listed with filters and pages, created, changed field by field and
//! deleted. A [`Collection`] describes one (its table, its columns and which of them filter); the
//! parsing of bodies and query strings, the rendering of records, the storage and the HTTP
//! handlers all follow that description.

use chrono::{DateTime, Utc};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use uuid::Uuid;

use crate::erp::ErpEntity;
use crate::error::{Invalid, Path};
use crate::json::{self, FieldList, KeyStyle, Reader, Scalar};
use crate::schema::{Field, Kind};

mod query;

pub use query::{Condition, DEFAULT_LIMIT, ListQuery, MAX_LIMIT, parse_list};

/// What a column holds when a create leaves it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initial {
    /// Nothing (`null`); a required column has no initial value.
    Null,
    Text(&'static str),
    Bool(bool),
    Int(i64),
    /// Who made the request, as [`actor_name`] writes it.
    Actor,
}

/// One column of a collection: the field a body gives, and how it is stored and listed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    /// Its name in bodies, records and the table; `required` means required on create.
    pub field: Field,
    pub initial: Initial,
    /// Whether `GET` filters by it (`?severity=high`).
    pub filter: bool,
    /// Unique per tenant, case-insensitive: the table keeps a `<name>_folded` twin.
    pub unique: bool,
    /// A filter word that means "any value but this one": `("open", "closed")`.
    pub except: Option<(&'static str, &'static str)>,
    /// The entity whose record a UUID column names: a write naming none of the tenant's is
    /// refused.
    pub refers: Option<ErpEntity>,
}

impl Column {
    pub const fn new(field: Field) -> Column {
        Column { field, initial: Initial::Null, filter: false, unique: false, except: None, refers: None }
    }

    pub const fn initial(self, initial: Initial) -> Column {
        Column { initial, ..self }
    }

    pub const fn filter(self) -> Column {
        Column { filter: true, ..self }
    }

    pub const fn unique(self) -> Column {
        Column { unique: true, ..self }
    }

    pub const fn refers(self, entity: ErpEntity) -> Column {
        Column { refers: Some(entity), ..self }
    }

    pub const fn except(self, word: &'static str, value: &'static str) -> Column {
        Column { except: Some((word, value)), ..self }
    }

    pub const fn name(&self) -> &'static str {
        self.field.name
    }

    /// Whether the column may hold `null`.
    pub const fn nullable(&self) -> bool {
        !self.field.required && matches!(self.initial, Initial::Null)
    }

    /// Whether a request in `mode` must give a value that is not blank, when it gives one.
    pub fn strict(&self, mode: Mode) -> bool {
        self.field.required || (mode == Mode::Sync && matches!(self.name(), "external_source" | "external_id"))
    }
}

impl FieldList for [Column] {
    fn field(&self, name: &str) -> Option<&Field> {
        self.iter().find(|c| c.field.name == name).map(|c| &c.field)
    }

    fn field_count(&self) -> usize {
        self.len()
    }
}

/// A field a record shows that no column stores: computed from the columns.
#[derive(Debug, Clone, Copy)]
pub struct Shown {
    pub name: &'static str,
    pub kind: Kind,
    /// Whether it may be `null` (a time entry's duration while it is open).
    pub nullable: bool,
    pub doc: &'static str,
    pub value: fn(&Record) -> Value,
}

/// What a body reads beyond the columns (a substep's `completed`), into the input.
pub type Refine = for<'v> fn(&mut Reader<'v, [Column]>, &mut Input);

/// Which collection a record or a fact is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CollectionKind {
    Issue,
    Substep,
    ScrapReason,
    TimeEntry,
    Quantity,
}

impl CollectionKind {
    pub fn collection(self) -> &'static Collection {
        match self {
            CollectionKind::Issue => &super::issue::ISSUES,
            CollectionKind::Substep => &super::substep::SUBSTEPS,
            CollectionKind::ScrapReason => &super::scrap_reason::SCRAP_REASONS,
            CollectionKind::TimeEntry => &super::time::TIME_ENTRIES,
            CollectionKind::Quantity => &super::quantity::QUANTITIES,
        }
    }
}

/// One collection.
#[derive(Debug, Clone, Copy)]
pub struct Collection {
    pub kind: CollectionKind,
    /// As events name it: `scrap_reason`.
    pub entity: &'static str,
    /// As messages name it: `scrap reason`.
    pub label: &'static str,
    /// As a list names its records: `scrap_reasons`.
    pub plural: &'static str,
    /// The path: `/api-scrap-reasons`.
    pub path: &'static str,
    pub table: &'static str,
    /// Every stored field but `id` and the time stamps, in the order records show them.
    pub columns: &'static [Column],
    /// The column naming the operation a record belongs to, if it belongs to one.
    pub parent: Option<&'static str>,
    /// Fields computed from the columns, shown after them.
    pub shown: &'static [Shown],
    /// Fields a body may give that no column stores, and what reads them.
    pub extra: &'static [Field],
    pub refine: Option<Refine>,
    /// The order of a list, in the table's columns.
    pub order_by: &'static str,
    /// Whether records may be synced by `(external_source, external_id)`.
    pub synced: bool,
    /// The timestamp column that `start_date` and `end_date` filter (days in UTC, both inclusive).
    pub dated: Option<&'static str>,
    /// An append-only ledger: a change appends a reversal and the corrected record, a delete
    /// appends the reversal; nothing stored is ever rewritten.
    pub ledger: bool,
}

impl Collection {
    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.name() == name)
    }
}

/// What a request does with a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Change,
    /// A sync by `(external_source, external_id)`: both required, and the fields a create needs.
    Sync,
}

/// A value that depends on the stored record: set `column` to `then` when it is `when` and the
/// request does not set it (a substep's `completed: false` reopens only a completed one).
#[derive(Debug, Clone, PartialEq)]
pub struct Conditional {
    pub column: &'static str,
    pub when: &'static str,
    pub then: &'static str,
}

/// The fields a body gives, by column; `None` is `null`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    pub values: Vec<(&'static str, Option<Scalar>)>,
    pub conditional: Vec<Conditional>,
}

impl Input {
    /// The value given for a column, if one was.
    pub fn get(&self, name: &str) -> Option<&Option<Scalar>> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    pub fn set(&mut self, name: &'static str, value: Option<Scalar>) {
        self.values.retain(|(n, _)| *n != name);
        self.values.push((name, value));
    }

    /// The values of a create: the ones given, then each other column's initial value.
    pub fn with_initial(mut self, collection: &Collection, actor: &str) -> Input {
        for column in collection.columns {
            if self.get(column.name()).is_some() {
                continue;
            }
            let value = match column.initial {
                Initial::Null => continue,
                Initial::Text(text) => Scalar::Text(text.to_owned()),
                Initial::Bool(b) => Scalar::Bool(b),
                Initial::Int(i) => Scalar::Integer(i),
                Initial::Actor => Scalar::Text(actor.to_owned()),
            };
            self.values.push((column.name(), Some(value)));
        }
        self
    }

    /// The values to write over `stored`: the ones given, and the conditional ones that apply.
    pub fn over(&self, stored: &Record) -> Vec<(&'static str, Option<Scalar>)> {
        let mut values = self.values.clone();
        for c in &self.conditional {
            if self.get(c.column).is_none() && stored.text(c.column) == Some(c.when) {
                values.push((c.column, Some(Scalar::Text(c.then.to_owned()))));
            }
        }
        values
    }
}

/// Parses a body along the collection's columns; every bad field is reported at once.
pub fn parse(collection: &Collection, body: &Value, mode: Mode) -> Result<Input, Invalid> {
    let mut reader = Reader::object(body, Path::root(), collection.columns, KeyStyle::Exact)?;
    let mut input = Input::default();
    for column in collection.columns {
        let strict = column.strict(mode);
        if let Some(value) = read(&mut reader, column, strict && mode != Mode::Change, strict) {
            input.values.push((column.name(), value));
        }
    }
    if let Some(refine) = collection.refine {
        refine(&mut reader, &mut input);
    }
    reader.finish()?;
    Ok(input)
}

/// Reads one column: absent (`None`), `null` (`Some(None)`) or a value; errors are recorded.
/// A `required` column must be given; a `strict` one must not be blank.
fn read(r: &mut Reader<'_, [Column]>, column: &Column, required: bool, strict: bool) -> Option<Option<Scalar>> {
    let name = column.name();
    match r.raw(name) {
        None if required => {
            r.error(name, "is required");
            None
        }
        None => None,
        Some(Value::Null) if required => {
            r.error(name, "is required");
            None
        }
        Some(Value::Null) if column.nullable() => Some(None),
        Some(Value::Null) => {
            r.error(name, "must not be null");
            None
        }
        Some(value) => match parse_value(column.field.kind, value, strict) {
            Ok(scalar) => Some(Some(scalar)),
            Err(message) => {
                r.error(name, message);
                None
            }
        },
    }
}

/// Parses a value by its kind; enum values ignore case and are kept in their canonical spelling
/// (SPEC section 5).
pub fn parse_value(kind: Kind, value: &Value, required: bool) -> Result<Scalar, String> {
    match (kind, value) {
        (Kind::Enum(allowed), Value::String(text)) => canonical(allowed, text)
            .map(|v| Scalar::Text(v.to_owned()))
            .ok_or_else(|| format!("must be one of: {}", allowed.join(", "))),
        (kind, value) => json::parse(kind, value, required),
    }
}

/// The canonical spelling of an enum value given in any case.
pub fn canonical(allowed: &[&'static str], text: &str) -> Option<&'static str> {
    allowed.iter().copied().find(|a| a.eq_ignore_ascii_case(text))
}

/// One record of a collection, its columns in the collection's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub collection: &'static Collection,
    pub id: Uuid,
    pub values: Vec<(&'static str, Option<Scalar>)>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PartialEq for Collection {
    fn eq(&self, other: &Collection) -> bool {
        self.kind == other.kind
    }
}

impl Eq for Collection {}

impl Record {
    pub fn value(&self, name: &str) -> Option<&Scalar> {
        self.values.iter().find(|(n, _)| *n == name).and_then(|(_, v)| v.as_ref())
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        match self.value(name) {
            Some(Scalar::Text(text)) => Some(text),
            _ => None,
        }
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        match self.value(name) {
            Some(Scalar::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    pub fn uuid(&self, name: &str) -> Option<Uuid> {
        match self.value(name) {
            Some(Scalar::Uuid(id)) => Some(*id),
            _ => None,
        }
    }

    /// The record as JSON, as the API and events show it.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("records serialize")
    }
}

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let shown = self.collection.shown;
        let mut map = serializer.serialize_map(Some(self.values.len() + shown.len() + 3))?;
        map.serialize_entry("id", &self.id)?;
        for (name, value) in &self.values {
            map.serialize_entry(name, &value.as_ref().map_or(Value::Null, scalar_json))?;
        }
        for field in shown {
            map.serialize_entry(field.name, &(field.value)(self))?;
        }
        map.serialize_entry("created_at", &self.created_at)?;
        map.serialize_entry("updated_at", &self.updated_at)?;
        map.end()
    }
}

/// A parsed value as JSON.
pub fn scalar_json(value: &Scalar) -> Value {
    match value {
        Scalar::Text(text) => Value::String(text.clone()),
        Scalar::Integer(i) => Value::from(*i),
        Scalar::Decimal(d) => json::decimal_to_json(d),
        Scalar::Bool(b) => Value::Bool(*b),
        Scalar::Date(d) => Value::String(d.to_string()),
        Scalar::Timestamp(t) => serde_json::to_value(t).expect("timestamps serialize"),
        Scalar::Uuid(id) => Value::String(id.to_string()),
    }
}

/// Who made a request, as a record names them (an issue's `reported_by`): an API key's id as
/// events show it, an operator's id, or `system`.
pub fn actor_name(actor: &crate::event::Actor) -> String {
    match actor {
        crate::event::Actor::ApiKey { id } => id.clone(),
        crate::event::Actor::Operator { id, .. } => id.to_string(),
        crate::event::Actor::System => "system".to_owned(),
    }
}
