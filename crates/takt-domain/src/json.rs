//! Reading request bodies: a [`Reader`] walks one JSON object along its field list, parses each
//! field by its [`Kind`], and collects every problem with its JSON path before giving up.

mod unique;

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{FieldError, Invalid, Path};
use crate::schema::{DecimalRule, Field, Kind};
use crate::text;

pub use unique::{BodyError, from_slice};

/// A field as a request gave it: left out, explicitly `null`, or set.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Patch<T> {
    #[default]
    Absent,
    Null,
    Set(T),
}

impl<T> Patch<T> {
    /// The value, if one was set.
    pub fn set(self) -> Option<T> {
        match self {
            Patch::Set(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_ref(&self) -> Patch<&T> {
        match self {
            Patch::Absent => Patch::Absent,
            Patch::Null => Patch::Null,
            Patch::Set(v) => Patch::Set(v),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Absent => Patch::Absent,
            Patch::Null => Patch::Null,
            Patch::Set(v) => Patch::Set(f(v)),
        }
    }
}

/// One parsed value of a field.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Integer(i64),
    Decimal(Decimal),
    Bool(bool),
    Date(NaiveDate),
    Timestamp(DateTime<Utc>),
    Uuid(Uuid),
}

/// How a dialect spells its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStyle {
    /// Keys are matched exactly (`external_id`): the ERP sync API.
    Exact,
    /// Keys are matched case-insensitively with spaces removed (`Product Type` = `productType`):
    /// the master-data API.
    Loose,
}

/// The form in which a loose key is compared: folded, without spaces.
pub fn loose_key(key: &str) -> String {
    text::fold(&key.replace(' ', ""))
}

struct Entry<'v> {
    given: &'v str,
    value: &'v Value,
    used: bool,
}

/// Anything that can say what a field is, by name: a plain field list, or an entity's.
pub trait FieldList: Sync {
    fn field(&self, name: &str) -> Option<&Field>;

    /// How many fields the list has: an object with far more keys is refused unread.
    fn field_count(&self) -> usize;
}

impl FieldList for [Field] {
    fn field(&self, name: &str) -> Option<&Field> {
        self.iter().find(|f| f.name == name)
    }

    fn field_count(&self) -> usize {
        self.len()
    }
}

/// The most keys an object of `fields` fields may have before it is refused without reading
/// its keys one by one: room for every field, for a few extras (`id`, `limit`, ...) and for a
/// client's mistakes, each of which is then listed; beyond it, one error names the object.
pub fn key_limit(fields: usize) -> usize {
    fields.saturating_mul(4).saturating_add(16)
}

/// Walks one JSON object along a field list, collecting every error with its path.
pub struct Reader<'v, F: FieldList + ?Sized + 'static> {
    path: Path,
    fields: &'static F,
    style: KeyStyle,
    entries: Vec<Entry<'v>>,
    /// Each key's place in `entries`, by the form in which it is compared.
    index: HashMap<Cow<'v, str>, usize>,
    errors: Vec<FieldError>,
}

impl<'v, F: FieldList + ?Sized + 'static> Reader<'v, F> {
    /// Starts reading `value`, which must be a JSON object.
    pub fn object(value: &'v Value, path: Path, fields: &'static F, style: KeyStyle) -> Result<Self, Invalid> {
        let Value::Object(map) = value else {
            let at = if path.as_str().is_empty() { "body" } else { path.as_str() };
            return Err(Invalid::one(path.as_str(), format!("{at} must be a JSON object")));
        };
        let count = fields.field_count();
        if map.len() > key_limit(count) {
            let message =
                format!("has {} keys, far more than the {count} fields of this object; it was not read", map.len());
            let message = if path.as_str().is_empty() { format!("the body {message}") } else { message };
            return Err(Invalid::one(path.as_str(), message));
        }
        let mut errors = Vec::new();
        let mut entries: Vec<Entry<'v>> = Vec::with_capacity(map.len());
        let mut index: HashMap<Cow<'v, str>, usize> = HashMap::with_capacity(map.len());
        for (given, value) in map {
            let lookup = match style {
                KeyStyle::Exact => Cow::Borrowed(given.as_str()),
                KeyStyle::Loose => Cow::Owned(loose_key(given)),
            };
            if let Some(&first) = index.get(&lookup) {
                errors.push(FieldError::new(
                    path.field(given),
                    format!("repeats the key '{}' (keys ignore case and spaces)", entries[first].given),
                ));
                continue;
            }
            index.insert(lookup, entries.len());
            entries.push(Entry { given, value, used: false });
        }
        Ok(Reader { path, fields, style, entries, index, errors })
    }

    fn spec(&self, name: &str) -> &'static Field {
        self.fields.field(name).unwrap_or_else(|| panic!("field '{name}' is not in this object's field list"))
    }

    /// Takes the raw JSON value of a field, marking it read.
    pub fn raw(&mut self, name: &str) -> Option<&'v Value> {
        let at = match self.style {
            KeyStyle::Exact => self.index.get(name),
            KeyStyle::Loose => self.index.get(loose_key(name).as_str()),
        };
        let entry = &mut self.entries[*at?];
        entry.used = true;
        Some(entry.value)
    }

    /// Whether the object carries a non-null value for a field (marking it read).
    pub fn present(&mut self, name: &str) -> bool {
        self.raw(name).is_some_and(|v| !v.is_null())
    }

    /// Records an error on a field of this object.
    pub fn error(&mut self, name: &str, message: impl Into<String>) {
        let field = self.path.field(name);
        self.errors.push(FieldError::new(field, message));
    }

    /// Records errors found elsewhere (in a nested object, say).
    pub fn extend_errors(&mut self, invalid: Invalid) {
        self.errors.extend(invalid.0);
    }

    /// Reads a field by its kind. `required` overrides the field list's flag (the master-data
    /// API requires some fields only on create).
    pub fn scalar_with(&mut self, name: &str, required: bool) -> Patch<Scalar> {
        let spec = self.spec(name);
        self.read_as(spec, required)
    }

    /// Reads a field that is not in this object's field list (`sourceProductName`, say).
    pub fn extra(&mut self, field: &Field) -> Patch<Scalar> {
        self.read_as(field, field.required)
    }

    fn read_as(&mut self, spec: &Field, required: bool) -> Patch<Scalar> {
        let name = spec.name;
        match self.raw(name) {
            None | Some(Value::Null) if required => {
                self.error(name, "is required");
                Patch::Absent
            }
            None => Patch::Absent,
            Some(Value::Null) => Patch::Null,
            Some(value) => match parse(spec.kind, value, required) {
                Ok(v) => Patch::Set(v),
                Err(message) => {
                    self.error(name, message);
                    Patch::Absent
                }
            },
        }
    }

    /// Reads a field by its kind, required or not as the field list says.
    pub fn scalar(&mut self, name: &str) -> Patch<Scalar> {
        let required = self.spec(name).required;
        self.scalar_with(name, required)
    }

    pub fn text(&mut self, name: &str) -> Patch<String> {
        self.scalar(name).map(|s| match s {
            Scalar::Text(t) => t,
            other => unreachable!("{name} is not text: {other:?}"),
        })
    }

    /// A required text field; empty when missing (the error is recorded).
    pub fn required_text(&mut self, name: &str) -> String {
        self.text(name).set().unwrap_or_default()
    }

    pub fn integer(&mut self, name: &str) -> Patch<i64> {
        self.scalar(name).map(|s| match s {
            Scalar::Integer(i) => i,
            other => unreachable!("{name} is not an integer: {other:?}"),
        })
    }

    pub fn decimal(&mut self, name: &str) -> Patch<Decimal> {
        self.scalar(name).map(|s| match s {
            Scalar::Decimal(d) => d,
            other => unreachable!("{name} is not a decimal: {other:?}"),
        })
    }

    pub fn bool(&mut self, name: &str) -> Patch<bool> {
        self.scalar(name).map(|s| match s {
            Scalar::Bool(b) => b,
            other => unreachable!("{name} is not a bool: {other:?}"),
        })
    }

    pub fn date(&mut self, name: &str) -> Patch<NaiveDate> {
        self.scalar(name).map(|s| match s {
            Scalar::Date(d) => d,
            other => unreachable!("{name} is not a date: {other:?}"),
        })
    }

    pub fn uuid(&mut self, name: &str) -> Patch<Uuid> {
        self.scalar(name).map(|s| match s {
            Scalar::Uuid(u) => u,
            other => unreachable!("{name} is not a uuid: {other:?}"),
        })
    }

    /// Reads an array of objects; `None` when absent or null. Each element comes with its path.
    /// An array of more than `max_items` is one error, and none of its elements is read.
    pub fn objects(&mut self, name: &str, max_items: usize) -> Option<Vec<(Path, &'v Value)>> {
        match self.raw(name) {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) if items.len() > max_items => {
                let message = format!("has {} elements, more than the {max_items} allowed; none was read", items.len());
                self.error(name, message);
                None
            }
            Some(Value::Array(items)) => {
                Some(items.iter().enumerate().map(|(i, v)| (self.path.element(name, i), v)).collect())
            }
            Some(_) => {
                self.error(name, "must be an array");
                None
            }
        }
    }

    /// Ends the object: every key that no field read is an error, and so is every error recorded.
    pub fn finish(self) -> Result<(), Invalid> {
        self.finish_with("is not a known field")
    }

    /// Like [`Reader::finish`], with a dialect's own words for an unknown key.
    pub fn finish_with(mut self, unknown: &str) -> Result<(), Invalid> {
        for entry in self.entries.iter().filter(|e| !e.used) {
            self.errors.push(FieldError::new(self.path.field(entry.given), unknown));
        }
        if self.errors.is_empty() { Ok(()) } else { Err(Invalid(self.errors)) }
    }
}

/// Parses one JSON value by its kind, or says what is wrong with it.
pub fn parse(kind: Kind, value: &Value, required: bool) -> Result<Scalar, String> {
    match kind {
        Kind::Text { max_bytes } => {
            let s = string(value)?;
            text::check(s, max_bytes, required).map_err(|e| e.message())?;
            Ok(Scalar::Text(s.to_owned()))
        }
        Kind::Integer { min, max } => {
            let Value::Number(n) = value else { return Err("must be a whole number".into()) };
            let i = n.as_i64().ok_or_else(|| match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 1e18 => {
                    "must be a whole number without a decimal point".to_owned()
                }
                Some(f) if f.fract() == 0.0 => format!("must be at most {max}"),
                _ => "must be a whole number".to_owned(),
            })?;
            if i < min {
                return Err(format!("must be at least {min}"));
            }
            if i > max {
                return Err(format!("must be at most {max}"));
            }
            Ok(Scalar::Integer(i))
        }
        Kind::Decimal(rule) => {
            let d = decimal(value)?;
            match rule {
                DecimalRule::NonNegative if d.is_sign_negative() && !d.is_zero() => Err("must be at least 0".into()),
                DecimalRule::Positive if d <= Decimal::ZERO => Err("must be greater than 0".into()),
                _ => Ok(Scalar::Decimal(d)),
            }
        }
        Kind::Bool => match value {
            Value::Bool(b) => Ok(Scalar::Bool(*b)),
            _ => Err("must be true or false".into()),
        },
        Kind::Date => {
            let s = string(value)?;
            match parse_date(s) {
                Some(date) if in_years(date) => Ok(Scalar::Date(date)),
                Some(_) => Err(format!("must be a date from {FIRST_DAY} to {LAST_DAY}")),
                None => Err("must be a date (YYYY-MM-DD)".into()),
            }
        }
        Kind::Timestamp => {
            let s = string(value)?;
            parse_timestamp(s).map(Scalar::Timestamp)
        }
        Kind::Color => {
            let s = string(value)?;
            let ok = s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit());
            if ok { Ok(Scalar::Text(s.to_owned())) } else { Err("must be a colour as #rrggbb".into()) }
        }
        Kind::Uuid => {
            let s = string(value)?;
            Uuid::try_parse(s).map(Scalar::Uuid).map_err(|_| "must be a Takt id (a UUID)".into())
        }
        Kind::Enum(allowed) => {
            let s = string(value)?;
            match allowed.iter().find(|a| a.eq_ignore_ascii_case(s.trim())) {
                Some(canonical) => Ok(Scalar::Text((*canonical).to_owned())),
                None => Err(format!("must be one of: {}", allowed.join(", "))),
            }
        }
        Kind::JsonObject { max_bytes } => {
            if !value.is_object() {
                return Err("must be a JSON object".into());
            }
            let serialized = value.to_string();
            if serialized.len() > max_bytes {
                return Err(format!("is {} bytes serialized, more than the {max_bytes} allowed", serialized.len()));
            }
            Ok(Scalar::Text(serialized))
        }
        Kind::Objects { .. } => Err("must be an array of objects".into()),
    }
}

fn string(value: &Value) -> Result<&str, String> {
    value.as_str().ok_or_else(|| "must be a string".to_owned())
}

/// Parses a JSON number exactly, from its text, never through a binary float.
pub fn decimal(value: &Value) -> Result<Decimal, String> {
    let Value::Number(n) = value else { return Err("must be a number".into()) };
    let text = n.to_string();
    let parsed =
        if text.contains(['e', 'E']) { Decimal::from_scientific(&text) } else { Decimal::from_str_exact(&text) };
    parsed.map_err(|_| "must be a number of at most 28 significant digits".to_owned())
}

/// Writes a decimal as a JSON number with exactly its digits (`12.50` stays `12.50`).
pub fn decimal_number<S: serde::Serializer>(value: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    match value {
        Some(d) => decimal_to_json(d).serialize(serializer),
        None => serializer.serialize_none(),
    }
}

/// A decimal as a JSON number with exactly its digits.
pub fn decimal_to_json(value: &Decimal) -> Value {
    let number: serde_json::Number = value.to_string().parse().expect("a decimal is a JSON number");
    Value::Number(number)
}

/// The first and last days a date or timestamp may fall on: years 1 to 9999, which both
/// engines store and every client's date type can hold.
pub const FIRST_DAY: &str = "0001-01-01";
pub const LAST_DAY: &str = "9999-12-31";

fn in_years(date: NaiveDate) -> bool {
    (1..=9999).contains(&date.year())
}

/// Parses a strict `YYYY-MM-DD` date (of any year it can spell: [`parse`] refuses year 0).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let shape = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Parses an RFC 3339 timestamp into UTC; more than microsecond precision is refused, because it
/// could not be stored and given back exactly.
pub fn parse_timestamp(s: &str) -> Result<DateTime<Utc>, String> {
    let parsed = DateTime::parse_from_rfc3339(s)
        .map_err(|_| "must be an RFC 3339 timestamp (2026-11-21T08:30:00Z)".to_owned())?;
    let utc = parsed.with_timezone(&Utc);
    if !in_years(utc.date_naive()) {
        return Err(format!("must be a timestamp from {FIRST_DAY} to {LAST_DAY} (in UTC)"));
    }
    if utc.timestamp_subsec_nanos() % 1_000 != 0 {
        return Err("must not be more precise than microseconds".into());
    }
    Ok(utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{DecimalRule, Field, I32_MAX, Kind};
    use serde_json::json;

    const FIELDS: &[Field] = &[
        Field::required("name", Kind::Text { max_bytes: 5 }, ""),
        Field::optional("count", Kind::Integer { min: 0, max: I32_MAX }, ""),
        Field::optional("cost", Kind::Decimal(DecimalRule::NonNegative), ""),
        Field::optional("defaultCost", Kind::Decimal(DecimalRule::Positive), ""),
    ];

    #[test]
    fn collects_every_error_with_its_path() {
        let body = json!({"count": "3", "cost": -1, "extra": 1});
        let mut r = Reader::object(&body, Path::root().element("parts", 2), FIELDS, KeyStyle::Exact).unwrap();
        r.text("name");
        r.integer("count");
        r.decimal("cost");
        let errors = r.finish().unwrap_err().0;
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["parts[2].name", "parts[2].count", "parts[2].cost", "parts[2].extra"]);
    }

    #[test]
    fn enum_values_are_matched_in_any_case_and_kept_in_their_canonical_spelling() {
        let kind = Kind::Enum(&["in_progress", "Product"]);
        assert_eq!(parse(kind, &json!("IN_PROGRESS"), true), Ok(Scalar::Text("in_progress".into())));
        assert_eq!(parse(kind, &json!("product"), true), Ok(Scalar::Text("Product".into())));
        assert_eq!(parse(kind, &json!("done"), true), Err("must be one of: in_progress, Product".into()));
    }

    #[test]
    fn decimals_are_exact() {
        let body: Value = serde_json::from_str(r#"{"cost": 0.1000000000000000055511151231}"#).unwrap();
        let mut r = Reader::object(&body, Path::root(), FIELDS, KeyStyle::Exact).unwrap();
        assert_eq!(r.decimal("cost"), Patch::Set(Decimal::from_str_exact("0.1000000000000000055511151231").unwrap()));
        let body: Value = serde_json::from_str(r#"{"cost": 12.50}"#).unwrap();
        let mut r = Reader::object(&body, Path::root(), FIELDS, KeyStyle::Exact).unwrap();
        assert_eq!(r.decimal("cost").set().unwrap().to_string(), "12.50");
    }

    #[test]
    fn loose_keys_ignore_case_and_spaces() {
        let body = json!({"NAME": "ab", "Default Cost": 2});
        let mut r = Reader::object(&body, Path::root(), FIELDS, KeyStyle::Loose).unwrap();
        assert_eq!(r.text("name"), Patch::Set("ab".into()));
        assert!(matches!(r.decimal("defaultCost"), Patch::Set(_)));
        r.finish().unwrap();
        let body = json!({"name": "a", "Name": "b"});
        assert!(Reader::object(&body, Path::root(), FIELDS, KeyStyle::Loose).unwrap().finish().is_err());
    }

    #[test]
    fn dates_and_timestamps_are_strict() {
        assert!(parse_date("2024-12-31").is_some());
        assert!(parse_date("2024-2-3").is_none());
        assert!(parse_date("2024-02-30").is_none());
        assert_eq!(
            parse_timestamp("2026-11-21T10:30:00.123456+02:00").unwrap().to_rfc3339(),
            "2026-11-21T08:30:00.123456+00:00"
        );
        assert!(parse_timestamp("2026-11-21T10:30:00.1234567Z").is_err());
    }

    #[test]
    fn dates_and_timestamps_fall_in_years_1_to_9999() {
        let date = |s: &str| parse(Kind::Date, &json!(s), false);
        assert_eq!(date("0000-01-01").unwrap_err(), "must be a date from 0001-01-01 to 9999-12-31");
        assert_eq!(date("0000-12-31").unwrap_err(), "must be a date from 0001-01-01 to 9999-12-31");
        assert!(date("0001-01-01").is_ok());
        assert!(date("9999-12-31").is_ok());
        assert!(parse_timestamp("0000-12-31T23:59:59Z").is_err());
        assert!(parse_timestamp("0001-01-01T00:30:00+01:00").is_err(), "year 0 in UTC");
        assert!(parse_timestamp("9999-12-31T23:30:00-01:00").is_err(), "year 10000 in UTC");
        assert!(parse_timestamp("0001-01-01T00:00:00Z").is_ok());
        assert!(parse_timestamp("9999-12-31T23:59:59.999999Z").is_ok());
    }

    /// A field list that admits any number of keys, to time the reader itself.
    struct Wide;

    impl FieldList for Wide {
        fn field(&self, _: &str) -> Option<&Field> {
            None
        }

        fn field_count(&self) -> usize {
            usize::MAX
        }
    }

    #[test]
    fn objects_with_far_more_keys_than_fields_are_refused_unread() {
        let many = |n: usize| Value::Object((0..n).map(|i| (format!("k{i}"), json!(i))).collect());
        let errors = Reader::object(&many(32), Path::root(), FIELDS, KeyStyle::Exact).unwrap().finish().unwrap_err();
        assert_eq!(errors.0.len(), 32, "within the limit every unknown key is listed");
        let refused = Reader::object(&many(33), Path::root().element("parts", 1), FIELDS, KeyStyle::Loose)
            .err()
            .expect("refused");
        assert_eq!(
            refused.0,
            [FieldError::new("parts[1]", "has 33 keys, far more than the 4 fields of this object; it was not read")]
        );
        let root = Reader::object(&many(100), Path::root(), FIELDS, KeyStyle::Exact).err().expect("refused");
        assert_eq!(root.summary(), "the body has 100 keys, far more than the 4 fields of this object; it was not read");
        static WIDE: Wide = Wide;
        let all = Reader::object(&many(1000), Path::root(), &WIDE, KeyStyle::Loose).unwrap().finish().unwrap_err();
        assert_eq!(all.0.len(), 1000);
    }
}
