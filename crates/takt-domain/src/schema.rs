//! Field descriptions shared by parsing, storage and the OpenAPI document: one list per entity
//! says what each field is, and everything else reads it.

/// A lower bound for a decimal field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalRule {
    /// `>= 0`
    NonNegative,
    /// `> 0`
    Positive,
}

/// What a field holds and the rule its values follow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A string of at most `max_bytes` UTF-8 bytes.
    Text {
        max_bytes: usize,
    },
    /// A whole number between `min` and `max`, inclusive.
    Integer {
        min: i64,
        max: i64,
    },
    /// An exact decimal number (never a binary float).
    Decimal(DecimalRule),
    Bool,
    /// `YYYY-MM-DD`
    Date,
    /// RFC 3339, stored in UTC with microsecond precision.
    Timestamp,
    /// `#rrggbb`
    Color,
    /// A Takt id (UUID).
    Uuid,
    /// One of a fixed set of strings.
    Enum(&'static [&'static str]),
    /// Any JSON object of at most `max_bytes` bytes serialized (a job's `metadata`); read as its
    /// compact serialization.
    JsonObject {
        max_bytes: usize,
    },
    /// An array of at most `max_items` objects, each described by `fields`.
    Objects {
        fields: &'static [Field],
        max_items: usize,
    },
}

/// One field of a request body.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    /// Must be present (and not null) in every request that carries this object.
    pub required: bool,
    /// One line for the API documentation.
    pub doc: &'static str,
}

impl Field {
    pub const fn required(name: &'static str, kind: Kind, doc: &'static str) -> Field {
        Field { name, kind, required: true, doc }
    }

    pub const fn optional(name: &'static str, kind: Kind, doc: &'static str) -> Field {
        Field { name, kind, required: false, doc }
    }
}

/// The largest value of a 32-bit signed integer, the range of every count and sequence.
pub const I32_MAX: i64 = i32::MAX as i64;
